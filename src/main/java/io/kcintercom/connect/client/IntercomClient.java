package io.kcintercom.connect.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Intercom REST client: bearer auth, the version header, JSON, pacing by the shared
 * {@link RateLimiter}, and one {@link RetryPolicy} for every call.
 *
 * <p>Where each concern lives: {@link RetryPolicy} decides what follows an attempt (return, wait for
 * the rate-limit window, retry, give up); {@link ResponseReader} reads a response into what the
 * policy decides on; {@link ApiErrors} turns giving up into the exception callers act on;
 * {@link RateLimitHeaders} feeds the limiter; {@link InFlightCalls} lets {@link #close()} cancel
 * the calls in progress. This class sends, and carries the decisions out.
 */
public final class IntercomClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntercomClient.class);
    private static final MediaType JSON = MediaType.get("application/json");
    /**
     * One connection pool for every task of the worker, keeping as many idle connections as tasks
     * keep requests in flight: OkHttp's default of 5 would close and reopen (TLS included) most
     * connections of a busy task between two requests. Over HTTP/2, which OkHttp negotiates where
     * the server offers it, requests share a connection and few are kept. Redirects are not
     * followed: Intercom sends none, and a redirected answer would be read as Intercom's data from
     * a host the user did not configure.
     */
    private static final OkHttpClient BASE_HTTP = new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(256, 5, TimeUnit.MINUTES))
            .followRedirects(false)
            .followSslRedirects(false)
            .build();

    private final OkHttpClient http;
    private final HttpUrl baseUrl;
    private final String authorization;
    private final String apiVersion;
    private final RateLimiter limiter;
    private final RetryPolicy retryPolicy;
    private final Sleeper sleeper = new Sleeper();
    private final InFlightCalls calls = new InFlightCalls();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong rateLimitedResponses = new AtomicLong();
    private volatile RequestObserver observer = RequestObserver.NONE;
    private volatile long lastResponseDateMs = -1;

    public IntercomClient(Settings settings) {
        this(settings, Dns.SYSTEM);
    }

    /** As {@link #IntercomClient(Settings)}, resolving host names with {@code dns}: for tests of DNS failures. */
    public IntercomClient(Settings settings, Dns dns) {
        this.baseUrl = HttpUrl.get(settings.baseUrl());
        this.authorization = "Bearer " + settings.accessToken();
        this.apiVersion = settings.apiVersion();
        this.limiter = RateLimiter.shared(limiterKey(settings.accessToken(), settings.baseUrl())
                + settings.limiterScope(), settings.rateLimitShare());
        this.retryPolicy = new RetryPolicy(settings.retryBackoffMs(), settings.retryMaxTimeMs());
        Duration timeout = Duration.ofMillis(settings.requestTimeoutMs());
        this.http = BASE_HTTP.newBuilder()
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout.multipliedBy(2))
                .retryOnConnectionFailure(true)
                .dns(dns)
                .build();
    }

    /**
     * What a client needs; built from the connector config or directly in tests.
     * {@code rateLimitShare}: the part of each rate-limit window this client may use;
     * {@code limiterScope}: clients share a {@link RateLimiter} when token, host and scope are the
     * same ("" for every client of the JVM).
     */
    public record Settings(String baseUrl, String accessToken, String apiVersion, int requestTimeoutMs,
                           long retryBackoffMs, long retryMaxTimeMs, double rateLimitShare, String limiterScope) {
        public Settings(String baseUrl, String accessToken, String apiVersion, int requestTimeoutMs,
                        long retryBackoffMs, long retryMaxTimeMs) {
            this(baseUrl, accessToken, apiVersion, requestTimeoutMs, retryBackoffMs, retryMaxTimeMs, 1.0, "");
        }

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
        return retryPolicy.backoffMs();
    }

    /** The wait before retry number {@code attempt} (1-based): exponential from retry.backoff.ms, with jitter. */
    public long backoffForAttempt(int attempt) {
        return retryPolicy.backoffForAttempt(attempt);
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

    /**
     * Ends every wait of this client and cancels every HTTP call in progress: the requests they
     * belong to fail with {@link ClientStoppedException} at once, not when their timeout runs out.
     */
    @Override
    public void close() {
        sleeper.stop();
        calls.cancelAll();
    }

    /** HTTP calls started and not yet read to the end. */
    int callsInFlight() {
        return calls.size();
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

    /**
     * Each turn: a ticket from the rate limiter, one attempt, and the retry policy's decision on
     * what it came back with, which this method carries out (return, wait, retry or throw).
     */
    private JsonNode execute(Request.Builder builder, String method, String context, boolean repeatable) {
        Request request = builder
                .header("Authorization", authorization)
                .header("Intercom-Version", apiVersion)
                .header("Accept", "application/json")
                .build();
        String what = method + " " + request.url().encodedPath() + " (" + context + ")";
        String endpoint = method + " " + endpointTemplate(request.url().encodedPath());
        RetryPolicy.Budget budget = retryPolicy.start(repeatable);
        while (true) {
            sleeper.checkRunning();
            long waitStarted = System.currentTimeMillis();
            long ticket = limiter.acquire(sleeper);
            long waited = System.currentTimeMillis() - waitStarted;
            budget.attemptAfterWaiting(waited);
            long sentAtMs = System.currentTimeMillis();
            RetryPolicy.Outcome outcome = retryPolicy.decide(attempt(request, ticket, waited, endpoint), budget);
            if (outcome instanceof RetryPolicy.Success success) {
                observer.onSuccess(endpoint, sentAtMs);
                return success.body();
            } else if (outcome instanceof RetryPolicy.WaitForWindow) {
                rateLimitedResponses.incrementAndGet();
                observer.onRetry(RetryCause.RATE_LIMITED, budget.attempts());
                log.debug("Rate limited on {}; waiting for the window to reset", what);
            } else if (outcome instanceof RetryPolicy.RetryAfter retry) {
                retries.incrementAndGet();
                observer.onRetry(retry.failure().retryCause(), budget.attempts());
                // At INFO: the resource's health logs an outage once at WARN, not each retry.
                log.info("Intercom request {} failed ({}); retry {} in {} ms", what, retry.failure().description(),
                        budget.attempts(), retry.delayMs());
                sleeper.sleep(retry.delayMs());
            } else {
                throw ApiErrors.toException(outcome, what);
            }
        }
    }

    /** Sends the request once and reads what came back; tracked until then, so close() can cancel it. */
    private Attempt attempt(Request request, long ticket, long waitedMs, String endpoint) {
        Call call = http.newCall(request);
        try (InFlightCalls.Tracked tracked = calls.track(call); Response response = send(call, ticket, waitedMs)) {
            observer.onResponse(endpoint, response.code());
            Attempt attempt = ResponseReader.read(response);
            if (call.isCanceled()) {
                // close() cut the body short: an error body is read leniently, so it may look empty.
                throw new ClientStoppedException();
            }
            return attempt;
        } catch (IOException e) {
            // Cancelled by close(), or interrupted: the task is stopping, or a sibling follow-up
            // failed and cancelled this one. Not a failure to retry.
            if (sleeper.isStopped() || Thread.currentThread().isInterrupted()) {
                throw new ClientStoppedException();
            }
            return new Attempt.NoResponse(e);
        }
    }

    /**
     * Sends the call and gives its ticket back to the limiter once the response's rate-limit
     * headers (and a 429) are recorded, or the call failed: in a finally right after the acquire,
     * so nothing can keep a place in the shared limiter's in-flight count for good.
     */
    private Response send(Call call, long ticket, long waitedMs) throws IOException {
        boolean answered = false;
        try {
            if (waitedMs > 0) {
                observer.onRateLimitWait(waitedMs);
            }
            requests.incrementAndGet();
            Response response = call.execute();
            answered = true;
            java.util.Date date = response.headers().getDate("Date");
            if (date != null) {
                lastResponseDateMs = date.getTime();
            }
            RateLimitHeaders.of(response).report(limiter, ticket, response.code());
            return response;
        } finally {
            limiter.release(ticket, answered);
        }
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
}
