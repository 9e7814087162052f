package io.kcintercom.connect.localstack;

import io.kcintercom.connect.metrics.PassProgress;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The quickstart's progress: on a terminal one block of lines redrawn in place (so the sample rows
 * and messages printed above it stay on screen); elsewhere (a log file, CI) plain lines, printed
 * when the phase changes or at most once per interval, so a long run stays short to read.
 */
public final class StatusBlock {
    /** Cursor up n lines is "ESC [ n A"; "ESC [ J" erases from the cursor to the end of the screen. */
    private static final String ESC = "\u001b[";
    /** Lines longer than a terminal's width wrap and would break the count of lines to redraw. */
    static final int MAX_WIDTH = 79;

    private final PrintStream out;
    private final boolean terminal;
    private final long plainIntervalMs;
    private final LongSupplier clockMs;
    private List<String> shown = List.of();
    private String lastPhase;
    private long lastPlainPrintMs;
    private boolean closed;

    public StatusBlock(PrintStream out, boolean terminal, long plainIntervalMs, LongSupplier clockMs) {
        this.out = out;
        this.terminal = terminal;
        this.plainIntervalMs = plainIntervalMs;
        this.clockMs = clockMs;
    }

    /** A terminal that understands cursor movement: stdin and stdout on a console, and TERM not dumb. */
    public static StatusBlock forConsole(PrintStream out, long plainIntervalMs) {
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return new StatusBlock(out, terminal, plainIntervalMs, System::currentTimeMillis);
    }

    public boolean terminal() {
        return terminal;
    }

    /**
     * Shows the block: redrawn in place on a terminal; as plain lines when {@code phase} changed or
     * the interval has passed since they were last printed.
     */
    public synchronized void show(String phase, List<String> lines) {
        if (closed) {
            return;
        }
        if (terminal) {
            StringBuilder frame = new StringBuilder(erasing());
            lines.forEach(line -> frame.append(fit(line)).append('\n'));
            out.print(frame);
            out.flush();
            shown = List.copyOf(lines);
            return;
        }
        long now = clockMs.getAsLong();
        if (!phase.equals(lastPhase) || now - lastPlainPrintMs >= plainIntervalMs) {
            lines.forEach(out::println);
            out.flush();
            lastPhase = phase;
            lastPlainPrintMs = now;
        }
    }

    /** Prints text above the block, which is redrawn below it on a terminal. */
    public synchronized void print(String text) {
        if (closed) {
            return;
        }
        if (!terminal) {
            out.println(text);
            out.flush();
            return;
        }
        List<String> block = shown;
        out.print(erasing());
        out.println(text);
        shown = List.of();
        block.forEach(line -> out.println(fit(line)));
        shown = block;
        out.flush();
    }

    /** Stops drawing: later calls print nothing, so a shutdown message is the last thing on screen. */
    public synchronized void close() {
        closed = true;
    }

    private String erasing() {
        String erase = shown.isEmpty() ? "" : "\r" + ESC + shown.size() + "A" + ESC + "J";
        shown = List.of();
        return erase;
    }

    /**
     * A resource's pass as its MBean reports it: {@code state}, {@code pass-expected-objects},
     * {@code pass-done-objects}, {@code pass-eta-seconds}.
     */
    public record Pass(String resource, String state, long expected, long done, long etaSeconds) {
        /** A pass that is reading: the resource is running and has started one. */
        boolean inProgress() {
            return "running".equals(state) && (expected >= 0 || done > 0);
        }

        /** "users 21 % ETA 41 min", or "companies 1,200 read" when the total is not known. */
        String describe() {
            if (expected < 0) {
                return String.format(Locale.ROOT, "%s %,d read", resource, done);
            }
            long percent = expected == 0 ? 100 : Math.min(100, done * 100 / expected);
            return resource + " " + percent + " %" + (etaSeconds < 0 ? "" : " ETA " + PassProgress.duration(etaSeconds));
        }
    }

    /**
     * The passes in progress, e.g. {@code "  passes: users 21 % ETA 41 min, companies 1,200 read"},
     * wrapped to the block's width; no line when none is in progress (every resource caught up).
     */
    public static List<String> passLines(List<Pass> passes) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder("  passes:");
        boolean first = true;
        for (Pass pass : passes) {
            if (!pass.inProgress()) {
                continue;
            }
            String part = pass.describe();
            if (!first && line.length() + 2 + part.length() > MAX_WIDTH) {
                lines.add(line.append(',').toString());
                line = new StringBuilder("         ");
                first = true;
            }
            line.append(first ? " " : ", ").append(part);
            first = false;
        }
        if (!first) {
            lines.add(line.toString());
        }
        return lines;
    }

    private static String fit(String line) {
        return line.length() <= MAX_WIDTH ? line : line.substring(0, MAX_WIDTH - 3) + "...";
    }
}
