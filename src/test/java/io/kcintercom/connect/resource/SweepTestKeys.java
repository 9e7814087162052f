package io.kcintercom.connect.resource;

import io.kcintercom.connect.state.EmittedKeys;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/** An in-memory store of emitted keys the sweep tests fill by hand: what the task emitted before. */
final class SweepTestKeys implements EmittedKeys {
    private final Map<Resource, Map<String, Map<String, Set<String>>>> parents = new HashMap<>();

    /** The parent was emitted with these child ids: table, ids, table, ids... */
    SweepTestKeys put(Resource resource, String parentId, Object... tablesAndIds) {
        Map<String, Set<String>> children = new HashMap<>();
        for (int i = 0; i < tablesAndIds.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) tablesAndIds[i + 1];
            children.put((String) tablesAndIds[i], Set.copyOf(ids));
        }
        parents.computeIfAbsent(resource, r -> new TreeMap<>()).put(parentId, children);
        return this;
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
        return parents.getOrDefault(resource, Map.of()).getOrDefault(parentId, Map.of())
                .getOrDefault(childTable, Set.of());
    }
}
