package io.kcintercom.connect.client;

/**
 * The part of a rate-limit window's remaining budget one limiter may claim while other limiters
 * spend the same window: the other workers (JVMs) of a Connect cluster running tasks with the same
 * token, other connectors or apps on it. Guarded by its {@link RateLimiter}.
 *
 * <p>Every limiter sees the same server figure, {@code X-RateLimit-Remaining}, and none knows how
 * many others there are. If each let through as many requests as the server has left, they would
 * all spend the same last units and draw 429s. So each keeps in flight, ahead of the freshest
 * answer, at most a fraction of what that answer said was left, less what the others spent in its
 * last round trip (the figure is a round trip old, and they have probably spent as much again).
 * With fractions summing to well under one, all the requests in flight together stay under what
 * the server has left; as answers come back with lower figures, each claims its fraction of the
 * new figure, so the window is still spent to its end (each round trip spends the fractions' sum
 * of what is left).
 *
 * <p>The fraction follows additive increase and multiplicative decrease, from what the server's
 * figure did between two answers of one server window (a round trip: from an answer to the first
 * answer of a request sent after it):
 * <ul>
 *   <li>It starts whole, so a limiter alone on the token behaves as if the share did not exist;
 *   the answer to its very first request sets it to {@value #FIRST_FRACTION} (or to
 *   {@value #MARGIN} when others already spent the window), since limiters starting together do
 *   not see each other in their first answers.</li>
 *   <li>When the figure fell by more than our own requests can explain (even counting every one of
 *   ours sent since, which may have overtaken), others are there: the fraction is held to at most
 *   {@value #SHARED_MAX_FRACTION} at once, so a limiter that could spend a whole window in one
 *   burst no longer starves the others (whose refused requests never show in the figure).</li>
 *   <li>Others leave (a rebalance moves their tasks away, a connector or another app stops): after
 *   {@value #QUIET_WINDOWS_TO_FORGET} server windows in a row in which the server counted no
 *   request but ours, they are forgotten, the hold lifts and the fraction doubles back to the whole
 *   as for a limiter that never saw any; the first foreign spending seen again holds it at once.
 *   Whole windows are judged, exactly ({@link OtherSpenders}), not round trips, which only bound
 *   the others' part and may take our own overtaking requests for theirs.</li>
 *   <li>When the others' part of the fall exceeds {@value #MARGIN} of what our fraction left
 *   them, they would spend the rest before our next answer: the fraction drops at once to
 *   {@value #MARGIN} times our part of the fall (so all limiters doing so leave room), or halves
 *   at the end of the round trip, down to 1/{@value #MIN_FRACTION_DENOMINATOR}.</li>
 *   <li>Otherwise, when a request was held back by the fraction in the round trip (there was
 *   demand), it grows by 1/{@value #INCREASE_DENOMINATOR}; it doubles, back to the whole, while
 *   no other spender is known.</li>
 * </ul>
 * However small the fraction, one request at a time may go while at least half the window is left,
 * so a small window (a fraction of 50 can be less than one request) is never left unused.
 */
final class BudgetShare {
    static final int MIN_FRACTION_DENOMINATOR = 64;
    static final int INCREASE_DENOMINATOR = 16;
    /** Part of what is left to the others that their spending in one round trip may reach without a decrease. */
    static final double MARGIN = 0.15;
    /** The most a limiter claims once it knows it is not alone. */
    static final double SHARED_MAX_FRACTION = 0.5;
    /** What a limiter claims after its first answer, until a round trip tells more. */
    static final double FIRST_FRACTION = 0.5;
    /** Falls this small are noise (overtaking requests) rather than another spender. */
    static final long TOLERANCE = 1;
    /**
     * Windows in a row without foreign spending after which the others are taken to have left: one
     * minute, the period Intercom states its limit in. A peer pausing for less (the 30 s between two
     * search passes, a wait for a reset) is not forgotten; one forgotten and back costs what a
     * newcomer costs, a window or two of smaller shares, while holding a departed peer's half would
     * cost every window of the rest of the sync.
     */
    static final int QUIET_WINDOWS_TO_FORGET = 6;

