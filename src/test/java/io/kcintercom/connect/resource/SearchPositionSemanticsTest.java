package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The position semantics of {@link SearchReader} on contact search, whose date filter is day
 * granular: the client-side (updated_at, id) filter, seconds spanning pages, the search delay and
 * index lag, the offsets of a group, and resuming from a stored offset.
 */
class SearchPositionSemanticsTest extends ReaderTestSupport {
    static final String PATH = "/contacts/search";
    static final long POLL_MS = 60_000;
    static final long DELAY_MS = 60_000;

    SearchReader usersReader(SearchPosition start, String... tables) {
        RecordFactory records = records(tables.length == 0 ? new String[] {Tables.USERS} : tables);
        ContactGroups groups = new ContactGroups(Resource.USERS, client, records, followUps(4));
        return new SearchReader(Resource.USERS, client, PATH, "data", SearchReader.condition("role", "=", "user"),
                groups, start, POLL_MS, DELAY_MS, clock::get);
    }

    /** The W of "updated_at > W OR updated_at = W" in a contact search body. */
    static long anchor(JsonNode body) {
        JsonNode either = body.at("/query/value/1");
        assertEquals("OR", either.get("operator").asText(), body.toString());
        long greater = either.at("/value/0/value").asLong();
        assertEquals(">", either.at("/value/0/operator").asText());
        assertEquals("=", either.at("/value/1/operator").asText());
        assertEquals(greater, either.at("/value/1/value").asLong());
        return greater;
    }

    static Map<String, Object> offset(long updatedAt, String id, long passFrom, String cursor) {
        Map<String, Object> map = new HashMap<>();
        map.put("updated_at", updatedAt);
        map.put("id", id);
        map.put("pass_from", passFrom);
        map.put("cursor", cursor);
        return map;
    }

    /** The same for a resource that started from intercom.since: its offsets keep that scope. */
    static Map<String, Object> offset(long updatedAt, String id, long passFrom, String cursor, long since) {
        Map<String, Object> map = offset(updatedAt, id, passFrom, cursor);
        map.put("since", since);
        return map;
    }

    /** An offset as the worker hands it back after a restart: through JSON (small longs become ints). */
    static Map<String, Object> roundTrip(Map<String, ?> offset) throws Exception {
        return JSON.readValue(JSON.writeValueAsString(offset), new TypeReference<Map<String, Object>>() { });
    }

    // ---------------------------------------------------------------- day granularity

    @Test
    void aSecondPassRereadsTheDayAndEmitsOnlyWhatThePositionDoesNotCover() {
        stubSearchPage(PATH, null, searchPage("data", null, contact("a", T - 5000), contact("b", T - 4000)));
        SearchReader reader = usersReader(SearchPosition.initial(T - 86_400));
        assertEquals(List.of("a", "b"), ids(drainPass(reader), Tables.USERS));

        // The day-granular search answers with the whole day again: a and b, plus bz (same second
        // as b, later id) and c.
        wm.resetAll();
        stubSearchPage(PATH, null, searchPage("data", null, contact("a", T - 5000), contact("b", T - 4000),
                contact("bz", T - 4000), contact("c", T - 3000)));
        advanceToNextPass(reader);
        List<SourceRecord> second = drainPass(reader);

        assertEquals(List.of("bz", "c"), ids(second, Tables.USERS));
        assertEquals(T - 4000, anchor(searchBodies(PATH).get(0)), "the pass asks from the position's second");

        // A third pass over the same answer emits nothing.
        wm.resetRequests();
        advanceToNextPass(reader);
        assertEquals(List.of(), drainPass(reader));
        assertEquals(T - 3000, anchor(searchBodies(PATH).get(0)));
    }

