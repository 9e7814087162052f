package io.kcintercom.connect.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** {@link RecordFactory.Group} diffed against a {@link KeyStore}: what is retracted, what is stored, which offsets. */
class RetractionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ?> BEFORE = Map.of("p", 1L);
    private static final Map<String, ?> AFTER = Map.of("p", 2L);
    private static final List<String> CONTACT_TABLES = List.of(Tables.USERS, Tables.USERS_TAGS,
            Tables.USERS_SOCIAL_PROFILES, Tables.NOTES, Tables.USERS_SEGMENTS);

    private final KeyStore store = new KeyStore("state", List.of(Resource.USERS));
    private final RecordFactory records = new RecordFactory("i.", CONTACT_TABLES,
            io.kcintercom.connect.resource.BadObjects.skipping(), store);

    private List<SourceRecord> contact(String id, List<String> tags, String... covering) {
        RecordFactory.Group group = records.group(Resource.USERS, "contact " + id)
                .add(Tables.USERS, json("{\"id\":\"" + id + "\"}"));
        group.parent(Tables.USERS, id).covering(List.of(covering));
        for (String tag : tags) {
            group.addChild(Tables.USERS_TAGS, json("{\"type\":\"tag\",\"id\":\"" + tag + "\"}"), "users_pk", id);
        }
        return group.toRecords(BEFORE, AFTER);
    }

    @Test
    void aTagNoLongerListedIsRetractedInTheSameGroupAndTheStateRecordComesLast() {
        contact("u1", List.of("t1", "t2"), Tables.USERS_TAGS);
        List<SourceRecord> out = contact("u1", List.of("t2"), Tables.USERS_TAGS);

        assertEquals(List.of("i.users", "i.users_tags", "i.users_tags", "state"), topics(out));
        SourceRecord tombstone = out.get(2);
        assertNull(tombstone.value());
        assertEquals("u1", ((Struct) tombstone.key()).get("users_pk"));
        assertEquals("t1", ((Struct) tombstone.key()).get("id"));
        assertEquals(List.of(BEFORE, BEFORE, BEFORE, AFTER), out.stream().map(SourceRecord::sourceOffset).toList());
        assertEquals(Set.of("t2"), store.childIds(Resource.USERS, "u1", Tables.USERS_TAGS));
        assertEquals(1, store.retractions(Resource.USERS));
    }

    @Test
    void anUnchangedGroupWritesNoStateRecordAndItsLastRowCarriesTheOffsetAfter() {
        contact("u1", List.of("t1"), Tables.USERS_TAGS);
        List<SourceRecord> out = contact("u1", List.of("t1"), Tables.USERS_TAGS);
        assertEquals(List.of("i.users", "i.users_tags"), topics(out));
        assertEquals(List.of(BEFORE, AFTER), out.stream().map(SourceRecord::sourceOffset).toList());
    }

    @Test
    void aTableNotCoveredIsOnlyAddedTo() {
        contact("u1", List.of("t1"));
        List<SourceRecord> out = contact("u1", List.of("t2"));
        assertEquals(List.of("i.users", "i.users_tags", "state"), topics(out));
        assertEquals(Set.of("t1", "t2"), store.childIds(Resource.USERS, "u1", Tables.USERS_TAGS));
    }

    @Test
    void removeParentTombstonesTheParentAndEveryStoredChildAndDropsTheState() {
        RecordFactory.Group first = records.group(Resource.USERS, "contact u1").add(Tables.USERS, json("{\"id\":\"u1\"}"))
                .parent(Tables.USERS, "u1");
        first.addChild(Tables.USERS_TAGS, json("{\"id\":\"t1\"}"), "users_pk", "u1");
        first.addChild(Tables.USERS_SOCIAL_PROFILES, json("{\"name\":\"x:y\",\"url\":null}"), "users_pk", "u1");
        first.add(Tables.NOTES, json("{\"id\":\"n1\",\"contact\":{\"id\":\"u1\"}}"));
        first.toRecords(BEFORE, AFTER);
        assertTrue(store.contains(Resource.USERS, "u1"));

        RecordFactory.Group gone = records.group(Resource.USERS, "sweep").parent(Tables.USERS, "u1").removeParent();
        assertFalse(gone.isEmpty());
        List<SourceRecord> out = gone.toRecords(BEFORE, AFTER);

        assertEquals(List.of("i.users", "i.users_tags", "i.users_social_profiles", "i.notes", "state"), topics(out));
        out.forEach(r -> assertNull(r.value()));
        Struct profile = (Struct) out.get(2).key();
        assertEquals("x:y", profile.get("name"));
        assertNull(profile.get("url"));
        assertEquals("n1", ((Struct) out.get(3).key()).get("id"));
        assertFalse(store.contains(Resource.USERS, "u1"));
        assertEquals(0, store.size(Resource.USERS));
    }

    @Test
    void aSkippedChildKeepsItsTableFromBeingDiffed() {
        contact("u1", List.of("t1", "t2"), Tables.USERS_TAGS);
        RecordFactory.Group group = records.group(Resource.USERS, "contact u1")
                .add(Tables.USERS, json("{\"id\":\"u1\"}")).parent(Tables.USERS, "u1").covering(List.of(Tables.USERS_TAGS));
        group.addChild(Tables.USERS_TAGS, json("{\"id\":\"t2\"}"), "users_pk", "u1");
        group.skip(Tables.USERS_TAGS, json("{\"id\":\"t1\"}"), "name", "is not text");
        List<SourceRecord> out = group.toRecords(BEFORE, AFTER);
        assertEquals(List.of("i.users", "i.users_tags"), topics(out));
    }

    @Test
    void withoutAStoreNothingIsRetractedOrWritten() {
        RecordFactory plain = new RecordFactory("i.", CONTACT_TABLES);
        for (List<String> tags : List.of(List.of("t1", "t2"), List.of("t2"))) {
            RecordFactory.Group group = plain.group(Resource.USERS, "c").add(Tables.USERS, json("{\"id\":\"u1\"}"))
                    .parent(Tables.USERS, "u1").covering(List.of(Tables.USERS_TAGS));
            tags.forEach(t -> group.addChild(Tables.USERS_TAGS, json("{\"id\":\"" + t + "\"}"), "users_pk", "u1"));
            assertEquals(1 + tags.size(), group.toRecords(BEFORE, AFTER).size());
        }
        assertFalse(EmittedKeys.NONE.enabled());
        assertFalse(EmittedKeys.NONE.contains(Resource.USERS, "u1"));
    }

    @Test
    void manyParentsSurviveGrowthRemovalAndCollisionChecks() {
        KeyStore big = new KeyStore("s", List.of(Resource.CONVERSATIONS));
        for (int i = 0; i < 20_000; i++) {
            big.load(Resource.CONVERSATIONS, String.valueOf(i), ParentState.parse(i + ";conversations_tags=" + i));
        }
        for (int i = 0; i < 20_000; i += 2) {
            big.load(Resource.CONVERSATIONS, String.valueOf(i), null);
        }
        assertEquals(10_000, big.size(Resource.CONVERSATIONS));
        for (int i = 0; i < 20_000; i++) {
            assertEquals(i % 2 == 1, big.contains(Resource.CONVERSATIONS, String.valueOf(i)), "id " + i);
        }
        assertEquals(Set.of("7"), big.childIds(Resource.CONVERSATIONS, "7", Tables.CONVERSATIONS_TAGS));
        List<String> ids = new ArrayList<>();
        big.forEachParent(Resource.CONVERSATIONS, ids::add);
        assertEquals(10_000, ids.size());
    }

    @Test
    void theTextRoundTripsAnyIdAndKey() {
        ParentState state = new ParentState("a;b=c,d#%~é", Map.of(
                Tables.USERS_SOCIAL_PROFILES, new java.util.TreeSet<>(List.of("n%3A1:~", ":", "~:"))));
        assertEquals(state, ParentState.parse(state.toTopicText()));
        assertEquals(state, ParentState.fromCompact(state.toCompact()));
        assertTrue(state.toTopicText().chars().allMatch(c -> c > 32 && c < 127 && c != '"' && c != '\\' && c != '#'));
        assertEquals("a;b=c,d#%~é", ParentState.idOf(state.toCompact()));
    }

    private static List<String> topics(List<SourceRecord> out) {
        return out.stream().map(SourceRecord::topic).toList();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
