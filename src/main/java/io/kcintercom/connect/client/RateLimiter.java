package io.kcintercom.connect.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Paces requests from Intercom's {@code X-RateLimit-*} headers so the budget runs out at the end
 * of a window, not in a 429. One instance per token and host in a worker JVM, shared by every
 * task using that token, because Intercom counts per app and workspace, not per connection.
 *
 * <p>Intercom spreads its per-minute limit over 10-second windows and reports, on every response,
 * the window's limit, what is left and when it resets. The limiter counts down locally as it lets
 * requests go (so concurrent requests do not all spend the same last unit), trusts the server's
 * lower figure when a response reports one, and once nothing is left waits for the reset.
 *
 * <p>The server counts a request when it arrives, the limiter when it leaves. With many requests in
 * flight, a response's {@code X-RateLimit-Remaining} does not yet include the others still on
 * their way, and a window assumed to have refilled may still receive requests sent in the last
 * one. So the limiter counts the requests in flight ({@link #acquire} to {@link #release}) and
 * takes them off whatever it adopts: a new window's budget and the server's remaining count.
 * Until the first answer names the budget, one request goes at a time: a worker starting many
 * tasks with dozens of requests each would otherwise overspend a small window (1,000/min is 167
 * per 10 s) before it knew the limit.
 */
public final class RateLimiter {
    /** Guard against a skewed clock or a bogus header: never wait longer than this per turn. */
    static final long MAX_WAIT_MS = 60_000;
    /** Wait at least this long when the reset is already past on our clock (skew). */
    static final long MIN_WAIT_MS = 200;
    /** How often a request waiting for the first answer looks again. */
    static final long FIRST_ANSWER_POLL_MS = 20;
    /** Window length assumed before the first header arrives or when one is missing. */
    static final long DEFAULT_WINDOW_MS = 10_000;

    private static final Map<String, RateLimiter> SHARED = new ConcurrentHashMap<>();

    private final LongSupplier clock;
    private long limit = -1;
    private long remaining = -1;
    private long resetAtMs;
    /** Whether {@link #resetAtMs} is our own guess (a window assumed locally), not a server header. */
    private boolean resetAssumed;
    /** Requests let through and not yet answered. */
    private int inFlight;
    /** Whether any request has been answered (with or without rate-limit headers). */
    private boolean answered;

    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong waitedMs = new AtomicLong();

    RateLimiter(LongSupplier clock) {
        this.clock = clock;
    }

    /** The limiter shared by all tasks of this worker that use the same key (token and host). */
    public static RateLimiter shared(String key) {
        return SHARED.computeIfAbsent(key, k -> new RateLimiter(System::currentTimeMillis));
    }

    /** Blocks until a request may be sent. Each call must be followed by one {@link #release()}. */
    public void acquire(Sleeper sleeper) {
        while (true) {
            long waitMs;
            boolean forTheFirstAnswer;
            synchronized (this) {
                forTheFirstAnswer = !answered && inFlight > 0;
                waitMs = forTheFirstAnswer ? FIRST_ANSWER_POLL_MS : admit(clock.getAsLong());
                if (waitMs == 0) {
                    inFlight++;
                    return;
                }
            }
            if (!forTheFirstAnswer) {
                waits.incrementAndGet();
                waitedMs.addAndGet(waitMs);
            }
            sleeper.sleep(waitMs);
        }
    }

    /** Takes one unit of the window's budget (0), or says how long to wait for the reset. */
    private long admit(long now) {
        if (limit > 0 && now >= resetAtMs) {
            // A new window: the server refills the budget; assume the last limit seen, less what is
            // still in flight, which may reach the server in this new window.
            remaining = Math.max(0, limit - inFlight);
            resetAtMs = now + DEFAULT_WINDOW_MS;
            resetAssumed = true;
        }
        if (limit <= 0) {
            return 0;
        }
        if (remaining > 0) {
            remaining--;
            return 0;
        }
        return clamp(resetAtMs - now);
    }

    /** The request let through by {@link #acquire} has been answered or has failed. */
    public synchronized void release() {
        answered = true;
        if (inFlight > 0) {
            inFlight--;
        }
    }

    /** Requests let through and not yet released. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /**
     * Records what a response said about the current window; called before that response's
     * {@link #release()}. Missing headers are ignored.
     */
    public synchronized void update(long headerLimit, long headerRemaining, long headerResetEpochSeconds) {
        answered = true;
        if (headerLimit <= 0 || headerRemaining < 0) {
            return;
        }
        // The other requests in flight have left but the server has not counted them yet.
        long othersInFlight = Math.max(0, inFlight - 1);
        long serverRemaining = Math.max(0, headerRemaining - othersInFlight);
        long resetMs = headerResetEpochSeconds > 0
                ? headerResetEpochSeconds * 1000
                : clock.getAsLong() + DEFAULT_WINDOW_MS;
        if (limit <= 0 || resetMs > resetAtMs) {
            // First answer, or the first answer of a newer window.
            limit = headerLimit;
            remaining = serverRemaining;
            resetAtMs = resetMs;
            resetAssumed = headerResetEpochSeconds <= 0;
        } else {
            limit = headerLimit;
            remaining = Math.min(remaining, serverRemaining);
            if (resetAssumed && headerResetEpochSeconds > 0 && resetMs > clock.getAsLong()) {
                // We assumed a window from our first request in it; the server's window ends
                // sooner. Follow it, or each window would start later than the server's and the
                // lag would grow with every window.
                resetAtMs = resetMs;
                resetAssumed = false;
            }
        }
    }

    /** A 429: nothing is left until the reset the server named (or a default window). */
    public synchronized void rateLimited(long headerResetEpochSeconds) {
        answered = true;
        long now = clock.getAsLong();
        long resetMs = headerResetEpochSeconds > 0 ? headerResetEpochSeconds * 1000 : now + DEFAULT_WINDOW_MS;
        if (limit <= 0) {
            limit = 1;
        }
        remaining = 0;
        resetAtMs = Math.max(resetMs, now + MIN_WAIT_MS);
        resetAssumed = headerResetEpochSeconds <= 0;
    }

    /** How many times a request waited for the window to reset. */
    public long waits() {
        return waits.get();
    }

    public long waitedMs() {
        return waitedMs.get();
    }

    private static long clamp(long waitMs) {
        return Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, waitMs));
    }
}
