package io.kcintercom.connect.warehouse;

import io.kcintercom.connect.table.Column;
import io.kcintercom.connect.table.ColumnType;
import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL tables the Debezium JDBC sink creates for the source's topics, as DDL: what
 * {@code config/postgres-tables.sql} holds. Creating them before the sink starts matters because
 * the sink (3.5) cannot create a table from a tombstone: a delete that reaches a topic whose table
 * does not exist yet fails the sink task for good (a NullPointerException in its CREATE TABLE). A
 * tombstone can come first: a contact deleted between the search and its follow-ups is retracted
 * with the child rows its search result names, and a compacted topic keeps a tombstone for
 * {@code delete.retention.ms} after the row it deleted is gone.
 */
final class PostgresTables {
    /** The file users run once against the warehouse database, before creating the sink. */
    static final String FILE = "postgres-tables.sql";

    private PostgresTables() {
    }

    /** Debezium's default naming: the topic ({@code <prefix><table>}) with dots turned into underscores. */
    static String sqlName(String prefix, String table) {
        return (prefix + table).replace('.', '_');
    }

    /** The type the sink gives a column: what its schema type maps to in PostgreSQL. */
    static String postgresType(ColumnType type) {
        return switch (type) {
            case STRING, JSON -> "text";
            case INT -> "bigint";
            case DOUBLE -> "double precision";
            case BOOLEAN -> "boolean";
            case TIMESTAMP -> "timestamp";
        };
    }

    /** CREATE TABLE IF NOT EXISTS for every table, for the topics of {@code prefix}. */
    static String ddl(String prefix) {
        StringBuilder sql = new StringBuilder();
        sql.append("-- The tables of the reference warehouse (README, \"Reference warehouse setup\"), for topic.prefix ")
                .append(prefix).append('\n')
                .append("-- Run once before creating the sink: the Debezium JDBC sink cannot create a table from a\n")
                .append("-- tombstone, so a delete reaching a table it never created would stop it. Generated from the\n")
                .append("-- table contract; PostgresTablesTest keeps this file equal to it.\n");
        for (TableDef table : Tables.all().values()) {
            sql.append('\n').append("CREATE TABLE IF NOT EXISTS ").append(sqlName(prefix, table.name())).append(" (\n");
            List<String> lines = new ArrayList<>();
            List<String> keys = table.keyColumns().stream().map(Column::name).toList();
            for (Column column : table.columns()) {
                lines.add("  " + column.name() + " " + postgresType(column.type())
                        + (keys.contains(column.name()) ? " NOT NULL" : ""));
            }
            lines.add("  PRIMARY KEY (" + String.join(", ", keys) + ")");
            sql.append(String.join(",\n", lines)).append("\n);\n");
        }
        return sql.toString();
    }
}
