package io.kcintercom.connect.resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source partitions, named here and nowhere else: one per resource, {@code {"resource": "users"}}.
 *
 * <p>The worker finds an offset by the partition's JSON text, and Connect's REST API rebuilds
 * partitions as hash maps whose key order is its own. A partition of one key has one JSON text
 * whichever map holds it, so {@code GET}, {@code PATCH} and {@code DELETE /connectors/{name}/offsets}
 * name the same stored offset the task reads.
 *
 * <p>Protocols, as kafka-connect-jdbc's {@code OffsetProtocols}: protocol 1 (earlier versions) wrote
 * {@code {"resource": "users", "protocol": "1"}} with its keys in that order, which the REST API
 * cannot read back (it writes the keys in its own order). Protocol 2 is the one-key partition; an
 * offset may name its protocol under {@code "protocol"}, and one without it is protocol 2, so a
 * later release can change the offset's fields and say so. The offsets' fields did not change
 * between 1 and 2: a task resumes from a protocol-1 offset while its resource has no protocol-2
 * one, and every offset change through the REST API clears the protocol-1 offset of the resources
 * it names ({@link OffsetRequests}).
 */
public final class Offsets {
    private static final Logger log = LoggerFactory.getLogger(Offsets.class);
    public static final String RESOURCE = "resource";
    public static final String PROTOCOL = "protocol";
    public static final long CURRENT_PROTOCOL = 2;
    static final String LEGACY_PROTOCOL = "1";

    private static final Map<Resource, Map<String, String>> PARTITIONS = new EnumMap<>(Resource.class);

    static {
        for (Resource resource : Resource.values()) {
            PARTITIONS.put(resource, Map.of(RESOURCE, resource.id()));
        }
    }

    private Offsets() {
    }

    /** The partition of a resource's records and offsets. */
    public static Map<String, String> partition(Resource resource) {
        return PARTITIONS.get(resource);
    }

    /**
     * The protocol-1 partition, its keys in the order earlier versions wrote them: only this order
     * serializes to the JSON text its offsets are stored under.
     */
    public static Map<String, String> legacyPartition(Resource resource) {
        Map<String, String> partition = new LinkedHashMap<>();
        partition.put(RESOURCE, resource.id());
        partition.put(PROTOCOL, LEGACY_PROTOCOL);
        return Collections.unmodifiableMap(partition);
    }

    /** Whether a partition, in any key order, is the protocol-1 form. */
    static boolean isLegacy(Map<String, ?> partition) {
        return partition != null && partition.keySet().equals(Set.of(RESOURCE, PROTOCOL))
                && LEGACY_PROTOCOL.equals(String.valueOf(partition.get(PROTOCOL)));
    }

    /** The resource a partition names, in either protocol's form and any key order. */
    static Resource resourceOf(Map<String, ?> partition) {
        boolean current = partition != null && partition.keySet().equals(Set.of(RESOURCE));
        if (!current && !isLegacy(partition)) {
            throw new ConnectException("Invalid source partition " + partition + ": expected {\"" + RESOURCE
                    + "\": <one of " + resourceIds() + ">} (or, as written by earlier versions, {\"" + RESOURCE
                    + "\": ..., \"" + PROTOCOL + "\": \"" + LEGACY_PROTOCOL + "\"})");
        }
        Object id = partition.get(RESOURCE);
        return Arrays.stream(Resource.values()).filter(r -> r.id().equals(id)).findFirst()
                .orElseThrow(() -> new ConnectException("Invalid source partition " + partition + ": \""
                        + RESOURCE + "\" must be one of " + resourceIds()));
    }

    /**
     * The stored offset of each resource that has one: the protocol-2 offset, else the protocol-1
     * offset (the task's records then store it as protocol 2).
     */
    public static Map<Resource, Map<String, Object>> stored(OffsetStorageReader reader,
                                                           Collection<Resource> resources) {
        List<Map<String, String>> partitions = new ArrayList<>();
        for (Resource resource : resources) {
            partitions.add(partition(resource));
            partitions.add(legacyPartition(resource));
        }
        Map<Map<String, String>, Map<String, Object>> found = reader.offsets(partitions);
        Map<Resource, Map<String, Object>> offsets = new EnumMap<>(Resource.class);
        for (Resource resource : resources) {
            Map<String, Object> current = found == null ? null : found.get(partition(resource));
            Map<String, Object> legacy = found == null ? null : found.get(legacyPartition(resource));
            if (current != null) {
                offsets.put(resource, current);
            } else if (legacy != null) {
                log.info("{}: resuming from the offset stored by an earlier version (protocol {}); it is stored under "
                        + "the partition {} from the next commit", resource.id(), LEGACY_PROTOCOL, partition(resource));
                offsets.put(resource, legacy);
            }
        }
        return offsets;
    }

    static String resourceIds() {
        return Arrays.stream(Resource.values()).map(Resource::id).toList().toString();
    }
}
