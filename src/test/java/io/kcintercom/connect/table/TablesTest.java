package io.kcintercom.connect.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Timestamp;
import org.junit.jupiter.api.Test;

/**
 * The table definitions against the contract. The expected tables below are copied from
 * {@code spec/tables.md} (kept here so the test needs nothing outside the repository): name, key
 * columns, then every column as {@code name type [req]}.
 */
class TablesTest {
    private static final String USERS_COLUMNS = "type str req, id str req, created_at ts, signed_up_at ts, "
            + "updated_at ts, email str, phone str, user_id str, last_request_at ts, session_count int, "
            + "unsubscribed_from_emails bool, marked_email_as_spam bool, has_hard_bounced bool, user_agent_data str, "
            + "last_seen_ip str, pseudonym str, anonymous bool, name str, location_data_city_name str, "
            + "location_data_continent_code str, location_data_country_code str, location_data_country_name str, "
            + "location_data_latitude dbl, location_data_longitude dbl, location_data_postal_code str, "
            + "location_data_region_name str, location_data_timezone str, avatar_image_url str, custom_attributes json";

    /** table | key columns | columns, from tables.md, in its order. */
    private static final String[][] CONTRACT = {
        {"users", "id", USERS_COLUMNS},
        {"users_tags", "users_pk, id", "type str, id str, users_pk str"},
        {"users_segments", "users_pk, id", "type str, id str, users_pk str"},
        {"users_companies", "users_pk, id", "type str, id str, users_pk str"},
        {"users_social_profiles", "users_pk, name, url",
            "type str, id str, name str, username str, url str, users_pk str"},
        {"notes", "id", "type str, id str req, created_at ts, body str, user_type str, user_id str, author_type str, "
            + "author_id str"},
        {"events_summary", "user_id, name", "user_id str req, name str req, count int, first ts, last ts, "
            + "description str"},
        {"leads", "id", USERS_COLUMNS + ", remote_created_at ts"},
        {"leads_tags", "leads_pk, id", "type str, id str, leads_pk str"},
        {"leads_segments", "leads_pk, id", "type str, id str, leads_pk str"},
        {"leads_companies", "leads_pk, id", "type str, id str, leads_pk str"},
        {"leads_social_profiles", "leads_pk, name, url",
            "type str, id str, name str, username str, url str, leads_pk str"},
        {"companies", "id", "type str, id str req, created_at ts, remote_created_at ts, updated_at ts, "
            + "company_id str, name str, session_count int, monthly_spend dbl, user_count int, plan str, "
            + "custom_attributes json"},
        {"admins", "id", "type str, id str req, name str, email str"},
        {"tags", "id", "type str, id str req, name str"},
        {"segments", "id", "type str, id str req, name str, created_at ts, updated_at ts, count int, "
            + "person_type str"},
        {"conversations", "id", "type str, id str req, created_at ts, updated_at ts, waiting_since ts, "
            + "snoozed_until ts, user_type str, user_id str, assignee_type str, assignee_id str, "
            + "conversation_message_type str, conversation_message_id str, conversation_message_subject str, "
            + "conversation_message_body str, conversation_message_author_type str, "
            + "conversation_message_author_id str, conversation_message_url str, open bool, read bool, state str, "
            + "metadata json"},
        {"conversations_attachments", "conversations_pk, url", "type str, name str, url str, content_type str, "
            + "filesize int, width int, height int, conversations_pk str"},
        {"conversations_customers", "conversations_pk, id", "type str, id str, conversations_pk str"},
        {"conversations_tags", "conversations_pk, id", "type str, id str, conversations_pk str"},
        {"conversation_parts", "id", "type str, id str req, part_type str, body str, created_at ts, updated_at ts, "
            + "notified_at ts, assigned_to_type str, assigned_to_id str, author_type str, author_id str, "
            + "external_id str, conversations_pk str"},
        {"conversation_parts_attachments", "conversation_parts_pk, url", "type str, name str, url str, "
            + "content_type str, filesize int, width int, height int, conversation_parts_pk str"},
    };

    private static final Map<String, ColumnType> TYPES = Map.of("str", ColumnType.STRING, "ts", ColumnType.TIMESTAMP,
            "bool", ColumnType.BOOLEAN, "int", ColumnType.INT, "dbl", ColumnType.DOUBLE, "json", ColumnType.JSON);

