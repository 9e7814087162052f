package io.kcintercom.connect.sandbox;

import java.util.Map;

/** An error the fake answers with, rendered as Intercom's {@code error.list}. */
final class ApiError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final Map<String, String> headers;

    ApiError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** @param headers response headers beside the body, e.g. the Link of a merged contact's 410 */
    ApiError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    static ApiError invalid(String message) {
        return new ApiError(400, "parameter_invalid", message);
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "not_found", message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, String> headers() {
        return headers;
    }
}
