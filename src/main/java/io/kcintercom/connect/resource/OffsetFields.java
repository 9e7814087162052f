package io.kcintercom.connect.resource;

import io.kcintercom.connect.table.Timestamps;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The fields of one resource's offset map. Reading is lenient (numbers come back from JSON as any
 * integral type, or were written as text); checking, for offsets a user writes through the REST
 * API, is strict, so a typo is rejected with a message instead of derailing the next sync.
 */
final class OffsetFields {
    private final Resource resource;
    private final Map<String, ?> offset;

    private OffsetFields(Resource resource, Map<String, ?> offset) {
        this.resource = resource;
        this.offset = offset;
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

    /**
     * Refuses an offset that names a protocol other than this version's: another version of the
     * connector wrote it, and its fields may mean something else.
     */
    static void requireKnownProtocol(Resource resource, Map<String, ?> offset) {
        Object protocol = offset == null ? null : offset.get(Offsets.PROTOCOL);
        if (protocol != null && !(protocol instanceof Number number && number.longValue() == Offsets.CURRENT_PROTOCOL)) {
            throw new ConnectException("Invalid offset for " + resource.id() + ": \"" + Offsets.PROTOCOL
                    + "\" must be " + Offsets.CURRENT_PROTOCOL + " or absent, not " + protocol
                    + " (an offset of another protocol was written by another version of this connector)");
        }
    }

    /**
     * Starts checking an offset a user writes: only the position's {@code keys}, the protocol and
     * what the offset was read for ({@link OffsetBinding}: optional strings) are allowed.
     */
    static OffsetFields allowOnly(Resource resource, Map<String, ?> offset, Set<String> keys) {
        Set<String> allowed = new HashSet<>(keys);
        allowed.add(Offsets.PROTOCOL);
        allowed.addAll(OffsetBinding.KEYS);
        for (String key : offset.keySet()) {
            if (!allowed.contains(key)) {
                throw new ConnectException("Invalid offset for " + resource.id() + ": unknown key \"" + key
                        + "\"; allowed keys are " + new TreeSet<>(allowed));
            }
        }
        requireKnownProtocol(resource, offset);
        OffsetFields fields = new OffsetFields(resource, offset);
        OffsetBinding.KEYS.forEach(fields::requireString);
        return fields;
    }

    /** A number of unix seconds, or -1 (before everything). */
    OffsetFields requireSeconds(String key, boolean required) {
        Object value = offset.get(key);
        if (value == null) {
            if (required) {
                throw invalid("\"" + key + "\" (unix seconds) is required");
            }
            return this;
        }
        boolean integral = value instanceof Long || value instanceof Integer || value instanceof Short;
        if (!integral || ((Number) value).longValue() < -1) {
            throw invalid("\"" + key + "\" must be a number of unix seconds, not " + value);
        }
        if (((Number) value).longValue() >= Timestamps.MILLIS_THRESHOLD) {
            // Milliseconds by mistake (as Intercom's own timestamps are told apart): a time thousands of
            // years ahead would stop whatever waits for it.
            throw invalid("\"" + key + "\" must be unix seconds, not milliseconds: " + value);
        }
        return this;
    }

    OffsetFields requireString(String key) {
        Object value = offset.get(key);
        if (value != null && !(value instanceof String)) {
            throw invalid("\"" + key + "\" must be a string, not " + value);
        }
        return this;
    }

    private ConnectException invalid(String problem) {
        return new ConnectException("Invalid offset for " + resource.id() + ": " + problem);
    }
}
