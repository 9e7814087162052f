package io.kcintercom.connect.resource;

import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.state.KeyText;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Struct;

/**
 * What a {@link RecordFactory.Group} says about its parent object, for the store of emitted keys:
 * which parent, which child tables it lists completely, whether the parent is gone, and which
 * tables had a row skipped as a bad object (never listed completely, so never diffed).
 */
final class GroupParent {
    /** A row key of a table, as a group adds it or a retraction needs it. */
    record RowKey(TableDef table, Struct key) {
    }

    private final Set<String> skippedTables = new HashSet<>();
    private String table;
    private String id;
    private Set<String> covered = Set.of();
    private boolean removed;
    private String version;

    void set(String parentTable, String parentId) {
        this.table = parentTable;
        this.id = parentId;
    }

    void covering(Collection<String> childTables) {
        this.covered = Set.copyOf(childTables);
    }

    void removed() {
        if (table == null) {
            throw new IllegalStateException("removeParent() needs parent(table, id) first");
        }
        this.removed = true;
    }

    /** The parent's version (a company's updated_at), stored with its state; null keeps the stored one. */
    void version(String parentVersion) {
        this.version = parentVersion;
    }

    void skipped(String skippedTable) {
        skippedTables.add(skippedTable);
    }

    String table() {
        return table;
    }

    String id() {
        return id;
    }

    /** Whether the store knows this group's parent (its group then matters even without rows). */
    boolean stored(EmittedKeys emitted, Resource resource) {
        return id != null && emitted.contains(resource, id);
    }

    /**
     * Diffs the group's rows ({@code added}) and tombstones ({@code tombstones}) against the store,
     * which is updated at once; nothing without a store, a parent, or with the parent skipped.
     */
    KeyStore.Outcome apply(EmittedKeys emitted, Resource resource, Predicate<String> enabled,
                           List<RowKey> added, List<RowKey> tombstones) {
        if (id == null || !(emitted instanceof KeyStore store) || !store.holds(resource)
                || skippedTables.contains(table)) {
            return KeyStore.Outcome.NOTHING;
        }
        Set<String> complete = new HashSet<>();
        covered.stream().filter(t -> enabled.test(t) && !skippedTables.contains(t)).forEach(complete::add);
        return store.apply(resource, new KeyStore.Update(id, childKeys(added), childKeys(tombstones), complete,
                removed, version));
    }

    /** The tombstones of what the store says the group retracts, in tables still enabled. */
    List<RowKey> retractions(KeyStore.Outcome outcome, Predicate<String> enabled) {
        List<RowKey> keys = new ArrayList<>();
        outcome.retracted().forEach((childTable, childKeys) -> {
            if (enabled.test(childTable)) {
                TableDef def = Tables.get(childTable);
                childKeys.forEach(key -> keys.add(new RowKey(def, KeyText.toKey(def, id, key))));
            }
        });
        return keys;
    }

    private Map<String, Set<String>> childKeys(List<RowKey> rows) {
        Map<String, Set<String>> keys = new HashMap<>();
        for (RowKey row : rows) {
            if (!row.table().name().equals(table)) {
                keys.computeIfAbsent(row.table().name(), t -> new HashSet<>()).add(KeyText.of(row.table(), row.key()));
            }
        }
        return keys;
    }
}
