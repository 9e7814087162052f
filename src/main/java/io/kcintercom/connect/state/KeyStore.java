package io.kcintercom.connect.state;

import io.kcintercom.connect.resource.Resource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The task's memory of what it emitted: per resource, per parent, the child keys per table. Loaded
 * from the state topic when the task starts ({@link StateLoader}); changed as groups of records are
 * built ({@link #apply}), each change also written to the state topic in the group's batch
 * ({@link StateRecords}), so a task that restarts anywhere reads back exactly what reached Kafka.
 * Resources are read on threads of their own; each resource's map has its own lock.
 */
public final class KeyStore implements EmittedKeys {
    private final String topic;
    private final Map<Resource, ParentMap> parents = new EnumMap<>(Resource.class);
    private final Map<Resource, AtomicLong> retractions = new EnumMap<>(Resource.class);

    public KeyStore(String topic, Collection<Resource> resources) {
        this.topic = topic;
        for (Resource resource : resources) {
            parents.put(resource, new ParentMap());
            retractions.put(resource, new AtomicLong());
        }
    }

    /** The state topic the groups write their state records to. */
    public String topic() {
        return topic;
    }

    public boolean holds(Resource resource) {
        return parents.containsKey(resource);
    }

    /**
     * What a group of records says about its parent. {@code covered} names the child tables the
     * group lists completely; {@code added} and {@code removed} the child keys it emits as rows and
     * as tombstones, per table.
     */
    public record Update(String parentId, Map<String, Set<String>> added, Map<String, Set<String>> removed,
                         Set<String> covered, boolean parentRemoved) {
    }

    /**
     * What the group must add: tombstones for the stored child keys it retracts (per table), and the
     * parent's new state (null when the parent is gone) when it differs from the stored one.
     */
    public record Outcome(Map<String, List<String>> retracted, ParentState newState, boolean changed) {
        public static final Outcome NOTHING = new Outcome(Map.of(), null, false);
    }

    /** Diffs a group against the stored state and stores its result at once (the records reach poll() next). */
    public Outcome apply(Resource resource, Update update) {
        ParentMap map = parents.get(resource);
        if (map == null) {
            return Outcome.NOTHING;
        }
        synchronized (map) {
            byte[] compact = map.get(update.parentId());
            ParentState stored = compact == null ? null : ParentState.fromCompact(compact);
            Outcome outcome = update.parentRemoved() ? removal(stored, update) : change(stored, update);
            if (outcome.newState() == null) {
                map.remove(update.parentId());
            } else if (outcome.changed()) {
                map.put(update.parentId(), outcome.newState().toCompact());
            }
            long count = outcome.retracted().values().stream().mapToLong(List::size).sum();
            retractions.get(resource).addAndGet(count);
            return outcome;
        }
    }

    private static Outcome removal(ParentState stored, Update update) {
        Map<String, List<String>> retracted = new TreeMap<>(ParentState::byContractOrder);
        if (stored != null) {
            for (String table : stored.tables()) {
                List<String> keys = new ArrayList<>(stored.keys(table));
                keys.removeAll(update.removed().getOrDefault(table, Set.of()));
                if (!keys.isEmpty()) {
                    retracted.put(table, keys);
                }
            }
        }
        return new Outcome(retracted, null, stored != null);
    }

    private static Outcome change(ParentState stored, Update update) {
        Map<String, List<String>> retracted = new TreeMap<>(ParentState::byContractOrder);
        Map<String, SortedSet<String>> next = new TreeMap<>(ParentState::byContractOrder);
        Set<String> tables = new TreeSet<>(ParentState::byContractOrder);
        tables.addAll(update.added().keySet());
        tables.addAll(update.removed().keySet());
        if (stored != null) {
            tables.addAll(stored.tables());
        }
        for (String table : tables) {
            SortedSet<String> before = stored == null ? new TreeSet<>() : stored.keys(table);
            Set<String> added = update.added().getOrDefault(table, Set.of());
            Set<String> removed = update.removed().getOrDefault(table, Set.of());
            SortedSet<String> after = new TreeSet<>(added);
            if (update.covered().contains(table)) {
                List<String> gone = new ArrayList<>();
                for (String key : before) {
                    if (!added.contains(key) && !removed.contains(key)) {
                        gone.add(key);
                    }
                }
                if (!gone.isEmpty()) {
                    retracted.put(table, gone);
                }
            } else {
                after.addAll(before);
                after.removeAll(removed);
            }
            next.put(table, after);
        }
        ParentState state = new ParentState(update.parentId(), next);
        boolean changed = stored == null || !Arrays.equals(stored.toCompact(), state.toCompact());
        return new Outcome(retracted, state, changed);
    }

    /** Loads one record of the state topic: the parent's state, or its removal when {@code state} is null. */
    public void load(Resource resource, String parentId, ParentState state) {
        ParentMap map = parents.get(resource);
        if (map == null) {
            return;
        }
        synchronized (map) {
            if (state == null) {
                map.remove(parentId);
            } else {
                map.put(parentId, state.toCompact());
            }
        }
    }

    /** Child keys retracted for a resource since the task started. */
    public long retractions(Resource resource) {
        AtomicLong count = retractions.get(resource);
        return count == null ? 0 : count.get();
    }

    /** The stored state of a parent, or null. */
    public ParentState state(Resource resource, String parentId) {
        ParentMap map = parents.get(resource);
        if (map == null) {
            return null;
        }
        byte[] compact;
        synchronized (map) {
            compact = map.get(parentId);
        }
        return compact == null ? null : ParentState.fromCompact(compact);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean contains(Resource resource, String parentId) {
        ParentMap map = parents.get(resource);
        if (map == null) {
            return false;
        }
        synchronized (map) {
            return map.get(parentId) != null;
        }
    }

    @Override
    public int size(Resource resource) {
        ParentMap map = parents.get(resource);
        if (map == null) {
            return 0;
        }
        synchronized (map) {
            return map.size();
        }
    }

    @Override
    public void forEachParent(Resource resource, Consumer<String> action) {
        ParentMap map = parents.get(resource);
        if (map == null) {
            return;
        }
        byte[][] snapshot;
        synchronized (map) {
            snapshot = map.snapshot();
        }
        // Outside the lock: the action may build groups of this resource, which change the map.
        for (byte[] compact : snapshot) {
            if (compact != null) {
                action.accept(ParentState.idOf(compact));
            }
        }
    }

    @Override
    public Set<String> childIds(Resource resource, String parentId, String childTable) {
        ParentState state = state(resource, parentId);
        return state == null ? Set.of() : state.ids(childTable);
    }
}
