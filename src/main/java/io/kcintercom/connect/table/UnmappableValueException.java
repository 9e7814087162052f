package io.kcintercom.connect.table;

import org.apache.kafka.connect.errors.DataException;

/**
 * An API object that cannot become a row of a table: a value of a shape no column type accepts, a
 * required column missing, no key at all. It names the table and the column and says what was
 * wrong, never the value: the message ends up in logs, task traces and record headers, and the
 * value may be personal data.
 */
public final class UnmappableValueException extends DataException {
    private final String table;
    private final String column;
    private final String reason;

    public UnmappableValueException(String table, String column, String reason) {
        super("Table " + table + ": column '" + column + "' " + reason);
        this.table = table;
        this.column = column;
        this.reason = reason;
    }

    public String table() {
        return table;
    }

    /** The column (or, for a row without a key, the key columns joined by commas). */
    public String column() {
        return column;
    }

    /** What was wrong, e.g. "is not a timestamp"; never the value. */
    public String reason() {
        return reason;
    }
}
