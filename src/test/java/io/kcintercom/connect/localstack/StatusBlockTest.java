package io.kcintercom.connect.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatusBlockTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(0);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalTheBlockIsRedrawnInPlaceAndTextGoesAboveIt() {
        StatusBlock block = new StatusBlock(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 30_000,
                now::get);
        block.show("syncing", List.of("rows 1", "requests 2"));
        block.show("syncing", List.of("rows 3", "requests 4", "WAITING for the rate limit"));
        assertEquals("rows 1\nrequests 2\n\r\u001b[2A\u001b[Jrows 3\nrequests 4\nWAITING for the rate limit\n",
                output(), "the second frame moves up over the two lines of the first and erases them");

        bytes.reset();
        block.print("Caught up.");
        assertEquals("\r\u001b[3A\u001b[JCaught up.\nrows 3\nrequests 4\nWAITING for the rate limit\n", output());

        bytes.reset();
        block.show("caught up", List.of("x".repeat(200)));
        String frame = output().substring(output().indexOf("\u001b[J") + 3);
        assertEquals(StatusBlock.MAX_WIDTH + 1, frame.length(), "a long line is cut so it cannot wrap: " + frame);
    }

    @Test
    void withoutATerminalPlainLinesOnAPhaseChangeOrOncePerInterval() {
        StatusBlock block = new StatusBlock(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 30_000,
                now::get);
        block.show("syncing", List.of("rows 1"));
        now.set(2_000);
        block.show("syncing", List.of("rows 2"));
        now.set(4_000);
        block.show("syncing, waiting", List.of("rows 3 waiting"));
        now.set(20_000);
        block.show("syncing, waiting", List.of("rows 4 waiting"));
        now.set(34_000);
        block.show("syncing, waiting", List.of("rows 5 waiting"));
        assertEquals("rows 1\nrows 3 waiting\nrows 5 waiting\n", output());
        assertTrue(!output().contains("\u001b"), "no escape codes in a log");

        bytes.reset();
        block.close();
        block.show("caught up", List.of("after close"));
        block.print("after close");
        assertEquals("", output(), "nothing after the shutdown line");
    }

    @Test
    void passLinesShowThePassesInProgressWithPercentAndEta() {
        List<String> lines = StatusBlock.passLines(List.of(
                new StatusBlock.Pass("users", "running", 1_998_312, 412_000, 40 * 60 + 30),
                new StatusBlock.Pass("leads", "caught-up", 1_000, 1_000, -1),
                new StatusBlock.Pass("conversations", "running", 300_000, 0, -1),
                new StatusBlock.Pass("companies", "running", -1, 12_000, -1),
                new StatusBlock.Pass("admins", "running", -1, 0, -1)));
        assertEquals(List.of("  passes: users 20 % ETA 41 min, conversations 0 %, companies 12,000 read"), lines);

        assertEquals(List.of(), StatusBlock.passLines(List.of(
                new StatusBlock.Pass("users", "caught-up", 1_998_312, 1_998_312, -1),
                new StatusBlock.Pass("companies", "waiting-for-scroll-lock", -1, 0, -1))),
                "no line when every resource is caught up or waiting");

        List<String> wrapped = StatusBlock.passLines(List.of(
                new StatusBlock.Pass("users", "running", 1_998_312, 412_000, 3 * 3600 + 5 * 60),
                new StatusBlock.Pass("leads", "running", 500_000, 100_000, 7_200),
                new StatusBlock.Pass("conversations", "running", 300_000, 1_000, 36_000),
                new StatusBlock.Pass("companies", "running", -1, 12_000, -1)));
        assertEquals(2, wrapped.size(), wrapped.toString());
        assertTrue(wrapped.stream().allMatch(line -> line.length() <= StatusBlock.MAX_WIDTH), wrapped.toString());
        assertEquals("  passes: users 20 % ETA 3 h 5 min, leads 20 % ETA 2 h 0 min,", wrapped.get(0));
        assertEquals("          conversations 0 % ETA 10 h 0 min, companies 12,000 read", wrapped.get(1));
    }
}
