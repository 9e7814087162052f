package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.Malformation;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.testutil.LogCapture;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfo;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connector on a real, in-process Kafka broker and Connect worker, created through the REST
 * API and reading the sample workspace over HTTP, as a user would run it.
 */
class IntercomConnectorIntegrationTest {
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster("intercom-it", Map.of("config.providers", "file",
                "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, String> connectorConfig(FakeIntercom fake, String prefix, String template) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "3");
        config.put("intercom.template", template);
        config.put("poll.interval.ms", "1000");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        config.put("max.in.flight.requests", "4");
        return config;
    }

    @Test
    void basicTemplateEndToEndSurvivesAStopMidSyncWithoutReReading() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(11, SampleWorkspace.Sizes.builder()
                .users(450).leads(60).companies(40).admins(4).teams(2).tags(12).segments(4).conversations(0)
                .heavyContactEvery(40).build());
        String token = "it-SECRET-token-7f3a9c";
        FakeIntercom.Options options = FakeIntercom.Options.builder().token(token).latencyMs(10, 20).build();
        LogCapture logs = LogCapture.start(org.apache.logging.log4j.Level.INFO);
        try (FakeIntercom fake = FakeIntercom.start(ws, options)) {
            String prefix = "basic.";
            String name = "intercom-basic";
            // The token reaches the connector through the worker's FileConfigProvider, as in production.
            Path secrets = Files.createTempFile("intercom-secrets", ".properties");
            Files.writeString(secrets, "intercom.access.token=" + token + "\n");
            Map<String, String> config = connectorConfig(fake, prefix, "basic");
            config.put("intercom.access.token", "${file:" + secrets + ":intercom.access.token}");
            cluster.connect().configureConnector(name, config);
            cluster.connect().assertions().assertConnectorAndAtLeastNumTasksAreRunning(name, 1,
                    "connector did not start");

            // Stop part-way through, then resume from the stored offsets. Users and leads come before
            // any event summary (issue 17), so what is part-way at that point is the summary backfill,
            // which paces like the users pass did when it read each user's summary.
            cluster.awaitRows(prefix + Tables.EVENTS_SUMMARY, SYNC_TIMEOUT, rows -> rows.size() >= 100);
            cluster.connect().stopConnector(name);
            cluster.connect().assertions().assertConnectorIsStopped(name, "connector did not stop");
            long summariesReadBeforeStop = cluster.readAll(prefix + Tables.EVENTS_SUMMARY).size();
            cluster.connect().resumeConnector(name);

            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, Template.BASIC.tables());
            for (String table : Template.BASIC.tables()) {
                Set<String> want = expected.get(table);
                List<ConnectCluster.Row> rows = cluster.awaitRows(prefix + table, SYNC_TIMEOUT,
                        r -> keys(table, r).containsAll(want));
                assertEquals(want, keys(table, rows), "keys of " + table);
            }
            assertTrue(summariesReadBeforeStop < expected.get(Tables.EVENTS_SUMMARY).size(),
                    "the stop should come mid-sync");

            // No full re-read after the restart: every contact's event summary was fetched about once
            // (and no contact's segments: membership is read per segment, issue 17).
            long contacts = ws.contacts("user").size() + ws.contacts("lead").size();
            long eventCalls = fake.requestCount("GET /events");
            assertTrue(eventCalls >= contacts && eventCalls <= contacts + 150,
                    "event summary requests " + eventCalls + " for " + contacts + " contacts");
            assertEquals(0, fake.requestCount("GET /contacts/{id}/segments"), "no per-contact segments call");
            // Each resource was read by exactly one task: one admins refresh and one companies scroll
            // (a page and the empty end) per start of the connector, and there were two starts.
            assertEquals(2, fake.requestCount("GET /admins"), "admins refreshed once per start");
            assertEquals(4, fake.requestCount("GET /companies/scroll"), "one scroll per start");
            // What was complete before the stop is not emitted again: the stored offsets say so.
            for (String table : List.of(Tables.LEADS, Tables.COMPANIES, Tables.ADMINS, Tables.TAGS, Tables.SEGMENTS)) {
                List<ConnectCluster.Row> rows = cluster.readAll(prefix + table);
                // Tombstones are no rows: each user retracts the leads rows it may have had as a lead.
                long live = rows.stream().filter(r -> r.value() != null).count();
                assertEquals(keys(table, rows).size(), live, "no duplicate in " + table);
            }

            // Values: one user compared field by field.
            JsonNode user = ws.contacts("user").get(0);
            JsonNode row = cluster.readAll(prefix + Tables.USERS).stream()
                    .filter(r -> r.id().equals(user.get("id").asText())).findFirst().orElseThrow().value();
            assertEquals("user", row.get("type").asText(), "users rows say user, as the table reference does");
            assertEquals(user.get("email").asText(), row.get("email").asText());
            assertEquals(user.get("updated_at").asLong() * 1000, row.get("updated_at").asLong());
            assertEquals(user.get("external_id").asText(), row.get("user_id").asText());
            assertEquals(user.get("custom_attributes"), MAPPER.readTree(row.get("custom_attributes").asText()));
            assertFalse(row.get("anonymous").asBoolean());

            // Duplicates are bounded: nothing was emitted twice for users beyond one in-flight batch.
            List<ConnectCluster.Row> users = cluster.readAll(prefix + Tables.USERS);
            long duplicates = users.size() - keys(Tables.USERS, users).size();
            assertTrue(duplicates <= 150, "duplicates after restart: " + duplicates);
            cluster.connect().deleteConnector(name);
        } finally {
            logs.stop();
        }
        // Everything the worker, the connector and the HTTP client logged during a full sync, with a
        // stop and a restart: the token appears nowhere.
        assertTrue(logs.lines().size() > 100, "the capture saw the sync's log lines");
        List<String> leaks = logs.lines().stream().filter(l -> l.contains(token)).toList();
        assertTrue(leaks.isEmpty(), "token in log lines: " + leaks);
    }

    @Test
    void conversationsTemplateEndToEndThenOnlyChangesArrive() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(23, SampleWorkspace.Sizes.builder()
                .users(20).leads(5).companies(3).admins(3).teams(1).tags(6).segments(2).conversations(60)
                .includeTruncatedConversation(true).build());
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.defaults())) {
            String prefix = "conv.";
            String name = "intercom-conversations";
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix, "conversations"));
            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, Template.CONVERSATIONS.tables());
            for (String table : Template.CONVERSATIONS.tables()) {
                Set<String> want = expected.get(table);
                List<ConnectCluster.Row> rows = cluster.awaitRows(prefix + table, SYNC_TIMEOUT,
                        r -> keys(table, r).containsAll(want));
                assertEquals(want, keys(table, rows), "keys of " + table);
            }
            long detailCalls = fake.requestCount("GET /conversations/{id}");
            assertEquals(ws.conversations().size(), detailCalls, "one parts request per conversation");
            int conversationRows = cluster.readAll(prefix + Tables.CONVERSATIONS).size();
            int partRows = cluster.readAll(prefix + Tables.CONVERSATION_PARTS).size();

            // Change two conversations: exactly those, and their parts, arrive on the next pass.
            String updated = ws.conversations().get(3).get("id").asText();
            String withNewPart = ws.conversations().get(7).get("id").asText();
            ws.updateConversation(updated);
            String newPart = ws.addConversationPart(withNewPart);
            List<ConnectCluster.Row> rows = cluster.awaitRows(prefix + Tables.CONVERSATIONS, SYNC_TIMEOUT,
                    r -> r.size() >= conversationRows + 2);
            Set<String> changed = rows.subList(conversationRows, rows.size()).stream()
                    .map(ConnectCluster.Row::id).collect(Collectors.toSet());
            assertEquals(Set.of(updated, withNewPart), changed);
            List<ConnectCluster.Row> parts = cluster.awaitRows(prefix + Tables.CONVERSATION_PARTS, SYNC_TIMEOUT,
                    r -> keys(Tables.CONVERSATION_PARTS, r).contains(newPart));
            Set<String> partsOf = parts.subList(partRows, parts.size()).stream()
                    .map(r -> r.value().get("conversations_pk").asText()).collect(Collectors.toSet());
            assertEquals(Set.of(updated, withNewPart), partsOf, "only the changed conversations' parts");
            assertEquals(detailCalls + 2, fake.requestCount("GET /conversations/{id}"));

            // Metrics over JMX, as an operator reads them: rows per table, requests per endpoint and
            // status, the truncated conversation, the lag of the resource.
            assertEquals((double) cluster.readAll(prefix + Tables.CONVERSATIONS).size(),
                    metric(name, "rows-emitted-total", "table", Tables.CONVERSATIONS));
            assertEquals((double) fake.requestCount("GET /conversations/{id}"),
                    metric(name, "requests-total", "endpoint", "GET /conversations/{id}", "status", "200"));
            assertEquals(1.0, metric(name, "truncated-conversations-total", "resource", "conversations"));
            double lag = metric(name, "lag-seconds", "resource", "conversations");
            assertTrue(lag >= 0 && lag < 3600, "lag " + lag);
            cluster.connect().deleteConnector(name);
        }
    }

    @Test
    void aMalformedObjectLandsInTheErrorsTopicAndEveryOtherRowArrives() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(31, SampleWorkspace.Sizes.builder()
                .users(300).leads(10).companies(5).admins(2).teams(1).tags(6).segments(2).conversations(0).build());
        List<String> userIds = ws.contactIds("user");
        // A user with tags, on the second search page, so the page and its children go on around it.
        String bad = userIds.stream().skip(150).filter(id -> !ws.contactTags(id).isEmpty()).findFirst().orElseThrow();
        String tolerated = userIds.get(10);
        ws.malformContact(bad, Malformation.UNPARSEABLE);
        ws.malformContact(tolerated, Malformation.ISO_TIMESTAMP);
        String errorsTopic = "bad.errors";
        LogCapture logs = LogCapture.start(org.apache.logging.log4j.Level.INFO);
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.defaults())) {
            String prefix = "bad.";
            String name = "intercom-bad-objects";
            List<String> tables = List.of(Tables.USERS, Tables.USERS_TAGS, Tables.LEADS);
            Map<String, String> config = connectorConfig(fake, prefix, "basic");
            config.put("intercom.tables", String.join(",", tables));
            config.put("errors.topic", errorsTopic);
            cluster.connect().configureConnector(name, config);

            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, tables);
            expected.get(Tables.USERS).remove(bad);
            assertTrue(expected.get(Tables.USERS_TAGS).removeIf(key -> key.startsWith(bad + "|")),
                    "the bad user has tags, skipped with it");
            for (String table : tables) {
                Set<String> want = expected.get(table);
                List<ConnectCluster.Row> rows = cluster.awaitRows(prefix + table, SYNC_TIMEOUT,
                        r -> keys(table, r).containsAll(want));
                assertEquals(want, keys(table, rows), "keys of " + table);
            }
            JsonNode toleratedRow = cluster.readAll(prefix + Tables.USERS).stream()
                    .filter(r -> r.id().equals(tolerated)).findFirst().orElseThrow().value();
            assertEquals(ws.contact(tolerated).get("created_at").asLong() * 1000,
                    toleratedRow.get("created_at").asLong(), "an ISO created_at is read as the same instant");

            ConsumerRecords<byte[], byte[]> errors = cluster.connect().kafka().consume(1, 30_000, errorsTopic);
            assertEquals(1, errors.count());
            ConsumerRecord<byte[], byte[]> error = errors.iterator().next();
            JsonNode raw = MAPPER.readTree(MAPPER.readTree(error.value()).asText());
            assertEquals(bad, raw.get("id").asText(), "the raw JSON, as a string value");
            assertEquals("not-a-date", raw.get("created_at").asText());
            assertEquals("users", header(error, "intercom.errors.resource"));
            assertEquals("users", header(error, "intercom.errors.table"));
            assertEquals("created_at", header(error, "intercom.errors.column"));
            assertEquals(bad, header(error, "intercom.errors.id"));

            assertEquals(1.0, metric(name, "bad-objects-total", "resource", "users"));
            assertEquals(0.0, metric(name, "bad-objects-total", "resource", "leads"));
            ConnectorStateInfo status = cluster.connect().connectorStatus(name);
            assertEquals("RUNNING", status.connector().state());
            assertFalse(status.tasks().isEmpty());
            status.tasks().forEach(task -> assertEquals("RUNNING", task.state(), "task " + task.id()));
            cluster.connect().deleteConnector(name);
        } finally {
            logs.stop();
        }
        List<String> warnings = logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains(bad)).toList();
        assertFalse(warnings.isEmpty(), "the skipped object is logged at WARN with its id");
        assertTrue(warnings.get(0).contains("'created_at'"), warnings.get(0));
        String email = ws.contact(bad).get("email").asText();
        assertTrue(logs.lines().stream().noneMatch(l -> l.contains("not-a-date") || l.contains(email)),
                "no field value of the bad object in any log line");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void validateReportsAnUnknownTableOnItsKey() {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", IntercomSourceConnector.class.getName());
        config.put("intercom.access.token", "x");
        config.put("name", "validate-me");
        config.put("intercom.tables", "users,userz");
        config.put("intercom.token.check", "false");
        ConfigInfos infos = cluster.connect().validateConnectorConfig(
                IntercomSourceConnector.class.getSimpleName(), config);
        ConfigInfo tables = infos.values().stream()
                .filter(i -> i.configKey().name().equals("intercom.tables")).findFirst().orElseThrow();
        assertNotNull(tables.configValue().errors());
        assertFalse(tables.configValue().errors().isEmpty(), "an error on intercom.tables");
        assertTrue(tables.configValue().errors().get(0).contains("userz"), tables.configValue().errors().toString());
        List<String> otherErrors = infos.values().stream()
                .filter(i -> !i.configKey().name().equals("intercom.tables"))
                .flatMap(i -> i.configValue().errors().stream().map(e -> i.configKey().name() + ": " + e))
                .toList();
        assertTrue(otherErrors.isEmpty(), otherErrors.toString());
    }

    /** A task metric's value from the platform MBean server, found by its tags. */
    private static double metric(String connector, String attribute, String... tags) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        StringBuilder pattern = new StringBuilder("kafka.connect.intercom:type=intercom-source-task-metrics,connector=")
                .append(connector);
        for (int i = 0; i < tags.length; i += 2) {
            String value = tags[i + 1];
            pattern.append(',').append(tags[i]).append('=')
                    .append(value.matches("[\\w.-]*") ? value : ObjectName.quote(value));
        }
        pattern.append(",*");
        // Exactly these tags besides type, connector and task: a resource's retries-by-cause beans add a cause.
        Set<ObjectName> names = server.queryNames(new ObjectName(pattern.toString()), null).stream()
                .filter(n -> n.getKeyPropertyList().size() == 3 + tags.length / 2).collect(Collectors.toSet());
        assertEquals(1, names.size(), pattern + " matched " + names);
        return ((Number) server.getAttribute(names.iterator().next(), attribute)).doubleValue();
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
