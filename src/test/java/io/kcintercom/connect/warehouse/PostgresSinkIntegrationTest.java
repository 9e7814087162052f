package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Column;
import io.kcintercom.connect.table.ColumnType;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.RowConverter;
import io.kcintercom.connect.table.Tables;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reference warehouse path, end to end with real components: this source reads the sample
 * workspace over HTTP into the in-process Kafka, and Debezium's JDBC sink connector, configured
 * from the ready file {@code config/postgres-sink.json} (only the connection is swapped), upserts
 * every topic into a real PostgreSQL server (zonky's embedded binaries, started by the test).
 *
 * <p>Checks that every one of the 22 tables is created with the contract's columns, types and
 * primary key, holds exactly the workspace's rows, and that changes made in Intercom afterwards
 * update those rows in place: the topics grow, the tables do not. Then every kind of removal and
 * delete (issue 16: untag, detach, segment moves, dropped profiles and notes, deleted contacts,
 * companies and conversations, converted and merged leads) is applied in Intercom, and once a
 * sweep has run the tables hold exactly the workspace's keys again, through the sink's deletes.
 */
class PostgresSinkIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String PREFIX = "intercom.";

    private static EmbeddedPostgres postgres;
    private static WarehouseCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        // PostgreSQL refuses to run as root; as root, zonky (2.x) runs initdb and pg_ctl under
        // "unshare -U", where uid 0 maps to nobody. Where that is not allowed, it cannot start.
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (RuntimeException | java.io.IOException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start (running as root without a "
                    + "working 'unshare -U'? PostgreSQL refuses uid 0)", e);
        }
        cluster = new WarehouseCluster("warehouse-postgres");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyTableLandsInPostgresAndChangesAreUpsertedInPlace() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(31, SampleWorkspace.Sizes.builder()
                .users(40).leads(12).companies(10).admins(3).teams(1).tags(8).segments(3).conversations(20)
                .maxPartsPerConversation(5).notesPerContact(2).eventsPerContact(2).tagsPerContact(2)
                .companiesPerContact(1).heavyContactEvery(20).build());
        List<String> tables = List.copyOf(Tables.all().keySet());
        Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, tables);
        expected.forEach((t, keys) -> assertTrue(!keys.isEmpty(), "the workspace should have rows in " + t));

        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder()
                .token("warehouse-" + UUID.randomUUID()).rateLimitPer10s(0).build())) {
            Map<String, String> source = WarehouseCluster.sourceConfig(fake, PREFIX);
            source.put("intercom.template", "all");
            // Sweeps every few seconds: step 4's removals include what only a sweep reveals.
            source.put("intercom.reconcile.interval.ms", "3000");
            // Every sweep lists in full: a sweep gated by counts would leave the quiet removals to a weekly one.
            source.put("intercom.reconcile.full.interval.ms", "0");
            cluster.connect().configureConnector("intercom", source);

            // The sink subscribes by pattern: a topic created after it starts is found only at its consumer's next
            // metadata refresh (metadata.max.age.ms, 5 minutes). Created in the usual order, source first.
            awaitTrue(() -> tables.stream().allMatch(t -> cluster.topicExists(PREFIX + t)),
                    () -> "the source did not create every table's topic");
            Map<String, String> sink = WarehouseCluster.readyConfig("postgres-sink.json");
            sink.put("connection.url", postgres.getJdbcUrl("postgres", "postgres"));
            sink.put("connection.username", "postgres");
            sink.put("connection.password", "postgres");
            // Tombstones must become deletes, and the sink must leave the connector's state topic alone.
            assertEquals("true", sink.get("delete.enabled"));
            assertFalse(STATE_TOPIC.matches(sink.get("topics.regex")), "the sink's topics.regex takes " + STATE_TOPIC);
            cluster.connect().configureConnector("intercom-postgres", sink);

            // 1. The initial sync lands whole: every table, with exactly the workspace's keys.
            awaitTrue(() -> tables.stream().allMatch(t -> rowCount(t) == expected.get(t).size()),
                    () -> "row counts " + rowCounts(tables) + ", expected " + sizes(expected));
            for (String table : tables) {
                assertEquals(expected.get(table), keys(table), "keys of " + sqlTable(table));
                assertColumns(Tables.get(table));
            }

            // 2. Values arrive as typed columns.
            JsonNode user = ws.contacts("user").get(0);
            Map<String, Object> row = row(Tables.USERS, user.get("id").asText(),
                    "email", "extract(epoch from updated_at)::bigint as updated_at", "custom_attributes", "anonymous");
            assertEquals(user.get("email").asText(), row.get("email"));
            assertEquals(user.get("updated_at").asLong(), row.get("updated_at"));
            assertEquals(user.get("custom_attributes"), WarehouseCluster.JSON.readTree((String) row.get("custom_attributes")));
            assertEquals(Boolean.FALSE, row.get("anonymous"));

            // 3. Changes in Intercom update the same rows: contacts, a conversation, a company, a tag.
            Map<String, Integer> before = rowCounts(tables);
            Map<String, Integer> recordsBefore = recordCounts(
                    List.of(Tables.USERS, Tables.LEADS, Tables.CONVERSATIONS, Tables.COMPANIES, Tables.TAGS));
            String userId = ws.updateContact(ws.contactIds("user").get(3));
            String leadId = ws.updateContact(ws.contactIds("lead").get(1));
            String conversationId = ws.updateConversation(ws.conversations().get(2).get("id").asText());
            String companyId = ws.updateCompany(ws.companies().get(4).get("id").asText());
            String tagId = ws.renameTag(ws.tags().get(1).get("id").asText());
            long userUpdatedAt = ws.contact(userId).get("updated_at").asLong();
            long leadUpdatedAt = ws.contact(leadId).get("updated_at").asLong();
            JsonNode conversation = find(ws.conversations(), conversationId);
            JsonNode company = find(ws.companies(), companyId);
            String tagName = find(ws.tags(), tagId).get("name").asText();

            awaitTrue(() -> userUpdatedAt == (long) row(Tables.USERS, userId, UPDATED_AT).get("updated_at")
                            && leadUpdatedAt == (long) row(Tables.LEADS, leadId, UPDATED_AT).get("updated_at")
                            && conversation.get("state").asText().equals(
                                    row(Tables.CONVERSATIONS, conversationId, "state").get("state"))
                            && company.get("session_count").asLong() == (long) row(Tables.COMPANIES, companyId,
                                    "session_count").get("session_count")
                            && tagName.equals(row(Tables.TAGS, tagId, "name").get("name")),
                    () -> "the changed rows were not all updated in PostgreSQL");
            assertEquals(before, rowCounts(tables), "changes update rows in place: no table grew");
            for (String table : tables) {
                assertEquals(expected.get(table), keys(table), "keys of " + sqlTable(table) + " after the changes");
            }
            // ...although each change did arrive as a new record on its topic.
            Map<String, Integer> recordsAfter = recordCounts(List.copyOf(recordsBefore.keySet()));
            recordsBefore.forEach((t, n) -> assertTrue(recordsAfter.get(t) > n,
                    t + ": " + n + " records before the change, " + recordsAfter.get(t) + " after"));
            assertEquals(conversation.get("open").asBoolean(),
                    row(Tables.CONVERSATIONS, conversationId, "open").get("open"));

            // 4. Removals and deletes in Intercom, most of which move no updated_at (a sweep finds those):
            // the rows go from PostgreSQL too, and nothing else does.
            Removals removed = Removals.apply(ws);
            Map<String, Set<String>> afterRemovals = ExpectedRows.forWorkspace(ws, tables);
            awaitTrue(() -> differences(afterRemovals).isEmpty(),
                    () -> "tables after the removals differ from the workspace: " + differences(afterRemovals));
            assertEquals(Map.of(), differences(afterRemovals), "tables after the removals");
            assertTrue(keys(Tables.USERS).contains(removed.convertedLead()), "the converted lead is a user");
            assertTrue(!keys(Tables.LEADS).contains(removed.convertedLead()), "and no longer a lead");
            assertTrue(!keys(Tables.COMPANIES).contains(removed.deletedCompany()), "the deleted company is gone");
            // The sink applied every tombstone without failing, and never took the state topic for a table.
            assertTrue(cluster.topicExists(STATE_TOPIC), "the source kept its emitted keys in " + STATE_TOPIC);
            List<String> stateTables = new ArrayList<>();
            query("select table_name from information_schema.tables where table_name like ?",
                    List.of("%intercom_state%"), rs -> stateTables.add(rs.getString(1)));
            assertEquals(List.of(), stateTables, "tables made of the state topic");
            var sinkStatus = cluster.connect().connectorStatus("intercom-postgres");
            assertEquals("RUNNING", sinkStatus.connector().state(), "the sink connector");
            sinkStatus.tasks().forEach(t -> assertEquals("RUNNING", t.state(), "sink task " + t.id() + ": " + t.trace()));

            cluster.connect().deleteConnector("intercom-postgres");
            cluster.connect().deleteConnector("intercom");
        }
    }

    /**
     * A tombstone may be the first record of a topic the sink sees: a contact deleted between the search and its
     * follow-ups is retracted with the child rows its search result names, never emitted as rows, and a compacted
     * topic keeps a tombstone for {@code delete.retention.ms} after the row it deleted is gone. The sink (3.5)
     * cannot create a table from a tombstone and fails for good; with the tables created beforehand from
     * {@code config/postgres-tables.sql}, as the README says, it deletes nothing and goes on: the row after lands.
     */
    @Test
    void withTheReadyTablesATombstoneFirstDoesNotStopTheSink() throws Exception {
        String topic = "fresh." + Tables.USERS_SOCIAL_PROFILES;
        cluster.connect().kafka().createTopic(topic, 1);
        // The ready DDL, for this test's topic prefix, in a database of its own.
        String ddl = Files.readString(Path.of("config", PostgresTables.FILE)).replace("intercom_", "fresh_");
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("create database fresh");
        }
        DataSource fresh = postgres.getDatabase("postgres", "fresh");
        try (Connection c = fresh.getConnection(); Statement s = c.createStatement()) {
            s.execute(ddl);
        }
        TableDef table = Tables.get(Tables.USERS_SOCIAL_PROFILES);
        RowConverter.Row row = RowConverter.convert(table, WarehouseCluster.JSON.createObjectNode()
                .put("type", "social_profile").put("name", "Twitter").put("url", "https://t.example/u1")
                .put("users_pk", "u1"));
        try (JsonConverter keys = new JsonConverter(); JsonConverter values = new JsonConverter();
             KafkaProducer<byte[], byte[]> producer = cluster.connect().kafka().createProducer(Map.of())) {
            keys.configure(Map.of("schemas.enable", "true"), true);
            values.configure(Map.of("schemas.enable", "true"), false);
            byte[] key = keys.fromConnectData(topic, table.keySchema(), row.key());
            producer.send(new ProducerRecord<>(topic, key, null)).get();
            producer.send(new ProducerRecord<>(topic, key, values.fromConnectData(topic, table.valueSchema(),
                    row.value()))).get();
        }
        Map<String, String> sink = WarehouseCluster.readyConfig("postgres-sink.json");
        sink.put("topics.regex", "fresh\\..*");
        sink.put("connection.url", postgres.getJdbcUrl("postgres", "fresh"));
        sink.put("connection.username", "postgres");
        sink.put("connection.password", "postgres");
        cluster.connect().configureConnector("fresh-postgres", sink);

        String sqlTable = PostgresTables.sqlName("fresh.", table.name());
        List<String> urls = new ArrayList<>();
        awaitTrue(() -> {
            urls.clear();
            try (Connection c = fresh.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select url from " + sqlTable)) {
                while (rs.next()) {
                    urls.add(rs.getString(1));
                }
            } catch (SQLException e) {
                return false;
            }
            return !urls.isEmpty();
        }, () -> "the row after the tombstone did not land; sink status "
                + cluster.connect().connectorStatus("fresh-postgres").tasks());
        assertEquals(List.of("https://t.example/u1"), urls);
        cluster.connect().connectorStatus("fresh-postgres").tasks()
                .forEach(t -> assertEquals("RUNNING", t.state(), "sink task " + t.id() + ": " + t.trace()));
        cluster.connect().deleteConnector("fresh-postgres");
    }

    /** The source connector's state topic (default name): it must never reach the warehouse. */
    private static final String STATE_TOPIC = "__intercom-state.intercom";

    /** Per table whose keys differ from the expected ones: the extra and the missing keys. */
    private static Map<String, String> differences(Map<String, Set<String>> expected) {
        Map<String, Set<String>> have = new LinkedHashMap<>();
        Map<String, String> unreadable = new TreeMap<>();
        for (String table : expected.keySet()) {
            try {
                have.put(table, keys(table));
            } catch (SQLException e) {
                unreadable.put(table, "not readable: " + e.getMessage());
            }
        }
        Map<String, String> differences = new TreeMap<>(ExpectedRows.differences(have, expected));
        differences.putAll(unreadable); // rather than "missing" every key of a table that is not there yet
        return differences;
    }

    private static final String UPDATED_AT = "extract(epoch from updated_at)::bigint as updated_at";

    // ---------------------------------------------------------------- PostgreSQL side

    private static String sqlTable(String table) {
        return PostgresTables.sqlName(PREFIX, table);
    }

    /** Columns, their PostgreSQL types and the primary key are what the table contract says. */
    private static void assertColumns(TableDef table) throws SQLException {
        Map<String, String> actual = new TreeMap<>();
        query("select column_name, data_type from information_schema.columns where table_name = ?",
                List.of(sqlTable(table.name())), rs -> actual.put(rs.getString(1), rs.getString(2)));
        Map<String, String> wanted = new TreeMap<>();
        for (Column column : table.columns()) {
            wanted.put(column.name(), catalogType(column.type()));
        }
        assertEquals(wanted, actual, "columns of " + sqlTable(table.name()));
        Set<String> primaryKey = new HashSet<>();
        query("select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid "
                        + "and a.attnum = any(i.indkey) where i.indrelid = ?::regclass and i.indisprimary",
                List.of(sqlTable(table.name())), rs -> primaryKey.add(rs.getString(1)));
        assertEquals(new HashSet<>(table.keyColumns().stream().map(Column::name).toList()), primaryKey,
                "primary key of " + sqlTable(table.name()));
    }

    /** The column type as PostgreSQL's catalog reports it: "timestamp" is its alias of the full name. */
    private static String catalogType(ColumnType type) {
        String sqlType = PostgresTables.postgresType(type);
        return sqlType.equals("timestamp") ? "timestamp without time zone" : sqlType;
    }

    private static int rowCount(String table) {
        try {
            List<Integer> count = new ArrayList<>();
            query("select count(*) from " + sqlTable(table), List.of(), rs -> count.add(rs.getInt(1)));
            return count.get(0);
        } catch (SQLException e) {
            return -1; // not created yet
        }
    }

    private static Map<String, Integer> rowCounts(List<String> tables) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        tables.forEach(t -> counts.put(t, rowCount(t)));
        return counts;
    }

    /** The keys of the table's rows, as "a|b" like {@link ExpectedRows#keyOf}. */
    private static Set<String> keys(String table) throws SQLException {
        List<String> keyColumns = Tables.get(table).keyColumns().stream().map(Column::name).toList();
        Set<String> keys = new HashSet<>();
        query("select " + String.join(", ", keyColumns) + " from " + sqlTable(table), List.of(), rs -> {
            List<String> parts = new ArrayList<>();
            for (int i = 1; i <= keyColumns.size(); i++) {
                String value = rs.getString(i);
                parts.add(value == null ? "" : value);
            }
            keys.add(String.join("|", parts));
        });
        return keys;
    }

    /** Some columns of the row with this id (select expressions allowed, named by their alias). */
    private static Map<String, Object> row(String table, String id, String... columns) {
        Map<String, Object> row = new LinkedHashMap<>();
        try {
            query("select " + String.join(", ", columns) + " from " + sqlTable(table) + " where id = ?",
                    List.of(id), rs -> {
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                        }
                    });
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        return row;
    }

    private interface RowHandler {
        void accept(ResultSet rs) throws SQLException;
    }

    private static void query(String sql, List<Object> params, RowHandler handler) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                s.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    handler.accept(rs);
                }
            }
        }
    }

    // ---------------------------------------------------------------- Kafka side and helpers

    private static Map<String, Integer> recordCounts(List<String> tables) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        tables.forEach(t -> counts.put(t, cluster.readAll(PREFIX + t).size()));
        return counts;
    }

    private static Map<String, Integer> sizes(Map<String, Set<String>> expected) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Tables.all().keySet().forEach(t -> sizes.put(t, expected.get(t).size()));
        return sizes;
    }

    private static JsonNode find(List<JsonNode> objects, String id) {
        return objects.stream().filter(o -> o.get("id").asText().equals(id)).findFirst().orElseThrow();
    }

    private static void awaitTrue(BooleanSupplier condition, Supplier<String> message) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException | AssertionError e) {
                // a table or row not there yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + TIMEOUT + ": " + message.get());
            }
            Thread.sleep(500);
        }
    }
}
