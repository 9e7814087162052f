package io.kcintercom.connect.resource;

import io.kcintercom.connect.state.EmittedKeys;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * An in-memory store of emitted keys the sweep tests fill by hand: what the task emitted before.
 * Parents per resource, child ids per table, read back sorted so that tests see retractions in a
 * fixed order.
 */
final class SweepTestKeys implements EmittedKeys {
    private final Map<Resource, Map<String, Map<String, Set<String>>>> parents = new EnumMap<>(Resource.class);

    /** The parent was emitted with these child ids, and only these: table, ids, table, ids... */
    SweepTestKeys put(Resource resource, String parentId, Object... tablesAndIds) {
        Map<String, Set<String>> children = new HashMap<>();
        for (int i = 0; i < tablesAndIds.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) tablesAndIds[i + 1];
            children.put((String) tablesAndIds[i], new TreeSet<>(ids));
        }
        parents.computeIfAbsent(resource, r -> new TreeMap<>()).put(parentId, children);
        return this;
    }

    /** The parent was emitted with these child ids of {@code table} too. */
    SweepTestKeys add(Resource resource, String parentId, String table, String... childIds) {
        parents.computeIfAbsent(resource, r -> new TreeMap<>())
                .computeIfAbsent(parentId, p -> new HashMap<>())
                .computeIfAbsent(table, t -> new TreeSet<>())
                .addAll(List.of(childIds));
        return this;
    }

    void removeParent(Resource resource, String parentId) {
        parents.getOrDefault(resource, Map.of()).remove(parentId);
    }

    /** Takes emitted segment membership rows and tombstones in, as the store would. */
    void applySegments(Resource resource, String topicPrefix, List<SourceRecord> records) {
        RoleTables tables = RoleTables.of(resource);
        for (SourceRecord r : records) {
            if (!r.topic().equals(topicPrefix + tables.segments())) {
                continue;
            }
            Struct key = (Struct) r.key();
            String parentId = String.valueOf(key.get(tables.parentKey()));
            String childId = String.valueOf(key.get("id"));
            if (r.value() == null) {
                parents.get(resource).get(parentId).get(tables.segments()).remove(childId);
            } else {
                add(resource, parentId, tables.segments(), childId);
            }
        }
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean contains(Resource resource, String parentId) {
        return parents.getOrDefault(resource, Map.of()).containsKey(parentId);
    }

    @Override
    public int size(Resource resource) {
        return parents.getOrDefault(resource, Map.of()).size();
    }

    @Override
    public void forEachParent(Resource resource, Consumer<String> action) {
        List.copyOf(parents.getOrDefault(resource, Map.of()).keySet()).forEach(action);
    }

    @Override
    public Set<String> childIds(Resource resource, String parentId, String childTable) {
        Map<String, Set<String>> tables = parents.getOrDefault(resource, Map.of()).get(parentId);
        return tables == null ? Set.of()
                : Collections.unmodifiableSet(new TreeSet<>(tables.getOrDefault(childTable, Set.of())));
    }
}
