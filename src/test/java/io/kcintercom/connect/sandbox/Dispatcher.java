package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request's path through the fake: count it, add latency, apply an injected fault, check the token,
 * spend rate limit, then run the endpoint. Endpoint errors become Intercom error.list bodies.
 */
final class Dispatcher implements HttpHandler {

    /** The requestCounts key of requests no template matches, e.g. "GET (unmatched)". */
    static final String UNMATCHED = "(unmatched)";
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final byte[] TRUNCATED_JSON =
            "{\"type\":\"list\",\"data\":[{\"type\":\"contact\",\"id\":\"66e0800ad2".getBytes(StandardCharsets.UTF_8);

    private final Routes routes;
    private final SampleWorkspace ws;
    private final FakeIntercom.Options options;
    private final RequestStats stats;
    private final RateLimiter limiter;
    private final FaultInjector faults;
    private volatile String baseUrl = "";

    Dispatcher(Routes routes, SampleWorkspace ws, FakeIntercom.Options options, RequestStats stats,
               FaultInjector faults) {
        this.routes = routes;
        this.ws = ws;
        this.options = options;
        this.stats = stats;
        this.limiter = new RateLimiter(options.rateLimitPer10s());
        this.faults = faults;
    }

    void baseUrl(String url) {
        baseUrl = url;
    }

    @Override
    public void handle(HttpExchange ex) {
        stats.enter();
        try {
            serve(ex);
        } catch (IOException e) {
            LOG.debug("client went away: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("fake Intercom failed on {} {}", ex.getRequestMethod(), ex.getRequestURI(), e);
            try {
                sendError(ex, 500, "server_error", "Server Error", null);
            } catch (IOException | RuntimeException ignored) {
                // the response was already under way; closing the exchange is all that is left
            }
        } finally {
            stats.exit();
            ex.close();
        }
    }

    private void serve(HttpExchange ex) throws IOException, InterruptedException {
        String method = ex.getRequestMethod();
        URI uri = ex.getRequestURI();
        Routes.Match match = routes.match(method, uri.getRawPath());
        String key = match == null ? method + " " + UNMATCHED : match.route().key();
        Headers headers = ex.getRequestHeaders();
        stats.started(key, headers.getFirst("Intercom-Version"));
        byte[] body = ex.getRequestBody().readAllBytes();
        simulateLatency();

        FakeIntercom.Fault fault = faults.next(key);
        if (fault != null) {
            if (fault.kind() != FakeIntercom.Fault.Kind.DELAY) {
                inject(ex, fault);
                return;
            }
            Thread.sleep(fault.delayMs());
        }
        if (!("Bearer " + options.token()).equals(headers.getFirst("Authorization"))) {
            sendError(ex, 401, "unauthorized", "Access Token Invalid", null);
            return;
        }
        RateLimiter.Decision quota = limiter.acquire(ws.clock().millis());
        if (!quota.allowed()) {
            stats.rateLimited();
            sendError(ex, 429, "rate_limit_exceeded", "Exceeded rate limit of " + quota.limit() + " in 10_seconds", quota);
            return;
        }
        if (match == null) {
            sendError(ex, 404, "not_found", "Resource Not Found", quota);
            return;
        }
        JsonNode out;
        try {
            out = match.route().endpoint().handle(
                    new ApiRequest(method, uri.getRawPath(), match.pathParams(), query(uri), body, baseUrl,
                            headers.getFirst("Intercom-Version")));
        } catch (ApiError e) {
            e.headers().forEach(ex.getResponseHeaders()::set);
            sendError(ex, e.status(), e.code(), e.getMessage(), quota);
            return;
        }
        send(ex, 200, JSON_TYPE, Json.MAPPER.writeValueAsBytes(out), quota);
    }

    private void inject(HttpExchange ex, FakeIntercom.Fault fault) throws IOException {
        switch (fault.kind()) {
            case EMPTY_BODY_200 -> send(ex, 200, JSON_TYPE, new byte[0], null);
            case TRUNCATED_JSON_200 -> send(ex, 200, JSON_TYPE, TRUNCATED_JSON, null);
            case CONNECTION_RESET -> {
                // Closing the exchange before any response bytes drops the connection: the client sees EOF.
            }
            case STATUS -> {
                int status = fault.status();
                if (status == 429) {
                    stats.rateLimited();
                    RateLimiter.Decision quota = limiter.exhausted(ws.clock().millis());
                    sendError(ex, 429, "rate_limit_exceeded", "Exceeded rate limit of " + quota.limit() + " in 10_seconds", quota);
                } else if (status == 401) {
                    sendError(ex, 401, "unauthorized", "Access Token Invalid", null);
                } else if (status == 502 || status == 503 || status == 504) {
                    // Gateways in front of the API answer with HTML, not error.list.
                    String html = "<html><head><title>" + status + "</title></head><body><h1>" + status
                            + " Service Unavailable</h1></body></html>";
                    send(ex, status, "text/html", html.getBytes(StandardCharsets.UTF_8), null);
                } else {
                    sendError(ex, status, status >= 500 ? "server_error" : "injected_fault",
                            status >= 500 ? "Server Error" : "Injected fault", null);
                }
            }
            case STATUS_WITHOUT_ERRORS -> {
                ObjectNode body = Json.typed("error.list");
                body.put("request_id", UUID.randomUUID().toString());
                send(ex, fault.status(), JSON_TYPE, Json.MAPPER.writeValueAsBytes(body), null);
            }
            default -> throw new IllegalStateException("unhandled fault " + fault);
        }
    }

    private void simulateLatency() throws InterruptedException {
        long min = options.latencyMinMs();
        long max = options.latencyMaxMs();
        if (max > 0) {
            Thread.sleep(max > min ? ThreadLocalRandom.current().nextLong(min, max + 1) : max);
        }
    }

    /** Rate-limit headers go on every authenticated response, as the real API sends them. */
    private void sendError(HttpExchange ex, int status, String code, String message, RateLimiter.Decision quota)
            throws IOException {
        ObjectNode error = Json.object().put("code", code).put("message", message);
        ObjectNode body = Json.typed("error.list");
        body.put("request_id", UUID.randomUUID().toString());
        body.set("errors", Json.array().add(error));
        send(ex, status, JSON_TYPE, Json.MAPPER.writeValueAsBytes(body), quota);
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body, RateLimiter.Decision quota)
            throws IOException {
        Headers h = ex.getResponseHeaders();
        h.set("Content-Type", contentType);
        if (quota != null) {
            h.set("X-RateLimit-Limit", String.valueOf(quota.limit()));
            h.set("X-RateLimit-Remaining", String.valueOf(quota.remaining()));
            h.set("X-RateLimit-Reset", String.valueOf(quota.resetEpochSeconds()));
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> params = new HashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }
}
