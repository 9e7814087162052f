package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code config/postgres-tables.sql} is the table contract as DDL for the default topic prefix. After a
 * change to the tables, regenerate it with {@code -Dwarehouse.ddl.write=true}.
 */
class PostgresTablesTest {
    @Test
    void theReadyDdlFileEqualsTheTableContract() throws IOException {
        Path file = Path.of("config", PostgresTables.FILE);
        String wanted = PostgresTables.ddl("intercom.");
        if (Boolean.getBoolean("warehouse.ddl.write")) {
            Files.writeString(file, wanted, StandardCharsets.UTF_8);
        }
        assertEquals(wanted, Files.readString(file, StandardCharsets.UTF_8),
                file + " differs from the table contract: regenerate it with -Dwarehouse.ddl.write=true");
    }
}
