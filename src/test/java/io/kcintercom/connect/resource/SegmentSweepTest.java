package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link SegmentSweep} against the sample-workspace fake: memberships that moved without the
 * contact's {@code updated_at} (joins, leaves), a segment deleted from the workspace, a member the
 * store does not know yet, and what it costs: one GET /segments and one search page per 150
 * members of each segment, no per-contact request.
 */
class SegmentSweepTest {
    private static final String PREFIX = "sweep.";
    private static final String DELETED_SEGMENT = "5f00000000000000000000de";

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Resource.class, names = {"USERS", "LEADS"})
    void joinsLeavesADeletedSegmentAndAMemberNotYetEmitted(Resource resource) {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        RoleTables tables = RoleTables.of(resource);
        String role = role(resource);
        SweepTestKeys stored = storedAsListed(ws, resource);
        List<String> ids = ws.contactIds(role);
        String segment = segmentsOf(ws, resource).get(0);
        String joiner = ids.stream().filter(id -> !segmentIds(ws, id).contains(segment)).findFirst().orElseThrow();
        List<String> members = ids.stream().filter(id -> segmentIds(ws, id).contains(segment)).toList();
        String leaver = members.get(0);
        String unknown = members.get(1); // created since the last contact pass: not in the store
        String inDeleted = members.get(2);
        ws.moveSegmentMembership(joiner, segment, true);
        ws.moveSegmentMembership(leaver, segment, false);
        stored.removeParent(resource, unknown);
        stored.add(resource, inDeleted, tables.segments(), DELETED_SEGMENT);
        fake.resetCounters();

        SegmentSweep sweep = new SegmentSweep(resource, client(fake), records(stored), stored);
        List<SourceRecord> out = run(sweep);

        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(joiner + "|" + segment, "row");
        expected.put(leaver + "|" + segment, "tombstone");
        expected.put(inDeleted + "|" + DELETED_SEGMENT, "tombstone");
        assertEquals(expected, memberships(out, tables), "only what changed, and nothing for " + unknown);
        assertEquals(1, sweep.joins());
        assertEquals(2, sweep.leaves());
        assertEquals(segmentIds(ws, unknown).size(), sweep.unknownMembers(),
                "the member the store does not know is skipped in each of its segments");
        assertEquals(1, fake.requestCount("GET /segments"));
        long pages = expectedPages(ws, resource);
        assertEquals(pages, fake.requestCount("POST /contacts/search"),
                "every segment searched for the role, a page per 150 members (an empty page at least)");
        assertEquals(1 + pages, fake.totalRequests(), "no per-contact request");
        assertEquals(1 + pages, sweep.requests());

        // The store now holds what was emitted: a second sweep finds nothing to change.
        stored.applySegments(resource, PREFIX, out);
        SegmentSweep again = new SegmentSweep(resource, client(fake), records(stored), stored);
        assertEquals(List.of(), run(again), "nothing moved since");
        assertEquals(segmentIds(ws, unknown).size(), again.unknownMembers(), "still not emitted by a contact pass");
    }

    @Test
    void aGatedSweepReadsOnePagePerSegmentWhenTheCountsEqualTheStoredMembersAndInFullWhereTheyDiffer() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.USERS);
        String large = largeUserSegment(ws);
        NeverStored learned = learnedByAFullSweep(fake, stored);
        fake.resetCounters();

        SegmentSweep unchanged = gated(fake, stored, learned);
        assertEquals(List.of(), run(unchanged), "nothing moved, nothing emitted");
        assertEquals(ws.segments().size(), fake.requestCount("POST /contacts/search"),
                "one page per segment, also for the segment of " + members(ws, Resource.USERS, large) + " members");
        assertEquals(1, fake.requestCount("GET /segments"));
        assertEquals(1 + ws.segments().size(), unchanged.requests());

        // A member leaves the large segment: its count differs, so it alone is read in full.
        String leaver = ws.contactIdsNewestFirst("user").stream()
                .filter(id -> segmentIds(ws, id).contains(large)).findFirst().orElseThrow();
        ws.moveSegmentMembership(leaver, large, false);
        fake.resetCounters();
        SegmentSweep left = gated(fake, stored, learned);
        List<SourceRecord> out = run(left);

        assertEquals(Map.of(leaver + "|" + large, "tombstone"), memberships(out, RoleTables.of(Resource.USERS)));
        long largePages = fullReadPages(members(ws, Resource.USERS, large));
        assertEquals(ws.segments().size() - 1 + largePages, fake.requestCount("POST /contacts/search"));
    }

    /**
     * The trade-off of gating (documented with intercom.reconcile.full.interval.ms): a member swapped
     * for another off the first page leaves the count as it was, so only the next full sweep sees it.
     */
    @Test
    void aMemberSwappedForAnotherIsMissedByAGatedSweepAndFoundByTheNextFullOne() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.USERS);
        String large = largeUserSegment(ws);
        NeverStored learned = learnedByAFullSweep(fake, stored);
        // The most recently updated: the search lists them last, past the first page of 150.
        List<String> ids = ws.contactIdsNewestFirst("user");
        String leaver = ids.stream().filter(id -> segmentIds(ws, id).contains(large)).findFirst().orElseThrow();
        String joiner = ids.stream().filter(id -> !segmentIds(ws, id).contains(large)).findFirst().orElseThrow();
        ws.moveSegmentMembership(leaver, large, false);
        ws.moveSegmentMembership(joiner, large, true);

        assertEquals(List.of(), run(gated(fake, stored, learned)),
                "the count is unchanged and neither is on the first page");
        List<SourceRecord> full = run(new SegmentSweep(Resource.USERS, client(fake), records(stored), stored, false,
                SegmentSweep.NEVER_GATED, learned));

        Map<String, String> expected = new TreeMap<>(Map.of(leaver + "|" + large, "tombstone",
                joiner + "|" + large, "row"));
        assertEquals(expected, new TreeMap<>(memberships(full, RoleTables.of(Resource.USERS))));
    }

    /**
     * Issue 17 follow-up: a segment's total_count also counts members whose contact the store never
     * holds. The first gated sweep reads every segment in full and counts them; the next stops each
     * segment at its first page; a member leaving then makes the counts differ, where the stored
     * members alone would have matched by accident.
     */
    @Test
    void aGatedSweepCountsTheMembersTheStoreDoesNotKnowSoALeaverIsNotOffsetByThem() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.USERS);
        String large = largeUserSegment(ws);
        List<String> newestMembers = ws.contactIdsNewestFirst("user").stream()
                .filter(id -> segmentIds(ws, id).contains(large)).toList();
        // Never emitted: updated before the resource's intercom.since, which the sweeps are given.
        String outOfScope = newestMembers.get(newestMembers.size() - 1);
        long since = ws.contact(outOfScope).get("updated_at").asLong() + 1;
        stored.removeParent(Resource.USERS, outOfScope);
        NeverStored learned = new NeverStored();
        fake.resetCounters();

        assertEquals(List.of(), run(gated(fake, stored, learned).from(since)), "nothing moved");
        assertEquals(expectedPages(ws, Resource.USERS), fake.requestCount("POST /contacts/search"),
                "nothing counted since the start: every segment read in full");
        assertEquals(1, learned.members(large));
        fake.resetCounters();
        assertEquals(List.of(), run(gated(fake, stored, learned).from(since)));
        assertEquals(ws.segments().size(), fake.requestCount("POST /contacts/search"),
                "then one page per segment: the unknown member is counted with the stored ones");

        String leaver = newestMembers.get(0);
        ws.moveSegmentMembership(leaver, large, false);
        fake.resetCounters();
        List<SourceRecord> out = run(gated(fake, stored, learned).from(since));

        assertEquals(Map.of(leaver + "|" + large, "tombstone"), memberships(out, RoleTables.of(Resource.USERS)));
        long largePages = fullReadPages(members(ws, Resource.USERS, large));
        assertEquals(ws.segments().size() - 1 + largePages, fake.requestCount("POST /contacts/search"));
    }

    /**
     * A member whose contact the store does not hold yet (created since the last contact pass) is no
     * member the store never holds: its segment is not counted, so the next gated sweep reads it in
     * full again and adds the membership once the contact's pass has stored it.
     */
    @Test
    void aGatedSweepReadsASegmentInFullAgainWhileAMemberWaitsForItsContactPass() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.USERS);
        String large = largeUserSegment(ws);
        // The newest: past the first page of 150, where no join can show it.
        String newcomer = ws.contactIdsNewestFirst("user").stream()
                .filter(id -> segmentIds(ws, id).contains(large)).findFirst().orElseThrow();
        stored.removeParent(Resource.USERS, newcomer);
        NeverStored learned = new NeverStored();

        assertEquals(List.of(), run(gated(fake, stored, learned)), "its memberships wait for the contact");
        assertEquals(NeverStored.UNKNOWN, learned.members(large), "not counted as a member never stored");

        stored.put(Resource.USERS, newcomer); // its pass emits it; a pass never lists memberships
        List<SourceRecord> out = run(gated(fake, stored, learned));

        Map<String, String> expected = new TreeMap<>();
        segmentIds(ws, newcomer).forEach(s -> expected.put(newcomer + "|" + s, "row"));
        assertEquals(expected, new TreeMap<>(memberships(out, RoleTables.of(Resource.USERS))));
        assertEquals(0, learned.members(large));
    }

    /** A member swapped for another, the joiner on the first page: the counts agree, the join reads it in full. */
    @Test
    void aGatedSweepReadsASegmentInFullWhenItsFirstPageHoldsAJoin() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.USERS);
        String large = largeUserSegment(ws);
        NeverStored learned = learnedByAFullSweep(fake, stored);
        List<String> newestFirst = ws.contactIdsNewestFirst("user");
        String leaver = newestFirst.stream().filter(id -> segmentIds(ws, id).contains(large)).findFirst().orElseThrow();
        String joiner = newestFirst.get(newestFirst.size() - 1); // the least recently updated: on the first page
        assertFalse(segmentIds(ws, joiner).contains(large), "the sample workspace's oldest user is not in it");
        ws.moveSegmentMembership(leaver, large, false);
        ws.moveSegmentMembership(joiner, large, true);
        fake.resetCounters();

        List<SourceRecord> out = run(gated(fake, stored, learned));

        assertEquals(new TreeMap<>(Map.of(leaver + "|" + large, "tombstone", joiner + "|" + large, "row")),
                new TreeMap<>(memberships(out, RoleTables.of(Resource.USERS))));
        long largePages = fullReadPages(members(ws, Resource.USERS, large));
        assertEquals(ws.segments().size() - 1 + largePages, fake.requestCount("POST /contacts/search"),
                "that segment in full, the others at their first page");
    }

    @Test
    void aSegmentOfMoreThan150MembersIsReadPageByPageAndNoMemberOfALaterPageIsRetracted() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.USERS);
        String large = largeUserSegment(ws);
        long membersOfLarge = members(ws, Resource.USERS, large);
        fake.resetCounters();

        SegmentSweep sweep = new SegmentSweep(Resource.USERS, client(fake), records(stored), stored);
        List<SourceRecord> out = run(sweep);

        assertEquals(List.of(), out, membersOfLarge + " members over " + fullReadPages(membersOfLarge)
                + " pages, none retracted, none added");
        assertEquals(expectedPages(ws, Resource.USERS), fake.requestCount("POST /contacts/search"));
    }

    @Test
    void withoutAStoreEveryListedMembershipIsEmittedAndNothingRetracted() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);

        SegmentSweep sweep = new SegmentSweep(Resource.USERS, client(fake), records(EmittedKeys.NONE),
                EmittedKeys.NONE);
        List<SourceRecord> out = run(sweep);

        Map<String, String> expected = new LinkedHashMap<>();
        for (String id : ws.contactIds("user")) {
            segmentIds(ws, id).forEach(s -> expected.put(id + "|" + s, "row"));
        }
        assertFalse(expected.isEmpty());
        assertEquals(new TreeSet<>(expected.keySet()),
                new TreeSet<>(memberships(out, RoleTables.of(Resource.USERS)).keySet()));
        assertTrue(out.stream().allMatch(r -> r.value() != null), "no tombstone without a store");
        assertEquals(expected.size(), out.size(), "each membership once");
    }

    @Test
    void aResyncSweepResendsEveryMembershipTheStoreHoldsAndStillRetractsWhatLeft() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.USERS);
        String segment = segmentsOf(ws, Resource.USERS).get(0);
        String leaver = ws.contactIds("user").stream().filter(id -> segmentIds(ws, id).contains(segment))
                .findFirst().orElseThrow();
        ws.moveSegmentMembership(leaver, segment, false);

        List<SourceRecord> out = run(new SegmentSweep(Resource.USERS, client(fake), records(stored), stored, true));

        Map<String, String> expected = new TreeMap<>();
        for (String id : ws.contactIds("user")) {
            segmentIds(ws, id).forEach(s -> expected.put(id + "|" + s, "row"));
        }
        expected.put(leaver + "|" + segment, "tombstone");
        assertEquals(expected, new TreeMap<>(memberships(out, RoleTables.of(Resource.USERS))),
                "every current membership again (a re-sync), and the one that left retracted");
    }

    @Test
    void aRoleWhoseSegmentsTableIsOffCostsNothing() {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        SweepTestKeys stored = storedAsListed(ws, Resource.LEADS);
        RecordFactory onlyUsers = new RecordFactory(PREFIX, List.of(Tables.LEADS, Tables.USERS_SEGMENTS),
                BadObjects.skipping(), stored);

        SegmentSweep sweep = new SegmentSweep(Resource.LEADS, client(fake), onlyUsers, stored);

        assertTrue(sweep.done());
        assertEquals(List.of(), run(sweep));
        assertEquals(0, fake.totalRequests());
    }

    @Test
    void aSegmentsListWithoutItsArrayFailsTheStepInsteadOfRetractingEveryMembership() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlPathEqualTo("/segments")).willReturn(okJson("{\"type\":\"segment.list\"}")));
        SweepTestKeys stored = new SweepTestKeys().add(Resource.USERS, "c1", Tables.USERS_SEGMENTS, "s1");
        SegmentSweep sweep = new SegmentSweep(Resource.USERS, client(wm.baseUrl()), records(stored), stored);

        DataException e = assertThrows(DataException.class, sweep::step);

        assertTrue(e.getMessage().contains("'segments' array"), e.getMessage());
        assertFalse(sweep.done());
        assertEquals(0, sweep.leaves(), "s1 is not taken for deleted");
    }

    @Test
    void aSegmentsListOverTwoPagesIsReadWholeBeforeAnyMembershipIsJudged() {
        WireMockServer wm = wireMock();
        wm.stubFor(get(urlPathEqualTo("/segments")).withQueryParam("page", absent()).willReturn(okJson(
                "{\"type\":\"segment.list\",\"segments\":[{\"type\":\"segment\",\"id\":\"s1\"}],"
                        + "\"pages\":{\"next\":\"" + wm.baseUrl() + "/segments?page=2\"}}")));
        wm.stubFor(get(urlPathEqualTo("/segments")).withQueryParam("page", equalTo("2")).willReturn(okJson(
                "{\"type\":\"segment.list\",\"segments\":[{\"type\":\"segment\",\"id\":\"s2\"}],"
                        + "\"pages\":{\"next\":null}}")));
        for (String segment : List.of("s1", "s2")) {
            String members = segment.equals("s2") ? "{\"type\":\"contact\",\"id\":\"c1\",\"updated_at\":1}" : "";
            wm.stubFor(post(urlPathEqualTo("/contacts/search"))
                    .withRequestBody(matchingJsonPath("$.query.value[1].value", equalTo(segment)))
                    .willReturn(okJson("{\"type\":\"list\",\"data\":[" + members + "]}")));
        }
        SweepTestKeys stored = new SweepTestKeys().add(Resource.USERS, "c1", Tables.USERS_SEGMENTS, "s2");
        SegmentSweep sweep = new SegmentSweep(Resource.USERS, client(wm.baseUrl()), records(stored), stored);

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of(), out, "c1 stays in s2, which the second page lists");
        assertEquals(4, sweep.requests(), "two pages of segments, one search page each");
        assertEquals(1, wm.findAll(postRequestedFor(urlPathEqualTo("/contacts/search"))
                .withRequestBody(matchingJsonPath("$.query.value[0].value", equalTo("user")))
                .withRequestBody(matchingJsonPath("$.query.value[1].field", equalTo("segment_id")))
                .withRequestBody(matchingJsonPath("$.pagination.per_page", equalTo("150")))
                .withRequestBody(matchingJsonPath("$.sort.order", equalTo("ascending")))
                .withRequestBody(matchingJsonPath("$.query.value[1].value", equalTo("s2")))).size());
    }

    // ---------------------------------------------------------------- fixtures

    private static SampleWorkspace workspace() {
        // 600 of each role over 3 segments each (a contact is in 0-2 of its role's): some pass 150 members.
        return SampleWorkspace.generate(1717, SampleWorkspace.Sizes.builder().users(600).leads(600).segments(6)
                .build(), Instant.parse("2026-12-03T06:00:00Z"));
    }

    private FakeIntercom fake(SampleWorkspace ws) {
        FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token("sweep-token")
                .rateLimitPer10s(0).workspaceTimeZone("UTC").build());
        closeables.add(fake);
        return fake;
    }

    private IntercomClient client(FakeIntercom fake) {
        return client(fake.baseUrl());
    }

    private WireMockServer wireMock() {
        WireMockServer wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        closeables.add(wm::stop);
        return wm;
    }

    private IntercomClient client(String baseUrl) {
        IntercomClient client = new IntercomClient(new IntercomClient.Settings(baseUrl, "sweep-token", "2.11",
                5_000, 20, 10_000));
        closeables.add(client);
        return client;
    }

    private static RecordFactory records(EmittedKeys keys) {
        List<String> tables = new ArrayList<>(Resource.USERS.tables());
        tables.addAll(Resource.LEADS.tables());
        return new RecordFactory(PREFIX, tables, BadObjects.skipping(), keys);
    }

    /** A users sweep gated at every size, gating by what {@code learned} holds. */
    private SegmentSweep gated(FakeIntercom fake, SweepTestKeys stored, NeverStored learned) {
        return new SegmentSweep(Resource.USERS, client(fake), records(stored), stored, false, 0, learned);
    }

    /** What a full users sweep, which changes nothing, counts for the gated ones after it. */
    private NeverStored learnedByAFullSweep(FakeIntercom fake, SweepTestKeys stored) {
        NeverStored learned = new NeverStored();
        assertEquals(List.of(), run(new SegmentSweep(Resource.USERS, client(fake), records(stored), stored, false,
                SegmentSweep.NEVER_GATED, learned)), "the store holds what Intercom lists");
        return learned;
    }

    /** Runs the sweep to its end, a step at a time: at most one request a step. */
    private static List<SourceRecord> run(SegmentSweep sweep) {
        List<SourceRecord> out = new ArrayList<>();
        for (int step = 0; step < 10_000; step++) {
            if (sweep.done()) {
                return out;
            }
            long before = sweep.requests();
            for (RecordFactory.Group group : sweep.step()) {
                out.addAll(group.toRecords(Map.of(), Map.of()));
            }
            assertTrue(sweep.requests() - before <= 1, "one request a step at most");
        }
        return fail("the sweep did not end");
    }

    /** A store that holds every contact of the role with the segments Intercom lists for it. */
    private static SweepTestKeys storedAsListed(SampleWorkspace ws, Resource resource) {
        SweepTestKeys stored = new SweepTestKeys();
        for (String id : ws.contactIds(role(resource))) {
            stored.add(resource, id, RoleTables.of(resource).segments(), segmentIds(ws, id).toArray(String[]::new));
        }
        return stored;
    }

    /** "contact|segment" -> "row" or "tombstone", for the records of the role's segments table. */
    private static Map<String, String> memberships(List<SourceRecord> out, RoleTables tables) {
        Map<String, String> found = new LinkedHashMap<>();
        for (SourceRecord r : out) {
            assertEquals(PREFIX + tables.segments(), r.topic(), "only membership rows");
            Struct key = (Struct) r.key();
            String previous = found.put(key.get(tables.parentKey()) + "|" + key.get("id"),
                    r.value() == null ? "tombstone" : "row");
            assertEquals(null, previous, "one record per membership");
        }
        return found;
    }

    private static long expectedPages(SampleWorkspace ws, Resource resource) {
        return ws.segments().stream().map(s -> s.get("id").asText())
                .mapToLong(s -> Math.max(1, fullReadPages(members(ws, resource, s)))).sum();
    }

    /** The first users segment of more than 150 members: more than one search page. */
    private static String largeUserSegment(SampleWorkspace ws) {
        return segmentsOf(ws, Resource.USERS).stream()
                .filter(s -> members(ws, Resource.USERS, s) > 150).findFirst().orElseThrow();
    }

    /** Search pages of 150 it takes to read a segment of that many members in full (0 for none). */
    private static long fullReadPages(long members) {
        return (members + 149) / 150;
    }

    private static long members(SampleWorkspace ws, Resource resource, String segment) {
        return ws.contactIds(role(resource)).stream().filter(id -> segmentIds(ws, id).contains(segment)).count();
    }

    private static List<String> segmentsOf(SampleWorkspace ws, Resource resource) {
        String personType = resource == Resource.USERS ? "user" : "contact";
        return ws.segments().stream().filter(s -> s.get("person_type").asText().equals(personType))
                .map(s -> s.get("id").asText()).toList();
    }

    private static List<String> segmentIds(SampleWorkspace ws, String contactId) {
        return ws.contactSegments(contactId).stream().map(s -> s.get("id").asText()).toList();
    }

    private static String role(Resource resource) {
        return resource == Resource.USERS ? "user" : "lead";
    }
}
