package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apicurio.registry.utils.converter.AvroConverter;
import io.apicurio.registry.utils.converter.avro.AvroData;
import io.kcintercom.connect.table.Column;
import io.kcintercom.connect.table.ColumnType;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every table through Apicurio's Kafka Connect Avro converter
 * ({@code io.apicurio:apicurio-registry-utils-converter}): the Avro schemas it derives are valid
 * and say what the table contract says, and rows survive a serialize/deserialize round trip
 * unchanged. The registry is {@link InMemorySchemaRegistry}, behind the converter's real
 * serializer and deserializer.
 */
class AvroSchemasTest {
    private static Map<String, List<SourceRecord>> sampleRows;

    @BeforeAll
    static void sampleRows() {
        sampleRows = SampleRows.byTable();
    }

    @Test
    void everyTableTranslatesToAValidAvroSchema() {
        AvroData avroData = AvroSchemas.avroData();
        for (TableDef table : Tables.all().values()) {
            for (boolean key : new boolean[] {true, false}) {
                org.apache.kafka.connect.data.Schema connect = key ? table.keySchema() : table.valueSchema();
                List<Column> columns = key ? table.keyColumns() : table.columns();
                String what = table.name() + (key ? " key" : " value");
                Schema avro = avroData.fromConnectSchema(connect);

                // Valid Avro: the text parses back (names, defaults checked) to the same schema.
                Schema reparsed = new Schema.Parser().parse(avro.toString());
                assertEquals(avro, reparsed, what);

                // Named record: io.kcintercom.intercom.<table> and io.kcintercom.intercom.<table>.Key.
                assertEquals(Schema.Type.RECORD, avro.getType(), what);
                assertEquals(connect.name(), avro.getFullName(), what);
                assertEquals(key ? TableDef.SCHEMA_NAMESPACE + "." + table.name() : TableDef.SCHEMA_NAMESPACE,
                        avro.getNamespace(), what);
                assertEquals(key ? "Key" : table.name(), avro.getName(), what);
                assertEquals(TableDef.SCHEMA_VERSION, ((Number) avro.getObjectProp("connect.version")).intValue(),
                        what + ": the Connect schema version travels as connect.version");

                // Fields in column order, each with the type its column type maps to.
                assertEquals(columns.stream().map(Column::name).toList(),
                        avro.getFields().stream().map(Schema.Field::name).toList(), what);
                for (Column column : columns) {
                    Schema.Field field = avro.getField(column.name());
                    boolean optional = connect.field(column.name()).schema().isOptional();
                    Schema type = field.schema();
                    if (optional) {
                        assertEquals(Schema.Type.UNION, type.getType(), what + "." + field.name());
                        assertEquals(2, type.getTypes().size(), what + "." + field.name());
                        assertEquals(Schema.Type.NULL, type.getTypes().get(0).getType(),
                                what + "." + field.name() + ": null first, so the default can be null");
                        assertTrue(field.hasDefaultValue(), what + "." + field.name());
                        assertEquals(JsonProperties.NULL_VALUE, field.defaultVal(), what + "." + field.name());
                        type = type.getTypes().get(1);
                    } else {
                        assertFalse(key, what + ": key fields are optional");
                        assertTrue(column.required(), what + "." + field.name());
                        assertFalse(field.hasDefaultValue(), what + "." + field.name());
                    }
                    assertAvroType(column.type(), type, what + "." + field.name());
                }

                // And back: the converter's reader side rebuilds the very same Connect schema.
                assertEquals(connect, avroData.toConnectSchema(avro), what);
            }
        }
    }

    private static void assertAvroType(ColumnType type, Schema avro, String what) {
        switch (type) {
            case STRING, JSON -> assertEquals(Schema.Type.STRING, avro.getType(), what);
            case INT -> assertEquals(Schema.Type.LONG, avro.getType(), what);
            case DOUBLE -> assertEquals(Schema.Type.DOUBLE, avro.getType(), what);
            case BOOLEAN -> assertEquals(Schema.Type.BOOLEAN, avro.getType(), what);
            case TIMESTAMP -> {
                assertEquals(Schema.Type.LONG, avro.getType(), what);
                assertInstanceOf(LogicalTypes.TimestampMillis.class, avro.getLogicalType(),
                        what + ": Connect's Timestamp is Avro's timestamp-millis");
                assertEquals("org.apache.kafka.connect.data.Timestamp", avro.getProp("connect.name"), what);
            }
        }
        if (type != ColumnType.TIMESTAMP) {
            assertNull(avro.getLogicalType(), what);
        }
    }

