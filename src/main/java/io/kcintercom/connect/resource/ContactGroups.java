package io.kcintercom.connect.resource;

import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.COMPANIES;
import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.EVENT_SUMMARY;
import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.NOTES;
import static io.kcintercom.connect.resource.ContactGroups.ContactFollowUp.TAGS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a page of contacts (users or leads) into their groups of records: the contact, its tags,
 * companies and social profiles (inline, or from the list URL when Intercom truncated the inline
 * list), and, when their tables are enabled, its notes and event summary, which each need a
 * request of their own. Segment membership is not read here: Intercom changes it without moving
 * the contact's {@code updated_at}, and one call per contact cost 2M calls on a 2M-contact first
 * sync, so {@link SegmentSweep} reads it per segment at each sweep. Which requests a contact needs
 * is decided once, in a {@link FollowUpPlan}; they run concurrently through {@link FollowUps}, and
 * the rows are assembled from their results read by name.
 *
 * <p>Event summaries cost one request per contact and change rarely, so the first sync of a reader
 * and a sweep's full groups do without them ({@link #withEventSummariesWhen}): the
 * {@link EventSummaryBackfill} reads them once the core tables are in, and afterwards a contact a
 * pass finds changed gets its summary here again. A group without its summary does not cover
 * {@code events_summary}, so the summaries stored for the contact stay.
 *
 * <p>A follow-up answering 404 (or 410, which API 2.16 gives a merged contact) reveals that the
 * contact is gone: its group then holds tombstones instead of rows, for the contact and for every
 * child row the search result and the follow-ups that did answer name (inline tags, companies,
 * social profiles and notes; listed event summaries; the segments the store of emitted keys
 * holds for it), with the positions its rows would have had. A deleted contact the search never
 * returns again is not seen here: that takes issue 16's reconciliation sweep.
 *
 * <p>Role changes: a lead that turned user is not retracted from {@code leads*} yet. Intercom
 * gives no signal of the change (the id stays, only {@code updated_at} moves) and the connector
 * keeps no record of what it emitted, so the only retraction without state would be a tombstone
 * on {@code leads} for every user it emits; tried, it made the Debezium JDBC sink fail on a delete
 * for a table it had not created yet. This waits for issue 16's store of emitted keys (and its
 * reconciliation sweep, which merged leads need too).
 */
final class ContactGroups implements GroupBuilder {
    private static final Logger log = LoggerFactory.getLogger(ContactGroups.class);

    /** A contact's follow-up requests, in the order they start. */
    enum ContactFollowUp {
        TAGS("tags"),
        COMPANIES("companies"),
        NOTES("notes"),
        EVENT_SUMMARY("event summary");

        /** What the request reads, for logs and error contexts. */
        final String what;

        ContactFollowUp(String what) {
            this.what = what;
        }
    }

    private final Resource resource;
    private final IntercomClient client;
    private final RecordFactory records;
    private final FollowUps followUps;
    private final RoleTables tables;
    private final AtomicLong vanished;
    /** Whether the groups built now read the contacts' event summaries. */
    private final BooleanSupplier eventSummaries;

    ContactGroups(Resource resource, IntercomClient client, RecordFactory records, FollowUps followUps) {
        this(resource, client, records, followUps, new AtomicLong(), () -> true);
    }

    private ContactGroups(Resource resource, IntercomClient client, RecordFactory records, FollowUps followUps,
                          AtomicLong vanished, BooleanSupplier eventSummaries) {
        this.resource = resource;
        this.client = client;
        this.records = records;
        this.followUps = followUps;
        this.tables = RoleTables.of(resource);
        this.vanished = vanished;
        this.eventSummaries = eventSummaries;
    }

    /** The same groups, reading event summaries only while {@code when} says so; counters shared. */
    ContactGroups withEventSummariesWhen(BooleanSupplier when) {
        return new ContactGroups(resource, client, records, followUps, vanished, when);
    }

    /** The pool the follow-ups run on, which the event summary backfill shares. */
    FollowUps followUps() {
        return followUps;
    }

    @Override
    public Map<String, LongSupplier> counters() {
        return Map.of("vanished-objects", vanished::get);
    }

    /** Contacts that vanished (404 or 410) between the search and a follow-up request. */
    long vanishedCount() {
        return vanished.get();
    }

    @Override
    public PendingGroups start(List<JsonNode> contacts) {
        // Contacts of this page a follow-up found gone (each has several follow-ups); read once all are done.
        Set<String> vanishedIds = ConcurrentHashMap.newKeySet();
        FollowUpPlan<ContactFollowUp, List<JsonNode>> plan = new FollowUpPlan<>(ContactFollowUp.class);
        for (JsonNode contact : contacts) {
            plan.add(contact, followUpsOf(contact, vanishedIds));
        }
        return plan.start(followUps, (contact, results) -> isIn(vanishedIds, JsonPaths.text(contact, "id"))
                ? removed(contact, results) : assemble(contact, results));
    }

