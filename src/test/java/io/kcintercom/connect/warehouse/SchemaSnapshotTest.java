package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Guards the schemas across releases: today's Avro schemas of every table (as Apicurio's converter
 * registers them) against the snapshot committed in {@code src/test/resources/schema-snapshot/},
 * one {@code <table>-key.avsc} and {@code <table>-value.avsc} per table. Fails on any change a
 * Schema Registry in BACKWARD mode would reject, and on the stricter warehouse rules of
 * {@link SchemaContract}; passes (with a note in the test output) on compatible changes.
 *
 * <p>To record a compatible change: {@code mvn test -Dtest=SchemaSnapshotTest -Dschema.snapshot.update=true}
 * then commit the snapshot directory. The update refuses incompatible changes unless
 * {@code -Dschema.snapshot.force=true} is also given (for a deliberate breaking release).
 */
class SchemaSnapshotTest {
    static final String UPDATE = "schema.snapshot.update";
    static final String FORCE = "schema.snapshot.force";

    @Test
    void currentSchemasAreBackwardCompatibleWithTheCommittedSnapshot() throws IOException {
        Path dir = snapshotDir();
        Map<String, Schema> current = AvroSchemas.current();
        Map<String, Schema> snapshot = load(dir);
        boolean update = Boolean.getBoolean(UPDATE);
        boolean force = Boolean.getBoolean(FORCE);
        if (!update) {
            assertFalse(snapshot.isEmpty(), "no schema snapshot in " + dir + "; create it with " + command(""));
        }
        SchemaContract.Report report = SchemaContract.compare(snapshot, current);

        if (!report.incompatible().isEmpty() && !(update && force)) {
            fail("Backward-incompatible schema change against the snapshot in " + dir + ":\n  - "
                    + String.join("\n  - ", report.incompatible()) + "\n"
                    + "A Schema Registry in BACKWARD mode would reject the new schemas, and warehouse tables fed by "
                    + "sink connectors would lose, retype or duplicate data.\n"
                    + "Compatible alternatives: add a new optional column (Column.of, never Column.required) instead "
                    + "of changing or removing one; never change a table's key columns.\n"
                    + "If the break is deliberate (a major release with migration notes), overwrite the snapshot "
                    + "with: " + command(" -D" + FORCE + "=true"));
        }
        if (update) {
            write(dir, current, snapshot);
            System.out.println("Schema snapshot written to " + dir + " (" + current.size() + " schemas); "
                    + "changes recorded: " + report.compatible() + report.incompatible());
            return;
        }
        if (!report.compatible().isEmpty()) {
            // Allowed, but the snapshot should catch up so the next change is compared with this one.
            System.out.println("Compatible schema changes not yet in the snapshot:\n  - "
                    + String.join("\n  - ", report.compatible()) + "\nRecord them with: " + command(""));
        }
    }

    static String command(String extra) {
        return "mvn test -Dtest=SchemaSnapshotTest -D" + UPDATE + "=true" + extra
                + ", then commit src/test/resources/schema-snapshot/";
    }

    /** The committed snapshot directory (surefire runs with the project directory as basedir). */
    static Path snapshotDir() {
        return Path.of(System.getProperty("basedir", ".")).resolve("src/test/resources/schema-snapshot");
    }

    static Map<String, Schema> load(Path dir) throws IOException {
        Map<String, Schema> schemas = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return schemas;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".avsc")).toList()) {
                String name = file.getFileName().toString();
                schemas.put(name.substring(0, name.length() - ".avsc".length()),
                        new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8)));
            }
        }
        return schemas;
    }

    private static void write(Path dir, Map<String, Schema> current, Map<String, Schema> previous) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, Schema> e : current.entrySet()) {
            Files.writeString(dir.resolve(e.getKey() + ".avsc"), e.getValue().toString(true) + "\n",
                    StandardCharsets.UTF_8);
        }
        for (String gone : previous.keySet()) {
            if (!current.containsKey(gone)) {
                Files.delete(dir.resolve(gone + ".avsc"));
            }
        }
    }
}
