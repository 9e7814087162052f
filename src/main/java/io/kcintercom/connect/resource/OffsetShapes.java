package io.kcintercom.connect.resource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Checks offsets a user writes through {@code PATCH /connectors/{name}/offsets} (KIP-875), so a
 * typo is rejected with a precise message instead of derailing the next sync.
 */
public final class OffsetShapes {
    private OffsetShapes() {
    }

    public static void validate(Map<Map<String, ?>, Map<String, ?>> offsets) {
        for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
            Resource resource = validatePartition(entry.getKey());
            Map<String, ?> offset = entry.getValue();
            if (offset != null) {
                validateOffset(resource, offset);
            }
        }
    }

    private static Resource validatePartition(Map<String, ?> partition) {
        if (partition == null || !partition.keySet().equals(Set.of(Offsets.RESOURCE, Offsets.PROTOCOL))) {
            throw new ConnectException("Invalid source partition " + partition + ": expected exactly {\""
                    + Offsets.RESOURCE + "\": <one of " + resourceIds() + ">, \"" + Offsets.PROTOCOL + "\": \""
                    + Offsets.CURRENT_PROTOCOL + "\"}");
        }
        if (!List.copyOf(partition.keySet()).equals(List.of(Offsets.RESOURCE, Offsets.PROTOCOL))) {
            // The worker stores offsets under the partition's JSON text: other key orders name another partition.
            throw new ConnectException("Invalid source partition " + partition + ": write its keys in the order \""
                    + Offsets.RESOURCE + "\", \"" + Offsets.PROTOCOL + "\" (Connect matches partitions by their "
                    + "JSON text, so another order would never be read)");
        }
        Object protocol = partition.get(Offsets.PROTOCOL);
        if (!Offsets.CURRENT_PROTOCOL.equals(String.valueOf(protocol))) {
            throw new ConnectException("Invalid source partition " + partition + ": \"" + Offsets.PROTOCOL
                    + "\" must be \"" + Offsets.CURRENT_PROTOCOL + "\"");
        }
        Object id = partition.get(Offsets.RESOURCE);
        for (Resource resource : Resource.values()) {
            if (resource.id().equals(id)) {
                return resource;
            }
        }
        throw new ConnectException("Invalid source partition " + partition + ": \"" + Offsets.RESOURCE
                + "\" must be one of " + resourceIds());
    }

    private static void validateOffset(Resource resource, Map<String, ?> offset) {
        switch (resource) {
            case USERS, LEADS, CONVERSATIONS -> {
                allowOnly(resource, offset, Set.of(SearchPosition.UPDATED_AT, SearchPosition.ID,
                        SearchPosition.PASS_FROM, SearchPosition.CURSOR));
                requireNumber(resource, offset, SearchPosition.UPDATED_AT, true);
                requireNumber(resource, offset, SearchPosition.PASS_FROM, false);
                requireString(resource, offset, SearchPosition.ID);
                requireString(resource, offset, SearchPosition.CURSOR);
            }
            case COMPANIES -> {
                allowOnly(resource, offset, Set.of(CompaniesReader.WATERMARK));
                requireNumber(resource, offset, CompaniesReader.WATERMARK, true);
            }
            case ADMINS, TAGS, SEGMENTS -> {
                allowOnly(resource, offset, Set.of(ReferenceReader.DIGEST));
                requireString(resource, offset, ReferenceReader.DIGEST);
            }
        }
    }

    private static void allowOnly(Resource resource, Map<String, ?> offset, Set<String> keys) {
        for (String key : offset.keySet()) {
            if (!keys.contains(key)) {
                throw new ConnectException("Invalid offset for " + resource.id() + ": unknown key \"" + key
                        + "\"; allowed keys are " + keys);
            }
        }
    }

    private static void requireNumber(Resource resource, Map<String, ?> offset, String key, boolean required) {
        Object value = offset.get(key);
        if (value == null) {
            if (required) {
                throw new ConnectException("Invalid offset for " + resource.id() + ": \"" + key
                        + "\" (unix seconds) is required");
            }
            return;
        }
        if (!(value instanceof Number) || ((Number) value).longValue() < -1) {
            throw new ConnectException("Invalid offset for " + resource.id() + ": \"" + key
                    + "\" must be a number of unix seconds, not " + value);
        }
    }

    private static void requireString(Resource resource, Map<String, ?> offset, String key) {
        Object value = offset.get(key);
        if (value != null && !(value instanceof String)) {
            throw new ConnectException("Invalid offset for " + resource.id() + ": \"" + key
                    + "\" must be a string, not " + value);
        }
    }

    private static String resourceIds() {
        return java.util.Arrays.stream(Resource.values()).map(Resource::id).toList().toString();
    }
}
