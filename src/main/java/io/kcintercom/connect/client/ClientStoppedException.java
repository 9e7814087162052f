package io.kcintercom.connect.client;

import org.apache.kafka.connect.errors.ConnectException;

/** The task is stopping: a wait or request was abandoned. Not an error. */
public class ClientStoppedException extends ConnectException {
    public ClientStoppedException() {
        super("Intercom client stopped");
    }
}
