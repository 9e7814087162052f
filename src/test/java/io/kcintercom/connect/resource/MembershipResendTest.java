package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * A re-sync (offsets reset through the REST API, the topics recreated, the state topic kept) emits
 * every segment membership again at the end of its first sync, even when the task restarts in the
 * middle of that first sync: the state topic remembers memberships the new topics never got.
 */
class MembershipResendTest {
    static final Instant GENERATED_AT = Instant.parse("2026-11-22T04:00:00Z");
    static final List<String> TABLES = List.of(Tables.USERS, Tables.USERS_SEGMENTS);

    @Test
    void aReSyncRestartedInTheMiddleOfItsFirstSyncStillResendsEveryMembership() throws Exception {
        try (FakeReaders readers = new FakeReaders("resend", GENERATED_AT.toEpochMilli() + 3_600_000)) {
            SampleWorkspace ws = readers.workspace(2_024, SampleWorkspace.Sizes.builder().users(300).leads(0)
                    .companies(3).tags(3).segments(3).conversations(0).build(), GENERATED_AT);
            FakeIntercom fake = readers.fake(ws);
            Set<String> memberships = new TreeSet<>();
            ws.contactIds("user").forEach(id -> ws.contactSegments(id)
                    .forEach(s -> memberships.add(id + "|" + s.get("id").asText())));
            assertFalse(memberships.isEmpty(), "the sample workspace has segment members");
            KeyStore store = new KeyStore("resend-state", List.of(Resource.USERS));
            assertEquals(memberships, memberships(readers.drainDue(reader(readers, fake, store, null))),
                    "the first connector's sync");

            // Offsets reset and topics recreated; the new first sync is cut short after its first page.
            ResourceReader cut = reader(readers, fake, store, null);
            List<SourceRecord> firstPage = new ArrayList<>();
            while (firstPage.stream().noneMatch(r -> r.topic().equals(readers.prefix() + Tables.USERS))) {
                firstPage.addAll(cut.poll(10_000));
            }
            Map<String, ?> midSync = firstPage.get(firstPage.size() - 1).sourceOffset();
            assertFalse(midSync.containsKey(SearchPosition.SWEPT_AT), "no sweep completed yet: " + midSync);
            cut.close();

            List<SourceRecord> resumed = readers.drainDue(reader(readers, fake, store, midSync));

            assertEquals(memberships, memberships(resumed), "every membership again, as the new topics need");
        }
    }

    private static ResourceReader reader(FakeReaders readers, FakeIntercom fake, KeyStore store,
                                         Map<String, ?> offset) {
        Map<String, String> props = readers.props(fake, Resource.USERS, TABLES);
        props.put("search.delay.ms", "0");
        RecordFactory records = new RecordFactory(readers.prefix(), TABLES, BadObjects.skipping(), store);
        return readers.reader(Resource.USERS, fake, props, records, offset);
    }

    /** "contact|segment" of the live membership rows. */
    private static Set<String> memberships(List<SourceRecord> records) {
        Set<String> keys = new TreeSet<>();
        records.stream().filter(r -> r.topic().endsWith("." + Tables.USERS_SEGMENTS) && r.value() != null)
                .forEach(r -> keys.add(((Struct) r.key()).get("users_pk") + "|" + ((Struct) r.key()).get("id")));
        return keys;
    }
}
