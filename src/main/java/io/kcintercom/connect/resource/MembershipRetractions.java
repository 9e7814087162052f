package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The stored segment memberships a {@link SegmentSweep} retracts (members that left a segment, rows
 * of deleted segments), queued and handed out {@value #PER_STEP} groups a step, so a deleted segment
 * of millions of members never builds them all at once.
 */
final class MembershipRetractions {
    static final int PER_STEP = 500;

    /** Stored memberships of one contact to retract. */
    private record Retraction(String contactId, List<String> segmentIds) {
    }

    private final Resource resource;
    private final RecordFactory records;
    private final RoleTables tables;
    private final Deque<Retraction> queue = new ArrayDeque<>();
    private long retracted;

    MembershipRetractions(Resource resource, RecordFactory records, RoleTables tables) {
        this.resource = resource;
        this.records = records;
        this.tables = tables;
    }

    void add(String contactId, List<String> segmentIds) {
        queue.add(new Retraction(contactId, segmentIds));
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Memberships retracted so far. */
    long retracted() {
        return retracted;
    }

    /** The next groups, at most {@value #PER_STEP}. */
    List<RecordFactory.Group> next() {
        List<RecordFactory.Group> groups = new ArrayList<>();
        while (!queue.isEmpty() && groups.size() < PER_STEP) {
            Retraction retraction = queue.poll();
            String contactId = retraction.contactId();
            RecordFactory.Group group = records.group(resource, "segment sweep: contact " + contactId + " left "
                    + retraction.segmentIds().size() + " segment(s)").parent(tables.parent(), contactId);
            for (String segmentId : retraction.segmentIds()) {
                group.removeChild(tables.segments(), segmentRef(segmentId), tables.parentKey(), contactId);
                retracted++;
            }
            groups.add(group);
        }
        return groups;
    }

    /** The segment as {@code /contacts/{id}/segments} lists it: the row's type and id columns. */
    static ObjectNode segmentRef(String segmentId) {
        return JsonNodeFactory.instance.objectNode().put("type", "segment").put("id", segmentId);
    }
}
