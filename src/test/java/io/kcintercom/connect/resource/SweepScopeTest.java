package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
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

    final AtomicLong nowMs = new AtomicLong(GENERATED_AT.toEpochMilli() + 3_600_000);

    @Test
    void intercomSinceBoundsTheSweepAndTheEventSummaryBackfillAsItBoundsThePasses() throws Exception {
        for (String version : List.of("2.17", "2.11")) {
            SampleWorkspace ws = workspace(300);
            List<Long> updated = ws.contacts("user").stream().map(c -> c.get("updated_at").asLong()).sorted().toList();
            long since = updated.get(updated.size() / 2);
            Set<String> inScope = ws.contacts("user").stream().filter(c -> c.get("updated_at").asLong() >= since)
                    .map(c -> c.get("id").asText()).collect(Collectors.toCollection(TreeSet::new));
            try (FakeIntercom fake = fake(ws)) {
                List<SourceRecord> out = syncAndSweep(fake, version, Map.of("intercom.since",
                        Instant.ofEpochSecond(since).toString()));

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
        SampleWorkspace ws = workspace(300);
        List<Long> updated = ws.contacts("user").stream().map(c -> c.get("updated_at").asLong()).sorted().toList();
        String since = Instant.ofEpochSecond(updated.get(updated.size() / 2)).toString();
        try (FakeIntercom fake = fake(ws)) {
            KeyStore store = new KeyStore("scope-state", List.of(Resource.USERS));
            Map<String, ?> offset;
            try (Task first = new Task()) {
                List<SourceRecord> out = syncAndSweep(fake, "2.17", Map.of(), first, store, null);
                assertEquals(300, ids(out, Tables.USERS, "id").size(), "no intercom.since: every user");
                offset = out.get(out.size() - 1).sourceOffset();
                assertFalse(offset.containsKey(SearchPosition.SINCE), "no scope to keep: " + offset.keySet());
            }
            // The same connector later, intercom.since set (it applies to new resources only) and a full sweep due.
            nowMs.addAndGet(8L * 86_400_000L);
            try (Task restarted = new Task()) {
                List<SourceRecord> out = syncAndSweep(fake, "2.17", Map.of("intercom.since", since,
                        "intercom.reconcile.full.interval.ms", "0"), restarted, store, offset);
                long tombstones = out.stream().filter(r -> r.value() == null).count();
                assertEquals(0, tombstones, "the users updated before the new intercom.since stay");
                assertEquals(300, store.size(Resource.USERS));
                assertEquals(1L, restarted.reader.counters().get("sweeps").getAsLong(), "a full sweep ran");
            }
        }
    }

    @Test
    void aResourceStartedWithIntercomSinceKeepsItsScopeInItsOffset() throws Exception {
        SampleWorkspace ws = workspace(100);
        long since = ws.contacts("user").stream().mapToLong(c -> c.get("updated_at").asLong()).min().orElseThrow() + 1;
        try (FakeIntercom fake = fake(ws); Task task = new Task()) {
            List<SourceRecord> out = syncAndSweep(fake, "2.17", Map.of("intercom.since",
                    Instant.ofEpochSecond(since).toString()), task, new KeyStore("s", List.of(Resource.USERS)), null);
            assertEquals(since, out.get(out.size() - 1).sourceOffset().get(SearchPosition.SINCE));
        }
    }

    @Test
    void aSmallWorkspaceIsListedInFullAtEverySweepSoAQuietUntagIsRetractedTheSameDay() throws Exception {
        Map<Long, Integer> retractedByGate = new HashMap<>();
        for (long gateMinObjects : List.of(15_000L, 0L)) {
            SampleWorkspace ws = workspace(200);
            try (FakeIntercom fake = fake(ws)) {
                Map<String, String> config = Map.of("intercom.reconcile.gate.min.objects", String.valueOf(gateMinObjects));
                try (Task task = new Task()) {
                syncAndSweep(fake, "2.17", config, task);
                // The most recently updated: past the first page of the listing, which a gated sweep reads.
                String contact = ws.contacts("user").stream()
                        .filter(c -> !ws.contactTags(c.get("id").asText()).isEmpty())
                        .max(Comparator.comparingLong(c -> c.get("updated_at").asLong())).orElseThrow()
                        .get("id").asText();
                String tag = ws.contactTags(contact).get(0).get("id").asText();
                ws.untagContact(contact, tag); // updated_at does not move: only a sweep can see it

                nowMs.addAndGet(86_400_000L + 60_000); // the next day's sweep, gated by counts at 0
                List<SourceRecord> out = drain(task.reader);
                long tombstones = out.stream().filter(r -> r.topic().equals(PREFIX + Tables.USERS_TAGS))
                        .filter(r -> r.value() == null).count();
                retractedByGate.put(gateMinObjects, (int) tombstones);
                }
            }
        }
        assertEquals(1, retractedByGate.get(15_000L), "200 users are listed in full at every sweep: retracted");
        assertEquals(0, retractedByGate.get(0L), "gated at every size: left to the next full sweep");
    }

    // ---------------------------------------------------------------- fixtures

    /** One reader with what it runs on, closed together. */
    private static final class Task implements AutoCloseable {
        IntercomClient client;
        FollowUps followUps;
        ResourceReader reader;

        @Override
        public void close() throws Exception {
            if (reader != null) {
                reader.close();
            }
            if (followUps != null) {
                followUps.close();
            }
            if (client != null) {
                client.close();
            }
        }
    }

    private SampleWorkspace workspace(int users) {
        nowMs.set(GENERATED_AT.toEpochMilli() + 3_600_000);
        SampleWorkspace ws = SampleWorkspace.generate(1_999, SampleWorkspace.Sizes.builder().users(users).leads(0)
                .companies(5).tags(6).segments(2).conversations(0).build(), GENERATED_AT);
        ws.useClock(nowMs::get);
        return ws;
    }

    private static FakeIntercom fake(SampleWorkspace ws) {
        return FakeIntercom.start(ws, FakeIntercom.Options.builder().token("scope-token").rateLimitPer10s(0)
                .workspaceTimeZone("UTC").build());
    }

    private List<SourceRecord> syncAndSweep(FakeIntercom fake, String version, Map<String, String> more)
            throws Exception {
        try (Task task = new Task()) {
            return syncAndSweep(fake, version, more, task);
        }
    }

    /** The first sync, the sweep at its end and the event summary backfill, drained. */
    private List<SourceRecord> syncAndSweep(FakeIntercom fake, String version, Map<String, String> more,
                                            Task task) {
        return syncAndSweep(fake, version, more, task, new KeyStore("scope-state", List.of(Resource.USERS)), null);
    }

    /** A reader on {@code store} from {@code offset} (null: none), drained. */
    private List<SourceRecord> syncAndSweep(FakeIntercom fake, String version, Map<String, String> more,
                                            Task task, KeyStore store, Map<String, ?> offset) {
        Map<String, String> props = new HashMap<>(more);
        props.put("intercom.access.token", "scope-token");
        props.put("intercom.api.url", fake.baseUrl());
        props.put("intercom.api.url.allow.custom", "true");
        props.put("intercom.api.version", version);
        props.put("intercom.tables", String.join(",", TABLES));
        props.put("intercom.token.check", "false");
        props.put("topic.prefix", PREFIX);
        props.put("search.delay.ms", "0");
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props);
        task.client = new IntercomClient(new IntercomClient.Settings(fake.baseUrl(), "scope-token", version, 5_000,
                20, 10_000));
        task.followUps = new FollowUps(4, "scope");
        RecordFactory records = new RecordFactory(PREFIX, TABLES, BadObjects.skipping(), store);
        task.reader = Readers.create(Resource.USERS, config, task.client, records, task.followUps, offset, nowMs::get);
        return drain(task.reader);
    }

    /** Polls until nothing is due (passes, the sweep, the backfill), moving the clock to each due time. */
    private List<SourceRecord> drain(ResourceReader reader) {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            nowMs.accumulateAndGet(Math.min(reader.nextDueMs(), nowMs.get()), Math::max);
            out.addAll(reader.poll(10_000));
            if (reader.nextDueMs() > nowMs.get()) {
                return out;
            }
        }
        return fail("the reader did not settle; got " + out.size() + " records");
    }

    private static Set<String> ids(List<SourceRecord> records, String table, String keyField) {
        return records.stream().filter(r -> r.topic().equals(PREFIX + table) && r.value() != null)
                .map(r -> String.valueOf(((Struct) r.key()).get(keyField)))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
