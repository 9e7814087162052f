package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Column;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The source with a chain of Kafka's stock transforms, as users configure them in front of a sink:
 * drop tombstones ({@code Filter} + {@code RecordIsTombstone}), key by the id alone
 * ({@code ExtractField$Key}), drop a column ({@code ReplaceField$Value}) and render
 * {@code updated_at} as text ({@code TimestampConverter$Value}, only on the users topic through a
 * {@code TopicNameMatches} predicate, since tags have no such column). A second connector without
 * transforms reads the same fake through the same proxy, as the control: it shows the tombstone
 * that the chain dropped really was emitted.
 *
 * <p>Every worker converter here is JSON with schemas, except the control's value converter (see
 * below): the tombstones the connector emits today carry the table's (required) value schema, and
 * JsonConverter rejects a null value for a required schema ("Conversion error: null value for
 * field that is required"), which kills the task. See {@code TombstoneConversionTest}.
 */
class TransformChainIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static WarehouseCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new WarehouseCluster("warehouse-smt");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aTransformChainReshapesRecordsAndDropsTombstones() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(5, SampleWorkspace.Sizes.builder()
                .users(12).leads(2).companies(2).admins(2).teams(1).tags(6).segments(1).conversations(0)
                .heavyContactEvery(0).build());
        List<JsonNode> users = ws.contacts("user");
        List<String> tagIds = ws.tags().stream().map(t -> t.get("id").asText()).toList();
        Set<String> originalNames = ws.tags().stream()
                .map(t -> t.get("id").asText() + "=" + t.get("name").asText()).collect(Collectors.toSet());
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder()
                .token("smt-" + UUID.randomUUID()).rateLimitPer10s(0).build());
             TagHidingProxy proxy = new TagHidingProxy(fake.baseUrl())) {
            Map<String, String> chained = config(fake, proxy, "smt.");
            chained.put("transforms", "dropTombstones,keyById,dropCustomAttributes,updatedAtAsText");
            chained.put("transforms.dropTombstones.type", "org.apache.kafka.connect.transforms.Filter");
            chained.put("transforms.dropTombstones.predicate", "isTombstone");
            chained.put("transforms.keyById.type", "org.apache.kafka.connect.transforms.ExtractField$Key");
            chained.put("transforms.keyById.field", "id");
            chained.put("transforms.dropCustomAttributes.type",
                    "org.apache.kafka.connect.transforms.ReplaceField$Value");
            chained.put("transforms.dropCustomAttributes.exclude", "custom_attributes");
            chained.put("transforms.updatedAtAsText.type",
                    "org.apache.kafka.connect.transforms.TimestampConverter$Value");
            chained.put("transforms.updatedAtAsText.field", "updated_at");
            chained.put("transforms.updatedAtAsText.target.type", "string");
            chained.put("transforms.updatedAtAsText.format", "yyyy-MM-dd'T'HH:mm:ss'Z'");
            chained.put("transforms.updatedAtAsText.predicate", "isUsersTopic");
            chained.put("predicates", "isTombstone,isUsersTopic");
            chained.put("predicates.isTombstone.type",
                    "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone");
            chained.put("predicates.isUsersTopic.type",
                    "org.apache.kafka.connect.transforms.predicates.TopicNameMatches");
            chained.put("predicates.isUsersTopic.pattern", "smt\\.users");
            cluster.connect().configureConnector("intercom-smt", chained);
            // The control writes values with StringConverter: it ignores value schemas, so a
            // tombstone becomes null bytes whatever schema the source attached to it.
            Map<String, String> control = config(fake, proxy, "raw.");
            control.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
            cluster.connect().configureConnector("intercom-control", control);

            // Users: keyed by the bare id, without custom_attributes, updated_at as UTC text.
            List<WarehouseCluster.Record> userRecords = await("smt.users", r -> r.size() >= users.size());
            Map<String, JsonNode> usersById = users.stream()
                    .collect(Collectors.toMap(u -> u.get("id").asText(), u -> u));
            List<String> expectedFields = new ArrayList<>(
                    Tables.get(Tables.USERS).columns().stream().map(Column::name).toList());
            expectedFields.remove("custom_attributes");
            for (WarehouseCluster.Record record : userRecords) {
                assertEquals("string", record.key().at("/schema/type").asText(), "key schema: " + record.key());
                JsonNode user = usersById.get(record.key().get("payload").asText());
                assertNotNull(user, "key " + record.key());
                assertEquals(expectedFields, fieldNames(record.value()), "value fields");
                assertEquals("string", fieldSchema(record.value(), "updated_at").get("type").asText());
                JsonNode payload = record.value().get("payload");
                assertEquals(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(
                        user.get("updated_at").asLong())), payload.get("updated_at").asText());
                assertEquals(user.get("email").asText(), payload.get("email").asText(), "untouched column");
                assertEquals("int64", fieldSchema(record.value(), "created_at").get("type").asText(),
                        "other timestamps keep their type");
                assertFalse(payload.has("custom_attributes"));
            }
            assertEquals(usersById.keySet(), userRecords.stream()
                    .map(r -> r.key().get("payload").asText()).collect(Collectors.toSet()));

            // Tags: keyed by id, every column kept, and no timestamp conversion (the predicate).
            List<WarehouseCluster.Record> tagRecords = await("smt.tags", r -> r.size() >= tagIds.size());
            assertEquals(Set.copyOf(tagIds), tagRecords.stream()
                    .map(r -> r.key().get("payload").asText()).collect(Collectors.toSet()));
            tagRecords.forEach(r -> assertEquals(
                    Tables.get(Tables.TAGS).columns().stream().map(Column::name).toList(), fieldNames(r.value())));

            // A tag vanishes while another is renamed: one refresh emits the rename and a tombstone.
            String deleted = tagIds.get(2);
            proxy.hideTag(deleted);
            String renamed = ws.renameTag(tagIds.get(4));
            String newName = nameOf(ws, renamed);
            List<WarehouseCluster.Record> raw = await("raw.tags", r -> r.stream().anyMatch(x -> x.value() == null));
            WarehouseCluster.Record tombstone = raw.stream().filter(x -> x.value() == null).findFirst().orElseThrow();
            assertEquals(deleted, tombstone.key().at("/payload/id").asText(), "the control saw the tombstone");
            assertEquals(1, raw.stream().filter(x -> x.value() == null).count());
            await("smt.tags", r -> r.stream().anyMatch(x -> isTag(x, renamed, newName)));
            // A later refresh as a marker: whatever the chain let through before it has arrived.
            String marker = ws.renameTag(tagIds.get(5));
            String markerName = nameOf(ws, marker);
            List<WarehouseCluster.Record> chainedTags = await("smt.tags",
                    r -> r.stream().anyMatch(x -> isTag(x, marker, markerName)));
            assertTrue(chainedTags.stream().noneMatch(x -> x.value() == null || x.value().get("payload").isNull()),
                    "the Filter dropped the tombstone: " + chainedTags.stream()
                            .filter(x -> x.value() == null).map(WarehouseCluster.Record::key).toList());
            Set<String> versions = chainedTags.stream()
                    .map(x -> x.value().at("/payload/id").asText() + "=" + x.value().at("/payload/name").asText())
                    .collect(Collectors.toSet());
            Set<String> expectedVersions = new java.util.HashSet<>(originalNames);
            expectedVersions.add(renamed + "=" + newName);
            expectedVersions.add(marker + "=" + markerName);
            assertEquals(expectedVersions, versions, "every tag, then the two renames, and nothing else");

            cluster.connect().deleteConnector("intercom-smt");
            cluster.connect().deleteConnector("intercom-control");
        }
    }

    private static Map<String, String> config(FakeIntercom fake, TagHidingProxy proxy, String prefix) {
        Map<String, String> config = new HashMap<>(WarehouseCluster.sourceConfig(fake, prefix));
        config.put("intercom.api.url", proxy.baseUrl());
        config.put("intercom.tables", Tables.USERS + "," + Tables.TAGS);
        config.put("tasks.max", "2");
        return config;
    }

    private static boolean isTag(WarehouseCluster.Record record, String id, String name) {
        return record.value() != null && id.equals(record.value().at("/payload/id").asText())
                && name.equals(record.value().at("/payload/name").asText());
    }

    private static String nameOf(SampleWorkspace ws, String tagId) {
        return ws.tags().stream().filter(t -> t.get("id").asText().equals(tagId)).findFirst().orElseThrow()
                .get("name").asText();
    }

    private static List<String> fieldNames(JsonNode valueWithSchema) {
        List<String> names = new ArrayList<>();
        valueWithSchema.at("/schema/fields").forEach(f -> names.add(f.get("field").asText()));
        return names;
    }

    private static JsonNode fieldSchema(JsonNode valueWithSchema, String field) {
        for (JsonNode f : valueWithSchema.at("/schema/fields")) {
            if (f.get("field").asText().equals(field)) {
                return f;
            }
        }
        throw new AssertionError("no field " + field + " in " + valueWithSchema.get("schema"));
    }

    private static List<WarehouseCluster.Record> await(String topic, Predicate<List<WarehouseCluster.Record>> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<WarehouseCluster.Record> records = List.of();
        while (System.nanoTime() < deadline) {
            if (cluster.topicExists(topic)) {
                records = cluster.readAll(topic);
                if (done.test(records)) {
                    return records;
                }
            }
            Thread.sleep(300);
        }
        throw new AssertionError("Timed out waiting for " + topic + "; it holds " + records.size() + " records");
    }
}
