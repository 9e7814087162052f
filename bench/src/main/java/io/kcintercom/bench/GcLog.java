package io.kcintercom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap figures from a worker's {@code -Xlog:gc:file=...:timemillis} log. */
final class GcLog {
    private static final Pattern PAUSE = Pattern.compile(
            "^\\[(\\d+)ms\\].*GC\\(\\d+\\) (Pause [^0-9]*?) (\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    /** one collection: epoch ms, heap used before and after, committed, in MB. */
    record Gc(long atMs, String kind, double beforeMb, double afterMb, double committedMb) {
    }

    final List<Gc> gcs = new ArrayList<>();

    GcLog(Path file) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        for (String line : Files.readAllLines(file)) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                gcs.add(new Gc(Long.parseLong(m.group(1)), m.group(2).trim(), mb(m.group(3), m.group(4)),
                        mb(m.group(5), m.group(6)), mb(m.group(7), m.group(8))));
            }
        }
    }

    /** Collections between two epoch-millisecond instants. */
    List<Gc> between(long fromMs, long toMs) {
        return gcs.stream().filter(g -> g.atMs >= fromMs && g.atMs <= toMs).toList();
    }

    static double maxBefore(List<Gc> gcs) {
        return gcs.stream().mapToDouble(Gc::beforeMb).max().orElse(0);
    }

    static double maxAfter(List<Gc> gcs) {
        return gcs.stream().mapToDouble(Gc::afterMb).max().orElse(0);
    }

    /** Highest heap left after a young collection, per quarter of the list: shows a trend if any. */
    static double[] afterByQuarter(List<Gc> gcs) {
        double[] q = new double[4];
        for (int i = 0; i < gcs.size(); i++) {
            int k = Math.min(3, i * 4 / Math.max(1, gcs.size()));
            q[k] = Math.max(q[k], gcs.get(i).afterMb());
        }
        return q;
    }

    private static double mb(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }
}
