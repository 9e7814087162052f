package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the event summary of every contact of one role once (issue 17): {@code GET /events} costs a
 * request per contact (2M of the ~2.4M requests of a 2M-contact first sync), so the first sync
 * emits users and leads without it and this backfill fills {@code events_summary} in afterwards,
 * between passes, as a lower-priority kind of work of the {@link SweepSchedule}.
 *
 * <p>It pages through the contact search (the role filter, {@value SearchQuery#PAGE_SIZE} a page,
 * sorted by {@code updated_at} ascending like {@link SearchSweep}: a contact changed meanwhile
 * moves towards the end, where the backfill still reads it). One step is one search page and that
 * page's summary calls; each contact gets a group covering {@code events_summary}, so the store of
 * emitted keys retracts summaries no longer listed. Its progress, the (updated_at, id) of the last
 * contact done, goes into the resource's offset with each group ({@link SearchPosition.EventsBackfill}),
 * so a restart goes on from there: a new search from that second, skipping the contacts covered.
 * Contacts are done whole seconds at a time (the sort says nothing of the order within a second),
 * the page's last second carried over to the next page, so that position is exact.
 */
final class EventSummaryBackfill implements SweepStep {
    /**
     * Summary requests in flight at once. The backfill is the lowest-priority work of the reader:
     * the pool and the rate budget it shares with the passes' follow-ups and the other resources
     * keep room for them, while 8 parallel calls still take a page of 150 in about 19 round trips.
     */
    static final int CONCURRENT_SUMMARIES = 8;

    private final Resource resource;
    private final IntercomClient client;
    private final String path;
    private final SearchQuery query;
    private final RecordFactory records;
    private final ContactGroups contacts;
    /** Contacts whose summary was read so far, and about how many there are in all (for the progress line). */
    private final AtomicLong done;
    private final AtomicLong expected;

    private SearchPosition.EventsBackfill reached;
    private String cursor;
    /** Hits of the last page's last second, done with the next page, which may hold more of that second. */
    private List<SearchQuery.Hit> carried = new ArrayList<>();
    /** After each group of the last step, the progress it completes. */
    private List<SearchPosition.EventsBackfill> marks = List.of();
    private boolean listed;
    private long requests;

    /** What a backfill, or a sweep's refresh of active contacts, reads summaries with. */
    record Factory(Resource resource, IntercomClient client, String path, SearchQuery query, RecordFactory records,
                   ContactGroups contacts) {
        /** The backfill from its progress, counting the contacts done and expected into the schedule's metrics. */
        EventSummaryBackfill create(SearchPosition.EventsBackfill from, AtomicLong done, AtomicLong expected) {
            return new EventSummaryBackfill(resource, client, path, query, records, contacts, from, done, expected);
        }

        /** A sweep page's groups refreshing the summaries of its contacts active since the last sweep. */
        List<RecordFactory.Group> activeSince(List<JsonNode> listed, long sinceSeconds, AtomicLong requests) {
            return EventSummaryBackfill.activeSince(resource, records, contacts, listed, sinceSeconds, requests);
        }

        /** A gated sweep's search for the contacts active since the last sweep, refreshing their summaries. */
        SweepStep activeSearch(long sinceSeconds, AtomicLong requests) {
            return new ActiveContactsSearch(resource, client, path, sinceSeconds,
                    listed -> activeSince(listed, sinceSeconds, requests));
        }
    }

    EventSummaryBackfill(Resource resource, IntercomClient client, String path, SearchQuery query,
                         RecordFactory records, ContactGroups contacts, SearchPosition.EventsBackfill from,
                         AtomicLong done, AtomicLong expected) {
        this.resource = resource;
        this.client = client;
        this.path = path;
        this.query = query;
        this.records = records;
        this.contacts = contacts;
        this.reached = from;
        this.done = done;
        this.expected = expected;
    }

    @Override
    public boolean done() {
        return listed;
    }

    @Override
    public long requests() {
        return requests;
    }

    /** How far the backfill has got: every contact up to it has had its summary read. */
    SearchPosition.EventsBackfill reached() {
        return reached;
    }

    /** The progress each group of the last step completes, in the order of its groups. */
    List<SearchPosition.EventsBackfill> marks() {
        return marks;
    }

    @Override
    public List<RecordFactory.Group> step() {
        String context = resource.id() + " event summary backfill from " + reached.from()
                + (cursor == null ? ", first page" : ", cursor " + cursor);
        JsonNode answer = client.post(path, query.body(reached.from(), false, cursor), context);
        requests++;
        if (cursor == null) {
            // The search's total_count: every contact from the backfill's second (or day, before 2.17) on; -1 unknown.
            long total = SearchQuery.totalCount(answer);
            expected.set(total < 0 ? -1 : done.get() + total);
        }
        SearchQuery.Page page = query.read(answer, cursor, context);
        cursor = page.nextCursor();
        List<SearchQuery.Hit> todo = uncovered(page.hits());
        carried = new ArrayList<>();
        if (cursor != null && !todo.isEmpty()) {
            long lastSecond = todo.get(todo.size() - 1).updatedAt();
            todo.stream().filter(hit -> hit.updatedAt() == lastSecond).forEach(carried::add);
            todo.removeIf(hit -> hit.updatedAt() == lastSecond);
        }
        List<RecordFactory.Group> groups = summaries(todo);
        listed = cursor == null;
        return groups;
    }

    /** The carried hits and the page's hits not done yet, once each, in (updated_at, id) order. */
    private List<SearchQuery.Hit> uncovered(List<SearchQuery.Hit> hits) {
        Map<String, SearchQuery.Hit> byId = new LinkedHashMap<>();
        carried.forEach(hit -> byId.put(hit.id(), hit));
        for (SearchQuery.Hit hit : hits) {
            if (!reached.covers(hit.updatedAt(), hit.id())) {
                byId.put(hit.id(), hit); // a contact listed again since it changed: its later place counts
            }
        }
        List<SearchQuery.Hit> sorted = new ArrayList<>(byId.values());
        sorted.sort(Comparator.comparingLong(SearchQuery.Hit::updatedAt).thenComparing(SearchQuery.Hit::id));
        return sorted;
    }

    /** Reads the contacts' summaries; a group for each, in their order, each with the progress it completes. */
    private List<RecordFactory.Group> summaries(List<SearchQuery.Hit> hits) {
        List<RecordFactory.Group> groups = summaryGroups(resource, records, contacts,
                hits.stream().map(SearchQuery.Hit::object).toList());
        requests += hits.size();
        done.addAndGet(hits.size());
        List<SearchPosition.EventsBackfill> stepMarks = new ArrayList<>(hits.size());
        hits.forEach(hit -> stepMarks.add(new SearchPosition.EventsBackfill(hit.updatedAt(), hit.id(), 0L)));
        if (!hits.isEmpty()) {
            reached = stepMarks.get(stepMarks.size() - 1);
            // Its progress is only in the offset, and most contacts have no summary: without a record
            // of its own, a restart would read again every page since the last contact with one.
            groups.get(groups.size() - 1).carryingOffset();
        }
        marks = stepMarks;
        return groups;
    }

    /**
     * The groups of a sweep's page that refresh the summaries of contacts active since the previous
     * sweep: their inline {@code last_seen_at} or {@code last_request_at} is after {@code sinceSeconds}
     * and after their {@code updated_at} when that moved too (no request for the others); each covers
     * {@code events_summary}. Counts its requests. Only
     * contacts the store of emitted keys holds: one it does not (updated before the resource's
     * scope, or one whose row cannot be built) has no row for a summary to belong to, and its
     * summary would make it a stored parent that the next full sweep retracts again.
     */
    static List<RecordFactory.Group> activeSince(Resource resource, RecordFactory records, ContactGroups contacts,
                                                 List<JsonNode> listed, long sinceSeconds, AtomicLong requests) {
        List<JsonNode> active = new ArrayList<>();
        EmittedKeys stored = records.emitted();
        for (JsonNode contact : listed) {
            String id = JsonPaths.text(contact, "id");
            if (id != null && stored.enabled() && !stored.contains(resource, id)) {
                continue;
            }
            long activity = Math.max(contact.path("last_seen_at").asLong(0), contact.path("last_request_at").asLong(0));
            long updated = contact.path("updated_at").asLong(0);
            // Updated since, and not active after that update: its pass reads (or has read) a summary
            // at least that fresh, so reading it here too would only repeat the request.
            boolean readByItsPass = updated > sinceSeconds && updated >= activity;
            if (id != null && activity > sinceSeconds && !readByItsPass) {
                active.add(contact);
            }
        }
        requests.addAndGet(active.size());
        return summaryGroups(resource, records, contacts, active);
    }

    /**
     * Reads the listed contacts' summaries, {@value #CONCURRENT_SUMMARIES} at a time; a group for each:
     * its summaries covering {@code events_summary}, or its retraction when a 404 or 410 says it is gone.
     */
    private static List<RecordFactory.Group> summaryGroups(Resource resource, RecordFactory records,
                                                           ContactGroups contacts, List<JsonNode> listed) {
        List<RecordFactory.Group> groups = new ArrayList<>(listed.size());
        String parentTable = RoleTables.of(resource).parent();
        for (int start = 0; start < listed.size(); start += CONCURRENT_SUMMARIES) {
            List<JsonNode> chunk = listed.subList(start, Math.min(listed.size(), start + CONCURRENT_SUMMARIES));
            List<Callable<List<JsonNode>>> calls = new ArrayList<>(chunk.size());
            chunk.forEach(contact -> calls.add(() -> contacts.eventSummariesUnlessGone(JsonPaths.text(contact, "id"))));
            List<List<JsonNode>> answers = contacts.followUps().submitAll(calls).await();
            for (int i = 0; i < chunk.size(); i++) {
                String id = JsonPaths.text(chunk.get(i), "id");
                List<JsonNode> events = answers.get(i);
                if (events == null) {
                    // Deleted or merged since it was listed: retracted as a pass's follow-up would, with
                    // the child rows its listing names, which a task without the state topic only knows so.
                    groups.add(contacts.removedAsListed(chunk.get(i)));
                    continue;
                }
                RecordFactory.Group group = records.group(resource, "event summary of contact " + id)
                        .parent(parentTable, id).covering(List.of(Tables.EVENTS_SUMMARY));
                events.forEach(event -> group.addChild(Tables.EVENTS_SUMMARY, event, "user_id", id));
                groups.add(group);
            }
        }
        return groups;
    }
}
