package io.kcintercom.connect.client;

import org.apache.kafka.connect.errors.ConnectException;

/**
 * Intercom answered with an error that retrying will not fix. Carries the HTTP status and the
 * first {@code error.list} code so callers can decide (a 404 on a follow-up is skipped, a
 * {@code scroll_exists} is waited out). Never carries the access token.
 */
public class IntercomApiException extends ConnectException {
    private final int status;
    private final String errorCode;

    public IntercomApiException(String message, int status, String errorCode) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    /** The first {@code errors[].code} of the response, or null. */
    public String errorCode() {
        return errorCode;
    }

    public boolean isNotFound() {
        return status == 404;
    }
}
