package io.kcintercom.connect.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Date;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every column type from each of the loose JSON shapes Intercom sends. */
class RowConverterTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long SECONDS = 1_719_492_777L;
    private static final Date AT = new Date(SECONDS * 1000);

    // ---------------------------------------------------------------------------------------------
    // Strings and ids

    @Test
    void idsAsIntegersBecomeStrings() {
        Struct row = value("conversations", "{\"id\":367,\"admin_assignee_id\":991267715,"
                + "\"source\":{\"id\":403918255,\"author\":{\"type\":\"admin\",\"id\":991267553}}}");
        assertEquals("367", row.get("id"));
        assertEquals("991267715", row.get("assignee_id"));
        assertEquals("403918255", row.get("conversation_message_id"));
        assertEquals("991267553", row.get("conversation_message_author_id"));
    }

    @Test
    void hugeAndFractionalNumbersBecomeExactStrings() {
        Struct row = value("tags", "{\"id\":123456789012345678901234567890,\"name\":1.5}");
        assertEquals("123456789012345678901234567890", row.get("id"));
        assertEquals("1.5", row.get("name"));
        assertEquals("100000000000000000000", value("tags", "{\"id\":1e20}").get("id"), "no exponent notation");
    }

    @Test
    void stringsStayStringsIncludingEmpty() {
        Struct row = value("conversations", "{\"id\":\"367\",\"source\":{\"subject\":\"\",\"body\":\"<p>x</p>\"}}");
        assertEquals("367", row.get("id"));
        assertEquals("", row.get("conversation_message_subject"));
        assertEquals("<p>x</p>", row.get("conversation_message_body"));
    }

    @Test
    void anObjectWhereAStringIsExpectedKeepsItsJsonAndAnEmptyOneIsNull() {
        Struct row = value("users", contact("\"user_agent_data\":{\"browser\":\"Chrome\"},\"pseudonym\":{}"));
        assertEquals("{\"browser\":\"Chrome\"}", row.get("user_agent_data"));
        assertNull(row.get("pseudonym"));
    }

    // ---------------------------------------------------------------------------------------------
    // Timestamps (every shape, and its agreement with the ordering key: TimestampsTest)

    @Test
    void emptyTimestampsAreNull() {
        Struct row = value("events_summary",
                "{\"user_id\":\"u\",\"name\":\"n\",\"first\":\"\",\"last\":\"   \"}");
        assertNull(row.get("first"));
        assertNull(row.get("last"));
        assertNull(value("users", contact("\"created_at\":{}")).get("created_at"));
        assertNull(value("users", contact("\"created_at\":null")).get("created_at"));
    }

    @Test
    void timestampColumnsHaveTheTimestampLogicalTypeAndHoldDates() {
        Struct row = value("users", contact("\"created_at\":1719492777,\"updated_at\":1719492777"));
        assertEquals(Timestamp.LOGICAL_NAME, row.schema().field("created_at").schema().name());
        assertEquals(Timestamp.SCHEMA.type(), row.schema().field("created_at").schema().type());
        assertTrue(row.get("created_at") instanceof Date);
        assertEquals(AT, row.get("updated_at"));
        // Timestamp's own conversion agrees: what a converter would write for the column.
        assertEquals(SECONDS * 1000, Timestamp.fromLogical(row.schema().field("created_at").schema(),
                (Date) row.get("created_at")));
    }

    @Test
    void legacyFieldNamesAreReadWhenTheV2OneIsAbsent() {
        Struct v2 = value("users", contact("\"last_seen_at\":1719492777,\"external_id\":\"70\","
                + "\"location\":{\"city\":\"Dublin\",\"country\":\"Ireland\"}"));
        assertEquals(AT, v2.get("last_request_at"));
        assertEquals("70", v2.get("user_id"));
        assertEquals("Dublin", v2.get("location_data_city_name"));
        assertEquals("Ireland", v2.get("location_data_country_name"));
        Struct legacy = value("users", contact("\"last_request_at\":1719492777,\"user_id\":\"70\","
                + "\"location_data\":{\"city_name\":\"Dublin\",\"latitude\":53.35}"));
        assertEquals(AT, legacy.get("last_request_at"));
        assertEquals("70", legacy.get("user_id"));
        assertEquals("Dublin", legacy.get("location_data_city_name"));
        assertEquals(53.35, legacy.get("location_data_latitude"));
    }

    // ---------------------------------------------------------------------------------------------
    // JSON, booleans, numbers

    @Test
    void jsonColumnsHoldSerializedJson() throws Exception {
        assertEquals("{}", value("users", contact("\"custom_attributes\":{}")).get("custom_attributes"));
        String nested = "{\"paid_subscriber\":true,\"monthly_spend\":155.5,\"team_mates\":9,\"tags\":[\"a\"]}";
        Object text = value("companies", "{\"id\":\"c1\",\"custom_attributes\":" + nested + "}").get("custom_attributes");
        assertTrue(text instanceof String);
        assertEquals(MAPPER.readTree(nested), MAPPER.readTree((String) text));
        assertEquals("already text", value("conversations", "{\"id\":\"1\",\"metadata\":\"already text\"}")
                .get("metadata"));
        assertEquals("{\"issue_type\":\"Billing\"}",
                value("conversations", "{\"id\":\"1\",\"custom_attributes\":{\"issue_type\":\"Billing\"}}")
                        .get("metadata"), "metadata falls back to the v2 custom_attributes");
    }

    @Test
    void booleansFromEveryShape() {
        Struct row = value("users", contact("\"unsubscribed_from_emails\":\"true\",\"marked_email_as_spam\":\"False\","
                + "\"has_hard_bounced\":1"));
        assertEquals(Boolean.TRUE, row.get("unsubscribed_from_emails"));
        assertEquals(Boolean.FALSE, row.get("marked_email_as_spam"));
        assertEquals(Boolean.TRUE, row.get("has_hard_bounced"));
        Struct plain = value("conversations", "{\"id\":\"1\",\"open\":false,\"read\":true}");
        assertEquals(Boolean.FALSE, plain.get("open"));
        assertEquals(Boolean.TRUE, plain.get("read"));
    }

    @Test
    void anonymousComesFromTheRoleWhenNotGiven() {
        assertEquals(Boolean.TRUE, value("leads", contact("\"role\":\"lead\"")).get("anonymous"));
        assertEquals(Boolean.FALSE, value("users", contact("\"role\":\"user\"")).get("anonymous"));
        assertEquals(Boolean.FALSE, value("leads", contact("\"role\":\"lead\",\"anonymous\":false")).get("anonymous"));
    }

    @Test
    void doublesAndIntegersFromNumbersAndStrings() {
        Struct row = value("companies", "{\"id\":\"c1\",\"monthly_spend\":\"155.5\",\"session_count\":\"12\","
                + "\"user_count\":4.0}");
        assertEquals(155.5, row.get("monthly_spend"));
        assertEquals(12L, row.get("session_count"));
        assertEquals(4L, row.get("user_count"));
        assertEquals(100.0, value("companies", "{\"id\":\"c1\",\"monthly_spend\":100}").get("monthly_spend"));
        Struct attachment = value("conversation_parts_attachments", "{\"url\":\"https://x/a.png\",\"filesize\":\"2048\","
                + "\"width\":640,\"height\":480.0,\"conversation_parts_pk\":\"96\"}");
        assertEquals(2048L, attachment.get("filesize"));
        assertEquals(640L, attachment.get("width"));
        assertEquals(480L, attachment.get("height"));
        assertNull(value("companies", "{\"id\":\"c1\",\"monthly_spend\":\"\"}").get("monthly_spend"));
    }

    @Test
    void derivedColumnsReadTheirSources() {
        assertEquals("Pro", value("companies", "{\"id\":\"c\",\"plan\":{\"type\":\"plan\",\"id\":\"269315\","
                + "\"name\":\"Pro\"}}").get("plan"));
        assertNull(value("companies", "{\"id\":\"c\",\"plan\":{}}").get("plan"));
        assertEquals("Legacy", value("companies", "{\"id\":\"c\",\"plan\":\"Legacy\"}").get("plan"));
        assertEquals("https://example.org/a.jpg", value("users",
                contact("\"avatar\":{\"type\":\"avatar\",\"image_url\":\"https://example.org/a.jpg\"}"))
                .get("avatar_image_url"));
        assertEquals("https://example.org/b.jpg", value("users", contact("\"avatar\":\"https://example.org/b.jpg\""))
                .get("avatar_image_url"));
        assertNull(value("users", contact("\"avatar\":null")).get("avatar_image_url"));

        Struct team = value("conversations", "{\"id\":\"1\",\"admin_assignee_id\":null,\"team_assignee_id\":5017691,"
                + "\"contacts\":{\"type\":\"contact.list\",\"contacts\":[{\"type\":\"contact\",\"id\":\"c9\"},"
                + "{\"type\":\"contact\",\"id\":\"c10\"}]}}");
        assertEquals("team", team.get("assignee_type"));
        assertEquals("5017691", team.get("assignee_id"));
        assertEquals("contact", team.get("user_type"));
        assertEquals("c9", team.get("user_id"), "user_* come from the first contact");
        Struct admin = value("conversations", "{\"id\":\"1\",\"admin_assignee_id\":991267715,\"team_assignee_id\":5}");
        assertEquals("admin", admin.get("assignee_type"));
        assertEquals("991267715", admin.get("assignee_id"));
        Struct none = value("conversations", "{\"id\":\"1\",\"admin_assignee_id\":null,\"team_assignee_id\":null}");
        assertNull(none.get("assignee_type"));
        assertNull(none.get("assignee_id"));
    }

    // ---------------------------------------------------------------------------------------------
    // Missing, unknown and malformed

    @Test
    void missingOptionalFieldsAreNullAndUnknownFieldsAreIgnored() {
        Struct row = value("users", "{\"type\":\"contact\",\"id\":\"667d\",\"brand_new_field\":{\"x\":[1,2]},"
                + "\"email\":null,\"utm_source\":null,\"opted_in_subscription_types\":{\"type\":\"list\"}}");
        for (org.apache.kafka.connect.data.Field field : row.schema().fields()) {
            if (!field.name().equals("type") && !field.name().equals("id")) {
                assertNull(row.get(field), field.name());
            }
        }
        row.validate();
    }

    @ParameterizedTest(name = "{0}.{1} from {2}")
    @CsvSource(delimiter = '|', value = {
        "users         | created_at              | true",
        "users         | created_at              | \"yesterday\"",
        "users         | created_at              | [1719492777]",
        "users         | session_count           | \"many\"",
        "users         | session_count           | \"1.5\"",
        "users         | session_count           | {\"n\":1}",
        "users         | unsubscribed_from_emails| \"maybe\"",
        "users         | has_hard_bounced        | {}",
        "users         | location_data_latitude  | {\"lat\":1}",
        "companies     | monthly_spend           | \"lots\"",
        "companies     | monthly_spend           | true",
    })
    void aValueThatFitsNoShapeFailsNamingTableAndColumn(String table, String column, String json) {
        String field = switch (column) {
            case "location_data_latitude" -> "location\":{\"latitude";
            default -> column;
        };
        String object = "{\"type\":\"x\",\"id\":\"1\",\"" + field + "\":" + json + (field.contains("{") ? "}" : "") + "}";
        DataException e = assertThrows(DataException.class, () -> value(table, object));
        assertTrue(e.getMessage().contains(table), e.getMessage());
        assertTrue(e.getMessage().contains("'" + column + "'"), e.getMessage());
    }

    @Test
    void sensibleNeighboursOfTheExpectedShapeAreTolerated() {
        // An ISO date where an epoch is expected, numbers as strings, a string where an object is expected.
        Struct user = value("users", contact("\"created_at\":\"2024-06-27T12:52:57Z\",\"session_count\":\" 12 \","
                + "\"has_hard_bounced\":\"false\",\"avatar\":{\"image_url\":\"https://x/a.png\"}"));
        assertEquals(AT, user.get("created_at"));
        assertEquals(12L, user.get("session_count"));
        assertEquals(Boolean.FALSE, user.get("has_hard_bounced"));
        Struct company = value("companies", "{\"id\":\"c1\",\"monthly_spend\":\"1e3\",\"user_count\":\"4.0\","
                + "\"custom_attributes\":\"{\\\"plan\\\":\\\"pro\\\"}\",\"created_at\":\"1719492777\"}");
        assertEquals(1000.0, company.get("monthly_spend"));
        assertEquals(4L, company.get("user_count"));
        assertEquals("{\"plan\":\"pro\"}", company.get("custom_attributes"), "a string where JSON is expected is kept as is");
        assertEquals(AT, company.get("created_at"));
    }

    @ParameterizedTest(name = "{0}.{1} from {2}")
    @CsvSource(delimiter = '|', value = {
        "users     | created_at              | \"SECRET-VALUE\"",
        "users     | created_at              | {\"at\":\"SECRET-VALUE\"}",
        "users     | session_count           | \"SECRET-VALUE\"",
        "users     | unsubscribed_from_emails| \"SECRET-VALUE\"",
        "companies | monthly_spend           | \"SECRET-VALUE\"",
        "companies | user_count              | [\"SECRET-VALUE\"]",
    })
    void anUnmappableValueIsNamedByTableAndColumnNeverQuoted(String table, String column, String json) {
        String object = "{\"type\":\"x\",\"id\":\"1\",\"" + column + "\":" + json + "}";
        UnmappableValueException e = assertThrows(UnmappableValueException.class, () -> value(table, object));
        assertEquals(table, e.table());
        assertEquals(column, e.column());
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        assertFalse(e.reason().contains("SECRET"), e.reason());
        assertNull(e.getCause(), "parse exceptions quote the value: none is chained");
    }

    @Test
    void aMissingRequiredColumnFailsNamingTableAndColumn() {
        DataException e = assertThrows(DataException.class, () -> value("conversations", "{\"type\":\"conversation\"}"));
        assertTrue(e.getMessage().contains("conversations"), e.getMessage());
        assertTrue(e.getMessage().contains("'id'"), e.getMessage());
        DataException summary = assertThrows(DataException.class,
                () -> value("events_summary", "{\"user_id\":\"u\",\"count\":1}"));
        assertTrue(summary.getMessage().contains("'name'"), summary.getMessage());
    }

    // ---------------------------------------------------------------------------------------------
    // Keys

    @Test
    void keyStructIsBuiltFromTheKeyColumns() {
        TableDef table = Tables.get("users");
        RowConverter.Row row = RowConverter.convert(table, json(contact("\"email\":\"a@b.c\"")));
        assertSame(table, row.table());
        assertSame(table.keySchema(), row.key().schema());
        assertEquals(1, row.key().schema().fields().size());
        assertEquals("667d60a98a68186f43bafdb9", row.key().get("id"));
        row.key().validate();
        row.value().validate();

        TableDef social = Tables.get("users_social_profiles");
        RowConverter.Row profile = RowConverter.convert(social, json("{\"type\":\"social_profile\","
                + "\"name\":\"Twitter\",\"url\":\"http://twitter.com/x\",\"users_pk\":\"667d\"}"));
        assertEquals("667d", profile.key().get("users_pk"));
        assertEquals("Twitter", profile.key().get("name"));
        assertEquals("http://twitter.com/x", profile.key().get("url"));
        assertNull(profile.value().get("id"));

        RowConverter.Row part = RowConverter.convert(Tables.get("conversation_parts"), json("{\"id\":1,"
                + "\"conversations_pk\":\"503\"}"));
        assertEquals("1", part.key().get("id"));
        assertEquals(1, part.key().schema().fields().size());
    }

    @Test
    void aRowWithNoKeyValueAtAllIsRejected() {
        DataException e = assertThrows(DataException.class,
                () -> RowConverter.convert(Tables.get("conversations_tags"), json("{\"type\":\"tag\"}")));
        assertTrue(e.getMessage().contains("conversations_tags"), e.getMessage());
        assertEquals("conversations_pk,id", ((UnmappableValueException) e).column(), "the key columns");
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private static String contact(String extraFields) {
        return "{\"type\":\"contact\",\"id\":\"667d60a98a68186f43bafdb9\"" + (extraFields.isEmpty() ? "" : ",")
                + extraFields + "}";
    }

    static Struct value(String table, String object) {
        Struct value = RowConverter.convert(Tables.get(table), json(object)).value();
        value.validate();
        return value;
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }
}