    /** Null-safe: a concurrent set's contains throws on null, and a contact without id has no follow-up. */
    private static boolean isIn(Set<String> ids, String id) {
        return id != null && ids.contains(id);
    }

    /** The requests a contact's rows need: its truncated inline lists, and the tables only a request fills. */
    private Map<ContactFollowUp, Callable<List<JsonNode>>> followUpsOf(JsonNode contact, Set<String> vanishedIds) {
        String id = JsonPaths.text(contact, "id");
        String path = "/contacts/" + SubLists.encode(id);
        Map<ContactFollowUp, Supplier<List<JsonNode>>> requests = new EnumMap<>(ContactFollowUp.class);
        if (records.enabled(tables.tags()) && SubLists.isTruncated(contact.get("tags"))) {
            requests.put(TAGS, list(id, TAGS, SubLists.listUrl(contact.get("tags"), path + "/tags"), "tags"));
        }
        if (records.enabled(tables.companies()) && SubLists.isTruncated(contact.get("companies"))) {
            requests.put(COMPANIES, list(id, COMPANIES,
                    SubLists.listUrl(contact.get("companies"), path + "/companies"), "companies"));
        }
        if (records.enabled(Tables.NOTES) && mayHaveNotes(contact.get("notes"))) {
            requests.put(NOTES, list(id, NOTES, path + "/notes?per_page=50", "notes"));
        }
        if (records.enabled(Tables.EVENTS_SUMMARY) && eventSummaries.getAsBoolean()) {
            requests.put(EVENT_SUMMARY, () -> eventSummaries(id));
        }
        Map<ContactFollowUp, Callable<List<JsonNode>>> calls = new EnumMap<>(ContactFollowUp.class);
        requests.forEach((name, request) -> calls.put(name, skippedIfVanished(vanishedIds, id, name, request)));
        return calls;
    }

    /**
     * False only when the inline notes list says plainly that there are none: {@code total_count} 0,
     * no entry, no {@code has_more} and no next page. Most contacts have no note, and their call
     * would answer an empty list; a list missing or in another shape is asked for, as before.
     * Any note at all is fetched: inline entries are references without a body.
     */
    static boolean mayHaveNotes(JsonNode inline) {
        if (inline == null || !inline.isObject()) {
            return true;
        }
        JsonNode total = inline.get("total_count");
        JsonNode next = JsonPaths.at(inline, "pages.next");
        return total == null || !total.canConvertToInt() || total.asInt() != 0
                || inline.path("has_more").asBoolean(false)
                || !SubLists.itemsOf(inline, "notes").isEmpty()
                || names(next);
    }

    /** Whether a {@code pages.next} names a next page: a non-blank URL or a non-empty object. */
    private static boolean names(JsonNode next) {
        if (next == null || next.isNull()) {
            return false;
        }
        return next.isContainerNode() ? next.size() > 0 : !next.asText().isBlank();
    }

    private RecordFactory.Group assemble(JsonNode contact,
                                         FollowUpPlan.Results<ContactFollowUp, List<JsonNode>> results) {
        String id = JsonPaths.text(contact, "id");
        RecordFactory.Group group = records.group(resource, "contact " + id);
        group.add(tables.parent(), contact);
        if (group.lastSkipped()) {
            return group; // its child rows are skipped with it
        }
        RoleTables.Children children = new RoleTables.Children(
                results.orElseGet(TAGS, () -> SubLists.itemsOf(contact.get("tags"), "tags")),
                results.orElseGet(COMPANIES, () -> SubLists.itemsOf(contact.get("companies"), "companies")),
                contact.get("social_profiles"),
                List.of()); // segment membership comes from SegmentSweep
        tables.addChildren(group, id, children);
        results.orElse(NOTES, List.of())
                .forEach(note -> group.add(Tables.NOTES, aboutContact(note, id)));
        results.orElse(EVENT_SUMMARY, List.of())
                .forEach(event -> group.addChild(Tables.EVENTS_SUMMARY, event, "user_id", id));
        // Listed completely: tags and companies (inline, or fetched whole when truncated), social
        // profiles, notes (fetched, or none by the inline count) and event summaries; what the
        // contact no longer lists is retracted. Segments are not: membership is read per segment;
        // nor event summaries when this group did not read them (the backfill's or a sweep's job).
        List<String> covered = results.planned(EVENT_SUMMARY) || !records.enabled(Tables.EVENTS_SUMMARY)
                ? List.of(tables.tags(), tables.companies(), tables.social(), Tables.NOTES, Tables.EVENTS_SUMMARY)
                : List.of(tables.tags(), tables.companies(), tables.social(), Tables.NOTES);
        return group.parent(tables.parent(), id).covering(covered);
    }

