package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * What the reconciliation covers, on the sample workspace through {@link Readers#create} as the task
 * builds its readers: the objects of {@code intercom.since} only (the sweep and the event summary
 * backfill no more than the passes), and every quiet change of a small workspace at every sweep
 * ({@code intercom.reconcile.gate.min.objects}), where a large one waits for the weekly full sweep.
 */
class SweepScopeTest {
    static final Instant GENERATED_AT = Instant.parse("2026-11-20T04:00:00Z");
    static final String PREFIX = "scope.";
    static final List<String> TABLES = List.of(Tables.USERS, Tables.USERS_TAGS, Tables.EVENTS_SUMMARY);

    @Test
    void intercomSinceBoundsTheSweepAndTheEventSummaryBackfillAsItBoundsThePasses() throws Exception {
        for (String version : List.of("2.17", "2.11")) {
            try (FakeReaders readers = readers()) {
                SampleWorkspace ws = workspace(readers, 300);
                List<Long> updated = ws.contacts("user").stream().map(c -> c.get("updated_at").asLong()).sorted().toList();
                long since = updated.get(updated.size() / 2);
                Set<String> inScope = ws.contacts("user").stream().filter(c -> c.get("updated_at").asLong() >= since)
                        .map(c -> c.get("id").asText()).collect(Collectors.toCollection(TreeSet::new));
                FakeIntercom fake = readers.fake(ws);
                List<SourceRecord> out = readers.drainDue(reader(readers, fake, version, Map.of("intercom.since",
                        Instant.ofEpochSecond(since).toString()), store(), null));

                Set<String> users = ids(out, Tables.USERS, "id");
                assertTrue(users.containsAll(inScope), version + ": every user updated since");
                assertEquals(inScope.size(), users.size(), version + ": no user updated before intercom.since");
                Set<String> summarised = ids(out, Tables.EVENTS_SUMMARY, "user_id");
                assertFalse(summarised.isEmpty(), version + ": the backfill ran");
                assertTrue(inScope.containsAll(summarised),
                        version + ": no event summary of a contact out of scope: " + summarised.size());
            }
        }
    }

    @Test
    void theScopeIsTheOneTheResourceStartedWithSoSettingIntercomSinceLaterRetractsNothing() throws Exception {
        try (FakeReaders readers = readers()) {
            SampleWorkspace ws = workspace(readers, 300);
            List<Long> updated = ws.contacts("user").stream().map(c -> c.get("updated_at").asLong()).sorted().toList();
            String since = Instant.ofEpochSecond(updated.get(updated.size() / 2)).toString();
            FakeIntercom fake = readers.fake(ws);
            KeyStore store = store();
            List<SourceRecord> first = readers.drainDue(reader(readers, fake, "2.17", Map.of(), store, null));
            assertEquals(300, ids(first, Tables.USERS, "id").size(), "no intercom.since: every user");
            Map<String, ?> offset = first.get(first.size() - 1).sourceOffset();
            assertFalse(offset.containsKey(SearchPosition.SINCE), "no scope to keep: " + offset.keySet());

            // The same connector later, intercom.since set (it applies to new resources only) and a full sweep due.
            readers.nowMs.addAndGet(8L * 86_400_000L);
            ResourceReader restarted = reader(readers, fake, "2.17", Map.of("intercom.since", since,
                    "intercom.reconcile.full.interval.ms", "0"), store, offset);
            List<SourceRecord> out = readers.drainDue(restarted);
            long tombstones = out.stream().filter(r -> r.value() == null).count();
            assertEquals(0, tombstones, "the users updated before the new intercom.since stay");
            assertEquals(300, store.size(Resource.USERS));
            assertEquals(1L, restarted.counters().get("sweeps").getAsLong(), "a full sweep ran");
        }
    }

    @Test
    void aResourceStartedWithIntercomSinceKeepsItsScopeInItsOffset() throws Exception {
        try (FakeReaders readers = readers()) {
            SampleWorkspace ws = workspace(readers, 100);
            long since = ws.contacts("user").stream().mapToLong(c -> c.get("updated_at").asLong()).min().orElseThrow() + 1;
            FakeIntercom fake = readers.fake(ws);
            List<SourceRecord> out = readers.drainDue(reader(readers, fake, "2.17", Map.of("intercom.since",
                    Instant.ofEpochSecond(since).toString()), store(), null));
            assertEquals(since, out.get(out.size() - 1).sourceOffset().get(SearchPosition.SINCE));
        }
    }

    @Test
    void aSmallWorkspaceIsListedInFullAtEverySweepSoAQuietUntagIsRetractedTheSameDay() throws Exception {
        Map<Long, Integer> retractedByGate = new HashMap<>();
        for (long gateMinObjects : List.of(15_000L, 0L)) {
            try (FakeReaders readers = readers()) {
                SampleWorkspace ws = workspace(readers, 200);
                FakeIntercom fake = readers.fake(ws);
                Map<String, String> config = Map.of("intercom.reconcile.gate.min.objects", String.valueOf(gateMinObjects));
                ResourceReader reader = reader(readers, fake, "2.17", config, store(), null);
                readers.drainDue(reader);
                // The most recently updated: past the first page of the listing, which a gated sweep reads.
                String contact = ws.contacts("user").stream()
                        .filter(c -> !ws.contactTags(c.get("id").asText()).isEmpty())
                        .max(Comparator.comparingLong(c -> c.get("updated_at").asLong())).orElseThrow()
                        .get("id").asText();
                String tag = ws.contactTags(contact).get(0).get("id").asText();
                ws.untagContact(contact, tag); // updated_at does not move: only a sweep can see it

                readers.nowMs.addAndGet(86_400_000L + 60_000); // the next day's sweep, gated by counts at 0
                List<SourceRecord> out = readers.drainDue(reader);
                long tombstones = out.stream().filter(r -> r.topic().equals(PREFIX + Tables.USERS_TAGS))
                        .filter(r -> r.value() == null).count();
                retractedByGate.put(gateMinObjects, (int) tombstones);
            }
        }
        assertEquals(1, retractedByGate.get(15_000L), "200 users are listed in full at every sweep: retracted");
        assertEquals(0, retractedByGate.get(0L), "gated at every size: left to the next full sweep");
    }

    // ---------------------------------------------------------------- fixtures

    private static FakeReaders readers() {
        return new FakeReaders("scope", GENERATED_AT.toEpochMilli() + 3_600_000);
    }

    private static SampleWorkspace workspace(FakeReaders readers, int users) {
        return readers.workspace(1_999, SampleWorkspace.Sizes.builder().users(users).leads(0)
                .companies(5).tags(6).segments(2).conversations(0).build(), GENERATED_AT);
    }

    private static KeyStore store() {
        return new KeyStore("scope-state", List.of(Resource.USERS));
    }

    /** The users reader as the task builds it, on {@code store} from {@code offset} (null: none). */
    private static ResourceReader reader(FakeReaders readers, FakeIntercom fake, String version,
                                         Map<String, String> more, KeyStore store, Map<String, ?> offset) {
        Map<String, String> props = readers.props(fake, Resource.USERS, TABLES);
        props.putAll(more);
        props.put("intercom.api.version", version);
        props.put("search.delay.ms", "0");
        RecordFactory records = new RecordFactory(readers.prefix(), TABLES, BadObjects.skipping(), store);
        return readers.reader(Resource.USERS, fake, props, records, offset);
    }

    private static Set<String> ids(List<SourceRecord> records, String table, String keyField) {
        return records.stream().filter(r -> r.topic().equals(PREFIX + table) && r.value() != null)
                .map(r -> String.valueOf(((Struct) r.key()).get(keyField)))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
