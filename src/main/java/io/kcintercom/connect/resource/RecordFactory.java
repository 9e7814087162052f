package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.state.StateRecords;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.RowConverter;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.table.UnmappableValueException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Builds the records of the enabled tables: converts API objects to rows and wraps them with
 * topic, partition and offset. Rows of tables the user did not select are never built. An object
 * that cannot be converted is handed to {@link BadObjects}: skipped (its raw JSON kept in the
 * errors topic when one is named) or the task fails.
 */
public final class RecordFactory {
    /** Headers of an errors-topic record, like Connect's dead letter queue's {@code __connect.errors.*}. */
    public static final String HEADER_PREFIX = "intercom.errors.";
    static final String HEADER_REASON = HEADER_PREFIX + "reason";
    static final String HEADER_RESOURCE = HEADER_PREFIX + "resource";
    static final String HEADER_TABLE = HEADER_PREFIX + "table";
    static final String HEADER_COLUMN = HEADER_PREFIX + "column";
    static final String HEADER_ID = HEADER_PREFIX + "id";
    static final String HEADER_CONTEXT = HEADER_PREFIX + "context";

    private final String topicPrefix;
    private final Set<String> enabledTables;
    private final BadObjects badObjects;
    private final EmittedKeys emitted;

    /** A factory that skips bad objects without an errors topic (the default policy). */
    public RecordFactory(String topicPrefix, Collection<String> enabledTables) {
        this(topicPrefix, enabledTables, BadObjects.skipping());
    }

    /** A factory without a store of emitted keys: nothing is retracted but what a group removes itself. */
    public RecordFactory(String topicPrefix, Collection<String> enabledTables, BadObjects badObjects) {
        this(topicPrefix, enabledTables, badObjects, EmittedKeys.NONE);
    }

    public RecordFactory(String topicPrefix, Collection<String> enabledTables, BadObjects badObjects,
                         EmittedKeys emitted) {
        this.topicPrefix = topicPrefix;
        this.enabledTables = Set.copyOf(enabledTables);
        this.badObjects = badObjects;
        this.emitted = emitted;
    }

    /** The store of emitted keys the groups diff against ({@link EmittedKeys#NONE} when there is none). */
    public EmittedKeys emitted() {
        return emitted;
    }

    public boolean enabled(String table) {
        return enabledTables.contains(table);
    }

    /**
     * Whether {@code object} makes a row of {@code table} (or the table is not selected, so no row is
     * needed): an object that does not is skipped by every pass and never stored.
     */
    boolean builds(String table, JsonNode object) {
        if (!enabled(table)) {
            return true;
        }
        try {
            RowConverter.convert(Tables.get(table), object);
            return true;
        } catch (DataException e) { // UnmappableValueException included
            return false;
        }
    }

    public String topic(String table) {
        return topicPrefix + table;
    }

    public BadObjects badObjects() {
        return badObjects;
    }

    /** One record-to-be of a group: a row, or a skipped object's raw JSON for the errors topic. */
    private sealed interface Entry permits Converted, Skipped, Removed {
    }

    private record Converted(RowConverter.Row row) implements Entry {
    }

    private record Skipped(BadObjects.BadObject bad, String rawJson) implements Entry {
    }

    /** A tombstone: the row's key with a null value, which removes the row from compacted topics and upsert sinks. */
    private record Removed(TableDef table, Struct key) implements Entry {
    }

    /**
     * A group of records for one API object and its child rows. The group is handed to the worker
     * whole; every record but the last carries the position before the object and the last the
     * position after it, so an offset committed mid-group never skips the rest of the group. A row
     * that cannot be built is skipped alone; the assembly skips the rows below it (see
     * {@link #lastSkipped()}).
     */
    public final class Group {
        private final Resource resource;
        private final String context;
        private final List<Entry> entries = new ArrayList<>();
        private final GroupParent parent = new GroupParent();
        private boolean lastSkipped;
        /** Whether the state record is written even unchanged ({@link #carryingOffset}). */
        private boolean carriesOffset;

        Group(Resource resource, String context) {
            this.resource = resource;
            this.context = context;
        }