    private double fraction = 1.0;
    /** The lowest remaining of the current server window, and the highest ticket answered in it. */
    private long freshRemaining = -1;
    private long freshTicket;
    private long windowReset = Long.MIN_VALUE;
    /** Answers naming this reset or an earlier one belong to a window already over. */
    private long passedReset = Long.MIN_VALUE;
    private RoundTrip roundTrip = new RoundTrip(0, 0, 0);
    private boolean heldInRoundTrip;
    /**
     * What the others spent in our last round trip: the freshest figure is a round trip old, and
     * they have probably spent as much again since.
     */
    private long othersPerRoundTrip;
    /**
     * Whether other spenders are known. A limiter that spends a whole window in one burst starves
     * the others, whose refused requests never show in the remaining figure: while others are
     * known, it never claims more than {@link #SHARED_MAX_FRACTION} of what is left.
     */
    private final OtherSpenders others = new OtherSpenders();

    /** The fraction of the remaining budget this limiter may claim, in (0, 1]. */
    double fraction() {
        return fraction;
    }

    /** The ticket whose answer gave the figure {@link #mayClaim} compares with (0 before any). */
    long freshTicket() {
        return freshTicket;
    }

    /**
     * Whether one more request may go with {@code ahead} of this limiter's requests in flight sent
     * after {@link #freshTicket()}; if not, the caller waits for an answer and {@link #held()} is noted.
     */
    boolean mayClaim(int ahead, long limit) {
        // One at a time while most of the window is left, however small the fraction: a fraction
        // of a small window can be less than one request, and nothing would ever go.
        return freshRemaining < 0 || ahead + 1 <= fraction * (freshRemaining - othersPerRoundTrip)
                || (ahead == 0 && 2 * freshRemaining >= limit);
    }

    /** A request waited for the share: counts as demand when the round trip is judged. */
    void held() {
        heldInRoundTrip = true;
    }

    /** The limiter assumed a new window with this budget; requests sent up to {@code lastSent} are before it. */
    void windowAssumed(long budget, long lastSent) {
        freshRemaining = budget;
        freshTicket = lastSent;
        passedReset = Math.max(passedReset, windowReset);
        windowReset = Long.MIN_VALUE;
        startRoundTrip(lastSent, budget, lastSent);
    }

    /**
     * The answer to the request with this ticket reported {@code remaining} in the window resetting at
     * {@code resetMs}; {@code lastSent} is the last ticket handed out so far.
     */
    void answered(long ticket, long limit, long remaining, long resetMs, long lastSent) {
        others.counted(limit, remaining, resetMs); // late answers too: the judge of their window needs them
        if (resetMs <= passedReset || resetMs < windowReset) {
            return; // a late answer from a window already over
        }
        if (ticket == 1) {
            // The answer to our very first request: other limiters starting at the same time may not
            // show in it yet, so claim half until a round trip shows whether they are there; less
            // when others already spend this window.
            fraction = Math.min(fraction, limit - remaining - 1 > TOLERANCE ? MARGIN : FIRST_FRACTION);
        }
        if (resetMs != windowReset) {
            windowReset = resetMs;
            freshRemaining = remaining;
            freshTicket = ticket;
            startRoundTrip(ticket, remaining, lastSent);
            return;
        }
        freshRemaining = Math.min(freshRemaining, remaining);
        freshTicket = Math.max(freshTicket, ticket);
        if (ticket <= roundTrip.ticket()) {
            return; // sent before the round trip began: it says nothing of it
        }
        long own = ticket - roundTrip.ticket();
        long notOurs = (roundTrip.remaining() - remaining) - own;
        // Our requests sent after this one may have overtaken it and be counted too: only what
        // even all of them cannot explain is surely someone else's.
        long surelyOthers = notOurs - (lastSent - ticket);
        boolean crowded = surelyOthers > TOLERANCE
                && surelyOthers > MARGIN * (1 - fraction) * roundTrip.remaining();
        double before = fraction;
        if (surelyOthers > TOLERANCE) {
            others.seen();
            fraction = Math.min(fraction, SHARED_MAX_FRACTION);
        }
        if (crowded) {
            // At once, not only at the end of the round trip: take the part of the spending that was
            // ours, with the margin, so all limiters doing so together leave room.
            fraction = Math.max(1.0 / MIN_FRACTION_DENOMINATOR,
                    Math.min(fraction, MARGIN * own / (double) (own + surelyOthers)));
        }
        othersPerRoundTrip = Math.max(othersPerRoundTrip, surelyOthers);
        if (ticket <= roundTrip.lastSent()) {
            return; // the round trip is not over yet
        }
        othersPerRoundTrip = Math.max(0, surelyOthers);
        if (crowded && fraction == before) {
            fraction = Math.max(1.0 / MIN_FRACTION_DENOMINATOR, fraction / 2);
        } else if (!others.known() && notOurs <= TOLERANCE && heldInRoundTrip) {
            fraction = Math.min(1.0, fraction * 2); // nobody else spent anything: back to the whole soon
        } else if (!crowded && heldInRoundTrip) {
            fraction = Math.min(others.known() ? SHARED_MAX_FRACTION : 1.0,
                    fraction + 1.0 / INCREASE_DENOMINATOR);
        }
        startRoundTrip(ticket, remaining, lastSent);
    }

