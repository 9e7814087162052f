package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.RowConverter;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.kafka.connect.errors.DataException;

/**
 * The reconciliation sweep of a search resource (users, leads, conversations; issue 16): lists
 * every object the search has, {@value SearchQuery#PAGE_SIZE} a page with only the base filter
 * (the role), and brings what the store of emitted keys holds back to what Intercom has:
 * <ul>
 *   <li>an object the store does not know (a lead converted in place, anything a pass missed) gets
 *       its full group, follow-ups included, through the resource's {@link GroupBuilder};</li>
 *   <li>an object whose inline links differ from the stored keys (tags, companies, social profiles
 *       and notes of a contact, tags of a conversation: they change without {@code updated_at}
 *       moving) gets a group covering those tables, so the links gone are retracted and the new
 *       ones added;</li>
 *   <li>after the last page, every stored parent the listing did not show (deleted, merged, or a
 *       lead that became a user) gets {@link RecordFactory.Group#removeParent()}.</li>
 * </ul>
 * Pages are sorted by {@code updated_at} ascending: an object changed during the sweep moves
 * towards the end, where the sweep still reads it, so no living object is missed. Objects the
 * incremental passes emit while the sweep runs count as seen ({@link #seen}), so a contact created
 * after the listing went past its place is not retracted either.
 *
 * <p>Cost: one request per {@value SearchQuery#PAGE_SIZE} objects, plus the follow-ups of unknown
 * objects and the full lists of contacts whose inline lists Intercom truncated.
 */
final class SearchSweep implements SweepStep {
    private final Resource resource;
    private final IntercomClient client;
    private final String path;
    private final SearchQuery query;
    private final RecordFactory records;
    private final EmittedKeys keys;
    private final GroupBuilder fullGroups;
    /** What runs once the listing is over (users and leads: the segment membership sweep), or null. */
    private final SweepStep then;
    private final AtomicLong retractions;
    private final IdHashes seen = new IdHashes();
    /** Contacts' social profiles and notes, which change without updated_at moving; null for conversations. */
    private final QuietContactChildren quietChildren;

    private String cursor;
    private boolean listed;
    private long requests;
    /** Groups made from each page's listed objects besides the sweep's own (event summaries of active contacts), or null. */
    private Function<List<JsonNode>, List<RecordFactory.Group>> perPage;

    /**
     * @param then         the step run after the listing and its retractions, or null
     * @param retractions  counts the parents removed and the groups retracting links
     */
    SearchSweep(Resource resource, IntercomClient client, String path, SearchQuery query, RecordFactory records,
                GroupBuilder fullGroups, SweepStep then, AtomicLong retractions) {
        this.resource = resource;
        this.client = client;
        this.path = path;
        this.query = query;
        this.records = records;
        this.keys = records.emitted();
        this.fullGroups = fullGroups;
        this.then = then;
        this.retractions = retractions;
        this.quietChildren = resource == Resource.CONVERSATIONS ? null
                : new QuietContactChildren(resource, client, records);
    }

    /** Also emits, for each page, the groups {@code groups} makes from the page's listed objects. */
    SearchSweep withPageGroups(Function<List<JsonNode>, List<RecordFactory.Group>> groups) {
        this.perPage = groups;
        return this;
    }

    /** An object the incremental pass emitted while the sweep runs: it exists, whatever the listing shows. */
    void seen(String id) {
        if (!listed) {
            seen.add(id);
        }
    }

    @Override
    public boolean done() {
        return listed && (then == null || then.done());
    }

    @Override
    public long requests() {
        return requests + (then == null ? 0 : then.requests());
    }

    @Override
    public List<RecordFactory.Group> step() {
        if (listed) {
            return then == null || then.done() ? List.of() : then.step();
        }
        String context = resource.id() + " sweep" + (cursor == null ? ", first page" : ", cursor " + cursor);
        JsonNode answer = client.post(path, query.body(0, false, cursor), context);
        requests++;
        SearchQuery.Page page = query.read(answer, cursor, context);
        List<JsonNode> unknown = new ArrayList<>();
        List<RecordFactory.Group> groups = new ArrayList<>();
        for (SearchQuery.Hit hit : page.hits()) {
            seen.add(hit.id());
            if (!keys.contains(resource, hit.id())) {
                if (convertible(hit.object())) {
                    unknown.add(hit.object());
                }
            } else {
                RecordFactory.Group changed = linksChanged(hit.id(), hit.object());
                if (changed != null) {
                    groups.add(changed);
                }
            }
        }
        // An object without a usable updated_at is still there: its stored rows stay.
        page.unusable().forEach(object -> {
            String id = JsonPaths.text(object.object(), "id");
            if (id != null) {
                seen.add(id);
            }
        });
        if (!unknown.isEmpty()) {
            groups.addAll(0, fullGroups.start(unknown).await());
        }
        if (perPage != null) {
            groups.addAll(perPage.apply(page.hits().stream().map(SearchQuery.Hit::object).toList()));
        }
        cursor = page.nextCursor();
        if (cursor == null) {
            listed = true;
            groups.addAll(vanished());
        }
        return groups;
    }

    /**
     * Whether the object's own row can be built. One that cannot was skipped and reported (counted,
     * logged, sent to the errors topic) by the pass that read it, and the store never holds it: the
     * sweep leaves it alone rather than report it again at every sweep.
     */
    private boolean convertible(JsonNode object) {
        String table = parentTable();
        if (!records.enabled(table)) {
            return true;
        }
        try {
            RowConverter.convert(Tables.get(table), object);
            return true;
        } catch (DataException e) { // UnmappableValueException included
            return false;
        }
    }

