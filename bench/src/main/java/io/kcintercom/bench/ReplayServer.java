package io.kcintercom.bench;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves the fake's answers from memory: the first time a request (method, path, query, body) is
 * seen it is forwarded to the fake and its answer kept; every later time the kept bytes are sent.
 * A task run twice from no offset makes the same requests (the fake's cursors are keysets), so the
 * second run costs the server next to nothing and the connector has the machine to itself: what
 * is measured is the connector's own parse-and-convert speed, not the fake's JSON rendering.
 */
final class ReplayServer implements AutoCloseable {
    private static final List<String> KEPT_HEADERS = List.of("Content-Type", "X-RateLimit-Limit",
            "X-RateLimit-Remaining", "X-RateLimit-Reset");

    private record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private final String target;
    private final LoopbackServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    ReplayServer(String targetBaseUrl, int threads) throws IOException {
        this.target = targetBaseUrl;
        this.server = new LoopbackServer("replay-server", threads, this::handle);
    }

    String baseUrl() {
        return server.baseUrl();
    }

    long hits() {
        return hits.get();
    }

    long misses() {
        return misses.get();
    }

    /** Counts from zero again (after the recording run). */
    void resetCounts() {
        hits.set(0);
        misses.set(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String pathAndQuery = ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
            byte[] body = ex.getRequestBody().readAllBytes();
            String key = ex.getRequestMethod() + " " + pathAndQuery + " " + new String(body, StandardCharsets.UTF_8);
            Answer answer = answers.get(key);
            if (answer == null) {
                misses.incrementAndGet();
                answer = forward(ex, pathAndQuery, body);
                if (answer.status() == 200) {
                    answers.put(key, answer);
                }
            } else {
                hits.incrementAndGet();
            }
            answer.headers().forEach((h, v) -> ex.getResponseHeaders().set(h, v));
            ex.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
            if (answer.body().length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(answer.body());
                }
            }
        }
    }

    private Answer forward(HttpExchange ex, String pathAndQuery, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                .timeout(Duration.ofSeconds(120));
        for (String h : List.of("Authorization", "Intercom-Version", "Accept", "Content-Type")) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
                request.header(h, v);
            }
        }
        request.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (String h : KEPT_HEADERS) {
                response.headers().firstValue(h).ifPresent(v -> headers.put(h, v));
            }
            return new Answer(response.statusCode(), headers, response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
