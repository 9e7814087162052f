package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link SearchReader} running its sweeps: after the first pass catches up, one step per poll,
 * passes first when one falls due, the time of the last sweep in the offset so a restart waits.
 */
class SweepScheduleTest extends ReaderTestSupport {
    static final String PATH = "/contacts/search";
    static final long POLL_MS = 60_000;
    static final long INTERVAL_MS = 3_600_000;

    final SweepTestKeys keys = new SweepTestKeys();
    /** intercom.reconcile.full.interval.ms: 0, every sweep lists in full, unless a test says otherwise. */
    long fullIntervalMs = 0;
    /** Whether the reader starts with no stored offset (Readers: the task found none). */
    boolean firstSync = false;

    SearchReader reader(EmittedKeys store, SearchPosition start) {
        RecordFactory records = new RecordFactory(PREFIX, List.of(Tables.USERS), BadObjects.skipping(), store);
        return new SearchReader(Resource.USERS, client, PATH, "data", SearchReader.condition("role", "=", "user"),
                new ContactGroups(Resource.USERS, client, records, followUps(4)), start, POLL_MS, 0, clock::get)
                .sweeping(records, firstSync ? Reconciliation.every(INTERVAL_MS, fullIntervalMs).startingFirstSync()
                        : Reconciliation.every(INTERVAL_MS, fullIntervalMs), "2.11");
    }

