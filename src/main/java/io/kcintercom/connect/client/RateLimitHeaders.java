package io.kcintercom.connect.client;

import okhttp3.Response;

/**
 * Intercom's {@code X-RateLimit-Limit}, {@code -Remaining} and {@code -Reset} (unix seconds) of one
 * response; -1 where a header is missing or not a number.
 */
record RateLimitHeaders(long limit, long remaining, long resetEpochSeconds) {

    static RateLimitHeaders of(Response response) {
        return new RateLimitHeaders(header(response, "X-RateLimit-Limit"), header(response, "X-RateLimit-Remaining"),
                header(response, "X-RateLimit-Reset"));
    }

    /**
     * Tells the limiter what the response to the request with this ticket said about the window,
     * and whether it was refused (429); before the ticket is released.
     */
    void report(RateLimiter limiter, long ticket, int status) {
        if (limit > 0 && remaining >= 0) {
            limiter.update(ticket, limit, remaining, resetEpochSeconds);
        }
        if (status == 429) {
            limiter.rateLimited(resetEpochSeconds);
        }
    }

    private static long header(Response response, String name) {
        String value = response.header(name);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
