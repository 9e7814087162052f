package io.kcintercom.connect.resource;

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

    public static Map<String, String> partition(Resource resource) {
        return Map.of(RESOURCE, resource.id(), PROTOCOL, CURRENT_PROTOCOL);
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
