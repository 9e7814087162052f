package io.kcintercom.connect.sandbox;

/**
 * Intercom enforces its per-minute quota in 10-second windows and reports it in X-RateLimit-* headers. A
 * window opens with the first request after the previous one ran out, so a burst of requests is judged
 * within one window (which makes limits testable without racing a wall-clock boundary).
 */
final class RateLimiter {

    static final long WINDOW_MILLIS = 10_000;
    /** What the headers claim when the fake runs unlimited: clients that read them should never wait. */
    private static final int UNLIMITED = 1_000_000;

    /** One request's verdict plus the header values to send with it. */
    record Decision(boolean allowed, int limit, int remaining, long resetEpochSeconds) {
    }

    private final int limit;
    private long windowStart = Long.MIN_VALUE;
    private int used;

    /** @param limitPer10s 0 = unlimited */
    RateLimiter(int limitPer10s) {
        this.limit = limitPer10s;
    }

    synchronized Decision acquire(long nowMillis) {
        roll(nowMillis);
        used++;
        return decision(limit == 0 || used <= limit);
    }

    /** The current window's headers without spending a request (for injected 429 faults). */
    synchronized Decision exhausted(long nowMillis) {
        roll(nowMillis);
        return new Decision(false, shownLimit(), 0, resetSeconds());
    }

    private void roll(long nowMillis) {
        if (windowStart == Long.MIN_VALUE || nowMillis >= windowStart + WINDOW_MILLIS) {
            windowStart = nowMillis;
            used = 0;
        }
    }

    private Decision decision(boolean allowed) {
        return new Decision(allowed, shownLimit(), Math.max(0, shownLimit() - used), resetSeconds());
    }

    private int shownLimit() {
        return limit == 0 ? UNLIMITED : limit;
    }

    private long resetSeconds() {
        return Math.floorDiv(windowStart + WINDOW_MILLIS + 999, 1000);
    }
}
