package io.kcintercom.connect.table;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;

/** A table of the contract: its name, key columns and columns, and the Connect schemas they make. */
public final class TableDef {
    /** Namespace of every schema name: values are {@code <namespace>.<table>}, keys {@code <namespace>.<table>.Key}. */
    public static final String SCHEMA_NAMESPACE = "io.kcintercom.intercom";
    /** Bumped when a release changes a table's columns. */
    public static final int SCHEMA_VERSION = 1;

    private final String name;
    private final List<Column> columns;
    private final List<Column> keyColumns;
    private final Schema keySchema;
    private final Schema valueSchema;

    TableDef(String name, List<String> keyColumnNames, List<Column> columns) {
        this.name = name;
        this.columns = List.copyOf(columns);
        Map<String, Column> byName = new LinkedHashMap<>();
        for (Column column : columns) {
            if (byName.put(column.name(), column) != null) {
                throw new IllegalArgumentException("Duplicate column " + column.name() + " in table " + name);
            }
        }
        this.keyColumns = keyColumnNames.stream().map(k -> {
            Column column = byName.get(k);
            if (column == null) {
                throw new IllegalArgumentException("Key column " + k + " is not a column of table " + name);
            }
            return column;
        }).toList();
        this.keySchema = struct(name + ".Key", keyColumns, true);
        this.valueSchema = struct(name, columns, false);
    }

    private static Schema struct(String localName, List<Column> columns, boolean key) {
        SchemaBuilder builder = SchemaBuilder.struct()
                .name(SCHEMA_NAMESPACE + "." + localName)
                .version(SCHEMA_VERSION);
        for (Column column : columns) {
            // Key fields are optional: a composite key may legitimately miss one part (a social
            // profile without url); the converter rejects a row whose key is entirely missing.
            builder.field(column.name(), column.type().schema(!key && column.required()));
        }
        return builder.build();
    }

    public String name() {
        return name;
    }

    public List<Column> columns() {
        return columns;
    }

    public List<Column> keyColumns() {
        return keyColumns;
    }

    public Schema keySchema() {
        return keySchema;
    }

    public Schema valueSchema() {
        return valueSchema;
    }

    @Override
    public String toString() {
        return name;
    }
}
