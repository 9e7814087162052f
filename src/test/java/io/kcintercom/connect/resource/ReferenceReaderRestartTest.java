package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.state.StateRecords;
import io.kcintercom.connect.table.Tables;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Issues 16 and 19: tags (as admins and segments) across a restart, through the store of emitted
 * keys. The first task's records are what committed; the next task reloads the state topic from
 * them and resumes from the offset of their last record. On an exactly-once worker only what
 * changed while the connector was down is emitted; a row removed meanwhile is tombstoned in every
 * mode; under at-least-once a changed table is sent whole, as without a store.
 */
class ReferenceReaderRestartTest extends ReaderTestSupport {
    private static final String STATE = "state";
    private static final long REFRESH_MS = ReferenceReaderTest.REFRESH_MS;

    private ReferenceReader reader(EmittedKeys store, Map<String, ?> offset) {
        RecordFactory records = new RecordFactory(PREFIX, List.of(Tables.TAGS), BadObjects.skipping(), store);
        return ReferenceReader.tags(client, records, offset, REFRESH_MS, clock::get);
    }

    private static KeyStore store(boolean exact) {
        return new KeyStore(STATE, List.of(Resource.TAGS), exact);
    }

    /** The state topic as the next task reads it back: the state records, in order. */
    private static KeyStore reloaded(List<SourceRecord> committed, boolean exact) {
        KeyStore store = store(exact);
        for (SourceRecord record : committed) {
            if (record.topic().equals(STATE)) {
                StateRecords.Entry entry = StateRecords.parse(bytes(record.key()), bytes(record.value()));
                store.load(entry.resource(), entry.parentId(), entry.state());
            }
        }
        return store;
    }

