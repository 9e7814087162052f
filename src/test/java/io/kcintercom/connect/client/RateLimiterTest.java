package io.kcintercom.connect.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limiter with a fake clock that only the test moves. {@link Sleeper} really sleeps, so a
 * blocked acquirer wakes every {@code clamp(reset - now)} ms (at least 200 ms) and re-reads the
 * fake clock: it can only get through once the test has moved the clock to the reset. Every reset
 * is put a few hundred fake milliseconds ahead, so the real waits stay short.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RateLimiterTest {
    /** A whole second, so a reset header (unix seconds) lands exactly on it. */
    private static final long SECOND_BOUNDARY_MS = 1_700_000_000_000L;

    private final AtomicLong now = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(now::get);
    private final Sleeper sleeper = new Sleeper();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void stopThreads() throws InterruptedException {
        sleeper.stop();
        for (Thread t : threads) {
            t.join(5_000);
        }
    }

    @Test
    void withoutAnyHeaderNothingWaits() {
        now.set(SECOND_BOUNDARY_MS);
        for (int i = 0; i < 1_000; i++) {
            send();
        }
        assertEquals(0, limiter.waits());
    }

    @Test
    void letsRemainingThroughThenWaitsForTheReset() throws Exception {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        header(10, 3, reset / 1000);

        long started = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            send();
        }
        assertEquals(0, limiter.waits(), "the 3 remaining requests of the window must not wait");
        assertTrue(elapsedMs(started) < 150, "the remaining requests must go at once");

        Acquirer fourth = acquireInBackground();
        assertFalse(fourth.done.await(350, TimeUnit.MILLISECONDS), "the 4th request must wait for the reset");

        now.set(reset - 1);
        assertFalse(fourth.done.await(300, TimeUnit.MILLISECONDS), "1 ms before the reset is still too early");
        assertTrue(limiter.waits() >= 2, "a blocked acquirer re-checks the clock after each wait, saw "
                + limiter.waits());

        now.set(reset);
        assertTrue(fourth.done.await(1_000, TimeUnit.MILLISECONDS), "the reset must release the waiting request");
        assertEquals(0, fourth.failures.get());

        // The new window is assumed to have the last known limit (10): 9 more go without waiting.
        long waitsBefore = limiter.waits();
        for (int i = 0; i < 9; i++) {
            send();
        }
        assertEquals(waitsBefore, limiter.waits());
        assertFalse(acquireInBackground().done.await(300, TimeUnit.MILLISECONDS),
                "the 11th request of the refilled window must wait again");
    }

    @Test
    void aLowerRemainingReportedByTheServerShrinksTheBudgetButAHigherOneDoesNotGrowIt() throws Exception {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        header(10, 10, reset / 1000);
        send();
        send(); // 8 left locally
        header(10, 3, reset / 1000); // other tasks spent more: the server says 3
        header(10, 9, reset / 1000); // a stale, higher figure is ignored
        for (int i = 0; i < 3; i++) {
            send();
        }
        assertEquals(0, limiter.waits());
        assertFalse(acquireInBackground().done.await(300, TimeUnit.MILLISECONDS),
                "after the server's 3 remaining requests the limiter must wait");
    }

    @Test
    void a429BlocksUntilTheResetItNames() throws Exception {
        long reset = SECOND_BOUNDARY_MS + 1_000;
        now.set(reset - 400);
        limiter.rateLimited(reset / 1000);

        Acquirer blocked = acquireInBackground();
        assertFalse(blocked.done.await(350, TimeUnit.MILLISECONDS), "a 429 must block until its reset");
        now.set(reset - 1);
        assertFalse(blocked.done.await(300, TimeUnit.MILLISECONDS), "1 ms before the reset is still too early");
        now.set(reset);
        assertTrue(blocked.done.await(1_000, TimeUnit.MILLISECONDS), "the reset named by the 429 releases it");
    }

    /**
     * The server refused, so its window has not reset, whatever our clock says (skew, or a reset
     * rounded down to the second): waiting the minimum would send every waiting request into the
     * same refusing window every 200 ms. A full window is waited instead.
     */
    @Test
    void a429WithAResetAlreadyPastWaitsAFullWindow() throws Exception {
        long t = SECOND_BOUNDARY_MS + 5_000;
        now.set(t);
        limiter.rateLimited(SECOND_BOUNDARY_MS / 1000); // 5 s in the past on our clock (skew)

        now.set(t + RateLimiter.MIN_WAIT_MS);
        assertEquals(0, limiter.tryAcquire().ticket(), "200 ms later the server's window has still not reset");
        // Close to the end of the full window first, so the real waits stay short.
        now.set(t + RateLimiter.DEFAULT_WINDOW_MS - 300);
        Acquirer blocked = acquireInBackground();
        assertFalse(blocked.done.await(300, TimeUnit.MILLISECONDS));
        now.set(t + RateLimiter.DEFAULT_WINDOW_MS - 1);
        assertFalse(blocked.done.await(300, TimeUnit.MILLISECONDS), "1 ms before the full window is too early");
        now.set(t + RateLimiter.DEFAULT_WINDOW_MS);
        assertTrue(blocked.done.await(1_000, TimeUnit.MILLISECONDS));
    }

    @Test
    void after429sOneProbeGoesUntilARequestIsAnsweredWithoutOne() {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        header(10, 10, reset / 1000);
        send();
        long refused = limiter.tryAcquire().ticket();
        long alsoInFlight = limiter.tryAcquire().ticket();
        limiter.update(refused, 10, 0, reset / 1000);
        limiter.rateLimited(reset / 1000); // other apps spent the window
        limiter.release(refused, true);

        now.set(reset);
        RateLimiter.Admission probe = limiter.tryAcquire();
        assertTrue(probe.ticket() > 0, "at the reset one request probes the window");
        RateLimiter.Admission second = limiter.tryAcquire();
        assertEquals(0, second.ticket(), "only one, until the probe is answered");
        assertTrue(second.forTheProbe());
        limiter.release(alsoInFlight, true); // sent before the 429 came: its answer says nothing of the window
        assertEquals(0, limiter.tryAcquire().ticket(), "still only the probe");

        long nextReset = reset + 10_000;
        limiter.rateLimited(nextReset / 1000); // the probe is refused too
        limiter.release(probe.ticket(), true);
        now.set(nextReset - 1);
        assertEquals(0, limiter.tryAcquire().ticket(), "a refused probe waits for the next reset");
        now.set(nextReset);
        RateLimiter.Admission nextProbe = limiter.tryAcquire();
        assertTrue(nextProbe.ticket() > 0);
        assertEquals(0, limiter.tryAcquire().ticket(), "again one probe after the second 429");

        limiter.update(nextProbe.ticket(), 10, 9, (nextReset + 10_000) / 1000);
        limiter.release(nextProbe.ticket(), true); // answered without a 429: the window is open again
        for (int i = 0; i < 9; i++) {
            assertTrue(limiter.tryAcquire().ticket() > 0, "request " + i + " of the window's 9 left");
        }
    }

    @Test
    void a429WithoutAnyRateLimitHeaderFallsBackToIntercomsDefaultLimit() {
        now.set(SECOND_BOUNDARY_MS);
        send(); // answered without headers, as behind a proxy that strips them
        limiter.rateLimited(-1);
        now.set(SECOND_BOUNDARY_MS + RateLimiter.DEFAULT_WINDOW_MS);
        send(); // the probe, answered
        long waits = limiter.waits();
        for (int i = 0; i < 1_000; i++) {
            assertTrue(limiter.tryAcquire().ticket() > 0, "request " + i + " after the probe must go at once");
        }
        assertEquals(waits, limiter.waits());
        assertTrue(RateLimiter.DEFAULT_LIMIT_PER_WINDOW >= 1_666, "10,000 per minute in 10-second windows");
        for (long i = 1_000; i < RateLimiter.DEFAULT_LIMIT_PER_WINDOW - 1; i++) {
            limiter.tryAcquire();
        }
        assertEquals(0, limiter.tryAcquire().ticket(), "the default limit is still a limit");
    }

    @Test
    void a429WithoutResetHeaderWaitsADefaultWindow() throws Exception {
        long t = SECOND_BOUNDARY_MS;
        now.set(t);
        limiter.rateLimited(-1);
        // Move close to the end of the default window first so the real waits stay short.
        now.set(t + RateLimiter.DEFAULT_WINDOW_MS - 100);
        Acquirer blocked = acquireInBackground();
        assertFalse(blocked.done.await(300, TimeUnit.MILLISECONDS));
        now.set(t + RateLimiter.DEFAULT_WINDOW_MS);
        assertTrue(blocked.done.await(1_000, TimeUnit.MILLISECONDS));
    }

    @Test
    void concurrentAcquirersNeverExceedTheBudgetOfAWindow() throws Exception {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        header(5, 5, reset / 1000);

        AtomicInteger passed = new AtomicInteger();
        AtomicInteger stopped = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < 20; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    send();
                    passed.incrementAndGet();
                } catch (ClientStoppedException e) {
                    stopped.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        awaitCount(passed, 5);
        Thread.sleep(350); // every blocked thread re-checks at least once (waits are 300 ms)
        assertEquals(5, passed.get(), "exactly the window's budget of 5 may pass before the reset");

        now.set(reset); // the window refills (assumed limit 5, next reset 10 s later on the fake clock)
        awaitCount(passed, 10);
        Thread.sleep(350);
        assertEquals(10, passed.get(), "no more than 5 per window, however long the others wait");

        sleeper.stop();
        for (Thread t : threads) {
            t.join(2_000);
            assertFalse(t.isAlive());
        }
        assertEquals(10, stopped.get(), "the 10 still waiting end when the sleeper stops");
    }

    /**
     * After a quiet period the limiter assumes a new window of 10 s from its first request; the
     * server then reports when its window really resets. That reset must be followed, or every
     * window would start a little later than the server's and the lag would add up for ever.
     */
    @Test
    void followsTheServersResetAfterAssumingAWindow() throws Exception {
        long firstReset = SECOND_BOUNDARY_MS;
        now.set(firstReset - 300);
        header(10, 10, firstReset / 1000);

        long serverNextReset = firstReset + 10_000;
        now.set(firstReset + 2_000); // first request of the next window, 2 s into it
        send(); // the limiter assumes a window ending at firstReset + 12 s
        header(10, 9, serverNextReset / 1000); // the server: it ends at firstReset + 10 s
        for (int i = 0; i < 9; i++) {
            send();
        }
        assertEquals(0, limiter.waits());

        now.set(serverNextReset - 300);
        Acquirer next = acquireInBackground();
        assertFalse(next.done.await(300, TimeUnit.MILLISECONDS), "the budget is spent until the server's reset");
        now.set(serverNextReset);
        assertTrue(next.done.await(1_000, TimeUnit.MILLISECONDS),
                "the server's window has reset: the next request must not wait for the assumed later reset");
    }

    @Test
    void aStaleResetFromThePreviousWindowDoesNotReleaseEarly() throws Exception {
        long firstReset = SECOND_BOUNDARY_MS;
        now.set(firstReset - 300);
        header(2, 2, firstReset / 1000);
        now.set(firstReset + 100);
        send(); // new assumed window
        send();
        // A response sent before the reset arrives late, naming the reset that is already past.
        header(2, 0, firstReset / 1000);
        Acquirer third = acquireInBackground();
        assertFalse(third.done.await(350, TimeUnit.MILLISECONDS),
                "a past reset from a late response must not refill the budget");
    }

    /**
     * The first answer arrives while requests sent after it are still on their way: the server's
     * remaining count does not include them yet, so adopting it as it is would let the window be
     * overspent by as many requests as were in flight behind it.
     */
    @Test
    void adoptingTheServersRemainingTakesOffTheRequestsSentAfterTheAnsweredOne() throws Exception {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        send(); // answered without rate-limit headers: the limit is still unknown
        List<Long> tickets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tickets.add(limiter.acquire(sleeper)); // so 6 requests leave together
        }
        assertEquals(6, limiter.inFlight());
        // The answer to the first of them: the server has counted the first request and this one.
        limiter.update(tickets.get(0), 10, 8, reset / 1000);
        limiter.release(tickets.get(0), true);

        for (int i = 0; i < 3; i++) {
            send(); // 10 in the window: the first, the 6 sent together and these 3
        }
        assertEquals(0, limiter.waits());
        assertFalse(acquireInBackground().done.await(300, TimeUnit.MILLISECONDS),
                "an 11th request in a window of 10 must wait, though the server's answer said 8 were left");
    }

    /**
     * The answer to the last of several requests in flight: the server counted the earlier ones
     * before it, so its remaining count is exact and taking them off again would waste budget.
     */
    @Test
    void requestsSentBeforeTheAnsweredOneAreNotTakenOffTwice() throws Exception {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        send();
        List<Long> tickets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            tickets.add(limiter.acquire(sleeper));
        }
        limiter.update(tickets.get(5), 10, 3, reset / 1000); // 7 counted: the first and all six
        limiter.release(tickets.get(5), true);

        for (int i = 0; i < 3; i++) {
            send();
        }
        assertEquals(0, limiter.waits(), "the 3 the server still had must go without waiting");
        assertFalse(acquireInBackground().done.await(300, TimeUnit.MILLISECONDS), "and no more");
    }

    @Test
    void untilTheFirstAnswerOneRequestGoesAtATime() throws Exception {
        now.set(SECOND_BOUNDARY_MS - 300);
        long first = limiter.acquire(sleeper);
        limiter.release(first, false); // a timeout: nothing is known of the budget yet
        long second = limiter.acquire(sleeper);
        Acquirer third = acquireInBackground();
        assertFalse(third.done.await(200, TimeUnit.MILLISECONDS),
                "before the server has answered at all, a request waits for the one in flight");
        limiter.update(second, 100, 99, SECOND_BOUNDARY_MS / 1000);
        limiter.release(second, true);
        assertTrue(third.done.await(1_000, TimeUnit.MILLISECONDS), "the first answer releases it");
        assertEquals(0, limiter.waits(), "waiting for the first answer is not a wait for the rate limit");
    }

    @Test
    void aRefilledWindowStartsWithoutTheRequestsStillInFlight() throws Exception {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        header(10, 10, reset / 1000);
        for (int i = 0; i < 3; i++) {
            limiter.acquire(sleeper); // still in flight at the reset: they may land in the next window
        }
        now.set(reset);
        for (int i = 0; i < 7; i++) {
            send();
        }
        assertEquals(0, limiter.waits());
        assertFalse(acquireInBackground().done.await(300, TimeUnit.MILLISECONDS),
                "the refilled window holds 10 less the 3 in flight");
    }

    @Test
    void releasingEveryRequestLeavesNothingInFlight() {
        now.set(SECOND_BOUNDARY_MS - 300);
        header(100, 100, SECOND_BOUNDARY_MS / 1000);
        for (int i = 0; i < 50; i++) {
            send();
        }
        assertEquals(0, limiter.inFlight());
    }

    @Test
    void stoppingTheSleeperEndsAWait() throws Exception {
        now.set(SECOND_BOUNDARY_MS);
        limiter.rateLimited(SECOND_BOUNDARY_MS / 1000 + 1);
        Acquirer blocked = acquireInBackground();
        assertFalse(blocked.done.await(300, TimeUnit.MILLISECONDS));
        sleeper.stop();
        assertTrue(blocked.done.await(1_000, TimeUnit.MILLISECONDS));
        assertEquals(1, blocked.failures.get(), "the wait ends with ClientStoppedException");
    }

    /**
     * intercom.rate.limit.share: with half the limit, the limiter takes a window of 10 as one of 5,
     * and what the server has left beyond the 5 kept for other apps as what is left to it.
     */
    @Test
    void aShareOfTheLimitLeavesTheRestOfEachWindowToOtherApps() {
        long reset = SECOND_BOUNDARY_MS;
        now.set(reset - 300);
        RateLimiter half = new RateLimiter(now::get, 0.5);
        half.update(Long.MAX_VALUE, 10, 10, reset / 1000);
        for (int i = 0; i < 5; i++) {
            RateLimiter.Admission admission = half.tryAcquire();
            assertTrue(admission.ticket() > 0, "request " + i + " of our 5");
            half.release(admission.ticket(), true);
        }
        assertEquals(0, half.tryAcquire().ticket(), "the other 5 of the window are left to other apps");

        RateLimiter crowded = new RateLimiter(now::get, 0.5);
        crowded.update(Long.MAX_VALUE, 10, 7, reset / 1000); // other apps spent 3 already: 2 are ours
        for (int i = 0; i < 2; i++) {
            RateLimiter.Admission admission = crowded.tryAcquire();
            assertTrue(admission.ticket() > 0);
            crowded.release(admission.ticket(), true);
        }
        assertEquals(0, crowded.tryAcquire().ticket(), "5 of the window stay with the other apps");
    }

    @Test
    void aShareOfTheLimitMustBeAPartOfIt() {
        for (double share : new double[] {0, -0.5, 1.5, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> new RateLimiter(now::get, share), "share " + share);
        }
    }

    /**
     * The first answer of a limiter that starts with others (the workers of a cluster start their
     * tasks together) cannot show them yet: it claims half of what is left until a round trip tells
     * more. Alone, the server's figure falls by exactly its own requests, and the share is whole again.
     */
    @Test
    void aloneTheShareOfTheRemainingComesBackWholeAfterOneRoundTrip() {
        now.set(SECOND_BOUNDARY_MS - 5_000);
        long reset = SECOND_BOUNDARY_MS / 1000;
        long first = limiter.tryAcquire().ticket();
        limiter.update(first, 100, 99, reset);
        limiter.release(first, true);
        assertEquals(BudgetShare.FIRST_FRACTION, limiter.shareOfRemaining());
        List<Long> sent = new ArrayList<>();
        RateLimiter.Admission admission;
        while ((admission = limiter.tryAcquire()).ticket() > 0) {
            sent.add(admission.ticket());
        }
        assertEquals(49, sent.size(), "half of the 99 left");
        assertTrue(admission.forTheProbe(), "the rest waits for an answer, not for the reset");
        limiter.update(sent.get(0), 100, 98, reset); // the server counted exactly our request
        limiter.release(sent.get(0), true);
        assertEquals(1.0, limiter.shareOfRemaining(), "nobody else spends this window");
    }

    /**
     * Another limiter on the same token (another worker): the server's figure falls by far more than
     * our requests explain, even counting all of ours still in flight as already arrived. The share
     * drops to about our part of the spending, with a margin, and the requests wait for answers.
     */
    @Test
    void othersSpendingFasterThanOurOwnRequestsExplainCutTheShare() {
        now.set(SECOND_BOUNDARY_MS - 5_000);
        long reset = SECOND_BOUNDARY_MS / 1000;
        long first = limiter.tryAcquire().ticket();
        limiter.update(first, 100, 99, reset);
        limiter.release(first, true);
        List<Long> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(limiter.tryAcquire().ticket());
        }
        limiter.update(sent.get(0), 100, 60, reset); // 39 spent, at most 4 of them ours
        limiter.release(sent.get(0), true);
        assertTrue(limiter.shareOfRemaining() < 0.1, "share " + limiter.shareOfRemaining());
        RateLimiter.Admission next = limiter.tryAcquire();
        assertEquals(0, next.ticket(), "3 of ours are still on their way, more than our share of what is left");
        assertTrue(next.forTheProbe(), "an answer, not the reset, lets the next one go");
    }

    /** One request that is let through and answered (without rate-limit headers). */
    private void send() {
        limiter.release(limiter.acquire(sleeper), true);
    }

    /** Headers that report the window with none of our requests sent after the one they answer. */
    private void header(long limit, long remaining, long resetEpochSeconds) {
        limiter.update(Long.MAX_VALUE, limit, remaining, resetEpochSeconds);
    }

    private Acquirer acquireInBackground() {
        Acquirer acquirer = new Acquirer();
        Thread t = new Thread(() -> {
            try {
                send();
            } catch (ClientStoppedException e) {
                acquirer.failures.incrementAndGet();
            } finally {
                acquirer.done.countDown();
            }
        });
        t.setDaemon(true);
        t.start();
        threads.add(t);
        return acquirer;
    }

    private static void awaitCount(AtomicInteger count, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (count.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, count.get());
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static final class Acquirer {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger failures = new AtomicInteger();
    }
}
