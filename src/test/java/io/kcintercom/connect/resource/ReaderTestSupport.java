package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.kcintercom.connect.client.IntercomClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Shared fixture of the reader tests: one WireMock server per test class on 127.0.0.1 (stubs and
 * the request journal reset before each test), a fresh {@link IntercomClient} per test, an
 * injectable clock, JSON builders in Intercom's shapes and helpers over the emitted records.
 *
 * <p>After each test no request may have gone unmatched: WireMock answers those with 404, which
 * the readers treat as "deleted meanwhile", so an unmatched request would otherwise be silent.
 */
abstract class ReaderTestSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The injected clock starts here (2023-11-14T22:13:20Z). */
    static final long NOW_MS = 1_700_000_000_000L;
    /** {@link #NOW_MS} in unix seconds: the updated_at of test objects is expressed relative to it. */
    static final long T = NOW_MS / 1000;
    static final String PREFIX = "intercom.";

    static final InFlight IN_FLIGHT = new InFlight();
    static final Gate GATE = new Gate();
    static WireMockServer wm;

    final AtomicLong clock = new AtomicLong(NOW_MS);
    IntercomClient client;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startWireMock() {
        wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").extensions(IN_FLIGHT, GATE));
        wm.start();
    }

    @AfterAll
    static void stopWireMock() {
        if (wm != null) {
            wm.stop();
        }
    }

    @BeforeEach
    void freshClientAndStubs() {
        wm.resetAll();
        IN_FLIGHT.reset();
        GATE.open();
        client = new IntercomClient(new IntercomClient.Settings(baseUrl(), "test-token", "2.11", 5000, 10, 2000));
    }

    @AfterEach
    void closeAndCheckNothingUnmatched() throws Exception {
        GATE.open();
        Collections.reverse(closeables);
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        client.close();
        List<String> unmatched = wm.findAllUnmatchedRequests().stream()
                .map(r -> r.getMethod() + " " + r.getUrl() + " " + r.getBodyAsString()).toList();
        assertEquals(List.of(), unmatched, "requests that matched no stub (WireMock answered 404)");
    }

    String baseUrl() {
        return "http://127.0.0.1:" + wm.port();
    }

    <C extends AutoCloseable> C closeLater(C closeable) {
        closeables.add(closeable);
        return closeable;
    }

    FollowUps followUps(int maxInFlight) {
        return closeLater(new FollowUps(maxInFlight, "t"));
    }

    static RecordFactory records(String... tables) {
        return new RecordFactory(PREFIX, List.of(tables));
    }

    // ---------------------------------------------------------------- driving readers

    /** Polls until the reader's current pass (or refresh) is over and everything is handed out. */
    static List<SourceRecord> drainPass(ResourceReader reader) {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            out.addAll(reader.poll(10_000));
            if (reader.nextDueMs() > 0) {
                return out;
            }
        }
        return fail("the pass did not end after 500 polls; got " + out.size() + " records");
    }

    /** Moves the injected clock to when the reader's next pass is due. */
    void advanceToNextPass(ResourceReader reader) {
        long due = reader.nextDueMs();
        if (due > clock.get()) {
            clock.set(due);
        }
    }

    // ---------------------------------------------------------------- records

    static List<SourceRecord> onTopic(List<SourceRecord> records, String table) {
        return records.stream().filter(r -> r.topic().equals(PREFIX + table)).toList();
    }

    static String keyField(SourceRecord record, String field) {
        Object value = ((Struct) record.key()).get(field);
        return value == null ? null : value.toString();
    }

    static Object valueField(SourceRecord record, String field) {
        return ((Struct) record.value()).get(field);
    }

    static List<String> ids(List<SourceRecord> records, String table) {
        return onTopic(records, table).stream().map(r -> keyField(r, "id")).toList();
    }

    static List<String> valueStrings(List<SourceRecord> records, String table, String field) {
        return onTopic(records, table).stream().map(r -> String.valueOf(valueField(r, field))).toList();
    }

    static Map<String, ?> lastOffset(List<SourceRecord> records) {
        return records.get(records.size() - 1).sourceOffset();
    }

    // ---------------------------------------------------------------- requests

    static List<JsonNode> searchBodies(String path) {
        return wm.findAll(postRequestedFor(urlPathEqualTo(path))).stream()
                .map(r -> parse(r.getBodyAsString())).toList();
    }

    static List<LoggedRequest> requests(RequestPatternBuilder pattern) {
        return wm.findAll(pattern);
    }

    static int count(RequestPatternBuilder pattern) {
        return wm.countRequestsMatching(pattern.build()).getCount();
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- search stubs and pages

    /** Stubs one search page: the first page (no cursor sent) when {@code cursorIn} is null. */
    static void stubSearchPage(String path, String cursorIn, ObjectNode page) {
        wm.stubFor(post(urlPathEqualTo(path))
                .withRequestBody(cursorIn == null
                        ? matchingJsonPath("$.pagination.starting_after", absent())
                        : matchingJsonPath("$.pagination.starting_after", equalTo(cursorIn)))
                .willReturn(okJson(page.toString())));
    }

    /** A search response in Intercom's shape; {@code next} is the cursor of the next page or null. */
    static ObjectNode searchPage(String itemsKey, String next, ObjectNode... items) {
        ObjectNode page = JSON.createObjectNode();
        page.put("type", itemsKey.equals("data") ? "list" : "conversation.list");
        ArrayNode array = page.putArray(itemsKey);
        for (ObjectNode item : items) {
            array.add(item);
        }
        page.put("total_count", items.length);
        ObjectNode pages = page.putObject("pages").put("type", "pages").put("page", 1).put("per_page", 150)
                .put("total_pages", next == null ? 1 : 2);
        if (next != null) {
            pages.putObject("next").put("page", 2).put("starting_after", next);
        }
        return page;
    }

    // ---------------------------------------------------------------- contacts

    /** A v2 contact as contact search returns it: empty inline lists, role user. */
    static ObjectNode contact(String id, long updatedAt) {
        ObjectNode c = JSON.createObjectNode()
                .put("type", "contact")
                .put("id", id)
                .put("workspace_id", "ws1")
                .put("external_id", "ext-" + id)
                .put("role", "user")
                .put("email", id + "@example.com")
                .put("name", "Contact " + id)
                .put("created_at", updatedAt - 86_400)
                .put("updated_at", updatedAt);
        c.set("tags", addressable(id, "tags", "tag"));
        c.set("notes", addressable(id, "notes", "note"));
        c.set("companies", addressable(id, "companies", "company"));
        c.set("social_profiles", JSON.createObjectNode().put("type", "list").set("data", JSON.createArrayNode()));
        return c;
    }

    /** A contact's inline "addressable list": references only, with the list's url. */
    static ObjectNode addressable(String contactId, String what, String type, String... refIds) {
        ObjectNode list = JSON.createObjectNode().put("type", "list");
        ArrayNode data = list.putArray("data");
        for (String refId : refIds) {
            data.addObject().put("type", type).put("id", refId).put("url", "/" + what + "/" + refId);
        }
        list.put("url", "/contacts/" + contactId + "/" + what);
        list.put("total_count", refIds.length);
        list.put("has_more", false);
        return list;
    }

    static ObjectNode listOf(String type, ObjectNode... items) {
        ObjectNode list = JSON.createObjectNode().put("type", type);
        ArrayNode data = list.putArray("data");
        for (ObjectNode item : items) {
            data.add(item);
        }
        return list;
    }

    static ObjectNode tag(String id, String name) {
        return JSON.createObjectNode().put("type", "tag").put("id", id).put("name", name);
    }

    static String errorBody(String code, String message) {
        ObjectNode body = JSON.createObjectNode().put("type", "error.list").put("request_id", "req-1");
        body.putArray("errors").addObject().put("code", code).put("message", message);
        return body.toString();
    }

    // ---------------------------------------------------------------- in-flight counting

    /**
     * A response transformer that holds each request it is applied to for 200 ms (a fixed delay)
     * while counting the requests in flight. It runs
     * inside the server's handling of the request, before any byte of the response is sent, so
     * the count can never include a request the client has already got its answer to.
     */
    static final class InFlight implements ResponseDefinitionTransformerV2 {
        static final String NAME = "in-flight";
        private final AtomicInteger current = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final AtomicInteger served = new AtomicInteger();

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            int now = current.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                current.decrementAndGet();
                served.incrementAndGet();
            }
            return serveEvent.getResponseDefinition();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }

        int peak() {
            return peak.get();
        }

        int served() {
            return served.get();
        }

        void reset() {
            current.set(0);
            peak.set(0);
            served.set(0);
        }
    }

    /**
     * A response transformer that holds the requests it is applied to until the test opens the
     * gate (at most 10 s), so a test can act while a request is certainly in flight.
     */
    static final class Gate implements ResponseDefinitionTransformerV2 {
        static final String NAME = "gate";
        private volatile CountDownLatch latch = new CountDownLatch(0);
        private final AtomicInteger waiting = new AtomicInteger();

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            waiting.incrementAndGet();
            try {
                latch.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiting.decrementAndGet();
            }
            return serveEvent.getResponseDefinition();
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return NAME;
        }

        void close() {
            latch = new CountDownLatch(1);
        }

        void open() {
            latch.countDown();
        }

        /** Requests being held now. */
        int waiting() {
            return waiting.get();
        }
    }
}
