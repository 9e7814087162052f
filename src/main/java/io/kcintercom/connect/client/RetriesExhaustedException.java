package io.kcintercom.connect.client;

import org.apache.kafka.connect.errors.ConnectException;

/** A request kept failing in a retriable way until {@code retry.max.time.ms} ran out. */
public class RetriesExhaustedException extends ConnectException {
    public RetriesExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