    private void startRoundTrip(long ticket, long remaining, long lastSent) {
        roundTrip = new RoundTrip(ticket, remaining, lastSent);
        heldInRoundTrip = false;
    }

    /**
     * The answer a round trip is judged from (its ticket and the remaining it reported), and the
     * last ticket sent before it came: the round trip ends with the answer to a later one.
     */
    private record RoundTrip(long ticket, long remaining, long lastSent) {
    }

    /**
     * Whether other spenders share the rate-limit windows: known from their first spending a round
     * trip sees, forgotten after {@value #QUIET_WINDOWS_TO_FORGET} server windows in a row in which
     * the server counted no request but ours. Guarded by the limiter.
     *
     * <p>A window is judged exactly once it is over. The server's figure only falls within a window,
     * so the lowest figure answered to us, L - r, is how many requests it had counted when it counted
     * that one; each of ours it had counted by then got a figure of at least r, and every answer of
     * ours naming the window with a figure above zero is such a one (one reporting zero may be a 429,
     * which the server does not count). Whatever the lowest figure says beyond those answers is the
     * others', or ours whose answers were lost (a timeout), which only delays forgetting. Answers
     * still arrive after their window ended, so a window is judged when the one after it is over.
     */
    static final class OtherSpenders {
        private boolean known;
        private int quietWindows;
        /** The window of the latest answers, and the one before it, still taking late answers. */
        private WindowCount current = new WindowCount(Long.MIN_VALUE);
        private WindowCount previous = new WindowCount(Long.MIN_VALUE);

        /** Whether others are known to spend the windows. */
        boolean known() {
            return known;
        }

        /** A round trip saw others spend: they are known at once. */
        void seen() {
            known = true;
        }

        /** An answer of ours: the window resetting at {@code resetMs} had {@code remaining} of {@code limit} left. */
        void counted(long limit, long remaining, long resetMs) {
            if (resetMs > current.resetMs) {
                judge(previous);
                previous = current;
                current = new WindowCount(resetMs);
            }
            WindowCount window = resetMs == current.resetMs ? current : resetMs == previous.resetMs ? previous : null;
            if (window != null && remaining > 0) {
                window.ours++;
                window.limit = Math.max(window.limit, limit);
                window.lowestRemaining = Math.min(window.lowestRemaining, remaining);
            }
        }

        private void judge(WindowCount window) {
            if (window.ours == 0) {
                return; // we were idle: the window tells nothing, and neither counts nor breaks the run
            }
            long othersCounted = window.limit - window.lowestRemaining - window.ours;
            if (othersCounted > TOLERANCE) {
                quietWindows = 0;
                known = true;
            } else {
                quietWindows = Math.min(QUIET_WINDOWS_TO_FORGET, quietWindows + 1);
                // Once the run is long enough, each quiet window also clears a round trip's false
                // alarm (our own overtaking requests taken for others) until others really spend.
                known = known && quietWindows < QUIET_WINDOWS_TO_FORGET;
            }
        }

        /** What our answers said of one server window. */
        private static final class WindowCount {
            final long resetMs;
            long limit;
            long lowestRemaining = Long.MAX_VALUE;
            long ours;

            WindowCount(long resetMs) {
                this.resetMs = resetMs;
            }
        }
    }
}