        /** Adds a row of {@code table} from {@code object} when the table is enabled. */
        public Group add(String table, JsonNode object) {
            lastSkipped = false;
            if (!enabled(table) || object == null || !object.isObject()) {
                return this;
            }
            try {
                entries.add(new Converted(RowConverter.convert(Tables.get(table), object)));
            } catch (UnmappableValueException e) {
                skip(table, object, e.column(), e.reason());
            } catch (DataException e) {
                // Not expected (converted values fit their schema), but no object may stop the table for ever.
                skip(table, object, "(row)", "does not fit the table's schema");
            }
            return this;
        }

        /**
         * Skips an object that cannot become a row of {@code table}: counted and logged, its raw JSON
         * kept for the errors topic when one is named, or the task fails if the config says so.
         *
         * @param reason what is wrong with the column, never its value
         */
        public Group skip(String table, JsonNode object, String column, String reason) {
            BadObjects.BadObject bad = new BadObjects.BadObject(resource, context, table,
                    JsonPaths.text(object, "id"), column, reason);
            badObjects.handle(bad);
            parent.skipped(table);
            if (badObjects.errorsTopic() != null) {
                entries.add(new Skipped(bad, object.toString()));
            }
            lastSkipped = true;
            return this;
        }

        /**
         * Whether the row last added was skipped: the rows that hang below it (a contact's tags, a
         * part's attachments) are then skipped with it rather than emitted without their parent.
         */
        public boolean lastSkipped() {
            return lastSkipped;
        }

        /** Adds a child row: the item with the parent's id under {@code parentKey}. */
        public Group addChild(String table, JsonNode item, String parentKey, String parentId) {
            if (!enabled(table) || item == null || !item.isObject()) {
                lastSkipped = false;
                return this;
            }
            ObjectNode child = ((ObjectNode) item).deepCopy();
            child.put(parentKey, parentId);
            return add(table, child);
        }

        /** Adds a child row for every item of a list in any of Intercom's envelopes. */
        public Group addChildren(String table, JsonNode list, String parentKey, String parentId, String... keys) {
            if (!enabled(table)) {
                return this;
            }
            for (JsonNode item : JsonPaths.items(list, keys)) {
                addChild(table, item, parentKey, parentId);
            }
            return this;
        }

        /**
         * Adds a tombstone for the row of {@code table} that {@code object} makes, when the table is
         * enabled: Intercom revealed the object is gone (or no longer belongs to this table). Only the
         * key is read, so no bad value can stop it; an object naming no key adds nothing.
         */
        public Group remove(String table, JsonNode object) {
            lastSkipped = false;
            if (!enabled(table) || object == null || !object.isObject()) {
                return this;
            }
            TableDef def = Tables.get(table);
            Struct key = RowConverter.keyOf(def, object);
            if (key != null) {
                entries.add(new Removed(def, key));
            }
            return this;
        }

        /** Adds a tombstone for a child row: the item with the parent's id under {@code parentKey}. */
        public Group removeChild(String table, JsonNode item, String parentKey, String parentId) {
            if (!enabled(table) || item == null || !item.isObject()) {
                lastSkipped = false;
                return this;
            }
            ObjectNode child = ((ObjectNode) item).deepCopy();
            child.put(parentKey, parentId);
            return remove(table, child);
        }

        /** Adds a tombstone for the child row of every item of a list in any of Intercom's envelopes. */
        public Group removeChildren(String table, JsonNode list, String parentKey, String parentId, String... keys) {
            if (!enabled(table)) {
                return this;
            }
            for (JsonNode item : JsonPaths.items(list, keys)) {
                removeChild(table, item, parentKey, parentId);
            }
            return this;
        }

        /**
         * This group is the current state of one parent object: its row in parentTable and the child
         * rows added to it.
         */
        public Group parent(String parentTable, String parentId) {
            parent.set(parentTable, parentId);
            return this;
        }

        /** The parent's version (a company's updated_at), stored with its state: see {@link EmittedKeys#version}. */
        public Group version(String version) {
            parent.version(version);
            return this;
        }