    /** Every stored parent the listing did not show: its rows and child rows are retracted. */
    private List<RecordFactory.Group> vanished() {
        String parentTable = parentTable();
        List<String> gone = new ArrayList<>();
        keys.forEachParent(resource, id -> {
            if (!seen.contains(id)) {
                gone.add(id);
            }
        });
        List<RecordFactory.Group> groups = new ArrayList<>();
        for (String id : gone) {
            groups.add(records.group(resource, "sweep: " + resource.id() + " " + id + " vanished")
                    .parent(parentTable, id).removeParent());
            if (resource == Resource.LEADS) {
                groups.addAll(sharedRowsIfNowAUser(id));
            }
        }
        retractions.addAndGet(gone.size());
        return groups;
    }

    /**
     * Notes and event summaries are keyed without the role, so the users side of a lead converted in
     * place emits the same keys the lead's removal just retracted. For a lead that is now a user (one
     * GET per vanished lead: deleted, merged or converted, all rare), those rows are emitted again
     * after the tombstones, as rows of no parent: the users side owns them in the store.
     */
    private List<RecordFactory.Group> sharedRowsIfNowAUser(String id) {
        if (!records.enabled(Tables.NOTES) && !records.enabled(Tables.EVENTS_SUMMARY)) {
            return List.of();
        }
        String context = "leads sweep contact " + id;
        JsonNode contact;
        try {
            requests++;
            contact = client.get("/contacts/" + SubLists.encode(id), context);
        } catch (IntercomApiException e) {
            if (FollowUpPlan.revealsDelete(e)) {
                return List.of(); // deleted or merged: its rows go with it
            }
            throw e;
        }
        if (!"user".equals(JsonPaths.text(contact, "role"))) {
            return List.of();
        }
        RecordFactory.Group group = records.group(resource, "sweep: lead " + id + " became a user");
        if (records.enabled(Tables.NOTES)) {
            requests++;
            SubLists.fetchAll(client, "/contacts/" + SubLists.encode(id) + "/notes?per_page=50", context + " notes",
                    "notes").forEach(note -> group.add(Tables.NOTES, ContactGroups.aboutContact(note, id)));
        }
        if (records.enabled(Tables.EVENTS_SUMMARY)) {
            requests++;
            JsonNode events = client.get("/events?type=user&summary=true&intercom_user_id=" + SubLists.encode(id),
                    context + " event summary");
            SubLists.itemsOf(events.get("events"), "events")
                    .forEach(event -> group.addChild(Tables.EVENTS_SUMMARY, event, "user_id", id));
        }
        return group.isEmpty() ? List.of() : List.of(group);
    }

    /**
     * A group holding the object and its current links of every covered table, when any differs
     * from the stored keys; null when they all match.
     */
    private RecordFactory.Group linksChanged(String id, JsonNode object) {
        Map<String, List<JsonNode>> links = currentLinks(id, object);
        boolean differs = false;
        boolean retracts = false;
        for (Map.Entry<String, List<JsonNode>> table : links.entrySet()) {
            Set<String> now = new HashSet<>();
            table.getValue().forEach(item -> {
                String childId = JsonPaths.text(item, "id");
                if (childId != null) {
                    now.add(childId);
                }
            });
            Set<String> stored = keys.childIds(resource, id, table.getKey());
            differs |= !now.equals(stored);
            retracts |= !now.containsAll(stored);
        }
        QuietContactChildren.Changes quiet = quietChildren == null ? null : quietChildren.compare(id, object);
        if (quiet != null && quiet.any()) {
            differs = true;
            retracts |= quiet.retracts();
        }
        if (!differs) {
            return null;
        }
        String parentKey = parentTable() + "_pk";
        Set<String> covered = new HashSet<>(links.keySet());
        if (quiet != null) {
            covered.addAll(quiet.tables());
        }
        RecordFactory.Group group = records.group(resource, "sweep: " + resource.id() + " " + id + " links")
                .parent(parentTable(), id).covering(covered);
        group.add(parentTable(), object);
        if (!group.lastSkipped()) {
            links.forEach((table, items) -> items.forEach(item -> group.addChild(table, item, parentKey, id)));
            if (quiet != null && quiet.any()) {
                requests += quietChildren.addCurrent(group, id, object, quiet);
            }
        }
        if (retracts) {
            retractions.incrementAndGet();
        }
        return group;
    }

    /** The enabled link tables the sweep compares, each with the object's current items. */
    private Map<String, List<JsonNode>> currentLinks(String id, JsonNode object) {
        Map<String, List<JsonNode>> links = new LinkedHashMap<>();
        if (resource == Resource.CONVERSATIONS) {
            if (records.enabled(Tables.CONVERSATIONS_TAGS)) {
                links.put(Tables.CONVERSATIONS_TAGS, SubLists.itemsOf(object.get("tags"), "tags"));
            }
            return links;
        }
        RoleTables tables = RoleTables.of(resource);
        if (records.enabled(tables.tags())) {
            links.put(tables.tags(), fullList(id, object, "tags"));
        }
        if (records.enabled(tables.companies())) {
            links.put(tables.companies(), fullList(id, object, "companies"));
        }
        return links;
    }

    /** A contact's inline list, or the whole list from its URL where Intercom truncated it (as {@link ContactGroups}). */
    private List<JsonNode> fullList(String id, JsonNode contact, String field) {
        JsonNode inline = contact.get(field);
        if (!SubLists.isTruncated(inline)) {
            return SubLists.itemsOf(inline, field);
        }
        String url = SubLists.listUrl(inline, "/contacts/" + SubLists.encode(id) + "/" + field);
        requests++;
        return SubLists.fetchAll(client, url, resource.id() + " sweep contact " + id + " " + field, field);
    }

    private String parentTable() {
        return resource == Resource.CONVERSATIONS ? Tables.CONVERSATIONS : RoleTables.of(resource).parent();
    }
}
