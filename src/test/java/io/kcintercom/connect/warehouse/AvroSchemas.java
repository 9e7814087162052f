package io.kcintercom.connect.warehouse;

import io.apicurio.registry.utils.converter.AvroConverter;
import io.apicurio.registry.utils.converter.avro.AvroData;
import io.apicurio.registry.utils.converter.avro.AvroDataConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The Avro side of the tables, as Apicurio's Kafka Connect converter produces it with its default
 * settings (what a worker configured with {@code value.converter=io.apicurio...AvroConverter} and a
 * registry URL registers).
 */
final class AvroSchemas {
    private AvroSchemas() {
    }

    /** The converter's own translation, with its default config. */
    static AvroData avroData() {
        return new AvroData(new AvroDataConfig(Map.of()));
    }

    /** Artifact name as Apicurio's default TopicIdStrategy would register it, minus the topic prefix. */
    static String artifact(String table, boolean key) {
        return table + (key ? "-key" : "-value");
    }

    /** Every table's key and value schema in Avro, by artifact name, in contract order. */
    static Map<String, Schema> current() {
        AvroData avroData = avroData();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (TableDef table : Tables.all().values()) {
            schemas.put(artifact(table.name(), true), avroData.fromConnectSchema(table.keySchema()));
            schemas.put(artifact(table.name(), false), avroData.fromConnectSchema(table.valueSchema()));
        }
        return schemas;
    }

    /**
     * Apicurio's AvroConverter wired to an in-memory registry: the real serializer, deserializer
     * and converter code; only the registry's HTTP client is replaced.
     */
    static AvroConverter<Object> converter(InMemorySchemaRegistry registry, boolean isKey, boolean headers) {
        AvroConverter<Object> converter = new AvroConverter<>();
        converter.setSerializer(new AvroKafkaSerializer<>(registry));
        AvroKafkaDeserializer<Object> deserializer = new AvroKafkaDeserializer<>();
        deserializer.setSchemaResolver(registry);
        converter.setDeserializer(deserializer);
        converter.configure(Map.of("apicurio.registry.headers.enabled", String.valueOf(headers)), isKey);
        return converter;
    }
}
