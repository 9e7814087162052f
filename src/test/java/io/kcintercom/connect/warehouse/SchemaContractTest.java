package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.table.TableDef;
import io.kcintercom.connect.table.Tables;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

/**
 * The snapshot guard itself, on changes a developer could make to {@code Tables}: each is applied
 * to a copy of today's Connect schema, translated by the converter, and compared with today's.
 */
class SchemaContractTest {
    private static final TableDef USERS = Tables.get(Tables.USERS);

    @Test
    void unchangedSchemasPass() {
        SchemaContract.Report report = SchemaContract.compare(AvroSchemas.current(), AvroSchemas.current());
        assertTrue(report.unchanged(), report.toString());
    }

    @Test
    void aNewOptionalColumnIsCompatible() {
        SchemaContract.Report report = compareValue(f -> f.put("plan_name", SchemaBuilder.OPTIONAL_STRING_SCHEMA));
        assertEquals(List.of(), report.incompatible());
        assertEquals(List.of("users-value: new field 'plan_name' (optional, default null)"), report.compatible());
    }

    @Test
    void aRemovedColumnFails() {
        // Avro alone would accept this (the old reader has a default): the contract does not.
        assertIncompatible(compareValue(without("phone")), "users-value: field 'phone' removed");
    }

    @Test
    void aRetypedColumnFails() {
        assertIncompatible(compareValue(replacing("session_count", SchemaBuilder.OPTIONAL_STRING_SCHEMA)),
                "users-value: field 'session_count' retyped from long to string");
        // Promotions Avro allows are still a retyped warehouse column.
        assertIncompatible(compareValue(replacing("session_count", SchemaBuilder.OPTIONAL_FLOAT64_SCHEMA)),
                "users-value: field 'session_count' retyped from long to double");
        // So is losing the Timestamp logical type, which Avro's check ignores.
        assertIncompatible(compareValue(replacing("updated_at", SchemaBuilder.OPTIONAL_INT64_SCHEMA)),
                "users-value: field 'updated_at' retyped from long(timestamp-millis) to long");
    }

    @Test
    void anOptionalColumnMadeRequiredFails() {
        SchemaContract.Report report = compareValue(replacing("email", SchemaBuilder.STRING_SCHEMA));
        assertIncompatible(report, "users-value: field 'email' made required (or lost its null default)");
        assertTrue(report.incompatible().stream().anyMatch(p -> p.contains("Avro BACKWARD check")),
                "Avro's own check agrees: " + report.incompatible());
    }

    @Test
    void aNewRequiredColumnFails() {
        SchemaContract.Report report = compareValue(f -> f.put("tier", SchemaBuilder.STRING_SCHEMA));
        assertIncompatible(report, "users-value: new field 'tier' is required (must be optional with default null)");
        assertTrue(report.incompatible().stream().anyMatch(p -> p.contains("READER_FIELD_MISSING_DEFAULT_VALUE")),
                report.incompatible().toString());
    }

    @Test
    void anyKeyChangeFails() {
        Map<String, Schema> changed = new HashMap<>(AvroSchemas.current());
        changed.put("users-key", avro(rebuild(USERS.keySchema(),
                f -> f.put("email", SchemaBuilder.OPTIONAL_STRING_SCHEMA))));
        assertIncompatible(SchemaContract.compare(AvroSchemas.current(), changed),
                "users-key: new field 'email' in a key (changes the identity of every row)");
    }

    @Test
    void aRemovedTableFailsAndANewTablePasses() {
        Map<String, Schema> changed = new HashMap<>(AvroSchemas.current());
        changed.remove("notes-key");
        changed.remove("notes-value");
        changed.put("teams-value", avro(rebuild(USERS.valueSchema(), f -> { })));
        SchemaContract.Report report = SchemaContract.compare(AvroSchemas.current(), changed);
        assertEquals(List.of("notes-key: removed (its topic is no longer written)",
                "notes-value: removed (its topic is no longer written)"), report.incompatible().stream().sorted().toList());
        assertEquals(List.of("teams-value: new"), report.compatible());
    }

    // ---------------------------------------------------------------- helpers

    private static void assertIncompatible(SchemaContract.Report report, String expected) {
        assertTrue(report.incompatible().contains(expected), "expected \"" + expected + "\" in " + report.incompatible());
    }

    /** Today's schemas, with the users value schema changed; its fields are edited as a name-to-schema map. */
    private static SchemaContract.Report compareValue(Consumer<Map<String, org.apache.kafka.connect.data.Schema>> change) {
        Map<String, Schema> changed = new HashMap<>(AvroSchemas.current());
        changed.put("users-value", avro(rebuild(USERS.valueSchema(), change)));
        return SchemaContract.compare(AvroSchemas.current(), changed);
    }

    private static Consumer<Map<String, org.apache.kafka.connect.data.Schema>> without(String field) {
        return f -> f.remove(field);
    }

    private static Consumer<Map<String, org.apache.kafka.connect.data.Schema>> replacing(
            String field, org.apache.kafka.connect.data.Schema schema) {
        return f -> f.replace(field, schema);
    }

    /** A copy of the struct schema (same name and version) with its fields edited. */
    private static org.apache.kafka.connect.data.Schema rebuild(
            org.apache.kafka.connect.data.Schema base, Consumer<Map<String, org.apache.kafka.connect.data.Schema>> change) {
        Map<String, org.apache.kafka.connect.data.Schema> fields = new LinkedHashMap<>();
        base.fields().forEach(f -> fields.put(f.name(), f.schema()));
        change.accept(fields);
        SchemaBuilder b = SchemaBuilder.struct().name(base.name()).version(base.version());
        fields.forEach(b::field);
        return b.build();
    }

    private static Schema avro(org.apache.kafka.connect.data.Schema connect) {
        return AvroSchemas.avroData().fromConnectSchema(connect);
    }
}
