package io.kcintercom.connect.client;

/** Told about every request the client makes, for metrics. Implementations must be thread-safe. */
public interface RequestObserver {
    RequestObserver NONE = new RequestObserver() {
    };

    /** A response arrived; {@code endpoint} is the path with ids replaced by {id}, e.g. GET /contacts/{id}/notes. */
    default void onResponse(String endpoint, int status) {
    }

    /** A request got a usable answer (its body read and parsed). */
    default void onSuccess(String endpoint) {
    }

    /** A request sent at {@code sentAtMs} (epoch ms) got a usable answer. */
    default void onSuccess(String endpoint, long sentAtMs) {
        onSuccess(endpoint);
    }

    default void onRetry() {
    }

    /** A request will be sent again, for this cause; {@code attempt} is how many times it was sent. */
    default void onRetry(RetryCause cause, int attempt) {
        onRetry();
    }

    default void onRateLimitWait(long millis) {
    }
}
