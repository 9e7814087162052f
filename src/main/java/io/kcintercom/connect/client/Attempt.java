package io.kcintercom.connect.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * What one attempt of a request came back with, as {@link RetryPolicy} reads it: facts only, no
 * decision. Built by {@link ResponseReader} from a response, or from the exception of a call that
 * got none.
 */
sealed interface Attempt {

    /** A 2xx whose body is JSON. */
    record Parsed(JsonNode body) implements Attempt {
    }

    /** A 2xx whose body is empty or not valid JSON (a truncated answer); {@code cause} may be null. */
    record UnreadableBody(String failure, Throwable cause) implements Attempt {
    }

    /** A 3xx: the configured URL points somewhere that sends us elsewhere; redirects are not followed. */
    record Redirect(int status, String targetHost) implements Attempt {
    }

    /** Any other status (4xx, 5xx), with Intercom's {@code error.list} if it sent one. */
    record ErrorStatus(int status, ErrorBody error) implements Attempt {
    }

    /** No response: a timeout, a reset or refused connection. */
    record NoResponse(IOException error) implements Attempt {
    }
}
