package io.kcintercom.connect.resource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Source partitions. One partition per resource, {@code {resource, protocol}}: the protocol
 * number names the offset format so a later release can read, or knowingly discard, old offsets.
 */
public final class Offsets {
    public static final String RESOURCE = "resource";
    public static final String PROTOCOL = "protocol";
    public static final String CURRENT_PROTOCOL = "1";

    private Offsets() {
    }

    /**
     * The partition of a resource. Its key order is fixed: the worker stores offsets under the
     * partition's serialized JSON, so a map whose iteration order changes between JVMs (as
     * {@code Map.of} does) would not find, after a worker restart, the offsets it wrote before.
     */
    public static Map<String, String> partition(Resource resource) {
        Map<String, String> partition = new LinkedHashMap<>();
        partition.put(RESOURCE, resource.id());
        partition.put(PROTOCOL, CURRENT_PROTOCOL);
        return Collections.unmodifiableMap(partition);
    }

    static long longValue(Map<String, ?> offset, String key, long fallback) {
        Object value = offset == null ? null : offset.get(key);
        if (value instanceof Number number) {
            return number.longValue();
        }
        if (value instanceof String text && !text.isBlank()) {
            return Long.parseLong(text.trim());
        }
        return fallback;
    }

    static String stringValue(Map<String, ?> offset, String key) {
        Object value = offset == null ? null : offset.get(key);
        return value == null ? null : value.toString();
    }
}
