package io.kcintercom.connect.table;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Timestamp;

/** The column types of the table contract ({@code spec/tables.md}) and their Connect schemas. */
public enum ColumnType {
    STRING(SchemaBuilder.string()),
    /** Intercom sends unix seconds (sometimes ISO-8601 strings); stored as a Connect Timestamp. */
    TIMESTAMP(Timestamp.builder()),
    BOOLEAN(SchemaBuilder.bool()),
    INT(SchemaBuilder.int64()),
    DOUBLE(SchemaBuilder.float64()),
    /** A free-form JSON object or array, serialized to a string. */
    JSON(SchemaBuilder.string());

    private final SchemaBuilder template;

    ColumnType(SchemaBuilder template) {
        this.template = template;
    }

    Schema schema(boolean required) {
        SchemaBuilder builder = copyOf(template);
        return required ? builder.build() : builder.optional().build();
    }

    private static SchemaBuilder copyOf(SchemaBuilder template) {
        SchemaBuilder copy = new SchemaBuilder(template.type());
        if (template.name() != null) {
            copy.name(template.name());
        }
        if (template.version() != null) {
            copy.version(template.version());
        }
        return copy;
    }
}
