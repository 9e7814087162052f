package io.kcintercom.connect.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Intercom REST client: bearer auth, the version header, JSON, pacing by the shared
 * {@link RateLimiter}, and one retry policy for every call.
 *
 * <p>Decisions are taken here once: a 429 waits for the window to reset; 5xx, 408, timeouts,
 * connection errors and unreadable 200 bodies are retried with exponential backoff and jitter
 * until {@code retry.max.time.ms}; 401 and 403 fail at once with a message a user can act on;
 * other 4xx are returned to the caller as {@link IntercomApiException}.
 */
public final class IntercomClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntercomClient.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /**
     * One connection pool for every task of the worker, keeping as many idle connections as tasks
     * keep requests in flight: OkHttp's default of 5 would close and reopen (TLS included) most
     * connections of a busy task between two requests. Over HTTP/2, which OkHttp negotiates where
     * the server offers it, requests share a connection and few are kept.
     */
    private static final OkHttpClient BASE_HTTP = new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
            .build();
    /** An unreadable body is retried at most this many times, whatever the time budget. */
    private static final int MAX_BAD_BODY_ATTEMPTS = 5;
    private static final long MAX_BACKOFF_MS = 60_000;

    private final OkHttpClient http;
    private final HttpUrl baseUrl;
    private final String authorization;
    private final String apiVersion;
    private final RateLimiter limiter;
    private final long retryBackoffMs;
    private final long retryMaxTimeMs;
    private final Sleeper sleeper;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong rateLimitedResponses = new AtomicLong();
    private volatile RequestObserver observer = RequestObserver.NONE;
    private volatile long lastResponseDateMs = -1;

    public IntercomClient(Settings settings) {
        this.baseUrl = HttpUrl.get(settings.baseUrl());
        this.authorization = "Bearer " + settings.accessToken();
        this.apiVersion = settings.apiVersion();
        this.limiter = RateLimiter.shared(limiterKey(settings.accessToken(), settings.baseUrl()));
        this.retryBackoffMs = settings.retryBackoffMs();
        this.retryMaxTimeMs = settings.retryMaxTimeMs();
        this.sleeper = new Sleeper();
        Duration timeout = Duration.ofMillis(settings.requestTimeoutMs());
        this.http = BASE_HTTP.newBuilder()
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout.multipliedBy(2))
                .retryOnConnectionFailure(true)
                .build();
    }

    /** What a client needs; built from the connector config or directly in tests. */
    public record Settings(String baseUrl, String accessToken, String apiVersion, int requestTimeoutMs,
                           long retryBackoffMs, long retryMaxTimeMs) {
        @Override
        public String toString() {
            return "Settings[baseUrl=" + baseUrl + ", apiVersion=" + apiVersion + "]";
        }
    }

    /** GET a path (relative to the base URL) or a full URL the API returned as a next-page link. */
    public JsonNode get(String pathOrUrl, String context) {
        return execute(new Request.Builder().url(resolve(pathOrUrl)).get(), "GET", context, true);
    }

    /**
     * GET that is never repeated once it may have reached Intercom: a 5xx, a timeout, a connection
     * error or an unreadable body is thrown at once as {@link IntercomTransientException} (a 429,
     * which Intercom did not process, is still waited out and retried). For the companies scroll,
     * where each call advances the server-side cursor, so a repeated call would skip a page.
     */
    public JsonNode getWithoutRetry(String pathOrUrl, String context) {
        return execute(new Request.Builder().url(resolve(pathOrUrl)).get(), "GET", context, false);
    }

    public long retryBackoffMs() {
        return retryBackoffMs;
    }

    /** The wait before retry number {@code attempt} (1-based): exponential from retry.backoff.ms, with jitter. */
    public long backoffForAttempt(int attempt) {
        long backoff = Math.min(retryBackoffMs << Math.min(Math.max(attempt - 1, 0), 20), MAX_BACKOFF_MS);
        return jitter(backoff);
    }

    /** POST a JSON body to a path relative to the base URL. */
    public JsonNode post(String path, JsonNode body, String context) {
        RequestBody requestBody = RequestBody.create(body.toString(), JSON);
        return execute(new Request.Builder().url(resolve(path)).post(requestBody), "POST", context, true);
    }

    /** Who is told about each request (metrics). */
    public void observe(RequestObserver requestObserver) {
        this.observer = requestObserver == null ? RequestObserver.NONE : requestObserver;
    }

    /**
     * The {@code Date} header of the latest response, Intercom's clock (epoch millis, whole
     * seconds), or -1 before any response had one. For times that must not depend on the worker's clock.
     */
    public long lastResponseDateMs() {
        return lastResponseDateMs;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    public RateLimiter limiter() {
        return limiter;
    }

    public long requestCount() {
        return requests.get();
    }

    public long retryCount() {
        return retries.get();
    }

    public long rateLimitedCount() {
        return rateLimitedResponses.get();
    }

    /** Ends every wait of this client; calls in progress fail with {@link ClientStoppedException}. */
    @Override
    public void close() {
        sleeper.stop();
    }

    /**
     * Next-page links are absolute URLs. Only their path and query are taken, resolved against the
     * configured base URL, so the token is never sent to a host the user did not configure.
     */
    HttpUrl resolve(String pathOrUrl) {
        String base = baseUrl.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        if (pathOrUrl.startsWith(base + "/")) {
            return HttpUrl.get(pathOrUrl);
        }
        String relative = pathOrUrl;
        HttpUrl absolute = HttpUrl.parse(pathOrUrl);
        if (absolute != null) {
            relative = absolute.encodedPath() + (absolute.encodedQuery() == null ? "" : "?" + absolute.encodedQuery());
        }
        if (!relative.startsWith("/")) {
            relative = "/" + relative;
        }
        HttpUrl resolved = HttpUrl.parse(base + relative.replace(" ", "%20"));
        if (resolved == null) {
            throw new IntercomApiException("Cannot build a URL from '" + pathOrUrl + "'", 0, null);
        }
        return resolved;
    }

    private JsonNode execute(Request.Builder builder, String method, String context, boolean retry) {
        Request request = builder
                .header("Authorization", authorization)
                .header("Intercom-Version", apiVersion)
                .header("Accept", "application/json")
                .build();
        String what = method + " " + request.url().encodedPath() + " (" + context + ")";
        String endpoint = method + " " + endpointTemplate(request.url().encodedPath());
        long deadline = System.currentTimeMillis() + retryMaxTimeMs;
        long backoff = retryBackoffMs;
        int attempts = 0;
        int badBodies = 0;
        while (true) {
            sleeper.checkRunning();
            long waitStarted = System.currentTimeMillis();
            long ticket = limiter.acquire(sleeper);
            // Waits for the rate limit (and after a 429) do not count against retry.max.time.ms.
            long waited = System.currentTimeMillis() - waitStarted;
            deadline += waited;
            attempts++;
            String failure;
            Throwable cause = null;
            try (Response response = send(request, ticket, waited)) {
                int status = response.code();
                observer.onResponse(endpoint, status);
                if (status == 429) {
                    rateLimitedResponses.incrementAndGet();
                    log.debug("Rate limited on {}; waiting for the window to reset", what);
                    continue;
                }
                if (status >= 200 && status < 300) {
                    byte[] body = bodyBytes(response.body());
                    if (isBlank(body)) {
                        failure = "HTTP " + status + " with an empty body";
                        badBodies++;
                    } else {
                        try {
                            return MAPPER.readTree(body);
                        } catch (JsonProcessingException e) {
                            failure = "HTTP " + status + " with a body that is not valid JSON ("
                                    + e.getOriginalMessage() + ")";
                            cause = e;
                            badBodies++;
                        }
                    }
                } else if (status >= 500 || status == 408) {
                    failure = "HTTP " + status + errorSuffix(response);
                    if (!retry) {
                        throw new IntercomTransientException("Intercom request " + what + " failed: " + failure,
                                status, null);
                    }
                } else {
                    throw apiError(response, status, what);
                }
            } catch (IOException e) {
                // Interrupted: the task is stopping, or a sibling follow-up failed and cancelled this one.
                if (sleeper.isStopped() || Thread.currentThread().isInterrupted()) {
                    throw new ClientStoppedException();
                }
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
                cause = e;
            }
            if (!retry) {
                throw new IntercomTransientException("Intercom request " + what + " failed: " + failure, 0, cause);
            }
            long wait = jitter(backoff);
            if (badBodies >= MAX_BAD_BODY_ATTEMPTS || System.currentTimeMillis() + wait > deadline) {
                throw new RetriesExhaustedException("Intercom request " + what + " failed after " + attempts
                        + " attempt(s): " + failure, cause);
            }
            retries.incrementAndGet();
            observer.onRetry();
            log.warn("Intercom request {} failed ({}); retry {} in {} ms", what, failure, attempts, wait);
            sleeper.sleep(wait);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }

    /**
     * Sends the request and gives its ticket back to the limiter once the response's rate-limit
     * headers (and a 429) are recorded, or the call failed: in a finally right after the acquire,
     * so nothing can keep a place in the shared limiter's in-flight count for good.
     */
    private Response send(Request request, long ticket, long waitedMs) throws IOException {
        boolean answered = false;
        try {
            if (waitedMs > 0) {
                observer.onRateLimitWait(waitedMs);
            }
            requests.incrementAndGet();
            Response response = http.newCall(request).execute();
            answered = true;
            java.util.Date date = response.headers().getDate("Date");
            if (date != null) {
                lastResponseDateMs = date.getTime();
            }
            recordRateLimit(response, ticket);
            if (response.code() == 429) {
                limiter.rateLimited(header(response, "X-RateLimit-Reset"));
            }
            return response;
        } finally {
            limiter.release(ticket, answered);
        }
    }

    private void recordRateLimit(Response response, long ticket) {
        long limit = header(response, "X-RateLimit-Limit");
        long remaining = header(response, "X-RateLimit-Remaining");
        if (limit > 0 && remaining >= 0) {
            limiter.update(ticket, limit, remaining, header(response, "X-RateLimit-Reset"));
        }
    }

    private IntercomApiException apiError(Response response, int status, String what) {
        ErrorBody error = ErrorBody.read(response);
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

    private static String errorSuffix(Response response) {
        return ErrorBody.read(response).describe();
    }

    /** Parsed from the bytes, not through a String: Jackson's UTF-8 parser is the faster one. */
    private static byte[] bodyBytes(ResponseBody body) throws IOException {
        return body == null ? new byte[0] : body.bytes();
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static long header(Response response, String name) {
        String value = response.header(name);
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static long jitter(long backoff) {
        // Full jitter between half and the whole backoff: spreads retries of concurrent tasks.
        long half = Math.max(1, backoff / 2);
        return half + ThreadLocalRandom.current().nextLong(half + 1);
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

    /** A path with its ids replaced by {id} (any segment holding a digit), for per-endpoint metrics. */
    static String endpointTemplate(String path) {
        StringBuilder template = new StringBuilder();
        for (String segment : path.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            template.append('/').append(segment.chars().anyMatch(Character::isDigit) ? "{id}" : segment);
        }
        return template.length() == 0 ? "/" : template.toString();
    }

    /** Key of the shared limiter: a digest, so the token itself is not kept as a map key. */
    static String limiterKey(String token, String baseUrl) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] hash = digest.digest((baseUrl + "\n" + token).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code error.list} body Intercom sends with failures, read leniently. */
    private record ErrorBody(String code, String message, String requestId) {
        static ErrorBody read(Response response) {
            try {
                ResponseBody body = response.body();
                String text = body == null ? "" : body.string();
                JsonNode root = text.isBlank() ? null : MAPPER.readTree(text);
                if (root == null) {
                    return new ErrorBody(null, null, null);
                }
                JsonNode first = root.path("errors").path(0);
                return new ErrorBody(textOrNull(first.get("code")), textOrNull(first.get("message")),
                        textOrNull(root.get("request_id")));
            } catch (IOException | RuntimeException e) {
                return new ErrorBody(null, null, null);
            }
        }

        String describe() {
            StringBuilder s = new StringBuilder();
            if (code != null) {
                s.append(", code ").append(code);
            }
            if (message != null) {
                s.append(": ").append(message);
            }
            if (requestId != null) {
                s.append(", request_id ").append(requestId);
            }
            return s.toString();
        }

        private static String textOrNull(JsonNode node) {
            return node == null || node.isNull() ? null : node.asText();
        }
    }
}
