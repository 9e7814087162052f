package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.junit.jupiter.api.Test;

/**
 * A tombstone the connector emits (a tag vanished from a full refresh) must reach Kafka as a real
 * tombstone, null bytes, through the converters users run: JSON with and without schemas, Avro.
 *
 * <p>A tombstone carries the key schema and no value schema: a required value schema with a
 * null value is rejected by JsonConverter and AvroData, and would kill the task.
 */
class TombstoneConversionTest {

    @Test
    void aVanishedTagBecomesNullBytesWithEveryConverter() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(3, SampleWorkspace.Sizes.builder()
                .users(1).leads(0).companies(1).admins(1).teams(0).tags(4).segments(1).conversations(0)
                .heavyContactEvery(0).build());
        String vanishing = ws.tags().get(1).get("id").asText();
        SourceRecord tombstone;
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder()
                .token("tombstone-" + UUID.randomUUID()).rateLimitPer10s(0).build());
             TagHidingProxy proxy = new TagHidingProxy(fake.baseUrl())) {
            Map<String, String> props = new HashMap<>();
            props.put("name", "tombstones");
            props.put("intercom.access.token", fake.options().token());
            props.put("intercom.api.url", proxy.baseUrl());
            props.put("intercom.api.url.allow.custom", "true");
            props.put("intercom.tables", Tables.TAGS);
            props.put("intercom.token.check", "false");
            props.put("topic.prefix", "t.");
            props.put("refresh.interval.ms", "200");
            try (SampleRows.Tasks tasks = new SampleRows.Tasks(props, 1)) {
                tasks.pollUntil(r -> r.size() >= 4, Duration.ofSeconds(30));
                proxy.hideTag(vanishing);
                List<SourceRecord> records = tasks.pollUntil(
                        r -> r.stream().anyMatch(x -> x.value() == null), Duration.ofSeconds(30));
                tombstone = records.stream().filter(x -> x.value() == null).findFirst().orElseThrow();
            }
        }
        assertEquals(vanishing, ((org.apache.kafka.connect.data.Struct) tombstone.key()).get("id"));

        for (boolean schemas : new boolean[] {true, false}) {
            JsonConverter json = new JsonConverter();
            json.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
            assertNull(convert(json, tombstone), "JsonConverter, schemas.enable=" + schemas);
        }
        assertNull(convert(AvroSchemas.converter(new InMemorySchemaRegistry(), false, true), tombstone),
                "Apicurio AvroConverter");
    }

    private static byte[] convert(Converter converter, SourceRecord record) {
        return converter.fromConnectData(record.topic(), new RecordHeaders(), record.valueSchema(), record.value());
    }
}
