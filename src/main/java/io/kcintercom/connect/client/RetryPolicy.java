package io.kcintercom.connect.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

/**
 * The one place that decides what follows an attempt of a request: return its body, wait for the
 * rate-limit window, retry after a backoff, or give up, and how. It reads an {@link Attempt} and
 * the request's {@link Budget}; it sends nothing and sleeps nowhere, so it is tested without HTTP.
 *
 * <p>A 429 waits for the window to reset (the limiter knows when) and costs no retry. 5xx, 408,
 * timeouts, connection errors and unreadable 2xx bodies are retried with exponential backoff and
 * jitter until {@code retry.max.time.ms} (time spent waiting for the rate limit not counted), an
 * unreadable body at most {@value #MAX_BAD_BODY_ATTEMPTS} times whatever the time left; a request
 * that must not be repeated gives them up at once. A 404 is a not-found for the caller to judge;
 * other 4xx and every 3xx are permanent.
 */
final class RetryPolicy {
    /** An unreadable body is retried at most this many times, whatever the time budget. */
    static final int MAX_BAD_BODY_ATTEMPTS = 5;
    static final long MAX_BACKOFF_MS = 60_000;

    private final long backoffMs;
    private final long maxTimeMs;
    private final LongSupplier clock;
    private final LongUnaryOperator jitter;

    RetryPolicy(long backoffMs, long maxTimeMs) {
        this(backoffMs, maxTimeMs, System::currentTimeMillis, RetryPolicy::jitter);
    }

    RetryPolicy(long backoffMs, long maxTimeMs, LongSupplier clock, LongUnaryOperator jitter) {
        this.backoffMs = backoffMs;
        this.maxTimeMs = maxTimeMs;
        this.clock = clock;
        this.jitter = jitter;
    }

    /** What the policy may decide after an attempt. */
    sealed interface Outcome {
    }

    record Success(JsonNode body) implements Outcome {
    }

    /** A 429: ask the rate limiter again; it holds the request until the window resets. */
    record WaitForWindow() implements Outcome {
    }

    record RetryAfter(long delayMs, Failure failure) implements Outcome {
    }

    /** A retriable failure of a request that must not be sent twice: the caller decides what next. */
    record NotRepeated(Failure failure) implements Outcome {
    }

    /** Retried until the time budget (or the bad-body limit) ran out. */
    record Exhausted(Failure failure, int attempts) implements Outcome {
    }

    record NotFound(ErrorBody error) implements Outcome {
    }

    /** A 4xx that retrying will not fix (401 and 403 among them). */
    record Permanent(int status, ErrorBody error) implements Outcome {
    }

    /** A 3xx: the configured URL is wrong or a proxy sends us elsewhere. */
    record Redirected(int status, String targetHost) implements Outcome {
    }

    /** A retriable failure: its description for logs and messages, the HTTP status (0 if none), the cause. */
    record Failure(String description, int status, Throwable cause) {
        /** The kind of failure, for the retry counters and the outage logs. */
        RetryCause retryCause() {
            if (status == 408 || cause instanceof java.net.SocketTimeoutException) {
                return RetryCause.TIMEOUT;
            }
            if (status >= 500) {
                return RetryCause.SERVER_ERROR;
            }
            if (cause instanceof java.net.UnknownHostException) {
                return RetryCause.DNS_FAILURE;
            }
            if (cause instanceof java.io.IOException && !(cause instanceof com.fasterxml.jackson.core.JacksonException)) {
                return RetryCause.CONNECTION_ERROR;
            }
            return RetryCause.BAD_RESPONSE;
        }
    }

    /** Starts the budget of one request; {@code repeatable} is false for calls never to be sent twice. */
    Budget start(boolean repeatable) {
        return new Budget(repeatable, clock.getAsLong() + maxTimeMs, backoffMs);
    }

    Outcome decide(Attempt attempt, Budget budget) {
        if (attempt instanceof Attempt.Parsed parsed) {
            return new Success(parsed.body());
        }
        if (attempt instanceof Attempt.UnreadableBody bad) {
            budget.badBodies++;
            return retryOrGiveUp(new Failure(bad.failure(), 0, bad.cause()), budget);
        }
        if (attempt instanceof Attempt.NoResponse none) {
            Throwable e = none.error();
            return retryOrGiveUp(new Failure(e.getClass().getSimpleName() + ": " + e.getMessage(), 0, e), budget);
        }
        if (attempt instanceof Attempt.Redirect redirect) {
            return new Redirected(redirect.status(), redirect.targetHost());
        }
        Attempt.ErrorStatus error = (Attempt.ErrorStatus) attempt;
        int status = error.status();
        if (status == 429) {
            return new WaitForWindow();
        }
        if (status >= 500 || status == 408) {
            return retryOrGiveUp(new Failure("HTTP " + status + error.error().describe(), status, null), budget);
        }
        if (status == 404) {
            return new NotFound(error.error());
        }
        return new Permanent(status, error.error());
    }

    private Outcome retryOrGiveUp(Failure failure, Budget budget) {
        if (!budget.repeatable) {
            return new NotRepeated(failure);
        }
        long wait = jitter.applyAsLong(budget.backoffMs);
        if (budget.badBodies >= MAX_BAD_BODY_ATTEMPTS || clock.getAsLong() + wait > budget.deadlineMs) {
            return new Exhausted(failure, budget.attempts);
        }
        budget.backoffMs = Math.min(budget.backoffMs * 2, MAX_BACKOFF_MS);
        return new RetryAfter(wait, failure);
    }

    /** The wait before retry number {@code attempt} (1-based): exponential from retry.backoff.ms, with jitter. */
    long backoffForAttempt(int attempt) {
        long backoff = Math.min(backoffMs << Math.min(Math.max(attempt - 1, 0), 20), MAX_BACKOFF_MS);
        return jitter.applyAsLong(backoff);
    }

    long backoffMs() {
        return backoffMs;
    }

    static long jitter(long backoff) {
        // Full jitter between half and the whole backoff: spreads retries of concurrent tasks.
        long half = Math.max(1, backoff / 2);
        return half + ThreadLocalRandom.current().nextLong(half + 1);
    }

    /** What one request has spent of its retries; confined to the thread sending that request. */
    static final class Budget {
        private final boolean repeatable;
        private long deadlineMs;
        private long backoffMs;
        private int attempts;
        private int badBodies;

        private Budget(boolean repeatable, long deadlineMs, long backoffMs) {
            this.repeatable = repeatable;
            this.deadlineMs = deadlineMs;
            this.backoffMs = backoffMs;
        }

        /** An attempt goes out after {@code waitedMs} in the rate limiter, which the time budget does not count. */
        void attemptAfterWaiting(long waitedMs) {
            deadlineMs += waitedMs;
            attempts++;
        }

        int attempts() {
            return attempts;
        }
    }
}
