package io.kcintercom.connect.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A pass-through HTTP proxy on 127.0.0.1 in front of the fake Intercom that can make tags vanish
 * from {@code GET /tags}, as when a teammate deletes a tag. The sample workspace has no tag
 * deletion; this is how a test gets the connector to emit a real tombstone.
 */
final class TagHidingProxy implements AutoCloseable {
    private static final List<String> FORWARDED_REQUEST_HEADERS = List.of(
            "Authorization", "Intercom-Version", "Accept", "Content-Type", "User-Agent");
    private static final Set<String> DROPPED_RESPONSE_HEADERS = Set.of(
            "content-length", "transfer-encoding", "connection", "date");

    private final String target;
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final ExecutorService clientPool = Executors.newCachedThreadPool();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(clientPool).build();
    private final Set<String> hiddenTags = ConcurrentHashMap.newKeySet();

    TagHidingProxy(String targetBaseUrl) throws IOException {
        this.target = targetBaseUrl.endsWith("/") ? targetBaseUrl.substring(0, targetBaseUrl.length() - 1)
                : targetBaseUrl;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::forward);
        server.setExecutor(pool);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** From now on, GET /tags answers without this tag. */
    void hideTag(String id) {
        hiddenTags.add(id);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] requestBody;
            try (InputStream in = exchange.getRequestBody()) {
                requestBody = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(30))
                    .method(exchange.getRequestMethod(), requestBody.length == 0
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(requestBody));
            for (String name : FORWARDED_REQUEST_HEADERS) {
                String value = exchange.getRequestHeaders().getFirst(name);
                if (value != null) {
                    request.header(name, value);
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            byte[] body = response.body();
            if ("GET".equals(exchange.getRequestMethod()) && "/tags".equals(exchange.getRequestURI().getPath())
                    && response.statusCode() == 200 && !hiddenTags.isEmpty()) {
                body = withoutHiddenTags(body);
            }
            response.headers().map().forEach((name, values) -> {
                if (!DROPPED_RESPONSE_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            exchange.sendResponseHeaders(response.statusCode(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private byte[] withoutHiddenTags(byte[] body) throws IOException {
        JsonNode list = WarehouseCluster.JSON.readTree(body);
        JsonNode data = list.get("data");
        if (data instanceof ArrayNode items) {
            ArrayNode kept = WarehouseCluster.JSON.createArrayNode();
            items.forEach(tag -> {
                if (!hiddenTags.contains(tag.path("id").asText())) {
                    kept.add(tag);
                }
            });
            ((ObjectNode) list).set("data", kept);
        }
        return WarehouseCluster.JSON.writeValueAsString(list).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        clientPool.shutdownNow();
    }
}
