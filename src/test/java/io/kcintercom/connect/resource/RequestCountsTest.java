package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
 * Requests per endpoint against the sample workspace, where the cost of a sync is decided: no
 * follow-up the contact already answers, and contact passes that cost what changed.
 */
class RequestCountsTest {
    private static final String SEARCH = "POST /contacts/search";
    /** 06:00 UTC: the workspace's day (UTC here) has room for a day of changes after it. */
    private static final Instant GENERATED_AT = Instant.parse("2026-12-03T06:00:00Z");

    private final FakeReaders fixture = new FakeReaders("counts", GENERATED_AT.toEpochMilli() + 3_600_000);
    private final AtomicLong nowMs = fixture.nowMs;

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void notesAreAskedForOnlyForContactsWithNotesAndTagsAndCompaniesOnlyWhenTruncated() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(90).leads(40).heavyContactEvery(9)
                .notesPerContact(2).build());
        FakeIntercom fake = fake(ws);
        List<String> tables = List.of(Tables.USERS, Tables.USERS_TAGS, Tables.USERS_COMPANIES, Tables.LEADS,
                Tables.LEADS_TAGS, Tables.LEADS_COMPANIES, Tables.NOTES);
        List<String> ids = new ArrayList<>(ws.contactIds("user"));
        ids.addAll(ws.contactIds("lead"));

        List<SourceRecord> out = new ArrayList<>(drainPass(reader(Resource.USERS, fake, tables)));
        out.addAll(drainPass(reader(Resource.LEADS, fake, tables)));

        long notesPages = ids.stream().mapToLong(id -> pages(ws.notes(id).size(), 50)).sum();
        long withNotes = ids.stream().filter(id -> !ws.notes(id).isEmpty()).count();
        assertTrue(withNotes > 0 && withNotes < ids.size(), "some contacts have notes, some none: " + withNotes);
        assertEquals(notesPages, fake.requestCount("GET /contacts/{id}/notes"),
                "one notes call (a page each 50 notes) per contact with notes, none for the "
                        + (ids.size() - withNotes) + " without");
        assertEquals(ids.stream().mapToLong(id -> ws.notes(id).size()).sum(),
                out.stream().filter(r -> r.topic().endsWith("." + Tables.NOTES)).count(), "every note emitted");
        assertEquals(ids.stream().filter(id -> ws.contactTags(id).size() > 10).count(),
                fake.requestCount("GET /contacts/{id}/tags"), "tags asked for only when more than 10 (truncated)");
        long truncatedCompanies = ids.stream().filter(id -> ws.contactCompanies(id).size() > 10)
                .mapToLong(id -> pages(ws.contactCompanies(id).size(), 15)).sum();
        assertTrue(truncatedCompanies > 0, "heavy contacts have truncated companies");
        assertEquals(truncatedCompanies, fake.requestCount("GET /contacts/{id}/companies"),
                "companies asked for only when more than 10 (truncated), a page each 15");
    }

    @Test
    void anIdlePassCostsOneSearchPagePerRoleAlsoAfterManyChangesEarlierTheSameDay() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(700).leads(400).build());
        FakeIntercom fake = fake(ws);
        List<String> tables = List.of(Tables.USERS, Tables.LEADS);
        Map<Resource, ResourceReader> readers = new HashMap<>();
        for (Resource role : List.of(Resource.USERS, Resource.LEADS)) {
            readers.put(role, reader(role, fake, tables));
            drainPass(readers.get(role)); // the first sync: everything, oldest first
        }

        // Two bursts of changes this morning, each caught by the next pass, then passes with no change.
        for (int burst = 0; burst < 2; burst++) {
            Map<Resource, Set<String>> changed = new HashMap<>();
            for (Resource role : readers.keySet()) {
                List<String> ids = ws.contactIds(role == Resource.USERS ? "user" : "lead");
                Set<String> touched = new HashSet<>();
                for (int i = burst; i < ids.size() && touched.size() < 250; i += 2) {
                    nowMs.addAndGet(7_000); // one change every 7 s
                    touched.add(ws.updateContact(ids.get(i)));
                }
                changed.put(role, touched);
            }
            nowMs.addAndGet(5_000);
            for (Resource role : readers.keySet()) {
                fake.resetCounters();
                List<String> emitted = ids(drainPass(due(readers.get(role))), role);
                assertEquals(changed.get(role), new HashSet<>(emitted), role + " burst " + burst + ": the changed ones");
                assertEquals(emitted.size(), new HashSet<>(emitted).size(), role + ": each once");
                assertTrue(fake.requestCount(SEARCH) <= 3, role + ": 250 changes, about two pages and the one "
                        + "reaching the position: " + fake.requestCount(SEARCH));
            }
        }
        for (int idle = 0; idle < 3; idle++) {
            nowMs.addAndGet(60_000);
            for (Resource role : readers.keySet()) {
                fake.resetCounters();
                assertEquals(List.of(), drainPass(due(readers.get(role))), role + ": nothing changed");
                assertEquals(1, fake.requestCount(SEARCH), role + ": an idle pass reads one page, though 500 "
                        + "contacts changed earlier today and the search answers all of them");
            }
        }
        assertEquals(fake.requestCount(SEARCH), fake.totalRequests(), "no other request");
    }

    @Test
    void aBulkChangeTooLargeToHoldIsReadOldestFirstAndEmittedOnce() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(1_700).leads(0).build());
        FakeIntercom fake = fake(ws);
        ResourceReader users = reader(Resource.USERS, fake, List.of(Tables.USERS));
        drainPass(users);
        List<String> ids = ws.contactIds("user");
        int bulk = (NewestFirstPass.MAX_PAGES + 1) * 150;
        for (String id : ids.subList(0, bulk)) {
            nowMs.addAndGet(1_000);
            ws.updateContact(id);
        }
        nowMs.addAndGet(5_000);
        fake.resetCounters();

        List<String> emitted = ids(drainPass(due(users)), Resource.USERS);

        assertEquals(Set.copyOf(ids.subList(0, bulk)), new HashSet<>(emitted), "every changed contact");
        assertEquals(bulk, emitted.size(), "each once");
        long pages = fake.requestCount(SEARCH);
        assertTrue(pages > NewestFirstPass.MAX_PAGES && pages <= NewestFirstPass.MAX_PAGES + 1 + 13,
                "the pages read newest first, then the day oldest first: " + pages);
    }

    @Test
    void aRestartInTheMiddleOfHandingOutANewestFirstPassLosesNothingAndRepeatsNothing() {
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(400).leads(0).build());
        FakeIntercom fake = fake(ws);
        ResourceReader first = reader(Resource.USERS, fake, List.of(Tables.USERS));
        drainPass(first);
        List<String> ids = ws.contactIds("user");
        Set<String> changed = new HashSet<>();
        for (int i = 0; i < ids.size(); i += 2) {
            nowMs.addAndGet(3_000);
            changed.add(ws.updateContact(ids.get(i)));
        }
        nowMs.addAndGet(5_000);
        due(first);
        List<SourceRecord> before = new ArrayList<>();
        for (int i = 0; i < 1_000 && before.size() < 120; i++) {
            before.addAll(first.poll(40));
        }
        assertTrue(before.size() >= 120 && before.size() < changed.size(), "mid-pass: " + before.size());
        first.close();

        // The worker committed the offset of the 100th record; the rest of the batch was lost with the task.
        List<SourceRecord> delivered = before.subList(0, 100);
        fake.resetCounters();
        ResourceReader second = fixture.reader(Resource.USERS, fake, props(fake, Resource.USERS, List.of(Tables.USERS)),
                new RecordFactory(fixture.prefix(), List.of(Tables.USERS)), delivered.get(99).sourceOffset());
        List<String> after = ids(drainPass(second), Resource.USERS);

        List<String> all = new ArrayList<>(ids(delivered, Resource.USERS));
        all.addAll(after);
        assertEquals(changed, new HashSet<>(all), "every changed contact");
        assertEquals(changed.size(), all.size(), "each once");
        assertTrue(fake.requestCount(SEARCH) <= 2, "the restart read newest first again: " + fake.requestCount(SEARCH));
    }

    @Test
    void theFakeInlinesNotesInIntercomsShapeAndTheConnectorSkipsIntercomsOwnEmptyExample() throws Exception {
        JsonNode example = new ObjectMapper().readTree(
                Path.of("src/test/resources/intercom-examples/2.11-contact.json").toFile()).get("notes");
        assertFalse(ContactGroups.mayHaveNotes(example), "Intercom's example contact has no note: " + example);
        SampleWorkspace ws = workspace(SampleWorkspace.Sizes.builder().users(40).leads(0).build());
        JsonNode without = ws.contacts("user").stream().map(c -> c.get("notes"))
                .filter(n -> n.get("total_count").asInt() == 0).findFirst().orElseThrow();
        JsonNode with = ws.contacts("user").stream().map(c -> c.get("notes"))
                .filter(n -> n.get("total_count").asInt() > 0).findFirst().orElseThrow();
        List<String> exampleFields = new ArrayList<>();
        example.fieldNames().forEachRemaining(exampleFields::add);
        for (JsonNode fake : List.of(without, with)) {
            List<String> fields = new ArrayList<>();
            fake.fieldNames().forEachRemaining(fields::add);
            assertEquals(exampleFields, fields, "the fake's inline notes: " + fake);
            exampleFields.forEach(f -> assertEquals(example.get(f).getNodeType(), fake.get(f).getNodeType(), f));
        }
        assertFalse(ContactGroups.mayHaveNotes(without));
        assertTrue(ContactGroups.mayHaveNotes(with));
    }

    // ---------------------------------------------------------------- fixtures

    private SampleWorkspace workspace(SampleWorkspace.Sizes sizes) {
        return fixture.workspace(1717, sizes, GENERATED_AT);
    }

    private FakeIntercom fake(SampleWorkspace ws) {
        return fixture.fake(ws);
    }

    private ResourceReader reader(Resource resource, FakeIntercom fake, List<String> tables) {
        return fixture.reader(resource, fake, props(fake, resource, tables), new RecordFactory(fixture.prefix(), tables),
                null);
    }

    /** Pinned to 2.11: these counts are of day-granular contact search, without the deleted listing. */
    private Map<String, String> props(FakeIntercom fake, Resource resource, List<String> tables) {
        Map<String, String> props = fixture.props(fake, resource, tables);
        props.put("intercom.api.version", "2.11");
        props.put("poll.interval.ms", "1000");
        props.put("search.delay.ms", "2000");
        return props;
    }

    private ResourceReader due(ResourceReader reader) {
        return fixture.due(reader);
    }

    private static List<SourceRecord> drainPass(ResourceReader reader) {
        return FakeReaders.drainPass(reader);
    }

    private List<String> ids(List<SourceRecord> records, Resource role) {
        return fixture.ids(records, role.id());
    }

    private static long pages(int items, int perPage) {
        return (items + perPage - 1) / perPage;
    }
}
