package io.kcintercom.connect.resource;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the last complete refresh of admins, tags or segments read: a digest of the whole table, or
 * null when unknown (then the next refresh emits every row). Stored as {@code {"digest": ...}}, or
 * {@code {}} when unknown.
 */
public record ReferencePosition(String digest) {
    static final String DIGEST = "digest";
    public static final ReferencePosition UNKNOWN = new ReferencePosition(null);

    public static ReferencePosition fromMap(Map<String, ?> offset) {
        String digest = OffsetFields.stringValue(offset, DIGEST);
        return digest == null ? UNKNOWN : new ReferencePosition(digest);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new HashMap<>();
        if (digest != null) {
            map.put(DIGEST, digest);
        }
        return map;
    }

    /** Checks an offset a user writes: {@code digest} optional ({@code {}} re-emits the table). */
    static void validate(Resource resource, Map<String, ?> offset) {
        OffsetFields.allowOnly(resource, offset, Set.of(DIGEST)).requireString(DIGEST);
    }
}