    /** The record's key or value as a converter would write it: the framed state text is in it verbatim. */
    private static byte[] bytes(Object struct) {
        return struct == null ? null : struct.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The first task: one refresh of t1, t2, t3, all of it committed. */
    private List<SourceRecord> firstTask(EmittedKeys store) {
        stubTags(tag("t1", "VIP"), tag("t2", "Bug"), tag("t3", "Churn risk"));
        List<SourceRecord> first = drainPass(reader(store, null));
        assertEquals(List.of("t1", "t2", "t3"), ids(first, Tables.TAGS));
        return first;
    }

    private static List<SourceRecord> rows(List<SourceRecord> records) {
        return onTopic(records, Tables.TAGS).stream().filter(r -> r.value() != null).toList();
    }

    private static List<SourceRecord> stateRecords(List<SourceRecord> records) {
        return records.stream().filter(r -> r.topic().equals(STATE)).toList();
    }

    private static List<String> tombstoned(List<SourceRecord> records) {
        return onTopic(records, Tables.TAGS).stream().filter(r -> r.value() == null).map(r -> keyField(r, "id"))
                .toList();
    }

    @Test
    void onAnExactlyOnceWorkerARenamedTagIsTheOnlyRowEmittedAfterARestart() {
        List<SourceRecord> first = firstTask(store(true));
        assertEquals(3, stateRecords(first).size(), "a state record per tag");
        assertNotNull(lastOffset(first).get("digest"));

        stubTags(tag("t1", "VIP"), tag("t2", "Bug report"), tag("t3", "Churn risk"));
        List<SourceRecord> second = drainPass(reader(reloaded(first, true), lastOffset(first)));

        assertEquals(List.of("t2"), ids(second, Tables.TAGS));
        assertEquals("Bug report", valueField(second.get(0), "name"));
        assertEquals(1, stateRecords(second).size(), "t2's new version");
        assertFalse(lastOffset(second).get("digest").equals(lastOffset(first).get("digest")),
                "the new table digest on the refresh's last record");
    }

    @Test
    void nothingIsEmittedAfterARestartWhenNothingChanged() {
        List<SourceRecord> first = firstTask(store(true));

        assertEquals(List.of(), drainPass(reader(reloaded(first, true), lastOffset(first))));
        assertEquals(List.of(), drainPass(reader(reloaded(first, false), lastOffset(first))),
                "nor under at-least-once");
    }

    @Test
    void aTagDeletedWhileTheConnectorWasDownIsTombstonedInEitherMode() {
        for (boolean exact : new boolean[] {true, false}) {
            List<SourceRecord> first = firstTask(store(exact));

            stubTags(tag("t1", "VIP"), tag("t2", "Bug"));
            KeyStore store = reloaded(first, exact);
            List<SourceRecord> second = drainPass(reader(store, lastOffset(first)));

            assertEquals(List.of("t3"), tombstoned(second), "exactly-once: " + exact);
            assertEquals(Tables.get(Tables.TAGS).keySchema(), onTopic(second, Tables.TAGS).get(0).keySchema());
            List<SourceRecord> state = stateRecords(second);
            assertTrue(state.stream().anyMatch(r -> r.value() == null), "t3's state is dropped: " + state);
            assertFalse(store.contains(Resource.TAGS, "t3"));
            assertEquals(exact ? List.of() : List.of("t1", "t2"), ids(rows(second), Tables.TAGS),
                    "the table changed: sent whole unless the store is exact");
        }
    }

    @Test
    void underAtLeastOnceAChangedTableIsSentWholeAfterARestart() {
        List<SourceRecord> first = firstTask(store(false));

        stubTags(tag("t1", "VIP"), tag("t2", "Bug report"), tag("t3", "Churn risk"));
        KeyStore store = reloaded(first, false);
        assertNull(store.version(Resource.TAGS, "t2"), "a state record may be ahead of its row");
        List<SourceRecord> second = drainPass(reader(store, lastOffset(first)));

        assertEquals(List.of("t1", "t2", "t3"), ids(second, Tables.TAGS));
    }

    /** Offsets reset through the REST API mean "send everything again", whatever the state topic holds. */
    @Test
    void withoutAStoredOffsetEveryTagIsSentWhateverTheStoreHolds() {
        List<SourceRecord> first = firstTask(store(true));

        List<SourceRecord> afterReset = drainPass(reader(reloaded(first, true), null));

        assertEquals(List.of("t1", "t2", "t3"), ids(afterReset, Tables.TAGS));
    }

    /**
     * An upgrade from a version that kept no state for tags: the table is as its stored digest says,
     * so no row is sent again, but the store learns every row (state records only) and a tag deleted
     * later is tombstoned, even across another restart.
     */
    @Test
    void afterAnUpgradeTheStoreLearnsTheUnchangedRowsWithoutSendingThemAgain() {
        List<SourceRecord> first = firstTask(EmittedKeys.NONE);
        assertEquals(List.of(), stateRecords(first));

        KeyStore store = store(true);
        List<SourceRecord> upgraded = drainPass(reader(store, lastOffset(first)));
        assertEquals(List.of(), onTopic(upgraded, Tables.TAGS), "no row twice");
        assertEquals(3, stateRecords(upgraded).size());
        assertEquals(lastOffset(first), lastOffset(upgraded), "the table digest is unchanged");

        stubTags(tag("t1", "VIP"), tag("t3", "Churn risk"));
        List<SourceRecord> third = drainPass(reader(reloaded(upgraded, true), lastOffset(upgraded)));
        assertEquals(List.of("t2"), tombstoned(third));
        assertEquals(List.of(), rows(third));
    }

    @Test
    void withinATaskTheStoreChangesNothingButTheStateRecords() {
        KeyStore store = store(false);
        stubTags(tag("t1", "VIP"), tag("t2", "Bug"));
        ReferenceReader reader = reader(store, null);
        assertEquals(List.of("t1", "t2"), ids(drainPass(reader), Tables.TAGS));

        advanceToNextPass(reader);
        assertEquals(List.of(), drainPass(reader), "unchanged");

        stubTags(tag("t1", "VIP customer"));
        advanceToNextPass(reader);
        List<SourceRecord> changed = drainPass(reader);
        assertEquals(List.of("t1"), ids(rows(changed), Tables.TAGS));
        assertEquals(List.of("t2"), tombstoned(changed));
        assertEquals(2, stateRecords(changed).size(), "t1's new version, t2's removal");
        assertEquals(1, store.size(Resource.TAGS));
    }

    private static void stubTags(ObjectNode... tags) {
        ObjectNode body = JSON.createObjectNode().put("type", "list");
        ArrayNode data = body.putArray("data");
        for (ObjectNode tag : tags) {
            data.add(tag);
        }
        wm.stubFor(get(urlPathEqualTo("/tags")).willReturn(okJson(body.toString())));
    }
}
