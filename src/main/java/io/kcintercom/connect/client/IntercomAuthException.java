package io.kcintercom.connect.client;

/** 401 or 403: the token was refused or lacks a scope or plan. Fails the task; never retried. */
public class IntercomAuthException extends IntercomApiException {
    public IntercomAuthException(String message, int status, String errorCode) {
        super(message, status, errorCode);
    }
}