    /**
     * The group of a contact a follow-up found gone: tombstones for its row and for the child rows
     * its search result names, or the longer lists of the follow-ups that answered before it went.
     */
    private RecordFactory.Group removed(JsonNode contact,
                                        FollowUpPlan.Results<ContactFollowUp, List<JsonNode>> results) {
        String id = JsonPaths.text(contact, "id");
        RecordFactory.Group group = records.group(resource, "contact " + id);
        tables.remove(group, contact, id, new RoleTables.Children(
                listedOrInline(results, TAGS, contact, "tags"),
                listedOrInline(results, COMPANIES, contact, "companies"),
                contact.get("social_profiles"),
                storedSegments(id)));
        List<JsonNode> notes = listedOrInline(results, NOTES, contact, "notes");
        notes.forEach(note -> group.remove(Tables.NOTES, note));
        results.orElse(EVENT_SUMMARY, List.of())
                .forEach(event -> group.removeChild(Tables.EVENTS_SUMMARY, event, "user_id", id));
        return group.parent(tables.parent(), id).removeParent(); // and every child row stored for it
    }

    /**
     * The group of a listed contact found gone outside a pass (by the event summary backfill or a
     * sweep's summary refresh): tombstones for its row and the child rows its listing names.
     */
    RecordFactory.Group removedAsListed(JsonNode contact) {
        return removed(contact, new FollowUpPlan.Results<ContactFollowUp, List<JsonNode>>(Map.of()));
    }

    /** The segments the store of emitted keys holds for the contact: what {@link SegmentSweep} emitted. */
    private List<JsonNode> storedSegments(String id) {
        return records.emitted().childIds(resource, id, tables.segments()).stream()
                .<JsonNode>map(segment -> JsonNodeFactory.instance.objectNode().put("type", "segment")
                        .put("id", segment))
                .toList();
    }

    /** A follow-up's list when it answered with one, else the inline list (a gone contact's follow-ups answer none). */
    private static List<JsonNode> listedOrInline(FollowUpPlan.Results<ContactFollowUp, List<JsonNode>> results,
                                                 ContactFollowUp name, JsonNode contact, String field) {
        List<JsonNode> listed = results.orElse(name, List.of());
        return listed.isEmpty() ? SubLists.itemsOf(contact.get(field), field) : listed;
    }

    @Override
    public RecordFactory.Group unusable(SearchQuery.Unusable contact, String context) {
        return records.group(resource, "search result at " + context)
                .skip(tables.parent(), contact.object(), contact.column(), contact.reason());
    }

    /** Notes name their contact; one that does not is still about the contact it was listed under. */
    static JsonNode aboutContact(JsonNode note, String contactId) {
        if (!note.isObject() || JsonPaths.text(note, "contact.id") != null) {
            return note;
        }
        ObjectNode copy = ((ObjectNode) note).deepCopy();
        copy.putObject("contact").put("type", "contact").put("id", contactId);
        return copy;
    }

    private Supplier<List<JsonNode>> list(String id, ContactFollowUp name, String url, String itemKey) {
        return () -> SubLists.fetchAll(client, url, context(id, name.what), itemKey);
    }

    /**
     * The contact's event summaries for the {@link EventSummaryBackfill}; null when a 404 or 410 says
     * the contact was deleted or merged, counted and logged as a follow-up of a pass would be.
     */
    List<JsonNode> eventSummariesUnlessGone(String id) {
        Set<String> gone = ConcurrentHashMap.newKeySet();
        try {
            List<JsonNode> events = skippedIfVanished(gone, id, EVENT_SUMMARY, () -> eventSummaries(id)).call();
            return gone.isEmpty() ? events : null;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // the call throws unchecked exceptions only
        }
    }

    private List<JsonNode> eventSummaries(String id) {
        JsonNode body = client.get("/events?type=user&summary=true&intercom_user_id=" + SubLists.encode(id),
                context(id, EVENT_SUMMARY.what));
        return SubLists.itemsOf(body.get("events"), "events");
    }

    /** A follow-up whose 404 or 410 means the contact was deleted or merged: no result, the contact noted as gone. */
    private Callable<List<JsonNode>> skippedIfVanished(Set<String> vanishedIds, String id, ContactFollowUp name,
                                                       Supplier<List<JsonNode>> request) {
        return () -> {
            try {
                return request.get();
            } catch (IntercomApiException e) {
                if (FollowUpPlan.revealsDelete(e)) {
                    if (vanishedIds.add(id)) {
                        vanished.incrementAndGet();
                    }
                    log.info("{}: contact {} was not found when reading its {} (HTTP {}: deleted or merged); "
                            + "its rows are retracted", resource.id(), id, name.what, e.status());
                    return List.of();
                }
                throw e;
            }
        };
    }

    private String context(String id, String what) {
        return resource.id() + " contact " + id + " " + what;
    }
}
