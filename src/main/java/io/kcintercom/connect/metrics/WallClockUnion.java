package io.kcintercom.connect.metrics;

/**
 * Adds up intervals of wall-clock time, counting overlapping ones once: 64 requests that wait
 * for the same rate-limit window for 2 s add 2 s, not 128 s. Intervals are reported as they end,
 * roughly in order, which is what makes the running "covered until" exact enough.
 */
final class WallClockUnion {
    private long coveredUntil;
    private long total;

    /** An interval of {@code millis} that ended at {@code endMs}. */
    synchronized void add(long endMs, long millis) {
        if (millis <= 0) {
            return;
        }
        long start = Math.max(endMs - millis, coveredUntil);
        if (endMs > start) {
            total += endMs - start;
        }
        coveredUntil = Math.max(coveredUntil, endMs);
    }

    synchronized long total() {
        return total;
    }
}
