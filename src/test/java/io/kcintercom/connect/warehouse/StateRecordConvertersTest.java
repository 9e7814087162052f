package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.state.ParentState;
import io.kcintercom.connect.state.StateRecords;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.Test;

/**
 * A state record serialized by each converter a user may configure is found back by the loader in
 * the bytes: the state text, and the tombstone of a parent that is gone.
 */
class StateRecordConvertersTest {
    private static final String TOPIC = "__intercom-state.c";
    private static final String ID = "64a\"b\\c é,;=#%~:x";

    private static List<Converter[]> converters() {
        List<Converter[]> pairs = new ArrayList<>();
        for (boolean schemas : new boolean[] {true, false}) {
            JsonConverter keys = new JsonConverter();
            keys.configure(Map.of("schemas.enable", String.valueOf(schemas)), true);
            JsonConverter values = new JsonConverter();
            values.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
            pairs.add(new Converter[] {keys, values});
        }
        StringConverter keys = new StringConverter();
        keys.configure(Map.of(), true);
        StringConverter values = new StringConverter();
        values.configure(Map.of(), false);
        pairs.add(new Converter[] {keys, values});
        for (boolean headers : new boolean[] {true, false}) {
            InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
            pairs.add(new Converter[] {AvroSchemas.converter(registry, true, headers),
                    AvroSchemas.converter(registry, false, headers)});
        }
        return pairs;
    }

    @Test
    void theStateAndItsTombstoneAreFoundBackWhateverTheConverter() {
        ParentState state = new ParentState(ID, Map.of(
                Tables.USERS_TAGS, new TreeSet<>(List.of("1", "2")),
                Tables.USERS_SOCIAL_PROFILES, new TreeSet<>(List.of("twitter:https%3A%2F%2Fx.com%2Fa", "b:~"))));
        SourceRecord live = StateRecords.record(TOPIC, Map.of(), Map.of(), Resource.USERS, ID, state);
        SourceRecord gone = StateRecords.record(TOPIC, Map.of(), Map.of(), Resource.USERS, ID, null);
        for (Converter[] pair : converters()) {
            String which = pair[1].getClass().getSimpleName();
            byte[] key = pair[0].fromConnectData(TOPIC, live.keySchema(), live.key());
            byte[] value = pair[1].fromConnectData(TOPIC, live.valueSchema(), live.value());
            StateRecords.Entry entry = StateRecords.parse(key, value);
            assertNotNull(entry, which);
            assertEquals(Resource.USERS, entry.resource(), which);
            assertEquals(ID, entry.parentId(), which);
            assertEquals(state, entry.state(), which);

            byte[] tombstoneKey = pair[0].fromConnectData(TOPIC, gone.keySchema(), gone.key());
            byte[] tombstone = pair[1].fromConnectData(TOPIC, gone.valueSchema(), gone.value());
            assertNull(tombstone, which + ": a tombstone, so compaction drops the parent");
            StateRecords.Entry removed = StateRecords.parse(tombstoneKey, tombstone);
            assertEquals(ID, removed.parentId(), which);
            assertNull(removed.state(), which);
        }
    }

    @Test
    void recordsOfOtherWritersAreIgnored() {
        assertNull(StateRecords.parse("users/1".getBytes(), "x".getBytes()));
        assertNull(StateRecords.parse(null, null));
    }
}
