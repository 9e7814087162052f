package io.kcintercom.connect.client;

import java.util.Map;
import java.util.TreeSet;
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
 * flight, a response's {@code X-RateLimit-Remaining} does not yet include the requests sent after
 * it, which are still on their way, and a window assumed to have refilled may still receive
 * requests sent in the last one. So the limiter tracks the requests in flight, each by the ticket
 * {@link #acquire} hands out (tickets grow with every request), and takes off a response's
 * remaining count the requests sent after that response's request; those sent before it have
 * reached the server already and are in the count. A window assumed to have refilled starts
 * without every request still in flight.
 *
 * <p>One request goes at a time (a {@link Probe}) until the server answers: at the start, since a
 * worker starting many tasks with dozens of requests each would otherwise overspend a small window
 * (1,000/min is 167 per 10 s) before it knew the limit, and after a 429, since the waiting requests
 * (up to 64 per task) would otherwise all go at the reset and all be refused again if the window has
 * not really reset (a skewed clock, a reset rounded to the second, other workers on the same token).
 *
 * <p>Several limiters may spend one window: the other workers of the cluster (each JVM has its
 * own), other connectors or apps on the token. Each then claims only a share of what the server
 * says is left ({@link BudgetShare}: additive increase, multiplicative decrease, from how the
 * server's figure falls compared with our own sending), so that together they do not overspend it.
 * Alone, the share stays whole and nothing changes. Separately, {@code intercom.rate.limit.share}
 * leaves part of every window to other apps: with a share s, the limiter takes a window of limit L
 * as one of s &times; L, of which only what the server has left beyond the (1 - s) &times; L kept
 * for the others is ours.
 */
public final class RateLimiter {
    /** Guard against a skewed clock or a bogus header: never wait longer than this per turn. */
    static final long MAX_WAIT_MS = 60_000;
    /** Wait at least this long for a reset named by the server. */
    static final long MIN_WAIT_MS = 200;
    /** How often a request waiting for the probe's answer looks again. */
    static final long PROBE_POLL_MS = 20;
    /**
     * Window length assumed before the first header arrives, when one is missing, and after a 429
     * whose reset is already past on our clock: Intercom's windows are 10 seconds.
     */
    static final long DEFAULT_WINDOW_MS = 10_000;
    /**
     * The limit assumed when a 429 says there is one but no header says how much (a proxy that
     * strips them): Intercom's default of 10,000 per minute, per 10-second window.
     */
    static final long DEFAULT_LIMIT_PER_WINDOW = 10_000 / 6;

    private static final Map<String, RateLimiter> SHARED = new ConcurrentHashMap<>();

    private final LongSupplier clock;
    /** The part of each window this connector may use ({@code intercom.rate.limit.share}). */
    private final double limitShare;
    private final BudgetShare share = new BudgetShare();
    private long limit = -1;
    private long remaining = -1;
    private long resetAtMs;
    /** Whether {@link #resetAtMs} is our own guess (a window assumed locally), not a server header. */
    private boolean resetAssumed;
    /** Tickets of the requests let through and not yet answered, in the order they left. */
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private long lastTicket;
    private final Probe probe = new Probe();

    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong waitedMs = new AtomicLong();

    RateLimiter(LongSupplier clock) {
        this(clock, 1.0);
    }

    RateLimiter(LongSupplier clock, double limitShare) {
        if (!(limitShare > 0 && limitShare <= 1)) {
            throw new IllegalArgumentException("The share of the rate limit must be in (0, 1]: " + limitShare);
        }
        this.clock = clock;
        this.limitShare = limitShare;
    }

    /**
     * The limiter shared by all clients of this JVM with the same key (token, host and whatever else
     * the caller puts in it) and the same share of the limit.
     */
    public static RateLimiter shared(String key, double limitShare) {
        return SHARED.computeIfAbsent(key + "\n" + limitShare,
                k -> new RateLimiter(System::currentTimeMillis, limitShare));
    }

    /**
     * Blocks until a request may be sent; returns its ticket, which must be handed back once by
     * {@link #release} (and to {@link #update} with the response's headers).
     */
    public long acquire(Sleeper sleeper) {
        while (true) {
            Admission admission = tryAcquire();
            if (admission.ticket() > 0) {
                return admission.ticket();
            }
            if (!admission.forTheProbe()) {
                waits.incrementAndGet();
                waitedMs.addAndGet(admission.waitMs());
            }
            sleeper.sleep(admission.waitMs());
        }
    }

    /** A ticket when the request may go now, else how long to wait (and whether for the probe's answer). */
    record Admission(long ticket, long waitMs, boolean forTheProbe) {
    }

    /** One non-blocking attempt of {@link #acquire}, at the limiter's clock. */
    synchronized Admission tryAcquire() {
        if (probe.inFlight()) {
            return new Admission(0, PROBE_POLL_MS, true);
        }
        long now = clock.getAsLong();
        if (limit > 0) {
            if (now >= resetAtMs) {
                // A new window: the server refills the budget; assume the last limit seen, less what
                // is still in flight, which may reach the server in this new window.
                remaining = Math.max(0, limit - inFlight.size());
                resetAtMs = now + DEFAULT_WINDOW_MS;
                resetAssumed = true;
                share.windowAssumed(limit, lastTicket);
            }
            if (remaining <= 0) {
                return new Admission(0, clamp(resetAtMs - now), false);
            }
            int ahead = inFlight.tailSet(share.freshTicket(), false).size();
            if (!share.mayClaim(ahead, limit)) {
                share.held();
                // Other limiters spend this window too: wait for an answer with a newer figure, or
                // for the reset when none of ours is on its way.
                return ahead > 0 ? new Admission(0, PROBE_POLL_MS, true)
                        : new Admission(0, clamp(resetAtMs - now), false);
            }
            remaining--;
        }
        long ticket = ++lastTicket;
        inFlight.add(ticket);
        probe.sent(ticket);
        return new Admission(ticket, 0, false);
    }

    /**
     * The request with this ticket is over. {@code answered}: the server responded (whatever the
     * status); false when the call failed without a response (timeout, reset), which tells nothing
     * of the budget.
     */
    public synchronized void release(long ticket, boolean answered) {
        inFlight.remove(ticket);
        probe.over(ticket);
        if (answered) {
            probe.answered(ticket);
        }
    }

    /** Requests let through and not yet released. */
    public synchronized int inFlight() {
        return inFlight.size();
    }

    /**
     * Records what the response to the request with this ticket said about the current window;
     * called before that request's {@link #release}. Missing headers are ignored.
     */
    public synchronized void update(long ticket, long windowLimit, long windowRemaining,
                                    long headerResetEpochSeconds) {
        if (windowLimit <= 0 || windowRemaining < 0) {
            return;
        }
        // With a share below 1, the rest of each window is left to other apps: the window is
        // smaller by that much, and so is what is left of it.
        long ourLimit = Math.max(1, (long) Math.floor(windowLimit * limitShare));
        long ourRemaining = Math.max(0, windowRemaining - (windowLimit - ourLimit));
        if (windowRemaining > 0) {
            // Budget left: the window is open (a 429 never reports any), whatever the status.
            probe.answered(ticket);
        }
        // Requests sent after this one have left but may not have reached the server yet.
        long sentAfter = inFlight.tailSet(ticket, false).size();
        long leftForUs = Math.max(0, ourRemaining - sentAfter);
        long resetMs = headerResetEpochSeconds > 0
                ? headerResetEpochSeconds * 1000
                : clock.getAsLong() + DEFAULT_WINDOW_MS;
        if (limit <= 0 || resetMs > resetAtMs) {
            // First answer, or the first answer of a newer window.
            limit = ourLimit;
            remaining = leftForUs;
            resetAtMs = resetMs;
            resetAssumed = headerResetEpochSeconds <= 0;
        } else {
            limit = ourLimit;
            remaining = Math.min(remaining, leftForUs);
            if (resetAssumed && headerResetEpochSeconds > 0 && resetMs > clock.getAsLong()) {
                // We assumed a window from our first request in it; the server's window ends
                // sooner. Follow it, or each window would start later than the server's and the
                // lag would grow with every window.
                resetAtMs = resetMs;
                resetAssumed = false;
            }
        }
        share.answered(ticket, ourLimit, ourRemaining, headerResetEpochSeconds > 0 ? resetMs : resetAtMs, lastTicket);
    }

    /**
     * A 429, called before its request's {@link #release}: nothing is left until the reset the
     * server named, or a full window when it named none or one already past on our clock (the
     * server's window has not reset, whatever our clock says). Then one request probes the window.
     */
    public synchronized void rateLimited(long headerResetEpochSeconds) {
        long now = clock.getAsLong();
        long resetMs = headerResetEpochSeconds * 1000;
        boolean named = headerResetEpochSeconds > 0 && resetMs > now;
        if (limit <= 0) {
            limit = Math.max(1, (long) Math.floor(DEFAULT_LIMIT_PER_WINDOW * limitShare));
        }
        remaining = 0;
        resetAtMs = named ? Math.max(resetMs, now + MIN_WAIT_MS) : now + DEFAULT_WINDOW_MS;
        resetAssumed = !named;
        probe.refusedBefore(lastTicket + 1);
    }

    /** The part of what the server has left that this limiter claims (1 while it is alone). */
    synchronized double shareOfRemaining() {
        return share.fraction();
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

    /**
     * One request at a time until one is answered: from the start, and again after each 429 until a
     * request sent after it gets another answer (a request already in flight at the 429 tells
     * nothing: it may have reached the server before the refused one). Guarded by the limiter.
     */
    private static final class Probe {
        private boolean active = true;
        /** The probe in flight, or 0. */
        private long ticket;
        /** Answers to requests with lower tickets do not end the probing. */
        private long firstTicketThatCounts = 1;

        boolean inFlight() {
            return active && ticket != 0;
        }

        void sent(long sentTicket) {
            if (active) {
                ticket = sentTicket;
            }
        }

        void refusedBefore(long nextTicket) {
            active = true;
            firstTicketThatCounts = Math.max(firstTicketThatCounts, nextTicket);
        }

        void over(long overTicket) {
            if (overTicket == ticket) {
                ticket = 0;
            }
        }

        /** The request with this ticket was answered, and not with a 429 (that is recorded before). */
        void answered(long answeredTicket) {
            if (answeredTicket >= firstTicketThatCounts) {
                active = false;
            }
        }
    }
}
