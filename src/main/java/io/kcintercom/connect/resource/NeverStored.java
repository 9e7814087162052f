package io.kcintercom.connect.resource;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What Intercom counts but the store of emitted keys never holds, as the last full listing found it
 * (issue 17): a search's {@code total_count} also counts objects whose row cannot be built, objects
 * without a usable id or {@code updated_at}, and objects updated before {@code intercom.since} (the
 * day-granular search answers since's whole day); a segment's also counts members whose contact the
 * store does not know. A count gate compares {@code total_count} with the stored count plus this,
 * so that such objects neither make every gated sweep list in full nor offset as many deletions.
 *
 * <p>One holder per resource, kept in memory across its sweeps ({@link SweepSchedule} hands it to
 * the sweeps it creates). After a restart nothing is known, so the first gated sweep lists in full,
 * which learns it again; a sweep made without a holder gets one of its own and never stops early.
 */
final class NeverStored {
    /** Not counted yet: no full listing since the holder was made. */
    static final long UNKNOWN = -1;

    private final AtomicLong objects = new AtomicLong(UNKNOWN);
    private final Map<String, Long> segmentMembers = new ConcurrentHashMap<>();

    /** Objects the last full listing showed that the store does not hold, or {@link #UNKNOWN}. */
    long objects() {
        return objects.get();
    }

    /** A listing went to its last page and showed {@code count} objects the store does not hold. */
    void objectsListed(long count) {
        objects.set(count);
    }

    /** Members of the segment whose contact the store did not know at its last full read, or {@link #UNKNOWN}. */
    long members(String segmentId) {
        return segmentMembers.getOrDefault(segmentId, UNKNOWN);
    }

    /** The segment was read to its last page and listed {@code count} members the store does not know. */
    void membersListed(String segmentId, long count) {
        segmentMembers.put(segmentId, count);
    }

    /** Forgets the segments Intercom no longer lists. */
    void keepSegments(Set<String> live) {
        segmentMembers.keySet().retainAll(live);
    }
}
