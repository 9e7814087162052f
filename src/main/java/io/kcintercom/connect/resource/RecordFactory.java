package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.RowConverter;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Builds the records of the enabled tables: converts API objects to rows and wraps them with
 * topic, partition and offset. Rows of tables the user did not select are never built.
 */
public final class RecordFactory {
    private final String topicPrefix;
    private final Set<String> enabledTables;

    public RecordFactory(String topicPrefix, Collection<String> enabledTables) {
        this.topicPrefix = topicPrefix;
        this.enabledTables = Set.copyOf(enabledTables);
    }

    public boolean enabled(String table) {
        return enabledTables.contains(table);
    }

    public String topic(String table) {
        return topicPrefix + table;
    }

    /**
     * A group of records for one API object and its child rows. The group is handed to the worker
     * whole; every record but the last carries the position before the object and the last the
     * position after it, so an offset committed mid-group never skips the rest of the group.
     */
    public final class Group {
        private final Resource resource;
        private final String context;
        private final List<TableDef> tables = new ArrayList<>();
        private final List<RowConverter.Row> rows = new ArrayList<>();

        Group(Resource resource, String context) {
            this.resource = resource;
            this.context = context;
        }

        /** Adds a row of {@code table} from {@code object} when the table is enabled. */
        public Group add(String table, JsonNode object) {
            if (!enabled(table) || object == null || !object.isObject()) {
                return this;
            }
            TableDef def = Tables.get(table);
            try {
                rows.add(RowConverter.convert(def, object));
            } catch (DataException e) {
                throw new DataException(resource.id() + ": malformed object at " + context + ": " + e.getMessage(), e);
            }
            tables.add(def);
            return this;
        }

        /** Adds a child row: the item with the parent's id under {@code parentKey}. */
        public Group addChild(String table, JsonNode item, String parentKey, String parentId) {
            if (!enabled(table) || item == null || !item.isObject()) {
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

        public boolean isEmpty() {
            return rows.isEmpty();
        }

        public int size() {
            return rows.size();
        }

        public List<SourceRecord> toRecords(Map<String, ?> offsetBefore, Map<String, ?> offsetAfter) {
            Map<String, String> partition = Offsets.partition(resource);
            List<SourceRecord> records = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                RowConverter.Row row = rows.get(i);
                Map<String, ?> offset = i == rows.size() - 1 ? offsetAfter : offsetBefore;
                records.add(new SourceRecord(partition, offset, topic(row.table().name()), null,
                        row.table().keySchema(), row.key(), row.table().valueSchema(), row.value()));
            }
            return records;
        }
    }

    public Group group(Resource resource, String context) {
        return new Group(resource, context);
    }
}
