package io.kcintercom.connect.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The retry policy alone, with a fake clock and no jitter (a wait is exactly the backoff): which
 * attempt leads to which outcome, how the backoff grows, and where the budget ends.
 */
class RetryPolicyTest {
    private static final long BACKOFF_MS = 100;
    private static final long MAX_TIME_MS = 1_000;
    private static final ErrorBody NOT_FOUND = new ErrorBody("not_found", "User Not Found", "req-1");

    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private final RetryPolicy policy = new RetryPolicy(BACKOFF_MS, MAX_TIME_MS, now::get, backoff -> backoff);

    @Test
    void aParsedBodyIsASuccess() {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("type", "list");
        RetryPolicy.Outcome outcome = decide(new Attempt.Parsed(body), policy.start(true));
        assertSame(body, assertInstanceOf(RetryPolicy.Success.class, outcome).body());
    }

    @Test
    void a429WaitsForTheWindowAndSpendsNothingOfTheBudget() {
        RetryPolicy.Budget budget = policy.start(true);
        for (int i = 0; i < 50; i++) {
            assertInstanceOf(RetryPolicy.WaitForWindow.class, decide(error(429), budget));
        }
        // Even a call that must not be repeated waits out a 429: Intercom did not process it.
        assertInstanceOf(RetryPolicy.WaitForWindow.class, decide(error(429), policy.start(false)));
        RetryPolicy.RetryAfter retry = assertInstanceOf(RetryPolicy.RetryAfter.class, decide(error(500), budget));
        assertEquals(BACKOFF_MS, retry.delayMs(), "the 429s did not grow the backoff");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504, 408})
    void serverErrorsAndRequestTimeoutsAreRetriedWithTheirStatus(int status) {
        RetryPolicy.RetryAfter retry = assertInstanceOf(RetryPolicy.RetryAfter.class,
                decide(new Attempt.ErrorStatus(status, new ErrorBody("server_error", "Server Error", null)),
                        policy.start(true)));
        assertEquals(status, retry.failure().status());
        assertEquals("HTTP " + status + ", code server_error: Server Error", retry.failure().description());
        assertNull(retry.failure().cause());
    }

    @Test
    void aNotFoundCarriesTheErrorBodyAndIsNeverRetried() {
        RetryPolicy.NotFound notFound = assertInstanceOf(RetryPolicy.NotFound.class,
                decide(new Attempt.ErrorStatus(404, NOT_FOUND), policy.start(true)));
        assertSame(NOT_FOUND, notFound.error());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 409, 422})
    void otherClientErrorsArePermanent(int status) {
        RetryPolicy.Permanent permanent = assertInstanceOf(RetryPolicy.Permanent.class,
                decide(new Attempt.ErrorStatus(status, NOT_FOUND), policy.start(true)));
        assertEquals(status, permanent.status());
    }

    @Test
    void aRedirectIsPermanentAndKeepsOnlyTheHost() {
        RetryPolicy.Redirected redirected = assertInstanceOf(RetryPolicy.Redirected.class,
                decide(new Attempt.Redirect(302, "elsewhere.example.com"), policy.start(true)));
        assertEquals(302, redirected.status());
        assertEquals("elsewhere.example.com", redirected.targetHost());
    }

    @Test
    void theBackoffDoublesFromRetryBackoffMsUpToItsCap() {
        RetryPolicy patient = new RetryPolicy(BACKOFF_MS, 10_000_000, now::get, backoff -> backoff);
        RetryPolicy.Budget budget = patient.start(true);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            budget.attemptAfterWaiting(0);
            waits.add(assertInstanceOf(RetryPolicy.RetryAfter.class, patient.decide(error(503), budget)).delayMs());
        }
        assertEquals(List.of(100L, 200L, 400L, 800L, 1_600L, 3_200L, 6_400L, 12_800L, 25_600L, 51_200L,
                RetryPolicy.MAX_BACKOFF_MS, RetryPolicy.MAX_BACKOFF_MS), waits);
    }

    @Test
    void retriesEndWhenTheNextWaitWouldPassTheTimeBudget() {
        RetryPolicy.Budget budget = policy.start(true);
        long[] expectedWaits = {100, 200, 400};
        for (long wait : expectedWaits) {
            budget.attemptAfterWaiting(0);
            RetryPolicy.RetryAfter retry = assertInstanceOf(RetryPolicy.RetryAfter.class, decide(error(503), budget));
            assertEquals(wait, retry.delayMs());
            now.addAndGet(wait);
        }
        // 700 ms spent; the next wait of 800 ms would end after the budget of 1,000 ms.
        budget.attemptAfterWaiting(0);
        RetryPolicy.Exhausted exhausted = assertInstanceOf(RetryPolicy.Exhausted.class, decide(error(503), budget));
        assertEquals(4, exhausted.attempts());
        assertEquals(503, exhausted.failure().status());
    }

    @Test
    void timeWaitedInTheRateLimiterDoesNotCountAgainstTheBudget() {
        RetryPolicy.Budget budget = policy.start(true);
        now.addAndGet(5_000); // a long wait for the window, far past retry.max.time.ms
        budget.attemptAfterWaiting(5_000);
        assertInstanceOf(RetryPolicy.RetryAfter.class, decide(error(500), budget));

        RetryPolicy.Budget unextended = policy.start(true);
        now.addAndGet(5_000);
        unextended.attemptAfterWaiting(0);
        assertInstanceOf(RetryPolicy.Exhausted.class, decide(error(500), unextended),
                "without the wait taken off, the same time spent ends the budget");
    }

    @Test
    void unreadableBodiesAreRetriedAtMostFiveTimesWhateverTheTimeLeft() {
        RetryPolicy patient = new RetryPolicy(1, 10_000_000, now::get, backoff -> backoff);
        RetryPolicy.Budget budget = patient.start(true);
        Attempt truncated = new Attempt.UnreadableBody("HTTP 200 with a body that is not valid JSON (x)",
                new IOException("x"));
        for (int i = 1; i < RetryPolicy.MAX_BAD_BODY_ATTEMPTS; i++) {
            budget.attemptAfterWaiting(0);
            assertInstanceOf(RetryPolicy.RetryAfter.class, patient.decide(truncated, budget), "bad body " + i);
        }
        budget.attemptAfterWaiting(0);
        RetryPolicy.Exhausted exhausted = assertInstanceOf(RetryPolicy.Exhausted.class,
                patient.decide(truncated, budget));
        assertEquals(RetryPolicy.MAX_BAD_BODY_ATTEMPTS, exhausted.attempts());
        assertTrue(exhausted.failure().description().contains("not valid JSON"));
    }

    @Test
    void aCallThatMustNotBeRepeatedGivesUpRetriableFailuresAtOnce() {
        RetryPolicy.NotRepeated serverError = assertInstanceOf(RetryPolicy.NotRepeated.class,
                decide(error(502), policy.start(false)));
        assertEquals(502, serverError.failure().status());

        SocketTimeoutException timeout = new SocketTimeoutException("timeout");
        RetryPolicy.NotRepeated noAnswer = assertInstanceOf(RetryPolicy.NotRepeated.class,
                decide(new Attempt.NoResponse(timeout), policy.start(false)));
        assertEquals(0, noAnswer.failure().status(), "no status without a response");
        assertSame(timeout, noAnswer.failure().cause());
        assertEquals("SocketTimeoutException: timeout", noAnswer.failure().description());

        RetryPolicy.NotRepeated empty = assertInstanceOf(RetryPolicy.NotRepeated.class,
                decide(new Attempt.UnreadableBody("HTTP 200 with an empty body", null), policy.start(false)));
        assertEquals(0, empty.failure().status());
    }

    @Test
    void theBackoffOfARetryNumberGrowsFromRetryBackoffMs() {
        assertEquals(100, policy.backoffForAttempt(1));
        assertEquals(400, policy.backoffForAttempt(3));
        assertEquals(RetryPolicy.MAX_BACKOFF_MS, policy.backoffForAttempt(40));
    }

    @Test
    void jitterStaysBetweenHalfAndTheWholeBackoff() {
        for (int i = 0; i < 1_000; i++) {
            long wait = RetryPolicy.jitter(1_000);
            assertTrue(wait >= 500 && wait <= 1_000, "jittered wait " + wait);
        }
    }

    private RetryPolicy.Outcome decide(Attempt attempt, RetryPolicy.Budget budget) {
        return policy.decide(attempt, budget);
    }

    private static Attempt error(int status) {
        return new Attempt.ErrorStatus(status, ErrorBody.NONE);
    }
}