        /**
         * Child tables this group lists COMPLETELY for its parent: at toRecords, stored keys of these
         * tables that the group does not add are retracted (tombstones), in the same batch. Tables not
         * covered are only added to (rows added) or removed from (tombstones added), never diffed.
         */
        public Group covering(Collection<String> childTables) {
            parent.covering(childTables);
            return this;
        }

        /**
         * The parent is gone (404/410, deleted listing, vanished in a sweep, role changed): tombstones for
         * its row and every stored child key of every table; its state entry is dropped (null state record).
         */
        public Group removeParent() {
            parent.removed();
            if (!removes(parent.table(), parent.id())) {
                remove(parent.table(), JsonNodeFactory.instance.objectNode().put("id", parent.id()));
            }
            return this;
        }

        /** Whether the group already holds a tombstone for the row of {@code table} keyed {@code id} alone. */
        private boolean removes(String table, String id) {
            for (Entry entry : entries) {
                if (entry instanceof Removed removed && removed.table().name().equals(table)
                        && id.equals(removed.key().get("id"))) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Writes the parent's state record even when it did not change, so that the group has a record
         * to commit its offset with: a page's last group of work whose progress lives only in the
         * offset (the event summary backfill), where most contacts have no summary to emit.
         */
        public Group carryingOffset() {
            carriesOffset = true;
            return this;
        }

        /** Empty also means no state to change: a stored parent's group may retract rows even with none of its own. */
        public boolean isEmpty() {
            return entries.isEmpty() && !parent.stored(emitted, resource);
        }

        public int size() {
            return entries.size();
        }

        /**
         * The group's records: its rows and tombstones, then the tombstones of the stored child keys
         * it retracts and its parent's state record when that changed (the store is updated now).
         * Every record but the last carries {@code offsetBefore}, so an offset committed mid-group
         * never skips the rest of it; the state record is last, written only with everything above.
         */
        public List<SourceRecord> toRecords(Map<String, ?> offsetBefore, Map<String, ?> offsetAfter) {
            Map<String, String> partition = Offsets.partition(resource);
            List<Entry> all = new ArrayList<>(entries);
            List<GroupParent.RowKey> rowKeys = new ArrayList<>();
            List<GroupParent.RowKey> tombstoneKeys = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry instanceof Converted c) {
                    rowKeys.add(new GroupParent.RowKey(c.row().table(), c.row().key()));
                } else if (entry instanceof Removed r) {
                    tombstoneKeys.add(new GroupParent.RowKey(r.table(), r.key()));
                }
            }
            KeyStore.Outcome outcome = parent.apply(emitted, resource, RecordFactory.this::enabled, rowKeys,
                    tombstoneKeys);
            parent.retractions(outcome, RecordFactory.this::enabled)
                    .forEach(k -> all.add(new Removed(k.table(), k.key())));
            // The same state again is harmless: the topic is compacted, and it is read back as it was.
            boolean stateRecord = outcome.changed() || carriesOffset && outcome.newState() != null;
            int last = all.size() - (stateRecord ? 0 : 1);
            List<SourceRecord> records = new ArrayList<>(all.size() + 1);
            for (int i = 0; i < all.size(); i++) {
                Map<String, ?> offset = i == last ? offsetAfter : offsetBefore;
                Entry entry = all.get(i);
                if (entry instanceof Converted converted) {
                    RowConverter.Row row = converted.row();
                    records.add(new SourceRecord(partition, offset, topic(row.table().name()), null,
                            row.table().keySchema(), row.key(), row.table().valueSchema(), row.value()));
                } else if (entry instanceof Removed removed) {
                    records.add(new SourceRecord(partition, offset, topic(removed.table().name()), null,
                            removed.table().keySchema(), removed.key(), null, null));
                } else {
                    Skipped skipped = (Skipped) entry;
                    records.add(ErrorRecords.of(badObjects.errorsTopic(), partition, offset, skipped.bad(),
                            skipped.rawJson()));
                }
            }
            if (stateRecord) {
                records.add(StateRecords.record(((KeyStore) emitted).topic(), partition, offsetAfter, resource,
                        parent.id(), outcome.newState()));
            }
            return records;
        }
    }

    public Group group(Resource resource, String context) {
        return new Group(resource, context);
    }
}
