package io.kcintercom.connect.resource;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The count gate of a {@link SegmentSweep} (issue 17): a segment stops after its first page when
 * the search's {@code total_count} equals its members the store holds (counted in the sweep's walk
 * over the store) plus the members whose contact the store did not know at the segment's last full
 * read ({@link NeverStored}), and that first page holds no join. Every full read of a segment, gated
 * sweep or not, counts those members again; when one of them is a contact the store does not hold
 * yet (created since the last pass), not one it never will, the count is not learned, so that the
 * next sweep reads that segment in full again and emits the membership once the contact is stored.
 */
final class SegmentGate {
    private final long above;
    private final NeverStored learned;
    /** Stored members per live segment; null when every segment is read in full. */
    private final Map<String, Integer> storedMembers;
    /** Members of the segment being read whose contact the store does not know. */
    private long unknownInSegment;
    /** Whether one of them is a contact the store does not hold yet, but will. */
    private boolean storableUnknown;
    private long stopped;
    /** The never-stored members counted in with the segments that stopped. */
    private long neverStoredInStopped;

    /**
     * @param above   segments of more members than this may stop ({@link SegmentSweep#NEVER_GATED}: none)
     * @param gated   whether the sweep gates at all (a store, not re-sending)
     * @param learned the role's, across sweeps
     */
    SegmentGate(long above, boolean gated, NeverStored learned) {
        this.above = above;
        this.learned = learned;
        this.storedMembers = gated && above >= 0 ? new HashMap<>() : null;
    }

    boolean on() {
        return storedMembers != null;
    }

    /** One stored contact holds the live segment (the walk over the store at the start). */
    void storedMember(String segmentId) {
        if (storedMembers != null) {
            storedMembers.merge(segmentId, 1, Integer::sum);
        }
    }

    /** The segment list is read: what is known of segments Intercom no longer lists goes. */
    void live(Set<String> segmentIds) {
        learned.keepSegments(segmentIds);
    }

    /**
     * The segment being read listed a member whose contact the store does not know (once per id):
     * {@code storable} when a contact pass stores it (not yet), not when it never will.
     */
    void unknownMember(boolean storable) {
        unknownInSegment++;
        storableUnknown |= storable;
    }

    /**
     * Whether the segment stops after the first page, which counted {@code total} members (-1: no
     * total_count) and held a member the store does not list in it ({@code join}).
     */
    boolean stops(String segmentId, long total, boolean join) {
        long known = learned.members(segmentId);
        boolean stop = storedMembers != null && total > above && known != NeverStored.UNKNOWN && !join
                && total == storedMembers.getOrDefault(segmentId, 0) + known;
        if (stop) {
            stopped++;
            neverStoredInStopped += known;
        }
        return stop;
    }

    /** The segment's reading is over; read to its last page ({@code inFull}), it teaches the next gated sweep. */
    void segmentEnded(String segmentId, boolean inFull) {
        if (inFull) {
            learned.membersListed(segmentId, storableUnknown ? NeverStored.UNKNOWN : unknownInSegment);
        }
        unknownInSegment = 0;
        storableUnknown = false;
    }

    /** For the sweep's log line: counts only. */
    String describe() {
        return storedMembers == null ? "all listed in full" : stopped + " stopped at their first page: counts equal to "
                + "the stored members plus " + neverStoredInStopped + " whose contact the store does not hold";
    }
}
