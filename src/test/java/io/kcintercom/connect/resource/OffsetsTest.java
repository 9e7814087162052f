package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.junit.jupiter.api.Test;

class OffsetsTest {
    /**
     * The worker finds stored offsets by the partition's serialized bytes; a new worker JVM must
     * produce the same bytes as the one that wrote them (Map.of's order changes between JVMs).
     * The partition lost its "protocol" key in protocol 2; the protocol-1 partition keeps its bytes.
     */
    @Test
    void partitionsSerializeInOneFixedOrder() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), true);
        for (Resource resource : Resource.values()) {
            byte[] bytes = converter.fromConnectData("", null, List.of("intercom", Offsets.partition(resource)));
            assertEquals("[\"intercom\",{\"resource\":\"" + resource.id() + "\"}]",
                    new String(bytes, StandardCharsets.UTF_8));
            byte[] legacy = converter.fromConnectData("", null, List.of("intercom", Offsets.legacyPartition(resource)));
            assertEquals("[\"intercom\",{\"resource\":\"" + resource.id() + "\",\"protocol\":\"1\"}]",
                    new String(legacy, StandardCharsets.UTF_8));
        }
    }

    @Test
    void searchPositionsSerializeInOneFixedOrder() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), false);
        byte[] bytes = converter.fromConnectData("", null, new SearchPosition(5, "a", 4, "c").toMap());
        assertEquals("{\"updated_at\":5,\"id\":\"a\",\"pass_from\":4,\"cursor\":\"c\"}",
                new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * GET /connectors/{name}/offsets reads each stored partition back into a HashMap and looks its
     * offset up by that map's JSON text: only a partition whose text survives the round trip shows
     * its offset instead of null. The two-key partition of protocol 1 does not.
     */
    @Test
    void partitionsSurviveTheRestApisRoundTripWhereProtocolOnesDidNot() {
        for (Resource resource : Resource.values()) {
            String stored = WorkerJson.storageKey("intercom", Offsets.partition(resource));
            Map<String, Object> readBack = WorkerJson.read(WorkerJson.write(Offsets.partition(resource)));
            assertEquals(stored, WorkerJson.storageKey("intercom", readBack));

            String legacyStored = WorkerJson.storageKey("intercom", Offsets.legacyPartition(resource));
            Map<String, Object> legacyReadBack = WorkerJson.read(WorkerJson.write(Offsets.legacyPartition(resource)));
            assertEquals(Offsets.legacyPartition(resource), legacyReadBack, "the same map");
            assertNotEquals(legacyStored, WorkerJson.storageKey("intercom", legacyReadBack), "another JSON text");
        }
    }

    @Test
    void aTaskResumesFromTheOneKeyOffsetElseFromTheProtocolOneOffset() {
        Map<String, Map<String, Object>> store = new HashMap<>();
        store.put(WorkerJson.storageKey("intercom", Offsets.partition(Resource.USERS)), Map.of("updated_at", 20L));
        store.put(WorkerJson.storageKey("intercom", Offsets.legacyPartition(Resource.USERS)), Map.of("updated_at", 10L));
        store.put(WorkerJson.storageKey("intercom", Offsets.legacyPartition(Resource.LEADS)), Map.of("updated_at", 30L));
        // As written by Connect's REST API for a protocol-1 partition: a key order tasks never read.
        store.put(WorkerJson.storageKey("intercom", WorkerJson.read("{\"resource\":\"tags\",\"protocol\":\"1\"}")),
                Map.of("digest", "ab"));

        Map<Resource, Map<String, Object>> offsets = Offsets.stored(byStorageKey("intercom", store),
                EnumSet.of(Resource.USERS, Resource.LEADS, Resource.COMPANIES, Resource.TAGS));

        assertEquals(Map.of(Resource.USERS, Map.of("updated_at", 20L), Resource.LEADS, Map.of("updated_at", 30L)),
                offsets);
    }

    /** An offset store keyed as the worker's: by the partition's JSON text. */
    private static OffsetStorageReader byStorageKey(String connector, Map<String, Map<String, Object>> store) {
        return new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return store.get(WorkerJson.storageKey(connector, partition));
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                Map<Map<String, T>, Map<String, Object>> found = new HashMap<>();
                for (Map<String, T> partition : partitions) {
                    Map<String, Object> offset = offset(partition);
                    if (offset != null) {
                        found.put(partition, offset);
                    }
                }
                return found;
            }
        };
    }
}
