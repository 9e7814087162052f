package io.kcintercom.connect.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.resource.FollowUps;
import io.kcintercom.connect.resource.Readers;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Intercom's search cursor is stateless, so pages shift when rows change during a pass: a page
 * can repeat a row of the previous one, and a row updated mid-pass moves to the end of the
 * updated_at order. Neither may lose a row, and neither may emit a row more than twice (its old
 * and its new version).
 */
class SearchPageAnomaliesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private ResourceReader reader(Resource resource, String baseUrl, String token, List<String> tables,
                                  Map<String, String> overrides) {
        Map<String, String> props = Harness.props(baseUrl, token, List.of(resource), tables);
        props.putAll(overrides);
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props);
        IntercomClient client = Harness.client(baseUrl, token, 5_000);
        FollowUps followUps = new FollowUps(2, "faults-follow-up");
        closeables.add(client);
        closeables.add(followUps);
        ResourceReader reader = Readers.create(resource, config, client, new RecordFactory(Harness.PREFIX, tables),
                followUps, null, System::currentTimeMillis);
        closeables.add(reader);
        return reader;
    }

    static Stream<Arguments> repeatedRows() {
        return Stream.of(Resource.USERS, Resource.CONVERSATIONS)
                .flatMap(r -> Stream.of(Arguments.of(r, 2), Arguments.of(r, 1)));
    }

    /** Page 1 holds o0..o2; page 2 starts with a row of page 1 again (its last, or one before). */
    @ParameterizedTest(name = "{0}, page 2 repeats row {1} of page 1")
    @MethodSource("repeatedRows")
    void aSearchPageRepeatingARowOfThePreviousPageLosesNothingAndEmitsItOnce(Resource resource, int repeated) {
        WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        try {
            boolean contacts = resource == Resource.USERS;
            String path = contacts ? "/contacts/search" : "/conversations/search";
            String itemsKey = contacts ? "data" : "conversations";
            long base = System.currentTimeMillis() / 1000 - 3 * 86_400;
            List<ObjectNode> rows = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                rows.add(contacts ? contact("c" + i, base + 100L * i) : conversation("" + (5000 + i), base + 100L * i));
            }
            wm.stubFor(post(urlPathEqualTo(path)).withRequestBody(matchingJsonPath("$.pagination.starting_after", absent()))
                    .willReturn(okJson(page(itemsKey, "cursor-2", rows.get(0), rows.get(1), rows.get(2)).toString())));
            wm.stubFor(post(urlPathEqualTo(path))
                    .withRequestBody(matchingJsonPath("$.pagination.starting_after", equalTo("cursor-2")))
                    .willReturn(okJson(page(itemsKey, null, rows.get(repeated), rows.get(3), rows.get(4), rows.get(5))
                            .toString())));
            List<String> tables = List.of(contacts ? Tables.USERS : Tables.CONVERSATIONS);
            ResourceReader reader = reader(resource, "http://127.0.0.1:" + wm.port(), "faults-wm-" + resource,
                    tables, Map.of());

            List<SourceRecord> out = Harness.drainPass(reader, Duration.ofSeconds(10));

            List<String> expectedIds = rows.stream().map(r -> r.get("id").asText()).toList();
            assertEquals(expectedIds, Harness.ids(out, tables.get(0)), "each row once, in order");
            assertEquals(2, wm.getAllServeEvents().size(), "two pages, no re-read");
        } finally {
            wm.stop();
        }
    }

    /**
     * The fake's cursor is a keyset on (updated_at, id): after the first page has been read, one
     * row of it and two rows of later pages are updated, which moves them to the end of the order.
     * A second pass follows, as the next poll interval would start it.
     */
    @ParameterizedTest
    @EnumSource(value = Resource.class, names = {"USERS", "CONVERSATIONS"})
    void aRowUpdatedWhileThePassRunsMovesToTheEndAndIsNeitherLostNorEmittedMoreThanTwice(Resource resource) {
        boolean contacts = resource == Resource.USERS;
        SampleWorkspace ws = Harness.workspace(300, s -> {
            if (contacts) {
                s.users(400);
            } else {
                s.conversations(400).maxPartsPerConversation(1);
            }
        });
        try (FakeIntercom fake = Harness.fake(ws)) {
            String table = contacts ? Tables.USERS : Tables.CONVERSATIONS;
            ResourceReader reader = reader(resource, fake.baseUrl(), fake.options().token(), List.of(table),
                    Map.of("search.delay.ms", "0", "poll.interval.ms", "0"));
            List<JsonNode> all = new ArrayList<>(contacts ? ws.contacts("user") : ws.conversations());
            all.sort(Comparator.comparingLong((JsonNode o) -> o.get("updated_at").asLong())
                    .thenComparing(o -> o.get("id").asText()));
            List<String> allIds = all.stream().map(o -> o.get("id").asText()).toList();

            List<SourceRecord> out = new ArrayList<>(reader.poll(10_000)); // the first page
            Set<String> emitted = new HashSet<>(Harness.ids(out, table));
            assertTrue(emitted.size() >= 100 && emitted.size() < allIds.size(), "one page read: " + emitted.size());
            String readAlready = allIds.stream().filter(emitted::contains).skip(20).findFirst().orElseThrow();
            List<String> notYet = allIds.stream().filter(id -> !emitted.contains(id)).toList();
            List<String> updated = List.of(readAlready, notYet.get(5), notYet.get(notYet.size() - 10));
            Map<String, Long> newUpdatedAt = new HashMap<>();
            for (String id : updated) {
                if (contacts) {
                    ws.updateContact(id);
                } else {
                    ws.updateConversation(id);
                }
                JsonNode now = contacts ? ws.contact(id) : ws.conversations().stream()
                        .filter(c -> c.get("id").asText().equals(id)).findFirst().orElseThrow();
                newUpdatedAt.put(id, now.get("updated_at").asLong());
            }

            out.addAll(Harness.drainPass(reader, Duration.ofSeconds(10)));
            out.addAll(Harness.drainPass(reader, Duration.ofSeconds(10)));

            Map<String, Long> counts = Harness.keyCounts(out).getOrDefault(table, Map.of());
            assertEquals(new HashSet<>(allIds), counts.keySet(), "no row lost");
            counts.forEach((id, n) -> assertTrue(n <= 2, id + " emitted " + n + " times"));
            assertEquals(2L, counts.get(readAlready), "a row read before its update is emitted again, updated");
            for (String id : updated) {
                List<SourceRecord> versions = Harness.onTable(out, table).stream()
                        .filter(r -> Harness.key(r).equals(id)).toList();
                Object last = Harness.value(versions.get(versions.size() - 1), "updated_at");
                assertEquals(newUpdatedAt.get(id) * 1000, ((java.util.Date) last).getTime(),
                        id + ": the last version emitted is the updated one");
            }
            long duplicated = counts.values().stream().filter(n -> n > 1).count();
            assertTrue(duplicated <= updated.size(), "only updated rows may repeat: " + duplicated);
        }
    }

    // ---------------------------------------------------------------- JSON in Intercom's shapes

    private static ObjectNode page(String itemsKey, String next, ObjectNode... items) {
        ObjectNode page = JSON.createObjectNode();
        page.put("type", itemsKey.equals("data") ? "list" : "conversation.list");
        ArrayNode array = page.putArray(itemsKey);
        for (ObjectNode item : items) {
            array.add(item);
        }
        page.put("total_count", 6);
        ObjectNode pages = page.putObject("pages").put("type", "pages").put("per_page", 150);
        if (next != null) {
            pages.putObject("next").put("page", 2).put("starting_after", next);
        } else {
            pages.putNull("next");
        }
        return page;
    }

    private static ObjectNode contact(String id, long updatedAt) {
        ObjectNode c = JSON.createObjectNode().put("type", "contact").put("id", id).put("role", "user")
                .put("email", id + "@example.com").put("created_at", updatedAt - 1000).put("updated_at", updatedAt);
        c.putObject("tags").put("type", "list").putArray("data");
        c.putObject("companies").put("type", "list").putArray("data");
        c.putObject("social_profiles").put("type", "list").putArray("data");
        return c;
    }

    private static ObjectNode conversation(String id, long updatedAt) {
        return JSON.createObjectNode().put("type", "conversation").put("id", id)
                .put("created_at", updatedAt - 1000).put("updated_at", updatedAt).put("state", "open");
    }
}
