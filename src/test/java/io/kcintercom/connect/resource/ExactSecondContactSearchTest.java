package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.ApiVersion;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What API 2.17's exact-second contact search buys, in search requests on the fake: a contact pass
 * that gives up reading newest first (more than {@value NewestFirstPass#MAX_PAGES} pages changed)
 * reads oldest first from its position. Before 2.17 that query answers the position's whole day,
 * every contact changed earlier today included; from 2.17 it answers from the position's second.
 */
class ExactSecondContactSearchTest {
    private static final String SEARCH = "POST /contacts/search";
    /** 01:00 UTC: a day of changes fits after it. */
    private static final Instant GENERATED_AT = Instant.parse("2026-12-03T01:00:00Z");
    /** Contacts changed earlier today, caught by passes then. */
    private static final int EARLIER_TODAY = 3_000;
    /** A bulk change of more pages than a newest-first pass holds. */
    private static final int BULK = (NewestFirstPass.MAX_PAGES + 2) * SearchQuery.PAGE_SIZE;

    private final FakeReaders fixture = new FakeReaders("exact", GENERATED_AT.toEpochMilli() + 600_000);
    private final AtomicLong nowMs = fixture.nowMs;

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    /** Measured: 23 search pages on 2.17, 43 on 2.11 (4,810 contacts changed that day). */
    @Test
    void afterABulkChangeA217PassReadsFromItsPositionsSecondNotItsDay() {
        assertTrue(ApiVersion.of("2.17").exactSecondContactSearch());
        Cost exact = bulkChangeAfterABusyMorning("2.17");
        Cost day = bulkChangeAfterABusyMorning("2.11");

        // Newest first: MAX_PAGES pages, then gives up; oldest first from the position: the bulk's
        // pages, one more for the contact sitting on the position's second (not emitted again).
        long bulkPages = pages(BULK + 1);
        assertEquals(NewestFirstPass.MAX_PAGES + bulkPages, exact.searchPages(),
                "2.17: about 10 + the new pages (+1)");
        // Before 2.17 the oldest-first query answers every contact changed today.
        assertEquals(NewestFirstPass.MAX_PAGES + pages(day.changedToday()), day.searchPages(),
                "2.11: 10 + every page of the day (" + day.changedToday() + " contacts)");
        assertTrue(day.changedToday() >= EARLIER_TODAY + BULK, "the day holds the morning's changes too");
        assertTrue(day.searchPages() - exact.searchPages() >= pages(EARLIER_TODAY) - 1,
                "2.17 saves the morning's pages: " + exact.searchPages() + " vs " + day.searchPages());
        assertEquals(exact.emitted(), day.emitted(), "the same contacts either way");
    }

    /** A first pass from intercom.since late in a busy day: from that second on 2.17, from its midnight before. */
    @Test
    void aFirstPassFromSinceReadsFromThatSecondOn217() {
        Map<String, Long> pagesByVersion = new HashMap<>();
        Map<String, Set<String>> emittedByVersion = new HashMap<>();
        for (String version : List.of("2.17", "2.11")) {
            nowMs.set(GENERATED_AT.toEpochMilli() + 600_000);
            SampleWorkspace ws = workspace();
            FakeIntercom fake = fake(ws);
            List<String> ids = ws.contactIds("user");
            for (String id : ids.subList(0, EARLIER_TODAY)) {
                nowMs.addAndGet(2_000);
                ws.updateContact(id);
            }
            long since = nowMs.get() / 1000 + 1;
            for (String id : ids.subList(EARLIER_TODAY, EARLIER_TODAY + 200)) {
                nowMs.addAndGet(2_000);
                ws.updateContact(id);
            }
            nowMs.addAndGet(5_000);
            ResourceReader users = reader(fake, version,
                    Map.of("intercom.since", Instant.ofEpochSecond(since).toString()));
            emittedByVersion.put(version, Set.copyOf(ids(drainPass(users))));
            pagesByVersion.put(version, fake.requestCount(SEARCH));
            assertEquals(Set.copyOf(ids.subList(EARLIER_TODAY, EARLIER_TODAY + 200)), emittedByVersion.get(version),
                    version + ": the contacts changed since");
        }
        assertEquals(pages(200), pagesByVersion.get("2.17"), "2.17: the pages of what changed since");
        assertTrue(pagesByVersion.get("2.11") >= pages(EARLIER_TODAY + 200),
                "2.11: every page of the day: " + pagesByVersion.get("2.11"));
    }

    @Test
    void anIdlePassCostsOnePageOn217AsOn211() {
        for (String version : List.of("2.17", "2.11")) {
            nowMs.set(GENERATED_AT.toEpochMilli() + 600_000);
            SampleWorkspace ws = workspace();
            FakeIntercom fake = fake(ws);
            ResourceReader users = reader(fake, version);
            drainPass(users);
            for (String id : ws.contactIds("user").subList(0, 400)) {
                nowMs.addAndGet(1_000);
                ws.updateContact(id);
            }
            nowMs.addAndGet(5_000);
            assertEquals(400, ids(drainPass(due(users))).size(), version + ": the changed ones");
            nowMs.addAndGet(60_000);
            fake.resetCounters();
            assertEquals(List.of(), drainPass(due(users)), version + ": nothing changed");
            assertEquals(1, fake.requestCount(SEARCH), version + ": an idle pass reads one page");
        }
    }

    /** The search pages of the pass after the bulk change, what it emitted, and how many contacts changed today. */
    private record Cost(long searchPages, Set<String> emitted, int changedToday) {
    }

    private Cost bulkChangeAfterABusyMorning(String version) {
        nowMs.set(GENERATED_AT.toEpochMilli() + 600_000);
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        ResourceReader users = reader(fake, version);
        drainPass(users); // the first sync
        List<String> ids = ws.contactIds("user");
        // The morning: bursts of changes, each caught by the next pass.
        for (int from = 0; from < EARLIER_TODAY; from += 500) {
            for (String id : ids.subList(from, from + 500)) {
                nowMs.addAndGet(2_000);
                ws.updateContact(id);
            }
            nowMs.addAndGet(5_000);
            assertEquals(500, new HashSet<>(ids(drainPass(due(users)))).size(), version + ": a morning burst");
        }
        List<String> bulk = ids.subList(EARLIER_TODAY, EARLIER_TODAY + BULK);
        for (String id : bulk) {
            nowMs.addAndGet(1_000);
            ws.updateContact(id);
        }
        nowMs.addAndGet(5_000);
        fake.resetCounters();

        List<String> emitted = ids(drainPass(due(users)));

        assertEquals(Set.copyOf(bulk), new HashSet<>(emitted), version + ": every contact of the bulk change");
        assertEquals(BULK, emitted.size(), version + ": each once");
        assertEquals(fake.requestCount(SEARCH), fake.totalRequests(), "no other request");
        long dayStart = nowMs.get() / 86_400_000 * 86_400;
        int changedToday = (int) ws.contacts("user").stream()
                .filter(c -> c.get("updated_at").asLong() >= dayStart).count();
        return new Cost(fake.requestCount(SEARCH), Set.copyOf(emitted), changedToday);
    }

    // ---------------------------------------------------------------- fixtures

    private SampleWorkspace workspace() {
        return fixture.workspace(2017, SampleWorkspace.Sizes.builder().users(EARLIER_TODAY + BULK + 200).leads(0)
                .build(), GENERATED_AT);
    }

    private FakeIntercom fake(SampleWorkspace ws) {
        return fixture.fake(ws);
    }

    private ResourceReader reader(FakeIntercom fake, String version) {
        return reader(fake, version, Map.of());
    }

    private ResourceReader reader(FakeIntercom fake, String version, Map<String, String> more) {
        Map<String, String> props = fixture.props(fake, Resource.USERS, List.of(Tables.USERS));
        props.putAll(more);
        props.put("intercom.api.version", version);
        props.put("poll.interval.ms", "1000");
        props.put("search.delay.ms", "2000");
        return fixture.reader(Resource.USERS, fake, props, new RecordFactory(fixture.prefix(), List.of(Tables.USERS)),
                null);
    }

    private ResourceReader due(ResourceReader reader) {
        return fixture.due(reader);
    }

    private static List<SourceRecord> drainPass(ResourceReader reader) {
        return FakeReaders.drainPass(reader);
    }

    private List<String> ids(List<SourceRecord> records) {
        return fixture.ids(records, Tables.USERS);
    }

    private static long pages(int items) {
        return (items + SearchQuery.PAGE_SIZE - 1) / SearchQuery.PAGE_SIZE;
    }
}
