package io.kcintercom.connect.resource;

/**
 * How long a search resource waits between the end of one incremental pass and the start of the
 * next: {@code poll.interval.ms} after a pass that emitted something, and after a pass that emitted
 * nothing twice the last wait, up to {@code poll.interval.max.ms}.
 *
 * <p>Each idle pass costs a search page whatever the workspace's size, so on a quiet workspace the
 * fixed interval made the passes the day's main cost (8,500 pages a day at 30 s for users, leads
 * and conversations); backed off to 5 minutes they cost under 900. A busy workspace keeps the
 * short interval, since its passes keep emitting. The price is freshness on a quiet one: the first
 * change after a quiet spell shows within {@code poll.interval.max.ms} plus one pass, and the
 * passes after it are back at {@code poll.interval.ms}.
 *
 * <p>Not thread-safe: the reader that owns it calls it from its one thread.
 */
public final class PassSchedule {
    private final long intervalMs;
    private final long maxIntervalMs;
    private long lastWaitMs;

    /**
     * @param intervalMs    the wait after a pass that emitted something ({@code poll.interval.ms})
     * @param maxIntervalMs the longest wait after passes that emitted nothing ({@code poll.interval.max.ms});
     *                      taken as {@code intervalMs} when lower
     */
    public PassSchedule(long intervalMs, long maxIntervalMs) {
        if (intervalMs < 0) {
            throw new IllegalArgumentException("the interval must not be negative: " + intervalMs);
        }
        this.intervalMs = intervalMs;
        this.maxIntervalMs = Math.max(intervalMs, maxIntervalMs);
        this.lastWaitMs = intervalMs;
    }

    /** The same wait after every pass, emitting or not. */
    public static PassSchedule fixed(long intervalMs) {
        return new PassSchedule(intervalMs, intervalMs);
    }

    /**
     * The wait before the next pass, given whether the pass that just ended emitted anything; it
     * becomes the last wait that the next idle pass doubles.
     */
    public long waitAfterPass(boolean emitted) {
        // An interval of 0 (pass after pass) has nothing to double: the first idle pass waits 1 ms
        // and the doubling goes on from there, so the maximum still bounds the idle cost.
        long doubled = lastWaitMs > maxIntervalMs / 2 ? maxIntervalMs : Math.max(2 * lastWaitMs, lastWaitMs + 1);
        lastWaitMs = emitted ? intervalMs : Math.min(doubled, maxIntervalMs);
        return lastWaitMs;
    }

    /** The wait chosen after the last pass ({@code poll.interval.ms} before the first). */
    public long lastWaitMs() {
        return lastWaitMs;
    }
}
