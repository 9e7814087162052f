package io.kcintercom.connect.client;

import org.apache.kafka.connect.errors.ConnectException;

/**
 * Turns the policy's way of giving up into the exception callers act on, with a message a user
 * can act on: it names the request ({@code what}: method, path and the reader's context), the
 * status and Intercom's error code, never the token, a query string or a body.
 */
final class ApiErrors {
    private ApiErrors() {
    }

    /** The exception for an outcome that ends the request without a body. */
    static ConnectException toException(RetryPolicy.Outcome outcome, String what) {
        if (outcome instanceof RetryPolicy.NotRepeated notRepeated) {
            RetryPolicy.Failure failure = notRepeated.failure();
            return new IntercomTransientException("Intercom request " + what + " failed: " + failure.description(),
                    failure.status(), failure.cause());
        }
        if (outcome instanceof RetryPolicy.Exhausted exhausted) {
            RetryPolicy.Failure failure = exhausted.failure();
            // The last status travels as the cause, so the resource's retries are counted by their cause.
            Throwable cause = failure.cause() != null || failure.status() <= 0 ? failure.cause()
                    : new IntercomTransientException("HTTP " + failure.status(), failure.status(), null);
            return new RetriesExhaustedException("Intercom request " + what + " failed after " + exhausted.attempts()
                    + " attempt(s): " + failure.description(), cause);
        }
        if (outcome instanceof RetryPolicy.Redirected redirected) {
            return new IntercomApiException("Intercom request " + what + " was redirected (HTTP "
                    + redirected.status() + ") to host " + redirected.targetHost() + "; redirects are not followed. "
                    + "Check intercom.api.url (or intercom.region): it must name the API host itself.",
                    redirected.status(), null);
        }
        if (outcome instanceof RetryPolicy.NotFound notFound) {
            return rejected(404, notFound.error(), what);
        }
        if (outcome instanceof RetryPolicy.Permanent permanent) {
            return rejected(permanent.status(), permanent.error(), what);
        }
        throw new IllegalArgumentException("not an outcome that ends a request in failure: " + outcome);
    }

    private static IntercomApiException rejected(int status, ErrorBody error, String what) {
        String detail = error.describe();
        return switch (status) {
            case 401 -> new IntercomAuthException("Intercom refused the access token (HTTP 401" + detail
                    + ") on " + what + ". Check " + "intercom.access.token: it may be wrong, revoked, or for "
                    + "another region (set intercom.region), or the app lacks a read scope.", status, error.code());
            case 403 -> new IntercomAuthException("Intercom denied access (HTTP 403" + detail + ") on " + what
                    + ". The app lacks the scope for this resource (" + scopeFor(what) + "), or the workspace's "
                    + "plan does not include API access to it (\"API plan restricted\").", status, error.code());
            default -> new IntercomApiException("Intercom rejected " + what + " with HTTP " + status + detail,
                    status, error.code());
        };
    }

    /** The Developer Hub permission an endpoint needs, as Intercom names it. */
    static String scopeFor(String what) {
        if (what.contains("/conversations")) {
            return "\"Read conversations\"";
        }
        if (what.contains("/contacts") || what.contains("/companies") || what.contains("/segments")
                || what.contains("/events")) {
            return "\"Read and list users and companies\"";
        }
        if (what.contains("/admins") || what.contains("/teams") || what.contains("/me")) {
            return "\"Read admins\"";
        }
        if (what.contains("/tags")) {
            return "\"Read tags\"";
        }
        return "\"Read and list users and companies\"";
    }
}
