package io.kcintercom.connect.warehouse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * What may change between two releases' schemas of the same topic, compared artifact by artifact
 * ({@code <table>-key}, {@code <table>-value}):
 *
 * <ul>
 *   <li>Avro's own BACKWARD check ({@link SchemaCompatibility}, reader = new schema, writer = old),
 *       what a Schema Registry in BACKWARD mode runs before accepting the new version;</li>
 *   <li>plus the warehouse contract, stricter where Avro is lenient: no field is removed (Avro
 *       lets an optional one go; the sink column would silently stop being filled), no field
 *       changes type or logical type (Avro allows long to double and ignores logical types), an
 *       optional field stays optional, a new field is optional with default null, no table
 *       disappears, and a key never changes at all (a new key field changes every row's identity:
 *       compacted topics and upserting sinks would keep old and new keys side by side).</li>
 * </ul>
 * Allowed: new optional value fields, new tables, a required field becoming optional.
 */
final class SchemaContract {
    private SchemaContract() {
    }

    /** The outcome of a comparison: what breaks, and what changed compatibly. */
    record Report(List<String> incompatible, List<String> compatible) {
        boolean unchanged() {
            return incompatible.isEmpty() && compatible.isEmpty();
        }
    }

    static Report compare(Map<String, Schema> previous, Map<String, Schema> current) {
        List<String> incompatible = new ArrayList<>();
        List<String> compatible = new ArrayList<>();
        previous.forEach((artifact, old) -> {
            Schema now = current.get(artifact);
            if (now == null) {
                incompatible.add(artifact + ": removed (its topic is no longer written)");
            } else {
                compare(artifact, old, now, incompatible, compatible);
            }
        });
        current.keySet().stream().filter(a -> !previous.containsKey(a))
                .forEach(a -> compatible.add(a + ": new"));
        return new Report(incompatible, compatible);
    }

    private static void compare(String artifact, Schema old, Schema now, List<String> incompatible,
                                List<String> compatible) {
        boolean key = artifact.endsWith("-key");
        int found = incompatible.size() + compatible.size();
        if (!old.getFullName().equals(now.getFullName())) {
            incompatible.add(artifact + ": record renamed from " + old.getFullName() + " to " + now.getFullName());
        }
        for (Schema.Field oldField : old.getFields()) {
            Schema.Field newField = now.getField(oldField.name());
            String where = artifact + ": field '" + oldField.name() + "'";
            if (newField == null) {
                incompatible.add(where + " removed");
                continue;
            }
            if (!describe(base(oldField.schema())).equals(describe(base(newField.schema())))) {
                incompatible.add(where + " retyped from " + describe(base(oldField.schema())) + " to "
                        + describe(base(newField.schema())));
            }
            if (optional(oldField) && !optional(newField)) {
                incompatible.add(where + " made required (or lost its null default)");
            } else if (!optional(oldField) && optional(newField)) {
                compatible.add(where + " made optional");
            }
        }
        for (Schema.Field newField : now.getFields()) {
            if (old.getField(newField.name()) == null) {
                String where = artifact + ": new field '" + newField.name() + "'";
                if (key) {
                    incompatible.add(where + " in a key (changes the identity of every row)");
                } else if (!optional(newField)) {
                    incompatible.add(where + " is required (must be optional with default null)");
                } else {
                    compatible.add(where + " (optional, default null)");
                }
            }
        }
        SchemaCompatibility.SchemaPairCompatibility avro =
                SchemaCompatibility.checkReaderWriterCompatibility(now, old);
        if (avro.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            for (SchemaCompatibility.Incompatibility i : avro.getResult().getIncompatibilities()) {
                incompatible.add(artifact + ": Avro BACKWARD check: " + i.getType() + " at " + i.getLocation()
                        + " (" + i.getMessage() + ")");
            }
        }
        if (incompatible.size() + compatible.size() == found && !old.equals(now)) {
            compatible.add(artifact + ": other changes (e.g. connect.version, field order)");
        }
    }

    /** Optional as the converter writes it: a union with null first and a null default. */
    private static boolean optional(Schema.Field field) {
        Schema schema = field.schema();
        return schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)
                && field.hasDefaultValue() && Objects.equals(field.defaultVal(), JsonProperties.NULL_VALUE);
    }

    /** The type without its null branch. */
    private static Schema base(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        List<Schema> branches = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        return branches.size() == 1 ? branches.get(0) : Schema.createUnion(branches);
    }

    private static String describe(Schema schema) {
        LogicalType logical = schema.getLogicalType();
        String name = schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM
                || schema.getType() == Schema.Type.FIXED ? schema.getFullName() : schema.getType().getName();
        return logical == null ? name : name + "(" + logical.getName() + ")";
    }
}
