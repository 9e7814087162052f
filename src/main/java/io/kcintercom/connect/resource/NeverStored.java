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
 * the sweeps it creates). A task starts {@link #assumingNone() assuming none}: most workspaces have
 * no such object, and a restart (a rebalance, a deploy) must not cost a full listing (28,000
 * requests at 2M contacts); where there are some, the first gated sweep's counts differ, so it
 * lists in full, which learns them. A sweep made without a holder gets one of its own that knows
 * nothing and never stops early.
 */
final class NeverStored {
    /** Not counted yet: no full listing since the holder was made. */
    static final long UNKNOWN = -1;

    private final AtomicLong objects;
    private final Map<String, Long> segmentMembers = new ConcurrentHashMap<>();
    /** What a segment not read in full yet counts: {@link #UNKNOWN}, or 0 when assuming none. */
    private final long segmentDefault;

    /** A holder that knows nothing: gates list in full until a full listing has counted. */
    NeverStored() {
        this(UNKNOWN);
    }

    private NeverStored(long initial) {
        this.objects = new AtomicLong(initial);
        this.segmentDefault = initial;
    }

    /** A task's holder: no object the store never holds, until a full listing counts some. */
    static NeverStored assumingNone() {
        return new NeverStored(0);
    }

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
        return segmentMembers.getOrDefault(segmentId, segmentDefault);
    }

    /**
     * The segment was read to its last page and listed {@code count} members the store does not
     * know, or {@link #UNKNOWN} when some of them it will hold (the next sweep reads it in full).
     */
    void membersListed(String segmentId, long count) {
        segmentMembers.put(segmentId, count);
    }

    /** Forgets the segments Intercom no longer lists. */
    void keepSegments(Set<String> live) {
        segmentMembers.keySet().retainAll(live);
    }
}
