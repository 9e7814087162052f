package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Event summaries as a backfill after the first sync (issue 17), on the fake: users and leads first
 * without a single {@code /events} call, then exactly one per contact, changes flowing between the
 * backfill's pages, and a restart going on where the offset says.
 */
class EventSummaryBackfillTest {
    private static final String EVENTS = "GET /events";
    private static final Instant GENERATED_AT = Instant.parse("2026-12-03T06:00:00Z");
    private static final List<String> TABLES = List.of(Tables.USERS, Tables.LEADS, Tables.EVENTS_SUMMARY);

    private final FakeReaders fixture = new FakeReaders("events", GENERATED_AT.toEpochMilli() + 3_600_000);
    private final AtomicLong nowMs = fixture.nowMs;

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void theFirstSyncReadsNoSummaryThenTheBackfillReadsEachContactsOnce() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(420).leads(170).eventsPerContact(2)
                .build());
        FakeIntercom fake = fake(ws);
        for (Resource role : List.of(Resource.USERS, Resource.LEADS)) {
            List<String> ids = ws.contactIds(role == Resource.USERS ? "user" : "lead");
            fake.resetCounters();
            ResourceReader reader = reader(role, fake, null);
            List<SourceRecord> out = new ArrayList<>();
            while (ids(out, role).size() < ids.size()) {
                out.addAll(poll(reader));
            }
            assertEquals(0, fake.requestCount(EVENTS), role + ": the first sync reads no summary");
            assertEquals(Set.of(), summaryKeys(out));
            assertEquals(0L, reader.counters().get("events-backfill-contacts").getAsLong(), "not started");

            out.addAll(drainPass(reader));

            assertEquals(ids.size(), fake.requestCount(EVENTS), role + ": one summary call per contact");
            assertEquals(expectedSummaries(ws, ids), summaryKeys(out), role + ": every summary emitted");
            assertEquals(ids.size(), reader.counters().get("events-backfill-contacts").getAsLong());
            assertTrue(lastOffset(out).get(SearchPosition.EVENTS_DONE_AT) != null, "the offset says it is done");

            fake.resetCounters();
            nowMs.addAndGet(60_000);
            drainPass(reader);
            assertEquals(0, fake.requestCount(EVENTS), role + ": no second backfill");
        }
    }

    @Test
    void aContactChangedDuringTheBackfillIsEmittedBeforeItEndsAndNotAskedForTwice() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(600).leads(0).eventsPerContact(1)
                .build());
        FakeIntercom fake = fake(ws);
        ResourceReader reader = reader(Resource.USERS, fake, null);
        List<String> ids = ws.contactIds("user");
        List<SourceRecord> out = new ArrayList<>();
        while (fake.requestCount(EVENTS) == 0) {
            out.addAll(poll(reader));
        }
        long afterOnePage = fake.requestCount(EVENTS);
        assertTrue(afterOnePage <= SearchQuery.PAGE_SIZE, "one backfill page so far: " + afterOnePage);
        Set<String> summarized = new HashSet<>(userIdsOfSummaries(out));
        String changed = ids.stream().filter(id -> !summarized.contains(id)).findFirst().orElseThrow();

        nowMs.addAndGet(5_000);
        ws.updateContact(changed);
        nowMs.addAndGet(5_000); // past poll.interval.ms and search.delay.ms: the next pass is due
        List<SourceRecord> next = new ArrayList<>();
        for (int i = 0; i < 5 && ids(next, Resource.USERS).isEmpty(); i++) {
            next.addAll(poll(reader)); // the pass's page, then its records once its follow-ups are done
        }

        assertEquals(List.of(changed), ids(next, Resource.USERS), "the pass runs before the next backfill page");
        assertEquals(afterOnePage, fake.requestCount(EVENTS), "the pass reads no summary during the backfill");
        out.addAll(next);
        out.addAll(drainPass(reader));
        assertEquals(ids.size(), fake.requestCount(EVENTS), "each contact's summary read once, the changed one too");
        assertEquals(expectedSummaries(ws, ids), summaryKeys(out));
    }

    @Test
    void aRestartInTheMiddleOfTheBackfillGoesOnWhereItWas() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(500).leads(0).eventsPerContact(2)
                .build());
        FakeIntercom fake = fake(ws);
        List<String> ids = ws.contactIds("user");
        ResourceReader first = reader(Resource.USERS, fake, null);
        List<SourceRecord> out = new ArrayList<>();
        while (fake.requestCount(EVENTS) < 2L * SearchQuery.PAGE_SIZE - 20) {
            out.addAll(poll(first));
        }
        long beforeRestart = fake.requestCount(EVENTS);
        assertTrue(beforeRestart < ids.size(), "stopped in the middle: " + beforeRestart);
        Map<String, ?> offset = lastOffset(out);
        assertTrue(offset.get(SearchPosition.EVENTS_FROM) != null && offset.get(SearchPosition.EVENTS_DONE_AT) == null,
                "the offset holds the backfill's progress: " + offset);
        first.close();

        ResourceReader restarted = reader(Resource.USERS, fake, offset);
        nowMs.addAndGet(60_000);
        out.addAll(drainPass(restarted));

        assertEquals(ids.size(), fake.requestCount(EVENTS), "no summary asked for twice, none missing");
        assertEquals(expectedSummaries(ws, ids), summaryKeys(out));
        List<String> keys = new ArrayList<>();
        out.stream().filter(r -> r.topic().endsWith("." + Tables.EVENTS_SUMMARY)).forEach(r -> keys.add(key(r)));
        assertEquals(keys.size(), new HashSet<>(keys).size(), "each summary row emitted once");
    }

    /** Most contacts have no event at all: the backfill's progress reaches the offset all the same. */
    @Test
    void aRestartInTheMiddleOfABackfillOfContactsWithoutEventsGoesOnWhereItWas() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(500).leads(0).eventsPerContact(0)
                .build());
        FakeIntercom fake = fake(ws);
        KeyStore store = new KeyStore("state", List.of(Resource.USERS));
        List<String> ids = ws.contactIds("user");
        ResourceReader first = reader(Resource.USERS, fake, null, store, 0L);
        List<SourceRecord> out = new ArrayList<>();
        while (fake.requestCount(EVENTS) < 2L * SearchQuery.PAGE_SIZE - 20) {
            out.addAll(poll(first));
        }
        out.addAll(poll(first)); // the page's records, once its summary calls are done
        long beforeRestart = fake.requestCount(EVENTS);
        assertTrue(beforeRestart < ids.size(), "stopped in the middle: " + beforeRestart);
        Map<String, ?> offset = lastOffset(out);
        assertTrue(offset.get(SearchPosition.EVENTS_FROM) != null, "the offset holds the backfill's progress: " + offset);
        assertEquals(Set.of(), summaryKeys(out), "no summary to emit");
        first.close();

        ResourceReader restarted = reader(Resource.USERS, fake, offset, store, 0L);
        nowMs.addAndGet(60_000);
        List<SourceRecord> after = drainPass(restarted);

        assertTrue(fake.requestCount(EVENTS) <= ids.size() + SearchQuery.PAGE_SIZE,
                "at most the page in flight at the restart asked for again: " + fake.requestCount(EVENTS));
        assertTrue(lastOffset(after).get(SearchPosition.EVENTS_DONE_AT) != null, "and the offset says it is done");
    }

    @Test
    void aSweepAfterTheBackfillRefreshesOnlyTheSummariesOfContactsActiveSinceThePreviousSweep() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(320).leads(0).eventsPerContact(1)
                .build());
        FakeIntercom fake = fake(ws);
        KeyStore store = new KeyStore("state", List.of(Resource.USERS));
        ResourceReader reader = reader(Resource.USERS, fake, null, store, 3_600_000L);
        List<String> ids = ws.contactIds("user");
        drainPass(reader); // the first sync, the sweep at its end, then the backfill
        assertEquals(ids.size(), fake.requestCount(EVENTS));
        assertEquals(1L, reader.counters().get("sweeps").getAsLong());

        nowMs.addAndGet(60_000);
        Set<String> changed = Set.of(ws.updateContact(ids.get(3)), ws.updateContact(ids.get(200)));
        Set<String> visited = Set.of(ws.visit(ids.get(50)), ws.visit(ids.get(260)));
        nowMs.addAndGet(10_000);
        fake.resetCounters();
        List<SourceRecord> pass = drainPass(due(reader));
        assertEquals(changed, new HashSet<>(ids(pass, Resource.USERS)), "a visit does not move updated_at");
        assertEquals(changed.size(), fake.requestCount(EVENTS), "after the backfill a changed contact's pass reads it");

        nowMs.addAndGet(3_600_000);
        fake.resetCounters();
        List<SourceRecord> swept = new ArrayList<>(drainPass(reader)); // an idle pass
        swept.addAll(drainPass(due(reader))); // then the sweep, due since the pass
        assertEquals(2L, reader.counters().get("sweeps").getAsLong());
        assertEquals(visited.size(), fake.requestCount(EVENTS),
                "only the contacts seen since the last sweep whose pass did not read them already");
        assertEquals(expectedSummaries(ws, List.copyOf(visited)), summaryKeys(swept), "their current summaries");
    }

    @Test
    void anOffsetWithoutTheBackfillFieldsMeansNotDoneAndTheirValuesAreChecked() {
        SearchPosition upgraded = SearchPosition.fromMap(Map.of("updated_at", 1_700_000_000L, "id", "u9"), 0);
        assertFalse(upgraded.events().done());
        assertFalse(upgraded.events().covers(1, "a"), "nothing covered: from the start");
        SearchPosition.validate(Resource.USERS, Map.of("updated_at", 1L, "events_from", 5L, "events_from_id", "u1",
                "events_done_at", 9L));
        Map<String, Object> map = upgraded.withEvents(new SearchPosition.EventsBackfill(5, "u1", 9)).toMap();
        assertEquals(new SearchPosition.EventsBackfill(5, "u1", 9), SearchPosition.fromMap(map, 0).events());
        assertFalse(upgraded.toMap().containsKey(SearchPosition.EVENTS_FROM), "absent until the backfill starts");
    }

    // ---------------------------------------------------------------- fixtures

    private static Set<String> expectedSummaries(SampleWorkspace ws, List<String> ids) {
        Set<String> expected = new HashSet<>();
        ids.forEach(id -> ws.eventSummaries(id).forEach(e -> expected.add(id + "/" + e.path("name").asText())));
        assertFalse(expected.isEmpty(), "the workspace has summaries");
        return expected;
    }

    private static Set<String> summaryKeys(List<SourceRecord> out) {
        Set<String> keys = new HashSet<>();
        out.stream().filter(r -> r.topic().endsWith("." + Tables.EVENTS_SUMMARY) && r.value() != null)
                .forEach(r -> keys.add(key(r)));
        return keys;
    }

    private static String key(SourceRecord r) {
        Struct key = (Struct) r.key();
        return key.get("user_id") + "/" + key.get("name");
    }

    private static List<String> userIdsOfSummaries(List<SourceRecord> out) {
        return out.stream().filter(r -> r.topic().endsWith("." + Tables.EVENTS_SUMMARY))
                .map(r -> String.valueOf(((Struct) r.key()).get("user_id"))).toList();
    }

    private SampleWorkspace workspace(SampleWorkspace.Sizes sizes) {
        return fixture.workspace(1717, sizes, GENERATED_AT);
    }

    private FakeIntercom fake(SampleWorkspace ws) {
        return fixture.fake(ws);
    }

    private ResourceReader reader(Resource resource, FakeIntercom fake, Map<String, ?> offset) {
        return reader(resource, fake, offset, EmittedKeys.NONE, 0L);
    }

    private ResourceReader reader(Resource resource, FakeIntercom fake, Map<String, ?> offset, EmittedKeys store,
                                  long reconcileIntervalMs) {
        Map<String, String> props = fixture.props(fake, resource, TABLES);
        props.put("intercom.api.version", "2.11");
        props.put("poll.interval.ms", "1000");
        props.put("search.delay.ms", "2000");
        props.put("intercom.reconcile.interval.ms", String.valueOf(reconcileIntervalMs));
        // Every sweep lists in full: these tests count what a full listing refreshes. A gated sweep finds
        // active contacts with a search on last_seen_at instead (SweepScheduleTest).
        props.put("intercom.reconcile.full.interval.ms", "0");
        return fixture.reader(resource, fake, props, new RecordFactory(fixture.prefix(), TABLES,
                BadObjects.skipping(), store), offset);
    }

    private ResourceReader due(ResourceReader reader) {
        return fixture.due(reader);
    }

    private static List<SourceRecord> poll(ResourceReader reader) {
        return reader.poll(10_000);
    }

    private static List<SourceRecord> drainPass(ResourceReader reader) {
        return FakeReaders.drainPass(reader);
    }

    private static Map<String, ?> lastOffset(List<SourceRecord> out) {
        return out.get(out.size() - 1).sourceOffset();
    }

    private List<String> ids(List<SourceRecord> records, Resource role) {
        return ids(records, role.id());
    }

    private List<String> ids(List<SourceRecord> records, String table) {
        return fixture.ids(records, table);
    }
}