    @Test
    void contactsOfOneSecondSpanningAPageBoundaryAreEmittedOnceInIdOrder() {
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("x", T - 9000), contact("m", T - 8000)));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("a", T - 8000), contact("y", T - 7000)));
        SearchReader reader = usersReader(SearchPosition.initial(0));

        List<SourceRecord> firstPage = reader.poll(100);
        assertEquals(List.of("x"), ids(firstPage, Tables.USERS), "m waits: its second may go on on page 2");
        List<SourceRecord> rest = drainPass(reader);

        assertEquals(List.of("a", "m", "y"), ids(rest, Tables.USERS));
        // The second T-8000 was first seen on the first page (no cursor); y's second on page 2.
        assertEquals(offset(T - 8000, "a", 0, null), rest.get(0).sourceOffset());
        assertEquals(offset(T - 8000, "m", 0, null), rest.get(1).sourceOffset());
        assertEquals(offset(T - 7000, "y", 0, "cur-1"), rest.get(2).sourceOffset());
        assertEquals(2, searchBodies(PATH).size());
    }

    @Test
    void restartingMidwayThroughASecondThatBeganOnTheFirstPageLosesNothing() throws Exception {
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("x", T - 9000), contact("m", T - 8000)));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("a", T - 8000), contact("y", T - 7000)));
        SearchReader reader = usersReader(SearchPosition.initial(0));
        List<SourceRecord> out = drainPass(reader);
        assertEquals(List.of("x", "a", "m", "y"), ids(out, Tables.USERS));

        // The worker committed a's offset only; m (same second, but on page 1) was not delivered.
        Map<String, ?> afterA = out.get(1).sourceOffset();
        wm.resetRequests();
        SearchReader restarted = usersReader(SearchPosition.fromOffset(roundTrip(afterA), 0));
        List<SourceRecord> resumed = drainPass(restarted);

        assertEquals(List.of("m", "y"), ids(resumed, Tables.USERS),
                "resuming must re-read the page where a's second began, or m is lost");
    }

    // ---------------------------------------------------------------- search delay and index lag

    @Test
    void aContactNewerThanTheSearchDelayWaitsForALaterPass() {
        // cutoff = now - 60 s: "late" (T-30) is too fresh for this pass.
        stubSearchPage(PATH, null, searchPage("data", null, contact("a", T - 3600), contact("late", T - 30)));
        SearchReader reader = usersReader(SearchPosition.initial(0));

        assertEquals(List.of("a"), ids(drainPass(reader), Tables.USERS));
        assertEquals(new SearchPosition(T - 3600, "a", T - 3600, null), reader.position());

        // The next pass, 60 s later: cutoff = T, past late's T-30.
        wm.resetRequests();
        assertEquals(List.of(), reader.poll(100), "not due before the poll interval");
        assertEquals(0, searchBodies(PATH).size());
        advanceToNextPass(reader);
        assertEquals(NOW_MS + POLL_MS, clock.get());
        List<SourceRecord> second = drainPass(reader);
        assertEquals(List.of("late"), ids(second, Tables.USERS), "once now - delay passed it, it is emitted");
        assertEquals(1, searchBodies(PATH).size());

        wm.resetRequests();
        advanceToNextPass(reader);
        assertEquals(List.of(), drainPass(reader), "and only once");
    }

    @Test
    void theSearchDelayHoldsBackAcrossSeveralPassesUntilTheClockPassesIt() {
        stubSearchPage(PATH, null, searchPage("data", null, contact("a", T - 3600), contact("late", T - 30)));
        SearchReader reader = new SearchReader(Resource.USERS, client, PATH, "data",
                SearchReader.condition("role", "=", "user"),
                new ContactGroups(Resource.USERS, client, records(Tables.USERS), followUps(2)),
                SearchPosition.initial(0), 10_000, DELAY_MS, clock::get);

        assertEquals(List.of("a"), ids(drainPass(reader), Tables.USERS), "pass 1 at T: cutoff T-60");
        advanceToNextPass(reader); // T+10: cutoff T-50
        assertEquals(List.of(), drainPass(reader), "pass 2 at T+10: cutoff T-50, late (T-30) still waits");
        advanceToNextPass(reader); // T+20: cutoff T-40
        assertEquals(List.of(), drainPass(reader));
        assertEquals(T - 3600, reader.position().updatedAt(), "the position never passes now - delay");
        advanceToNextPass(reader); // T+30: cutoff T-30
        assertEquals(List.of("late"), ids(drainPass(reader), Tables.USERS), "pass 4 at T+30: cutoff reaches it");
        advanceToNextPass(reader);
        assertEquals(List.of(), drainPass(reader));
        assertEquals(5, searchBodies(PATH).size());
    }

    @Test
    void aContactIndexedLateIsStillEmittedOnceBecauseThePositionStaysBehindTheDelay() {
        // Pass 1 at T: "lagging" (updated T-40) is not searchable yet; b at T-100 is.
        stubSearchPage(PATH, null, searchPage("data", null, contact("a", T - 3600), contact("b", T - 100)));
        SearchReader reader = usersReader(SearchPosition.initial(0));
        assertEquals(List.of("a", "b"), ids(drainPass(reader), Tables.USERS));
        assertTrue(reader.position().updatedAt() <= T - DELAY_MS / 1000, "position " + reader.position());

        // Pass 2, five minutes later: the index caught up; its updated_at is old by now.
        wm.resetAll();
        stubSearchPage(PATH, null, searchPage("data", null, contact("a", T - 3600), contact("b", T - 100),
                contact("lagging", T - 40), contact("c", T + 200)));
        clock.set(NOW_MS + 300_000);
        List<SourceRecord> second = drainPass(reader);
        assertEquals(List.of("lagging", "c"), ids(second, Tables.USERS));

        // Pass 3 sees it again and emits nothing.
        advanceToNextPass(reader);
        assertEquals(List.of(), drainPass(reader));
    }

    // ---------------------------------------------------------------- offsets

    @Test
    void allRecordsOfAGroupButTheLastCarryThePositionBeforeTheContact() {
        ObjectNode p = contact("p", T - 3000);
        p.set("tags", addressable("p", "tags", "tag", "t1", "t2"));
        ObjectNode q = contact("q", T - 2000);
        q.set("tags", addressable("q", "tags", "tag", "t3"));
        stubSearchPage(PATH, null, searchPage("data", null, p, q));
        long since = T - 10_000;
        SearchReader reader = usersReader(SearchPosition.initial(since), Tables.USERS, Tables.USERS_TAGS);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(5, out.size());
        Map<String, Object> start = offset(since, "", since, null, since);
        Map<String, Object> afterP = offset(T - 3000, "p", since, null, since);
        Map<String, Object> afterQ = offset(T - 2000, "q", since, null, since);
        assertEquals(List.of(start, start, afterP, afterP, afterQ),
                out.stream().map(SourceRecord::sourceOffset).toList());
        assertEquals(List.of("users", "users_tags", "users_tags", "users", "users_tags"),
                out.stream().map(r -> r.topic().substring(PREFIX.length())).toList());
        for (SourceRecord record : out) {
            assertEquals(Set.of("updated_at", "id", "pass_from", "cursor", "since"), record.sourceOffset().keySet());
            assertEquals(Offsets.partition(Resource.USERS), record.sourcePartition());
        }
    }

    // ---------------------------------------------------------------- restart

    /** Three pages a..f from a pass anchored at T-10000; returns the records of its first two polls. */
    private List<SourceRecord> readTwoPagesOfThree() throws InterruptedException {
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("a", T - 9000), contact("b", T - 8000)));
        stubSearchPage(PATH, "cur-1", searchPage("data", "cur-2", contact("c", T - 7000), contact("d", T - 6000)));
        stubSearchPage(PATH, "cur-2", searchPage("data", null, contact("e", T - 5000), contact("f", T - 4000)));
        SearchReader first = usersReader(SearchPosition.initial(T - 10_000));
        List<SourceRecord> out = new ArrayList<>(first.poll(100));
        assertEquals(List.of("a"), ids(out, Tables.USERS));
        out.addAll(first.poll(100));
        assertEquals(List.of("a", "b", "c"), ids(out, Tables.USERS));
        assertEquals(offset(T - 7000, "c", T - 10_000, "cur-1", T - 10_000), lastOffset(out));
        // The third page was requested ahead, while the second was processed; let it land before
        // the test looks at what a new reader requests.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (searchBodies(PATH).size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals("cur-2", searchBodies(PATH).get(2).at("/pagination/starting_after").asText(),
                "the next page is prefetched once its cursor is known");
        first.close();
        return out;
    }

    @Test
    void aNewReaderResumesTheInterruptedPassAtTheStoredCursor() throws Exception {
        List<SourceRecord> before = readTwoPagesOfThree();
        JsonNode originalQuery = searchBodies(PATH).get(0).get("query");
        wm.resetRequests();

        SearchReader second = usersReader(SearchPosition.fromOffset(roundTrip(lastOffset(before)), 0));
        List<SourceRecord> after = drainPass(second);

        assertEquals(List.of("d", "e", "f"), ids(after, Tables.USERS));
        List<JsonNode> bodies = searchBodies(PATH);
        assertEquals(2, bodies.size());
        assertEquals("cur-1", bodies.get(0).at("/pagination/starting_after").asText(), "resumed at the cursor");
        assertEquals("cur-2", bodies.get(1).at("/pagination/starting_after").asText());
        assertEquals(originalQuery, bodies.get(0).get("query"), "the same query the cursor belongs to");
        assertEquals(0, count(postRequestedFor(urlPathEqualTo(PATH))
                .withRequestBody(matchingJsonPath("$.pagination.starting_after", absent()))),
                "the first page is not read again");
        assertNoDuplicates(before, after, "a", "b", "c", "d", "e", "f");
    }

    @Test
    void aRejectedStoredCursorFallsBackToAFreshPassFromThePosition() throws Exception {
        List<SourceRecord> before = readTwoPagesOfThree();
        wm.resetAll();
        wm.stubFor(post(urlPathEqualTo(PATH))
                .withRequestBody(matchingJsonPath("$.pagination.starting_after", equalTo("cur-1")))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody(errorBody("parameter_invalid", "Invalid starting_after value"))));
        // A fresh day-granular pass from T-7000 returns b and c again.
        stubSearchPage(PATH, null, searchPage("data", "new-1", contact("b", T - 8000), contact("c", T - 7000),
                contact("d", T - 6000)));
        stubSearchPage(PATH, "new-1", searchPage("data", null, contact("e", T - 5000), contact("f", T - 4000)));

        SearchReader second = usersReader(SearchPosition.fromOffset(roundTrip(lastOffset(before)), 0));
        List<SourceRecord> after = drainPass(second);

        assertEquals(List.of("d", "e", "f"), ids(after, Tables.USERS));
        List<JsonNode> bodies = searchBodies(PATH);
        assertEquals(3, bodies.size(), "the rejected cursor, then the fresh pass's two pages");
        assertEquals("cur-1", bodies.get(0).at("/pagination/starting_after").asText());
        assertTrue(bodies.get(1).at("/pagination/starting_after").isMissingNode());
        assertEquals(T - 7000, anchor(bodies.get(1)), "the fresh pass starts from the position, not pass_from");
        assertEquals(offset(T - 6000, "d", T - 7000, null, T - 10_000), after.get(0).sourceOffset(),
                "records of the fresh pass carry its anchor");
        assertNoDuplicates(before, after, "a", "b", "c", "d", "e", "f");
    }

    private static void assertNoDuplicates(List<SourceRecord> before, List<SourceRecord> after, String... all) {
        List<String> emitted = new ArrayList<>(ids(before, Tables.USERS));
        emitted.addAll(ids(after, Tables.USERS));
        assertEquals(List.of(all), emitted);
        assertEquals(emitted.size(), new HashSet<>(emitted).size());
    }
}
