package io.kcintercom.connect.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns one Intercom JSON object into the key and value {@link Struct}s of a table.
 *
 * <p>Intercom's JSON is loose: ids come as strings or integers, timestamps as unix seconds,
 * milliseconds or ISO-8601 strings, "empty" as null, {@code {}} or {@code ""}. Every column
 * accepts each of those shapes, and a sensible neighbour of them: an ISO date where an epoch is
 * expected, a number as a string, an object where a string is expected (kept as its JSON text). A
 * value that fits none of them makes the object unmappable: {@link UnmappableValueException}
 * names the table and the column, never the value. Timestamps are read by {@link Timestamps}, the
 * parser the readers order objects by.
 */
public final class RowConverter {
    private RowConverter() {
    }

    /** A converted row: the key and value of one record. */
    public record Row(TableDef table, Struct key, Struct value) {
    }

    public static Row convert(TableDef table, JsonNode object) {
        Struct value = new Struct(table.valueSchema());
        for (Column column : table.columns()) {
            Object converted = convertValue(table, column, column.locate(object));
            if (converted == null && column.required()) {
                throw new UnmappableValueException(table.name(), column.name(), "is required and missing from the "
                        + "API object");
            }
            value.put(column.name(), converted);
        }
        Struct key = new Struct(table.keySchema());
        boolean anyKey = false;
        for (Column column : table.keyColumns()) {
            Object keyValue = value.get(column.name());
            anyKey |= keyValue != null;
            key.put(column.name(), keyValue);
        }
        if (!anyKey) {
            throw new UnmappableValueException(table.name(),
                    String.join(",", table.keyColumns().stream().map(Column::name).toList()),
                    "is empty: the object has none of the key columns");
        }
        return new Row(table, key, value);
    }

    /**
     * The key {@code object} would have as a row of {@code table}, for a tombstone: only the key
     * columns are read, so an object too thin to be a whole row (a reference naming a deleted
     * contact) still names its key. Null when no key column has a usable value.
     */
    public static Struct keyOf(TableDef table, JsonNode object) {
        Struct key = new Struct(table.keySchema());
        boolean anyKey = false;
        for (Column column : table.keyColumns()) {
            Object keyValue;
            try {
                keyValue = convertValue(table, column, column.locate(object));
            } catch (UnmappableValueException e) {
                return null;
            }
            anyKey |= keyValue != null;
            key.put(column.name(), keyValue);
        }
        return anyKey ? key : null;
    }

    private static Object convertValue(TableDef table, Column column, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        try {
            return switch (column.type()) {
                case STRING -> toText(node);
                case JSON -> node.isTextual() ? node.textValue() : node.toString();
                case TIMESTAMP -> Timestamps.toDate(node);
                case INT -> toLong(node);
                case DOUBLE -> toDouble(node);
                case BOOLEAN -> toBoolean(node);
            };
        } catch (RuntimeException e) {
            // Not chained: parse exceptions quote the value ("For input string: ...").
            throw new UnmappableValueException(table.name(), column.name(), "cannot be read as " + column.type()
                    + " from a JSON " + shape(node));
        }
    }

    private static String toText(JsonNode node) {
        if (node.isContainerNode()) {
            // An object where a string is expected (e.g. avatar) keeps its content as JSON.
            return node.isEmpty() ? null : node.toString();
        }
        if (node.isNumber()) {
            return node.isIntegralNumber() ? node.bigIntegerValue().toString() : node.decimalValue().toPlainString();
        }
        return node.asText();
    }

    private static Long toLong(JsonNode node) {
        if (node.isNumber()) {
            return node.isIntegralNumber() ? node.longValue() : Math.round(node.doubleValue());
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            return text.isEmpty() ? null : new BigDecimal(text).longValueExact();
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? 1L : 0L;
        }
        throw new IllegalArgumentException("not an integer");
    }

    private static Double toDouble(JsonNode node) {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            return text.isEmpty() ? null : Double.valueOf(text);
        }
        throw new IllegalArgumentException("not a number");
    }

    private static Boolean toBoolean(JsonNode node) {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isNumber()) {
            return node.intValue() != 0;
        }
        if (node.isTextual()) {
            String text = node.textValue().trim().toLowerCase(java.util.Locale.ROOT);
            return switch (text) {
                case "" -> null;
                case "true", "1", "yes" -> Boolean.TRUE;
                case "false", "0", "no" -> Boolean.FALSE;
                default -> throw new IllegalArgumentException("not a boolean");
            };
        }
        throw new IllegalArgumentException("not a boolean");
    }

    /** The JSON type of a value, for messages that must not quote it. */
    private static String shape(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> "object";
            case ARRAY -> "array";
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
