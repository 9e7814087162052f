package io.kcintercom.connect.state;

import io.kcintercom.connect.resource.Resource;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the task emitted and has not retracted, per parent object: the keys of its child rows, per
 * child table. Retractions are computed against it (a tag gone from a contact is a stored key the
 * contact's new rows no longer name) and sweeps list the parents it holds to find vanished ones.
 * Backed by the connector's compacted state topic.
 */
public interface EmittedKeys {
    /** No store configured or reachable: nothing remembered, nothing retracted, sweeps skip vanish checks. */
    EmittedKeys NONE = new EmittedKeys() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public boolean contains(Resource resource, String parentId) {
            return false;
        }

        @Override
        public int size(Resource resource) {
            return 0;
        }

        @Override
        public void forEachParent(Resource resource, Consumer<String> action) {
        }

        @Override
        public Set<String> childIds(Resource resource, String parentId, String childTable) {
            return Set.of();
        }

        @Override
        public String toString() {
            return "EmittedKeys.NONE";
        }
    };

    boolean enabled();

    /** Whether the store knows the parent (it was emitted and not removed). */
    boolean contains(Resource resource, String parentId);

    /** Number of parents stored for a resource. */
    int size(Resource resource);

    /** Live parent ids of a resource (a snapshot copy is fine for the size of a sweep; prefer forEach). */
    void forEachParent(Resource resource, Consumer<String> action);

    /**
     * The stored child ids of one table for a parent: the key field after the parent key (e.g. tag
     * id, segment id, company id).
     */
    Set<String> childIds(Resource resource, String parentId, String childTable);
}