    @Test
    void rowsTheConnectorEmitsRoundTripThroughTheConverterUnchanged() {
        for (boolean headers : new boolean[] {true, false}) {
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            AvroConverter<Object> keys = AvroSchemas.converter(registry, true, headers);
            AvroConverter<Object> values = AvroSchemas.converter(registry, false, headers);
            int rows = 0;
            for (Map.Entry<String, List<SourceRecord>> table : sampleRows.entrySet()) {
                assertFalse(table.getValue().isEmpty(), "sample rows of " + table.getKey());
                for (SourceRecord record : table.getValue()) {
                    assertNotNull(record.value(), "the sample sync has no deletes");
                    roundTrip(keys, record.topic(), record.keySchema(), record.key(), headers);
                    roundTrip(values, record.topic(), record.valueSchema(), record.value(), headers);
                    rows++;
                }
            }
            assertTrue(rows > 200, "rows: " + rows);

            // What the registry holds per topic is one key and one value schema: the translation
            // of the table's schema (the text the snapshot test keeps).
            Map<String, List<String>> registered = registry.registered();
            assertEquals(Tables.all().size() * 2, registered.size(), registered.keySet().toString());
            Map<String, Schema> current = AvroSchemas.current();
            for (String table : Tables.all().keySet()) {
                for (boolean key : new boolean[] {true, false}) {
                    List<String> versions = registered.get(SampleRows.PREFIX + AvroSchemas.artifact(table, key));
                    assertEquals(1, versions.size(), table + ": one schema version per artifact");
                    assertEquals(current.get(AvroSchemas.artifact(table, key)), new Schema.Parser().parse(versions.get(0)));
                }
            }
        }
    }

    @Test
    void sparseAndExtremeRowsOfEveryTableRoundTripUnchanged() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroConverter<Object> values = AvroSchemas.converter(registry, false, true);
        AvroData avroData = AvroSchemas.avroData();
        for (TableDef table : Tables.all().values()) {
            // Only what is required: every optional column takes the union's null branch.
            Struct sparse = new Struct(table.valueSchema());
            // Every column set, to the edges of its type.
            Struct full = new Struct(table.valueSchema());
            for (Column column : table.columns()) {
                if (column.required()) {
                    sparse.put(column.name(), "req-" + column.name());
                }
                full.put(column.name(), extreme(column.type()));
            }
            for (Struct row : List.of(sparse, full)) {
                roundTrip(values, "edge." + table.name(), table.valueSchema(), row, true);
                Object avro = avroData.fromConnectData(table.valueSchema(), row);
                assertInstanceOf(GenericData.Record.class, avro);
                SchemaAndValue back = avroData.toConnectData(((GenericData.Record) avro).getSchema(), avro);
                assertEquals(row, back.value(), table.name() + " through AvroData");
            }
        }
    }

    private static Object extreme(ColumnType type) {
        return switch (type) {
            case STRING -> "ünïcødé \u2603 \"quoted\" \n new line";
            case JSON -> "{\"nested\":{\"list\":[1,2.5,null,true]},\"empty\":\"\"}";
            case TIMESTAMP -> new Date(253_402_300_799_999L); // 9999-12-31T23:59:59.999Z
            case INT -> Long.MIN_VALUE;
            case DOUBLE -> -Double.MAX_VALUE;
            case BOOLEAN -> Boolean.TRUE;
        };
    }

    @Test
    void aTombstoneWithoutValueSchemaStaysATombstone() {
        InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
        AvroConverter<Object> values = AvroSchemas.converter(registry, false, true);
        RecordHeaders headers = new RecordHeaders();
        byte[] bytes = values.fromConnectData("edge.tags", headers, null, null);
        assertNull(bytes, "null value, null bytes: log compaction and delete-enabled sinks see a delete");
        assertEquals(SchemaAndValue.NULL, values.toConnectData("edge.tags", headers, null));
    }

    private static void roundTrip(AvroConverter<Object> converter, String topic,
                                  org.apache.kafka.connect.data.Schema schema, Object value, boolean withHeaders) {
        RecordHeaders headers = new RecordHeaders();
        byte[] bytes = withHeaders
                ? converter.fromConnectData(topic, headers, schema, value)
                : converter.fromConnectData(topic, schema, value);
        assertNotNull(bytes);
        if (withHeaders) {
            assertTrue(headers.toArray().length > 0, "the schema id travels in a header");
        } else {
            assertEquals(0, bytes[0], "magic byte, then the schema id in the payload");
        }
        SchemaAndValue back = withHeaders
                ? converter.toConnectData(topic, headers, bytes)
                : converter.toConnectData(topic, bytes);
        assertEquals(schema, back.schema(), topic);
        assertEquals(value, back.value(), topic + ": " + value);
        // Byte-stable: the same row serializes to the same bytes again.
        byte[] again = withHeaders
                ? converter.fromConnectData(topic, new RecordHeaders(), schema, back.value())
                : converter.fromConnectData(topic, schema, back.value());
        assertArrayEquals(bytes, again, topic);
    }
}
