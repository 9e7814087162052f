package io.kcintercom.connect;

import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomAuthException;
import io.kcintercom.connect.client.RetryCause;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.DataException;

/**
 * The one place that decides what a failure means for the task. Only what a person must fix fails
 * the task: the token refused or lacking a scope (401, 403) and a config that cannot work. An
 * {@link Error} (out of memory, a linkage problem) fails it too, loudly, rather than leaving a
 * RUNNING task that reads nothing. Everything else (5xx, timeouts, resets, DNS, unreadable bodies,
 * a lost scroll, a rejected cursor) is transient: the resource waits and resumes from its position.
 */
final class Failures {
    enum Kind { TRANSIENT, PERMANENT, FATAL }

    /** A transient failure's cause: its kind, and a short detail with no data in it ("HTTP 503"). */
    record Cause(RetryCause kind, String detail) {
    }

    private Failures() {
    }

    static Kind classify(Throwable failure) {
        if (failure instanceof Error) {
            return Kind.FATAL;
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Error) {
                return Kind.FATAL; // thrown on a follow-up or prefetch thread and wrapped on the way
            }
            if (t instanceof IntercomAuthException || t instanceof ConfigException) {
                return Kind.PERMANENT;
            }
        }
        return Kind.TRANSIENT;
    }

    /** The cause of a transient failure, from statuses, error codes and exception types, never messages. */
    static Cause cause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IntercomApiException api && api.status() > 0) {
                String detail = api.errorCode() == null ? "HTTP " + api.status()
                        : "HTTP " + api.status() + " " + api.errorCode();
                return new Cause(kindOf(api), detail);
            }
            if (t instanceof SocketTimeoutException) {
                return new Cause(RetryCause.TIMEOUT, "timeout");
            }
            if (t instanceof UnknownHostException) {
                return new Cause(RetryCause.DNS_FAILURE, "DNS failure");
            }
            if (t instanceof IOException) {
                return new Cause(RetryCause.CONNECTION_ERROR, "connection error");
            }
            if (t instanceof DataException) {
                return new Cause(RetryCause.BAD_RESPONSE, "unreadable response");
            }
        }
        return new Cause(RetryCause.OTHER, failure.getClass().getSimpleName());
    }

    private static RetryCause kindOf(IntercomApiException api) {
        if (api.status() == 429) {
            return RetryCause.RATE_LIMITED;
        }
        if (api.status() >= 500) {
            return RetryCause.SERVER_ERROR;
        }
        if (api.status() == 408) {
            return RetryCause.TIMEOUT;
        }
        return RetryCause.OTHER;
    }
}
