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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bench-only wrapper in front of the sample-workspace fake (which is final and counts only per
 * endpoint template): a loopback reverse proxy that records every request the connector makes with
 * its full identity (method, path, query and body), its status and its timing. That is what the
 * "no request made twice within a pass" check and the per-resource timelines need. It adds well
 * under a millisecond per request, against the fake's 100-300 ms of simulated latency.
 */
final class CountingProxy implements AutoCloseable {
    private static final Set<String> FORWARDED_REQUEST_HEADERS =
            Set.of("Authorization", "Intercom-Version", "Accept", "Content-Type");
    private static final List<String> FORWARDED_RESPONSE_HEADERS = List.of("Content-Type", "X-RateLimit-Limit",
            "X-RateLimit-Remaining", "X-RateLimit-Reset");

    /** One request as seen by the proxy (times in ms since the proxy started). */
    record Call(String method, String pathAndQuery, String body, int status, long startMs, long endMs) {
        /** The request's full identity: a repeat of it returns the same page. */
        String identity() {
            return method + " " + pathAndQuery + (body.isEmpty() ? "" : " " + body);
        }

        String path() {
            int q = pathAndQuery.indexOf('?');
            return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        }

        String query(String name) {
            int q = pathAndQuery.indexOf('?');
            if (q < 0) {
                return null;
            }
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals(name)) {
                    return java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        /** The path with any segment holding a digit replaced by {id}, as the connector's metrics do. */
        String endpoint() {
            StringBuilder t = new StringBuilder(method).append(' ');
            for (String segment : path().split("/")) {
                if (!segment.isEmpty()) {
                    t.append('/').append(segment.chars().anyMatch(Character::isDigit) ? "{id}" : segment);
                }
            }
            return t.toString();
        }
    }

    private final String target;
    private final LoopbackServer server;
    private final HttpClient client;
    private final long t0 = System.currentTimeMillis();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();

    CountingProxy(String targetBaseUrl, int threads) throws IOException {
        this.target = targetBaseUrl;
        // Its own (default) executor: sharing the server's pool could deadlock once every pool
        // thread waits in send().
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.server = new LoopbackServer("counting-proxy", threads, this::handle);
    }

    String baseUrl() {
        return server.baseUrl();
    }

    long startedAtMs() {
        return t0;
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    int peakInFlight() {
        return peakInFlight.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        long start = System.currentTimeMillis() - t0;
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        String method = ex.getRequestMethod();
        String pathAndQuery = ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        byte[] body = ex.getRequestBody().readAllBytes();
        int status = 0;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                    .timeout(Duration.ofSeconds(120));
            for (String h : FORWARDED_REQUEST_HEADERS) {
                String v = ex.getRequestHeaders().getFirst(h);
                if (v != null) {
                    request.header(h, v);
                }
            }
            request.method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                // The fake dropped the connection (an injected reset): drop ours too.
                status = -1;
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = -1;
                return;
            }
            status = response.statusCode();
            for (String h : FORWARDED_RESPONSE_HEADERS) {
                response.headers().firstValue(h).ifPresent(v -> ex.getResponseHeaders().set(h, v));
            }
            byte[] out = response.body();
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(out);
                }
            }
        } finally {
            inFlight.decrementAndGet();
            statuses.computeIfAbsent(status, k -> new LongAdder()).increment();
            calls.add(new Call(method, pathAndQuery, new String(body, StandardCharsets.UTF_8), status, start,
                    System.currentTimeMillis() - t0));
            ex.close();
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
