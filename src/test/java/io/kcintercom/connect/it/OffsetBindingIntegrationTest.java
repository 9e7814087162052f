package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Offsets are bound to what they describe, on a real in-process worker: a token that now reads
 * another workspace, or a table enabled on a running connector, makes the resources start over,
 * so the topics get every row of the workspace and of the new table, not only later changes.
 */
class OffsetBindingIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> TABLES = List.of(Tables.USERS, Tables.USERS_TAGS, Tables.COMPANIES,
            Tables.TAGS, Tables.CONVERSATIONS);
    private static final Set<String> RESOURCES = Set.of("users", "companies", "tags", "conversations");
    private static final Set<String> USERS_ONLY = Set.of("users");
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster("intercom-binding-it", Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static SampleWorkspace workspace(long seed) {
        return SampleWorkspace.generate(seed, SampleWorkspace.Sizes.builder()
                .users(40).leads(0).companies(10).admins(2).teams(1).tags(5).segments(2).conversations(6).build());
    }

    @Test
    void aTokenReadingAnotherWorkspaceStartsEveryResourceOver() throws Exception {
        SampleWorkspace staging = workspace(41);
        SampleWorkspace production = workspace(43);
        assertNotEquals(staging.appId(), production.appId());
        try (FakeIntercom first = FakeIntercom.start(staging, FakeIntercom.Options.defaults());
             FakeIntercom second = FakeIntercom.start(production, FakeIntercom.Options.defaults())) {
            String name = "intercom-moved";
            String prefix = "moved.";
            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(staging, TABLES);
            cluster.connect().configureConnector(name, connectorConfig(first, prefix, String.join(",", TABLES)));
            awaitEveryKey(prefix, expected, Map.of());
            Map<String, JsonNode> offsets = awaitOffsets(name, RESOURCES,
                    o -> staging.appId().equals(o.path("workspace").asText()));
            assertEquals("users,users_tags", offsets.get("users").get("tables").asText());

            // The same data, but /me names another app: every row comes again.
            stop(name);
            Map<String, Integer> before = counts(prefix);
            first.moveTokenToApp("sbxmoved");
            resume(name);
            awaitEveryKey(prefix, expected, before);
            awaitOffsets(name, RESOURCES, o -> "sbxmoved".equals(o.path("workspace").asText()));

            // Another workspace with data of its own: its history arrives, older objects included.
            long storedUsersPosition = offsets(name).get("users").get("updated_at").asLong();
            assertTrue(production.contacts("user").stream()
                            .anyMatch(u -> u.get("updated_at").asLong() < storedUsersPosition),
                    "the new workspace has users older than the stored position, which a resume would skip");
            Map<String, Integer> beforeProduction = counts(prefix);
            cluster.connect().configureConnector(name, connectorConfig(second, prefix, String.join(",", TABLES)));
            awaitEveryKey(prefix, ExpectedRows.forWorkspace(production, TABLES), beforeProduction);
            awaitOffsets(name, RESOURCES, o -> production.appId().equals(o.path("workspace").asText()));
            cluster.connect().deleteConnector(name);
        }
    }

    @Test
    void aTableEnabledOnARunningConnectorGetsTheRowsOfExistingObjects() throws Exception {
        SampleWorkspace ws = workspace(47);
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.defaults())) {
            String name = "intercom-tables";
            String prefix = "tables.";
            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, List.of(Tables.USERS, Tables.USERS_TAGS));
            assertFalse(expected.get(Tables.USERS_TAGS).isEmpty(), "the sample users have tags");
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix, Tables.USERS));
            awaitEveryKey(prefix, Map.of(Tables.USERS, expected.get(Tables.USERS)), Map.of());
            awaitOffsets(name, USERS_ONLY, o -> "users".equals(o.path("tables").asText()));
            int usersBefore = cluster.readAll(prefix + Tables.USERS).size();
            assertFalse(cluster.topicExists(prefix + Tables.USERS_TAGS));

            // PUT the config with users_tags: the users start over, and their tags arrive.
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix, Tables.USERS + ","
                    + Tables.USERS_TAGS));
            awaitEveryKey(prefix, Map.of(Tables.USERS_TAGS, expected.get(Tables.USERS_TAGS)), Map.of());
            awaitEveryKey(prefix, Map.of(Tables.USERS, expected.get(Tables.USERS)), Map.of(Tables.USERS, usersBefore));
            awaitOffsets(name, USERS_ONLY, o -> "users,users_tags".equals(o.path("tables").asText()));
            cluster.connect().deleteConnector(name);
        }
    }

    private static Map<String, String> connectorConfig(FakeIntercom fake, String prefix, String tables) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "2");
        config.put("intercom.tables", tables);
        config.put("intercom.token.check", "false");
        config.put("poll.interval.ms", "1000");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // The worker's REST API

    private static JsonNode ok(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.connect().endpointForResource(path)))
                .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() / 100 == 2, method + " " + path + " answered " + response.statusCode()
                + ": " + response.body());
        return response.body().isEmpty() ? null : MAPPER.readTree(response.body());
    }

    /** GET /connectors/{name}/offsets, by resource. */
    private static Map<String, JsonNode> offsets(String name) throws Exception {
        Map<String, JsonNode> offsets = new HashMap<>();
        for (JsonNode entry : ok("GET", "connectors/" + name + "/offsets").get("offsets")) {
            assertEquals(1, entry.get("partition").size(), "the partition is {resource}: " + entry.get("partition"));
            offsets.put(entry.get("partition").get("resource").asText(), entry.get("offset"));
        }
        return offsets;
    }

    /** Waits until GET lists an offset for each of {@code resources}, each satisfying {@code stored}. */
    private static Map<String, JsonNode> awaitOffsets(String name, Set<String> resources, Predicate<JsonNode> stored)
            throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
        Map<String, JsonNode> offsets = Map.of();
        while (System.currentTimeMillis() < deadline) {
            offsets = offsets(name);
            if (offsets.keySet().equals(resources)
                    && offsets.values().stream().allMatch(o -> o != null && stored.test(o))) {
                return offsets;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("The stored offsets never became the expected ones: " + offsets);
    }

    private static void stop(String name) throws Exception {
        ok("PUT", "connectors/" + name + "/stop");
        long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
        while (System.currentTimeMillis() < deadline) {
            JsonNode status = ok("GET", "connectors/" + name + "/status");
            if ("STOPPED".equals(status.path("connector").path("state").asText()) && status.path("tasks").isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " did not stop");
    }

    private static void resume(String name) throws Exception {
        ok("PUT", "connectors/" + name + "/resume");
        cluster.connect().assertions().assertConnectorAndAtLeastNumTasksAreRunning(name, 1, name + " did not resume");
    }

    // ---------------------------------------------------------------------------------------------
    // Rows

    /** Waits until the rows each table received after its first {@code from} ones hold every expected key. */
    private static void awaitEveryKey(String prefix, Map<String, Set<String>> expected, Map<String, Integer> from)
            throws InterruptedException {
        for (Map.Entry<String, Set<String>> table : expected.entrySet()) {
            if (table.getValue().isEmpty()) {
                continue;
            }
            int skip = from.getOrDefault(table.getKey(), 0);
            cluster.awaitRows(prefix + table.getKey(), TIMEOUT, rows -> rows.size() >= skip
                    && keys(table.getKey(), rows.subList(skip, rows.size())).containsAll(table.getValue()));
        }
    }

    /** Rows per table now in the topics. */
    private static Map<String, Integer> counts(String prefix) {
        Map<String, Integer> counts = new HashMap<>();
        for (String table : TABLES) {
            counts.put(table, cluster.topicExists(prefix + table) ? cluster.readAll(prefix + table).size() : 0);
        }
        return counts;
    }

    private static Set<String> keys(String table, List<ConnectCluster.Row> rows) {
        Set<String> keys = new HashSet<>();
        for (ConnectCluster.Row row : rows) {
            if (row.value() != null) {
                keys.add(ExpectedRows.keyOf(table, row.key()));
            }
        }
        return keys;
    }
}
