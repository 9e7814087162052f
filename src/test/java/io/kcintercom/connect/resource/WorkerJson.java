package io.kcintercom.connect.resource;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The worker's internal JSON converter, as its offset store and REST API use it: offsets are
 * stored under the JSON text of {@code [connector, partition]}, and partitions read back (by the
 * REST API, or to normalize what a user wrote) are hash maps, in their own key order.
 */
final class WorkerJson {
    private static final JsonConverter KEYS = converter(true);
    private static final JsonConverter VALUES = converter(false);

    private WorkerJson() {
    }

    /** The JSON text an offset of this partition is stored under. */
    static String storageKey(String connector, Map<String, ?> partition) {
        return new String(KEYS.fromConnectData("", null, List.of(connector, partition)), StandardCharsets.UTF_8);
    }

    /** A map as Connect reads it from JSON text (a HashMap; numbers as longs). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> read(String json) {
        return (Map<String, Object>) VALUES.toConnectData("", json.getBytes(StandardCharsets.UTF_8)).value();
    }

    static String write(Map<String, ?> map) {
        byte[] bytes = VALUES.fromConnectData("", null, map);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * What {@code PATCH /connectors/{name}/offsets} hands {@code alterOffsets}: each partition and
     * offset as the user wrote them in JSON, read back by the worker's converter. Mutable, as the
     * worker's.
     */
    static Map<Map<String, ?>, Map<String, ?>> request(String... partitionAndOffsetJson) {
        Map<Map<String, ?>, Map<String, ?>> offsets = new HashMap<>();
        for (int i = 0; i < partitionAndOffsetJson.length; i += 2) {
            String offset = partitionAndOffsetJson[i + 1];
            offsets.put(read(partitionAndOffsetJson[i]), offset == null ? null : read(offset));
        }
        return offsets;
    }

    /** What the worker then writes: storage key to offset JSON text (null: a tombstone). */
    static Map<String, String> written(String connector, Map<Map<String, ?>, Map<String, ?>> offsets) {
        Map<String, String> written = new HashMap<>();
        offsets.forEach((partition, offset) -> written.put(storageKey(connector, partition),
                offset == null ? null : write(offset)));
        return written;
    }

    private static JsonConverter converter(boolean isKey) {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), isKey);
        return converter;
    }
}
