package io.kcintercom.connect.client;

/** Told about every request the client makes, for metrics. Implementations must be thread-safe. */
public interface RequestObserver {
    RequestObserver NONE = new RequestObserver() {
    };

    /** A response arrived; {@code endpoint} is the path with ids replaced by {id}, e.g. GET /contacts/{id}/notes. */
    default void onResponse(String endpoint, int status) {
    }

    default void onRetry() {
    }

    /** A request will be sent again, for this cause. */
    default void onRetry(RetryCause cause) {
        onRetry();
    }

    default void onRateLimitWait(long millis) {
    }
}
