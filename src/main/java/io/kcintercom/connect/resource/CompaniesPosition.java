package io.kcintercom.connect.resource;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where the companies passes stand: every company updated at or before {@code watermark} (unix
 * seconds) has been emitted; -1 means none has. Stored as {@code {"updated_at": watermark}}.
 */
public record CompaniesPosition(long watermark) {
    static final String WATERMARK = "updated_at";

    /** Before the first pass: companies updated from {@code since} on (everything when 0). */
    public static CompaniesPosition initial(long since) {
        return new CompaniesPosition(since > 0 ? since - 1 : -1);
    }

    public static CompaniesPosition fromMap(Map<String, ?> offset, long since) {
        return new CompaniesPosition(OffsetFields.longValue(offset, WATERMARK, initial(since).watermark()));
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new HashMap<>();
        map.put(WATERMARK, watermark);
        return map;
    }

    /** Checks an offset a user writes: {@code updated_at} required. */
    static void validate(Map<String, ?> offset) {
        OffsetFields.allowOnly(Resource.COMPANIES, offset, Set.of(WATERMARK)).requireSeconds(WATERMARK, true);
    }
}
