package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The offsets API of a real, in-process Connect worker, driven over HTTP with the requests the
 * README's "Re-syncing" section shows: read the offsets, re-sync one table, rewind one resource to
 * a time, reset everything; and offsets stored by earlier versions, resumed from and then reset.
 */
class OffsetsRestApiIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String OFFSETS_TOPIC = "it-connect-offsets";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The tables fed by both users and leads: a re-sync of either adds rows to them. */
    private static final Set<String> SHARED = Set.of(Tables.NOTES, Tables.EVENTS_SUMMARY);
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster("intercom-offsets-it", Map.of("offset.storage.topic", OFFSETS_TOPIC));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void offsetsAreReadEditedAndResetThroughTheRestApi() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(31, SampleWorkspace.Sizes.builder()
                .users(80).leads(40).companies(12).admins(3).teams(1).tags(6).segments(3).conversations(8)
                .build());
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.defaults())) {
            String name = "intercom";
            String prefix = "rest.";
            Template template = Template.ALL;
            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, template.tables());
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix, template));
            awaitEveryKey(prefix, expected, Map.of());

            // GET: every resource's offset, none null.
            Map<String, JsonNode> offsets = awaitOffsets(name, Resource.values().length);
            stop(name);
            offsets = offsets(name);
            assertEquals(Set.of("users", "leads", "companies", "admins", "tags", "segments", "conversations"),
                    offsets.keySet());
            offsets.forEach((resource, offset) -> assertTrue(offset.isObject() && offset.size() > 0,
                    resource + ": " + offset));
            JsonNode lastUser = ws.contacts("user").stream().max(byUpdatedAtAndId()).orElseThrow();
            assertEquals(lastUser.get("updated_at").asLong(), offsets.get("users").get("updated_at").asLong());
            assertEquals(lastUser.get("id").asText(), offsets.get("users").get("id").asText());
            assertFalse(offsets.get("tags").get("digest").asText().isEmpty());

            // Re-sync one table: users' rows come again, no other resource's do.
            Map<String, Integer> before = counts(prefix, template);
            patch(name, "{\"offsets\":[{\"partition\":{\"resource\":\"users\"},\"offset\":null}]}");
            assertFalse(settled(() -> offsets(name), o -> !o.containsKey("users")).containsKey("users"), "users reset");
            resume(name);
            awaitEveryKey(prefix, onlyTables(expected, Resource.USERS.tables()), before);
            stop(name);
            Map<String, Integer> afterResync = counts(prefix, template);
            assertEquals(before.get(Tables.USERS) + ws.contacts("user").size(), afterResync.get(Tables.USERS));
            assertUnchanged(before, afterResync, Resource.USERS);

            // Rewind leads to a time: exactly the leads updated at or after it come again.
            List<JsonNode> leads = ws.contacts("lead").stream().sorted(byUpdatedAtAndId()).toList();
            long rewindTo = leads.get(leads.size() / 2).get("updated_at").asLong();
            Set<String> sinceRewind = leads.stream().filter(l -> l.get("updated_at").asLong() >= rewindTo)
                    .map(l -> l.get("id").asText()).collect(Collectors.toSet());
            assertTrue(sinceRewind.size() < leads.size(), "the rewind point is mid-table");
            patch(name, "{\"offsets\":[{\"partition\":{\"resource\":\"leads\"},\"offset\":{\"updated_at\":"
                    + rewindTo + "}}]}");
            resume(name);
            int leadsBefore = afterResync.get(Tables.LEADS);
            cluster.awaitRows(prefix + Tables.LEADS, TIMEOUT,
                    rows -> live(rows).size() >= leadsBefore + sinceRewind.size());
            stop(name);
            List<ConnectCluster.Row> leadRows = live(cluster.readAll(prefix + Tables.LEADS));
            Set<String> again = leadRows.subList(leadsBefore, leadRows.size()).stream()
                    .map(ConnectCluster.Row::id).collect(Collectors.toSet());
            assertEquals(sinceRewind, again);
            assertEquals(leadsBefore + sinceRewind.size(), leadRows.size(), "each once");
            assertUnchanged(afterResync, counts(prefix, template), Resource.LEADS);

            // Reset everything: every table's rows come again, and GET shows every offset again.
            Map<String, Integer> beforeReset = counts(prefix, template);
            delete(name);
            assertEquals(Map.of(), settled(() -> offsets(name), Map::isEmpty));
            resume(name);
            awaitEveryKey(prefix, expected, beforeReset);
            awaitOffsets(name, Resource.values().length);
            cluster.connect().deleteConnector(name);
        }
    }

    /**
     * Offsets earlier versions stored (partition {"resource", "protocol": "1"}, in that key order)
     * are resumed from; a PATCH naming such a partition as GET lists it, and a DELETE, clear them.
     */
    @Test
    void offsetsStoredByEarlierVersionsAreResumedFromThenReset() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(37, SampleWorkspace.Sizes.builder()
                .users(60).leads(10).companies(16).admins(2).teams(1).tags(4).segments(2).conversations(0)
                .build());
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.defaults())) {
            String name = "intercom-v1";
            String prefix = "v1.";
            Template template = Template.BASIC;
            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, template.tables());
            List<JsonNode> users = ws.contacts("user").stream().sorted(byUpdatedAtAndId()).toList();
            JsonNode resumeAfter = users.get(24);
            List<JsonNode> companies = ws.companies().stream()
                    .sorted(Comparator.comparingLong(c -> c.get("updated_at").asLong())).toList();
            long watermark = companies.get(companies.size() / 2).get("updated_at").asLong();
            // What the earlier version's tasks wrote to the offsets topic.
            cluster.connect().kafka().produce(OFFSETS_TOPIC,
                    "[\"" + name + "\",{\"resource\":\"users\",\"protocol\":\"1\"}]",
                    "{\"updated_at\":" + resumeAfter.get("updated_at").asLong() + ",\"id\":\""
                            + resumeAfter.get("id").asText() + "\",\"pass_from\":"
                            + resumeAfter.get("updated_at").asLong() + ",\"cursor\":null}");
            cluster.connect().kafka().produce(OFFSETS_TOPIC,
                    "[\"" + name + "\",{\"resource\":\"companies\",\"protocol\":\"1\"}]",
                    "{\"updated_at\":" + watermark + "}");

            Map<String, String> config = connectorConfig(fake, prefix, template);
            // Without sweeps: the first sweep after an upgrade re-sends every contact the state topic
            // never saw (to learn its keys), which is not what this test looks at: where passes resume.
            config.put("intercom.reconcile.interval.ms", "0");
            cluster.connect().configureConnector(name, config);
            Set<String> usersAfter = users.subList(25, users.size()).stream().map(u -> u.get("id").asText())
                    .collect(Collectors.toSet());
            Set<String> companiesAfter = companies.stream().filter(c -> c.get("updated_at").asLong() > watermark)
                    .map(c -> c.get("id").asText()).collect(Collectors.toSet());
            assertTrue(companiesAfter.size() < companies.size(), "the watermark is mid-table");
            awaitEveryKey(prefix, Map.of(Tables.LEADS, expected.get(Tables.LEADS), Tables.USERS, usersAfter,
                    Tables.COMPANIES, companiesAfter, Tables.TAGS, expected.get(Tables.TAGS)), Map.of());
            awaitOffsets(name, 6);
            stop(name);
            assertEquals(usersAfter, ids(cluster.readAll(prefix + Tables.USERS)), "resumed after the stored user");
            assertEquals(companiesAfter, ids(cluster.readAll(prefix + Tables.COMPANIES)),
                    "resumed from the stored watermark");

            // The partition as GET lists it (Connect's key order) resets the resource, old offset included.
            Map<String, Integer> before = counts(prefix, template);
            JsonNode companiesV1 = MAPPER.readTree("{\"protocol\":\"1\",\"resource\":\"companies\"}");
            assertTrue(listedPartitions(name).contains(companiesV1), "GET lists the old partition");
            patch(name, "{\"offsets\":[{\"partition\":{\"protocol\":\"1\",\"resource\":\"companies\"},"
                    + "\"offset\":null}]}");
            assertFalse(settled(() -> listedPartitions(name), p -> !p.contains(companiesV1)).contains(companiesV1),
                    "the old companies offset is cleared");
            assertFalse(settled(() -> offsets(name), o -> !o.containsKey("companies")).containsKey("companies"),
                    "companies reset");
            resume(name);
            awaitEveryKey(prefix, Map.of(Tables.COMPANIES, expected.get(Tables.COMPANIES)), before);
            stop(name);
            assertEquals(before.get(Tables.COMPANIES) + companies.size(), counts(prefix, template).get(Tables.COMPANIES));

            // DELETE resets everything, the users' old offset included: the users before it come too.
            Map<String, Integer> beforeReset = counts(prefix, template);
            delete(name);
            assertEquals(List.of(), settled(() -> listedPartitions(name), List::isEmpty), "no offset left, old or new");
            resume(name);
            awaitEveryKey(prefix, expected, beforeReset);
            assertEquals(expected.get(Tables.USERS), ids(cluster.readAll(prefix + Tables.USERS)));
            cluster.connect().deleteConnector(name);
        }
    }

    private static Map<String, String> connectorConfig(FakeIntercom fake, String prefix, Template template) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "3");
        config.put("intercom.template", template.configValue());
        config.put("intercom.token.check", "false");
        config.put("poll.interval.ms", "1000");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        return config;
    }

    // ---------------------------------------------------------------------------------------------
    // The README's requests, over HTTP to the worker's REST listener

    private static HttpResponse<String> http(String method, String path, String body) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.connect().endpointForResource(path)))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertTrue(response.statusCode() / 100 == 2, response.request().method() + " " + response.request().uri()
                + " answered " + response.statusCode() + ": " + response.body());
        return response.body().isEmpty() ? null : MAPPER.readTree(response.body());
    }

    /** GET /connectors/{name}/offsets, by resource; fails on a partition of another form. */
    private static Map<String, JsonNode> offsets(String name) throws Exception {
        JsonNode body = ok(http("GET", "connectors/" + name + "/offsets", null));
        Map<String, JsonNode> offsets = new HashMap<>();
        for (JsonNode entry : body.get("offsets")) {
            JsonNode partition = entry.get("partition");
            if (partition.size() == 2 && "1".equals(partition.path("protocol").asText())) {
                continue; // stored by an earlier version; Connect cannot read those back (see Offsets)
            }
            assertEquals(1, partition.size(), "a one-key partition: " + partition);
            offsets.put(partition.get("resource").asText(), entry.get("offset"));
        }
        return offsets;
    }

    /** The partitions GET /connectors/{name}/offsets lists, in any form. */
    private static List<JsonNode> listedPartitions(String name) throws Exception {
        List<JsonNode> partitions = new java.util.ArrayList<>();
        ok(http("GET", "connectors/" + name + "/offsets", null)).get("offsets")
                .forEach(entry -> partitions.add(entry.get("partition")));
        return partitions;
    }

    /**
     * A GET right after a PATCH or DELETE, asked again for up to 10 s until {@code expected} holds:
     * the worker lists the partitions its offset store has read so far and only then reads the
     * topic to its end (Worker.sourceConnectorOffsets, Connect 4.1), so the first GET may still
     * list a partition just cleared, with a null offset.
     */
    private static <T> T settled(java.util.concurrent.Callable<T> get, java.util.function.Predicate<T> expected)
            throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        T value = get.call();
        while (!expected.test(value) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            value = get.call();
        }
        return value;
    }

    /** Waits until GET lists {@code count} resources, each with an offset. */
    private static Map<String, JsonNode> awaitOffsets(String name, int count) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
        Map<String, JsonNode> offsets = Map.of();
        while (System.currentTimeMillis() < deadline) {
            offsets = offsets(name);
            if (offsets.size() == count && offsets.values().stream().noneMatch(JsonNode::isNull)) {
                return offsets;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("GET offsets never listed " + count + " resources with an offset: " + offsets);
    }

    private static void stop(String name) throws Exception {
        ok(http("PUT", "connectors/" + name + "/stop", null));
        long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
        while (System.currentTimeMillis() < deadline) {
            JsonNode status = ok(http("GET", "connectors/" + name + "/status", null));
            if ("STOPPED".equals(status.path("connector").path("state").asText()) && status.path("tasks").isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " did not stop");
    }

    private static void patch(String name, String body) throws Exception {
        ok(http("PATCH", "connectors/" + name + "/offsets", body));
    }

    private static void delete(String name) throws Exception {
        ok(http("DELETE", "connectors/" + name + "/offsets", null));
    }

    private static void resume(String name) throws Exception {
        ok(http("PUT", "connectors/" + name + "/resume", null));
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
            cluster.awaitRows(prefix + table.getKey(), TIMEOUT, records -> {
                List<ConnectCluster.Row> rows = live(records);
                return rows.size() >= skip
                        && keys(table.getKey(), rows.subList(skip, rows.size())).containsAll(table.getValue());
            });
        }
    }

    /**
     * Rows, not tombstones: the users reader retracts the leads rows each user may have had as a
     * lead, tombstones that leave the leads table as it was.
     */
    private static List<ConnectCluster.Row> live(List<ConnectCluster.Row> records) {
        return records.stream().filter(r -> r.value() != null).toList();
    }

    /** Rows per table now in the topics (tombstones are no rows). */
    private static Map<String, Integer> counts(String prefix, Template template) {
        Map<String, Integer> counts = new HashMap<>();
        template.tables().forEach(table -> counts.put(table, 0));
        Set<String> existing;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", cluster.connect().kafka().bootstrapServers()))) {
            existing = admin.listTopics().names().get();
        } catch (Exception e) {
            throw new AssertionError("cannot list the topics", e);
        }
        String[] topics = template.tables().stream().map(t -> prefix + t).filter(existing::contains)
                .toArray(String[]::new);
        for (ConnectCluster.Row row : live(cluster.readAll(topics))) {
            counts.merge(row.topic().substring(prefix.length()), 1, Integer::sum);
        }
        return counts;
    }

    /** No table of another resource than {@code changed} received a row. */
    private static void assertUnchanged(Map<String, Integer> before, Map<String, Integer> after, Resource changed) {
        for (String table : before.keySet()) {
            if (!changed.tables().contains(table) && !SHARED.contains(table)) {
                assertEquals(before.get(table), after.get(table), "rows of " + table);
            }
        }
    }

    private static Map<String, Set<String>> onlyTables(Map<String, Set<String>> expected, List<String> tables) {
        Map<String, Set<String>> only = new HashMap<>(expected);
        only.keySet().retainAll(tables);
        only.keySet().removeAll(SHARED);
        return only;
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

    private static Set<String> ids(List<ConnectCluster.Row> rows) {
        return rows.stream().map(ConnectCluster.Row::id).collect(Collectors.toSet());
    }

    private static Comparator<JsonNode> byUpdatedAtAndId() {
        return Comparator.comparingLong((JsonNode c) -> c.get("updated_at").asLong())
                .thenComparing(c -> c.get("id").asText());
    }
}
