package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.errors.DataException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment membership of one role ({@code users_segments} or {@code leads_segments}), read per
 * segment rather than per contact (issues 16 and 17): Intercom computes membership itself and
 * changes it without moving the contact's {@code updated_at}, so the contact passes cannot see it.
 * Run as the last part of each users/leads sweep, one request a step: {@code GET /segments}, then
 * for each segment a contact search {@code role = X AND segment_id = S}, 150 a page. A sweep costs
 * about memberships / 150 requests plus one page per segment (2M memberships: about 13,400).
 *
 * <p>Against the store of emitted keys: a member whose stored segments lack S gets a group adding
 * the row; after S's last page, every stored contact holding S that the search did not list gets
 * a group retracting it; a segment no longer in {@code GET /segments} has all its stored rows
 * retracted (one walk over the store). A listed member the store does not know yet (not emitted
 * by a contact pass: created since, or its pass has not reached it) is skipped: its contact pass
 * or the contact sweep emits it, and its memberships follow at the next segment sweep. Without a
 * store ({@link EmittedKeys#NONE}) every listed membership is emitted each sweep (an idempotent
 * upsert) and nothing is retracted.
 *
 * <p>Every segment is searched for the role whatever its {@code person_type}: whether a segment can
 * hold both roles is undocumented, and one that holds none of this role costs one empty page.
 * The search is sorted by {@code updated_at} ascending so that a contact changed while the
 * segment is listed moves behind the cursor and is listed again, never skipped (a member skipped
 * would be retracted). Members listed are kept as 64-bit hashes ({@link IdHashes}), not strings.
 *
 * <p>A count-gated sweep (issue 17; with a store, not re-sending) counts the stored members of each
 * segment in the same walk over the store that finds deleted segments, and stops a segment after its
 * first page when the search's {@code total_count} equals that count plus the members whose contact
 * the store did not know at the segment's last full read, and its first page holds no join
 * ({@link SegmentGate}): no leavers are queued for it, since it was not listed. A gated sweep costs
 * {@code GET /segments} and one page per segment; a member swapped for another (one left, one joined,
 * off the first page) waits for the next full sweep.
 */
public final class SegmentSweep implements SweepStep {
    private static final Logger log = LoggerFactory.getLogger(SegmentSweep.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final Resource resource;
    private final IntercomClient client;
    private final RecordFactory records;
    private final EmittedKeys keys;
    private final RoleTables tables;
    private final List<String> segmentIds = new ArrayList<>();
    private final MembershipRetractions retractions;
    private final Tally tally = new Tally();
    private final SegmentGate gate;

    /** The next page of GET /segments; null once the list is read. */
    private String listUrl = "/segments";
    private boolean deletedSegmentsChecked;
    private int segmentIndex;
    /** The next search page of the current segment; null for its first. */
    private String cursor;
    private IdHashes members = new IdHashes();
    private long requests;
    private boolean logged;
    private final boolean resendAll;
    /** The resource's scope (intercom.since, unix seconds): a member updated before it is never stored. */
    private long since;

    /** What {@code gateAbove} is for a sweep that reads every segment in full. */
    public static final long NEVER_GATED = -1;

    public SegmentSweep(Resource resource, IntercomClient client, RecordFactory records, EmittedKeys keys) {
        this(resource, client, records, keys, false);
    }

    /**
     * @param resendAll emit every listed membership, also those the store holds (a re-sync); the
     *                  retractions are the same either way
     */
    public SegmentSweep(Resource resource, IntercomClient client, RecordFactory records, EmittedKeys keys,
                        boolean resendAll) {
        this(resource, client, records, keys, resendAll, NEVER_GATED, new NeverStored());
    }

    /**
     * @param resendAll   as above
     * @param gateAbove   stop a segment after its first page when its count agrees with the store and
     *                    is above this ({@link #NEVER_GATED}: never); ignored without a store or when
     *                    re-sending
     * @param neverStored the role's members the store does not know, per segment, across sweeps: each
     *                    full read of a segment counts them, the gate adds them to the stored members
     *                    (a segment not yet read in full since it was made is read in full)
     */
    SegmentSweep(Resource resource, IntercomClient client, RecordFactory records, EmittedKeys keys,
                 boolean resendAll, long gateAbove, NeverStored neverStored) {
        this.resendAll = resendAll;
        this.gate = new SegmentGate(gateAbove, keys.enabled() && !resendAll, neverStored);
        if (resource != Resource.USERS && resource != Resource.LEADS) {
            throw new IllegalArgumentException("segment membership is swept for users and leads, not " + resource.id());
        }
        this.resource = resource;
        this.client = client;
        this.records = records;
        this.keys = keys;
        this.tables = RoleTables.of(resource);
        this.retractions = new MembershipRetractions(resource, records, tables);
        if (!records.enabled(tables.segments())) {
            listUrl = null;
            deletedSegmentsChecked = true;
            segmentIndex = Integer.MAX_VALUE;
        }
    }

    /** Members updated before {@code since} are out of the resource's scope, as in {@link SearchSweep#from}. */
    SegmentSweep from(long since) {
        this.since = since;
        return this;
    }

    @Override
    public boolean done() {
        return listUrl == null && deletedSegmentsChecked && segmentIndex >= segmentIds.size() && retractions.isEmpty();
    }

    @Override
    public List<RecordFactory.Group> step() {
        List<RecordFactory.Group> groups = next();
        if (!logged && done()) {
            logged = true;
            log.info("{}: segment sweep done: {} segments ({}), {} memberships added, {} retracted, {} memberships "
                    + "of contacts not yet emitted skipped, {} requests", resource.id(), segmentIds.size(),
                    gate.describe(), tally.joins, retractions.retracted(), tally.unknown, requests);
        }
        return groups;
    }

    private List<RecordFactory.Group> next() {
        if (!retractions.isEmpty()) {
            return retractions.next();
        }
        if (listUrl != null) {
            listSegments();
            return List.of();
        }
        if (!deletedSegmentsChecked) {
            deletedSegmentsChecked = true;
            queueDeletedSegments();
            return retractions.next();
        }
        if (segmentIndex < segmentIds.size()) {
            return searchPage(segmentIds.get(segmentIndex));
        }
        return List.of();
    }

    @Override
    public long requests() {
        return requests;
    }

    /** Memberships added so far. */
    long joins() {
        return tally.joins;
    }

    /** Memberships retracted so far (members that left and rows of deleted segments). */
    long leaves() {
        return retractions.retracted();
    }

    /** Listed memberships skipped because the store does not know their contact yet. */
    long unknownMembers() {
        return tally.unknown;
    }

    /** One page of the segment list; an answer without a segments array fails rather than reading as "all deleted". */
    private void listSegments() {
        JsonNode body = client.get(listUrl, resource.id() + " segment sweep: segments list");
        requests++;
        JsonNode list = body.get("segments");
        if (list == null || !list.isArray()) {
            throw new DataException(resource.id() + ": GET /segments answered without a 'segments' array");
        }
        Set<String> known = new HashSet<>(segmentIds);
        for (JsonNode segment : list) {
            String id = JsonPaths.text(segment, "id");
            if (id != null && !id.isBlank() && known.add(id)) {
                segmentIds.add(id);
            }
        }
        JsonNode next = JsonPaths.at(body, "pages.next");
        String nextUrl = next != null && next.isTextual() && !next.asText().isBlank() ? next.asText() : null;
        listUrl = nextUrl == null || nextUrl.equals(listUrl) ? null : nextUrl;
    }

    /** Stored memberships of segments Intercom no longer lists, and (gated) each segment's stored members: one walk. */
    private void queueDeletedSegments() {
        Set<String> live = Set.copyOf(segmentIds);
        gate.live(live);
        keys.forEachParent(resource, contactId -> {
            Set<String> stored = keys.childIds(resource, contactId, tables.segments());
            if (gate.on()) {
                stored.stream().filter(live::contains).forEach(gate::storedMember);
            }
            Set<String> gone = new LinkedHashSet<>(stored);
            gone.removeAll(live);
            if (!gone.isEmpty()) {
                retractions.add(contactId, List.copyOf(gone));
            }
        });
    }

    private List<RecordFactory.Group> searchPage(String segmentId) {
        SearchQuery query = new SearchQuery(resource.id(), "data", membersOf(segmentId));
        JsonNode answer = client.post("/contacts/search", query.body(0, cursor),
                resource.id() + " segment sweep: segment " + segmentId);
        requests++;
        SearchQuery.Page page = query.read(answer, cursor, resource.id() + " segment " + segmentId);
        List<RecordFactory.Group> joins = new ArrayList<>();
        for (SearchQuery.Hit hit : page.hits()) {
            member(hit.id(), segmentId, joins, hit.updatedAt() >= since && records.builds(tables.parent(), hit.object()));
        }
        for (SearchQuery.Unusable unusable : page.unusable()) {
            // Membership needs only the id: one without updated_at is still a member (the passes skip it).
            String id = JsonPaths.text(unusable.object(), "id");
            if (id != null && !id.isBlank()) {
                member(id, segmentId, joins, false);
            } else {
                gate.unknownMember(false);
            }
        }
        // A join on the first page: the count may agree only because a member left past it.
        boolean stops = gate.on() && cursor == null
                && gate.stops(segmentId, SearchQuery.totalCount(answer), !joins.isEmpty());
        cursor = stops ? null : page.nextCursor();
        if (cursor == null) {
            if (!stops) { // a segment stopped at its first page was not listed: its leavers are unknown
                queueLeavers(segmentId);
            }
            gate.segmentEnded(segmentId, !stops);
            members = new IdHashes();
            segmentIndex++;
        }
        return joins;
    }

    /**
     * @param storable whether a contact pass stores the contact (in scope, its row builds), so that
     *                 the store not knowing it means not yet, rather than never
     */
    private void member(String contactId, String segmentId, List<RecordFactory.Group> joins, boolean storable) {
        boolean firstSight = members.add(contactId);
        if (keys.enabled() && !keys.contains(resource, contactId)) {
            tally.unknown++;
            if (firstSight) {
                gate.unknownMember(storable);
            }
            return;
        }
        if (!resendAll && keys.childIds(resource, contactId, tables.segments()).contains(segmentId)) {
            return;
        }
        tally.joins++;
        joins.add(records.group(resource, "segment sweep: contact " + contactId + " in segment " + segmentId)
                .parent(tables.parent(), contactId)
                .addChild(tables.segments(), MembershipRetractions.segmentRef(segmentId), tables.parentKey(),
                        contactId));
    }

    /** Stored members of the segment its search did not list: they left it. */
    private void queueLeavers(String segmentId) {
        IdHashes listed = members;
        keys.forEachParent(resource, contactId -> {
            if (keys.childIds(resource, contactId, tables.segments()).contains(segmentId)
                    && !listed.contains(contactId)) {
                retractions.add(contactId, List.of(segmentId));
            }
        });
    }

    private ObjectNode membersOf(String segmentId) {
        return NODES.objectNode().put("operator", "AND").set("value", NODES.arrayNode()
                .add(SearchQuery.roleOf(resource))
                .add(SearchQuery.condition("segment_id", "=", segmentId)));
    }

    /** What the sweep did, for its log line and tests. */
    private static final class Tally {
        long joins;
        long unknown;
    }
}
