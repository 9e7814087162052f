package io.kcintercom.connect.client;

/**
 * A failure that retrying might fix (5xx, timeout, connection error, unreadable body), thrown by
 * calls that must not be repeated blindly. {@link #status()} is the HTTP status, or 0 when no
 * usable response arrived.
 */
public class IntercomTransientException extends IntercomApiException {
    public IntercomTransientException(String message, int status, Throwable cause) {
        super(message, status, null);
        if (cause != null) {
            initCause(cause);
        }
    }
}