    @Test
    void exactlyTheTwentyTwoTablesOfTheContract() {
        List<String> expected = new ArrayList<>();
        for (String[] table : CONTRACT) {
            expected.add(table[0]);
        }
        assertEquals(22, expected.size());
        assertEquals(expected.stream().sorted().toList(), Tables.all().keySet().stream().sorted().toList());
        for (String name : expected) {
            assertEquals(name, Tables.get(name).name());
        }
    }

    @Test
    void keyColumnsAreThoseOfTheContract() {
        for (String[] table : CONTRACT) {
            TableDef def = Tables.get(table[0]);
            assertEquals(List.of(table[1].split(",\\s*")), def.keyColumns().stream().map(Column::name).toList(),
                    table[0] + " key");
            assertEquals(List.of(table[1].split(",\\s*")),
                    def.keySchema().fields().stream().map(Field::name).toList(), table[0] + " key schema");
        }
    }

    @Test
    void everyColumnHasTheContractsNameTypeAndRequiredness() {
        for (String[] table : CONTRACT) {
            TableDef def = Tables.get(table[0]);
            Map<String, String> expected = parseColumns(table[2]);
            Map<String, String> actual = new LinkedHashMap<>();
            for (Column column : def.columns()) {
                actual.put(column.name(), typeName(column.type()) + (column.required() ? " req" : ""));
            }
            assertEquals(expected, actual, table[0] + " columns");
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), table[0] + " column order");
        }
    }

    @Test
    void valueSchemasMatchTheColumnTypes() {
        for (String[] table : CONTRACT) {
            TableDef def = Tables.get(table[0]);
            Schema value = def.valueSchema();
            assertEquals(Schema.Type.STRUCT, value.type());
            assertNotNull(value.name(), table[0]);
            assertTrue(value.name().startsWith(TableDef.SCHEMA_NAMESPACE + "." + table[0]), value.name());
            assertNotNull(value.version(), table[0] + " schema is versioned");
            Map<String, String> expected = parseColumns(table[2]);
            assertEquals(List.copyOf(expected.keySet()), value.fields().stream().map(Field::name).toList());
            for (Field field : value.fields()) {
                String spec = expected.get(field.name());
                String type = spec.split(" ")[0];
                boolean required = spec.endsWith(" req");
                assertEquals(!required, field.schema().isOptional(), table[0] + "." + field.name() + " optional");
                assertConnectType(table[0] + "." + field.name(), type, field.schema());
            }
            for (Field field : def.keySchema().fields()) {
                assertConnectType(table[0] + " key " + field.name(), expected.get(field.name()).split(" ")[0],
                        field.schema());
            }
            assertNotNull(def.keySchema().name(), table[0]);
            assertFalse(def.keySchema().name().equals(value.name()), "key and value schemas need distinct names");
        }
    }

    @Test
    void unknownTableIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tables.get("contacts"));
        assertTrue(e.getMessage().contains("contacts"));
    }

    private static void assertConnectType(String what, String type, Schema schema) {
        switch (type) {
            case "str", "json" -> {
                assertEquals(Schema.Type.STRING, schema.type(), what);
                assertEquals(null, schema.name(), what);
            }
            case "ts" -> {
                assertEquals(Schema.Type.INT64, schema.type(), what);
                assertEquals(Timestamp.LOGICAL_NAME, schema.name(), what);
            }
            case "bool" -> assertEquals(Schema.Type.BOOLEAN, schema.type(), what);
            case "int" -> {
                assertEquals(Schema.Type.INT64, schema.type(), what);
                assertEquals(null, schema.name(), what);
            }
            case "dbl" -> assertEquals(Schema.Type.FLOAT64, schema.type(), what);
            default -> throw new AssertionError("unknown type " + type);
        }
    }

    private static Map<String, String> parseColumns(String spec) {
        Map<String, String> columns = new LinkedHashMap<>();
        for (String column : spec.split(",\\s*")) {
            String[] parts = column.trim().split("\\s+");
            assertTrue(TYPES.containsKey(parts[1]), "bad type in test data: " + column);
            String previous = columns.put(parts[0], parts[1] + (parts.length > 2 && parts[2].equals("req") ? " req" : ""));
            assertEquals(null, previous, "duplicate column in test data: " + parts[0]);
        }
        return columns;
    }

    private static String typeName(ColumnType type) {
        return TYPES.entrySet().stream().filter(e -> e.getValue() == type).findFirst().orElseThrow().getKey();
    }
}