    /** Role filter only (the first pass and every sweep): u1 then, at cursor s1, u2. Any later pass: nothing. */
    void stubWorkspace() {
        wm.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query.field", equalTo("role")))
                .withRequestBody(matchingJsonPath("$.pagination.starting_after", absent()))
                .willReturn(okJson(searchPage("data", "s1", contact("u1", T - 500)).put("total_count", 2)
                        .toString())));
        wm.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query.field", equalTo("role")))
                .withRequestBody(matchingJsonPath("$.pagination.starting_after", equalTo("s1")))
                .willReturn(okJson(searchPage("data", null, contact("u2", T - 400)).toString())));
        wm.stubFor(post(urlPathEqualTo(PATH)).withRequestBody(matchingJsonPath("$.query.operator", equalTo("AND")))
                .willReturn(okJson(searchPage("data", null).toString())));
    }

    /** What each search request was: "sweep"/"pass" with its cursor. */
    static List<String> requestKinds() {
        List<String> kinds = new ArrayList<>();
        for (JsonNode body : searchBodies(PATH)) {
            kinds.add(body.at("/query/field").asText("AND") + ":" + body.at("/pagination/starting_after").asText("-"));
        }
        return kinds;
    }

    @Test
    void theFirstSyncIsSweptAtItsEndThenEveryIntervalAndARestartDoesNotSweepAgainAtOnce() {
        stubWorkspace();
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2").put(Resource.USERS, "gone");
        SearchReader reader = reader(keys, SearchPosition.initial(0));

        List<SourceRecord> sync = drainPass(reader);
        assertEquals(List.of("u1", "u2"), ids(sync, Tables.USERS));
        assertTrue(reader.nextDueMs() <= clock.get(), "the sweep is due once the first sync has caught up");

        List<SourceRecord> swept = drainPass(reader);

        assertEquals(List.of("gone"), ids(swept, Tables.USERS));
        assertEquals(T, lastOffset(swept).get(SearchPosition.SWEPT_AT), "the sweep's time is in the offset");
        assertEquals(List.of("role:-", "role:s1", "role:-", "role:s1"), requestKinds());
        Map<String, ?> counters = Map.of("sweeps", reader.counters().get("sweeps").getAsLong(),
                "sweep-requests", reader.counters().get("sweep-requests").getAsLong(),
                "sweep-retractions", reader.counters().get("sweep-retractions").getAsLong());
        assertEquals(Map.of("sweeps", 1L, "sweep-requests", 2L, "sweep-retractions", 1L), counters);
        assertEquals(NOW_MS + POLL_MS, reader.nextDueMs(), "next the pass, the sweep only in an hour");

        SearchReader restarted = reader(keys, SearchPosition.fromMap(lastOffset(swept), 0));
        clock.addAndGet(POLL_MS);
        drainPass(restarted);
        assertEquals(clock.get() + POLL_MS, restarted.nextDueMs(), "after a restart the sweep waits for its interval");
        clock.set(NOW_MS + INTERVAL_MS);
        drainPass(restarted); // a pass, then the sweep is due again
        drainPass(restarted);
        assertEquals(1L, restarted.counters().get("sweeps").getAsLong(), "swept again an interval after the last");
    }

    @Test
    void betweenFullSweepsASweepIsGatedByCountsAndTheFullCadenceSurvivesARestart() {
        fullIntervalMs = 2 * INTERVAL_MS;
        stubWorkspace();
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2").put(Resource.USERS, "gone");
        SearchReader reader = reader(keys, SearchPosition.initial(0));
        drainPass(reader);
        List<SourceRecord> firstSweep = drainPass(reader);
        assertEquals(List.of("gone"), ids(firstSweep, Tables.USERS), "the first sweep is full");
        assertEquals(T, lastOffset(firstSweep).get(SearchPosition.FULL_SWEPT_AT), "and kept as such in the offset");
        keys.removeParent(Resource.USERS, "gone");

        clock.addAndGet(INTERVAL_MS);
        drainPass(reader); // the pass
        List<SourceRecord> gated = drainPass(reader); // the sweep, an interval after the first
        assertEquals(List.of(), gated, "the counts agree: nothing to retract");
        assertEquals(List.of("role:-", "role:s1", "role:-", "role:s1", "AND:-", "role:-"), requestKinds(),
                "the gated sweep reads its first page only");
        assertEquals(2L, reader.counters().get("sweeps").getAsLong());
        Map<String, Object> offset = reader.position().toMap();
        assertEquals(T + INTERVAL_MS / 1000, offset.get(SearchPosition.SWEPT_AT));
        assertEquals(T, offset.get(SearchPosition.FULL_SWEPT_AT), "a gated sweep is not a full one");

        SearchReader restarted = reader(keys, SearchPosition.fromMap(offset, 0));
        clock.addAndGet(INTERVAL_MS);
        drainPass(restarted);
        drainPass(restarted);
        assertEquals(List.of("AND:-", "role:-", "role:s1"), requestKinds().subList(6, 9),
                "two intervals after the last full sweep, across the restart, the sweep is full again");
        assertEquals(T + 2 * INTERVAL_MS / 1000, restarted.position().toMap().get(SearchPosition.FULL_SWEPT_AT));
    }

    @Test
    void theSweepAtTheEndOfAFirstSyncFromNoPositionIsGatedAndCountsAsFull() {
        fullIntervalMs = 7 * 24 * INTERVAL_MS;
        firstSync = true;
        stubWorkspace();
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2");
        SearchReader reader = reader(keys, SearchPosition.initial(0));
        drainPass(reader); // the first sync: every object, as a full listing would
        drainPass(reader); // the sweep at its end

        assertEquals(List.of("role:-", "role:s1", "role:-"), requestKinds(),
                "the counts agree with what the first sync just read: the sweep stops at its first page");
        assertEquals(1L, reader.counters().get("sweeps").getAsLong());
        assertEquals(T, reader.position().toMap().get(SearchPosition.FULL_SWEPT_AT),
                "the first sync counts as the full listing, so the next full one is a full interval later");

        clock.addAndGet(INTERVAL_MS);
        drainPass(reader);
        drainPass(reader);
        assertEquals(List.of("AND:-", "role:-"), requestKinds().subList(3, 5), "the next day's sweep is gated too");
        assertEquals(5, requestKinds().size(), "and stops at its first page");
    }

    @Test
    void anOffsetWithoutFullSweptAtMakesTheNextSweepFullAndIntervalZeroMakesEverySweepFull() {
        fullIntervalMs = 7 * 24 * INTERVAL_MS;
        stubWorkspace();
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2");
        // Written by an earlier version: swept an interval ago, full sweeps not recorded.
        SearchPosition upgraded = SearchPosition.fromMap(Map.of("updated_at", T - 400, "id", "u2",
                "swept_at", T - INTERVAL_MS / 1000), 0);
        SearchReader reader = reader(keys, upgraded);
        drainPass(reader);
        drainPass(reader);
        assertEquals(List.of("AND:-", "role:-", "role:s1"), requestKinds(), "the first sweep after an upgrade is full");

        fullIntervalMs = 0;
        wm.resetRequests();
        SearchReader everyTimeFull = reader(keys, SearchPosition.fromMap(reader.position().toMap(), 0));
        for (int sweep = 0; sweep < 2; sweep++) {
            clock.addAndGet(INTERVAL_MS);
            drainPass(everyTimeFull);
            drainPass(everyTimeFull);
        }
        assertEquals(List.of("AND:-", "role:-", "role:s1", "AND:-", "role:-", "role:s1"), requestKinds(),
                "intercom.reconcile.full.interval.ms=0: the counts agree, yet every sweep lists in full");
    }

    @Test
    void aPassThatFallsDueDuringASweepRunsFirst() {
        stubWorkspace();
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2");
        SearchReader reader = reader(keys, SearchPosition.initial(0));
        drainPass(reader);

        reader.poll(10_000); // the sweep's first page
        clock.addAndGet(POLL_MS); // the next pass falls due
        drainPass(reader); // the pass
        drainPass(reader); // the rest of the sweep

        assertEquals(List.of("role:-", "role:s1", "role:-", "AND:-", "role:s1"), requestKinds());
        assertEquals(1L, reader.counters().get("sweeps").getAsLong());
    }

    @Test
    void withoutTheStoreOnlySegmentMembershipIsSwept() {
        stubWorkspace();
        SearchReader reader = reader(EmittedKeys.NONE, SearchPosition.initial(0));
        drainPass(reader);
        drainPass(reader);

        assertEquals(List.of("role:-", "role:s1"), requestKinds(), "no contact listing: nothing to compare it with");
        assertEquals(0L, reader.counters().get("sweeps").getAsLong(),
                "no segments table here either: nothing to sweep, so no sweep is ever due");
        assertEquals(NOW_MS + POLL_MS, reader.nextDueMs());
    }
}
