package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
 *
 * <p>A {@link #countGated() count-gated} sweep (issue 17: most days nothing was deleted) reads the
 * first page as above, then compares the search's {@code total_count} with the parents the store
 * holds: when they are equal the listing stops there, so nothing can be found vanished, and the
 * step set by {@link #whenGated} runs instead of the rest; otherwise (or without a total_count) it
 * lists in full. The parents the store holds are counted with those Intercom counts that the store
 * never holds ({@link NeverStored}: rows that cannot be built, objects without a usable id or
 * {@code updated_at}, objects updated before {@code intercom.since}), which each full listing counts;
 * until one has, and when the first page shows an object the store can hold but does not, it lists
 * in full. What it then misses (links changed without {@code updated_at} moving on objects past the
 * first page, a delete offset by an object the store does not know yet off the first page) waits
 * for the next full sweep.
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
    private final SweepLinks links;
    private final ConvertedLeadRows convertedLeads;

    private String cursor;
    private boolean listed;
    private long requests;
    /** Groups made from each page's listed objects besides the sweep's own (event summaries of active contacts), or null. */
    private Function<List<JsonNode>, List<RecordFactory.Group>> perPage;
    private final ListingGate gate;
    /** intercom.since: objects updated before it are out of scope (unix seconds; 0: none). */
    private long since;
    /** What runs when the gate stops the listing, before {@code then}; or null. */
    private SweepStep whenGated;
    /** Whether the gate stopped the listing at its first page. */
    private boolean stoppedByGate;

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
        this.links = new SweepLinks(resource, client, records, retractions);
        this.convertedLeads = new ConvertedLeadRows(client, records);
        this.gate = new ListingGate(resource);
    }

    /**
     * Stops the listing after its first page when its total_count equals the parents the store holds
     * plus those the last full listing found it never holds, and is above {@code minObjects}: a
     * smaller listing is read in full whatever the counts.
     */
    SearchSweep countGated(long minObjects) {
        gate.above(minObjects);
        return this;
    }

    /**
     * Keeps what a full listing counts beyond the store in {@code holder}, and gates by it: the
     * resource's, shared by its sweeps. Without one the sweep has its own, so a gated sweep lists in full.
     */
    SearchSweep learningInto(NeverStored holder) {
        gate.learnsInto(holder);
        return this;
    }

    /**
     * Lists only objects updated from {@code since} on (intercom.since, unix seconds; 0: all): older
     * ones were never read by the passes and are no business of the sweep either.
     */
    SearchSweep from(long since) {
        this.since = since;
        return this;
    }

    /** Runs {@code step} when the count gate stops the listing (the search for active contacts). */
    SearchSweep whenGated(SweepStep step) {
        this.whenGated = step;
        return this;
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
        return listed && !gatedStepDue() && (then == null || then.done());
    }

    @Override
    public long requests() {
        return requests + links.requests() + convertedLeads.requests() + (then == null ? 0 : then.requests())
                + (whenGated == null ? 0 : whenGated.requests());
    }

    private boolean gatedStepDue() {
        return stoppedByGate && whenGated != null && !whenGated.done();
    }

    @Override
    public List<RecordFactory.Group> step() {
        if (listed) {
            if (gatedStepDue()) {
                return whenGated.step();
            }
            return then == null || then.done() ? List.of() : then.step();
        }
        String context = resource.id() + " sweep" + (cursor == null ? ", first page" : ", cursor " + cursor);
        JsonNode answer = client.post(path, query.body(since, false, cursor), context);
        requests++;
        SearchQuery.Page page = query.read(answer, cursor, context);
        List<JsonNode> unknown = new ArrayList<>();
        List<RecordFactory.Group> groups = new ArrayList<>();
        for (SearchQuery.Hit hit : page.hits()) {
            boolean firstSight = seen.add(hit.id());
            boolean stored = keys.contains(resource, hit.id());
            if (hit.updatedAt() < since) {
                // Day-granular search (before 2.17) answers since's whole day: the earlier part is out of scope.
                if (!stored && firstSight) {
                    gate.neverStored();
                }
                continue;
            }
            if (!stored) {
                // One whose row cannot be built was skipped and reported (counted, logged, sent to the
                // errors topic) by the pass that read it: the sweep leaves it alone, not reporting it again.
                if (records.builds(parentTable(), hit.object())) {
                    unknown.add(hit.object());
                } else if (firstSight) {
                    gate.neverStored();
                }
            } else {
                RecordFactory.Group changed = links.changed(hit.id(), hit.object());
                if (changed != null) {
                    groups.add(changed);
                }
            }
        }
        // An object without a usable updated_at is still there: its stored rows stay.
        page.unusable().forEach(object -> {
            String id = JsonPaths.text(object.object(), "id");
            if (id == null || seen.add(id) && !keys.contains(resource, id)) {
                gate.neverStored();
            }
        });
        stoppedByGate = gate.on() && cursor == null && gate.stops(SearchQuery.totalCount(answer),
                keys.enabled() ? keys.size(resource) : -1, !unknown.isEmpty());
        if (!unknown.isEmpty()) {
            groups.addAll(0, fullGroups.start(unknown).await());
        }
        if (perPage != null && !stoppedByGate) {
            groups.addAll(perPage.apply(page.hits().stream().map(SearchQuery.Hit::object).toList()));
        }
        cursor = stoppedByGate ? null : page.nextCursor();
        if (cursor == null) {
            listed = true;
            if (!stoppedByGate) {
                gate.listedInFull();
                groups.addAll(vanished());
            }
        }
        return groups;
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
                groups.addAll(convertedLeads.ifNowAUser(id));
            }
        }
        retractions.addAndGet(gone.size());
        return groups;
    }

    private String parentTable() {
        return SweepLinks.parentTable(resource);
    }
}
