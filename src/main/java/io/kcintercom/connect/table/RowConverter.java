package io.kcintercom.connect.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Date;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Turns one Intercom JSON object into the key and value {@link Struct}s of a table.
 *
 * <p>Intercom's JSON is loose: ids come as strings or integers, timestamps as unix seconds,
 * milliseconds or ISO-8601 strings, "empty" as null, {@code {}} or {@code ""}. Every column
 * accepts each of those shapes; a value that fits none of them is a malformed payload and fails.
 */
public final class RowConverter {
    /** Anything this large cannot be seconds (year 5138) and is taken as milliseconds. */
    private static final long MILLIS_THRESHOLD = 100_000_000_000L;

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
                throw new DataException("Table " + table.name() + ": required column '" + column.name()
                        + "' is missing from the API object");
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
            throw new DataException("Table " + table.name() + ": the object has none of the key columns "
                    + table.keyColumns().stream().map(Column::name).toList());
        }
        return new Row(table, key, value);
    }

    private static Object convertValue(TableDef table, Column column, JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        try {
            return switch (column.type()) {
                case STRING -> toText(node);
                case JSON -> node.isTextual() ? node.textValue() : node.toString();
                case TIMESTAMP -> toTimestamp(node);
                case INT -> toLong(node);
                case DOUBLE -> toDouble(node);
                case BOOLEAN -> toBoolean(node);
            };
        } catch (RuntimeException e) {
            throw new DataException("Table " + table.name() + ": column '" + column.name() + "' cannot be read as "
                    + column.type() + " from " + abbreviate(node.toString()), e);
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

    private static Date toTimestamp(JsonNode node) {
        if (node.isNumber()) {
            return fromEpochNumber(node.decimalValue());
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            if (text.isEmpty()) {
                return null;
            }
            if (isPlainDecimal(text)) {
                return fromEpochNumber(new BigDecimal(text));
            }
            return Date.from(parseIsoInstant(text));
        }
        if (node.isObject() && node.isEmpty()) {
            return null;
        }
        throw new IllegalArgumentException("not a timestamp");
    }

    /** {@code -?\d+(\.\d+)?}, checked by hand: this runs per row, and a regex costs more than the check. */
    static boolean isPlainDecimal(String text) {
        int i = text.startsWith("-") ? 1 : 0;
        int digitsBefore = 0;
        while (i < text.length() && isAsciiDigit(text.charAt(i))) {
            i++;
            digitsBefore++;
        }
        if (digitsBefore == 0) {
            return false;
        }
        if (i == text.length()) {
            return true;
        }
        if (text.charAt(i) != '.') {
            return false;
        }
        i++;
        int digitsAfter = 0;
        while (i < text.length() && isAsciiDigit(text.charAt(i))) {
            i++;
            digitsAfter++;
        }
        return digitsAfter > 0 && i == text.length();
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static Date fromEpochNumber(BigDecimal number) {
        long asLong = number.longValue();
        if (Math.abs(asLong) >= MILLIS_THRESHOLD) {
            return new Date(asLong);
        }
        return new Date(number.movePointRight(3).longValue());
    }

    private static java.time.Instant parseIsoInstant(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            // e.g. "2014-01-16T23:12:21.000+0000" or a bare instant
            try {
                return OffsetDateTime.parse(text, DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX"))
                        .toInstant();
            } catch (DateTimeParseException ignored) {
                return java.time.Instant.parse(text);
            }
        }
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

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
