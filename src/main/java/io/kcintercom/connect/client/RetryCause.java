package io.kcintercom.connect.client;

import java.util.Locale;

/**
 * Why a request or a resource had to be tried again: the tag of the retry counters on JMX, and
 * the cause named in the outage logs. A fixed set, so every counter exists from the start.
 */
public enum RetryCause {
    /** A 429, waited out until the window refills: normal operation, not an outage. */
    RATE_LIMITED,
    /** 5xx. */
    SERVER_ERROR,
    TIMEOUT,
    CONNECTION_ERROR,
    DNS_FAILURE,
    /** An empty, truncated or malformed body. */
    BAD_RESPONSE,
    OTHER;

    /** The metric tag value, e.g. "server-error". */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
