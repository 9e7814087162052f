package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.table.Tables;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/** The workspace and tables every offset carries beside its position, and when they mean starting over. */
class OffsetBindingTest {
    private static final List<String> USERS_AND_TAGS = List.of(Tables.USERS, Tables.USERS_TAGS, Tables.COMPANIES);

    private static Map<String, Object> throughJson(Map<String, ?> map) {
        return WorkerJson.read(WorkerJson.write(map));
    }

    @Test
    void theTablesAreTheResourcesEnabledOnesSortedAndJoined() {
        assertEquals("users,users_tags", new OffsetBinding(Resource.USERS, USERS_AND_TAGS).tables());
        assertEquals("companies", new OffsetBinding(Resource.COMPANIES, USERS_AND_TAGS).tables());
        assertEquals("events_summary,leads,notes", new OffsetBinding(Resource.LEADS,
                List.of(Tables.NOTES, Tables.LEADS, Tables.EVENTS_SUMMARY, Tables.USERS)).tables());
    }

    @Test
    void everyPositionsMapGainsTheWorkspaceAndTablesAndReadsBackUnchanged() {
        OffsetBinding users = new OffsetBinding(Resource.USERS, USERS_AND_TAGS);
        SearchPosition search = new SearchPosition(1_719_792_000L, "6650", 1_719_700_000L, "cur");
        Map<String, Object> offset = throughJson(users.bind(search.toMap(), "abc123"));
        assertEquals("abc123", offset.get("workspace"));
        assertEquals("users,users_tags", offset.get("tables"));
        assertEquals(search, SearchPosition.fromMap(offset, 0), "the position reads past the new keys");
        assertDoesNotThrow(() -> Readers.validate(Resource.USERS, offset));

        OffsetBinding companies = new OffsetBinding(Resource.COMPANIES, USERS_AND_TAGS);
        Map<String, Object> watermark = throughJson(companies.bind(new CompaniesPosition(41).toMap(), "abc123"));
        assertEquals(Map.of("updated_at", 41L, "workspace", "abc123", "tables", "companies"), watermark);
        assertEquals(new CompaniesPosition(41), CompaniesPosition.fromMap(watermark, 0));
        assertDoesNotThrow(() -> Readers.validate(Resource.COMPANIES, watermark));

        OffsetBinding tags = new OffsetBinding(Resource.TAGS, List.of(Tables.TAGS));
        Map<String, Object> unknown = throughJson(tags.bind(ReferencePosition.UNKNOWN.toMap(), "abc123"));
        assertEquals(Map.of("workspace", "abc123", "tables", "tags"), unknown);
        assertEquals(ReferencePosition.UNKNOWN, ReferencePosition.fromMap(unknown));
        assertEquals(new ReferencePosition("ab"),
                ReferencePosition.fromMap(throughJson(tags.bind(new ReferencePosition("ab").toMap(), "abc123"))));
        assertDoesNotThrow(() -> Readers.validate(Resource.TAGS, unknown));
    }

    @Test
    void anUnknownWorkspaceIsLeftOut() {
        Map<String, Object> offset = new OffsetBinding(Resource.TAGS, List.of(Tables.TAGS)).bind(Map.of(), "");
        assertEquals(Map.of("tables", "tags"), offset);
    }

    @Test
    void theNewKeysAreOptionalStringsInOffsetsUsersWrite() {
        assertDoesNotThrow(() -> Readers.validate(Resource.LEADS, Map.of("updated_at", 5L, "workspace", "w")));
        assertDoesNotThrow(() -> Readers.validate(Resource.SEGMENTS, Map.of("tables", "segments")));
        assertInvalid(() -> Readers.validate(Resource.USERS, Map.of("updated_at", 5L, "workspace", 7L)), "workspace");
        assertInvalid(() -> Readers.validate(Resource.COMPANIES, Map.of("updated_at", 5L, "tables", List.of("x"))),
                "tables");
        assertInvalid(() -> Readers.validate(Resource.ADMINS, Map.of("workspaces", "w")), "workspaces",
                "workspace", "tables", "digest");
    }

    @Test
    void anotherWorkspaceMeansStartingOverNamingBothIds() {
        OffsetBinding users = new OffsetBinding(Resource.USERS, USERS_AND_TAGS);
        Map<String, Object> stored = users.bind(Map.of("updated_at", 5L), "staging1");
        assertNull(users.reasonToStartOver(stored, "staging1"));
        String reason = users.reasonToStartOver(stored, "prod2");
        assertTrue(reason.contains("staging1") && reason.contains("prod2"), reason);
        assertNull(users.reasonToStartOver(stored, ""), "not compared while unknown");
    }

    @Test
    void anEnabledTableMeansStartingOverNamingItAndARemovedOneDoesNot() {
        Map<String, Object> stored = new OffsetBinding(Resource.USERS, List.of(Tables.USERS)).bind(Map.of(), "w");
        OffsetBinding more = new OffsetBinding(Resource.USERS, List.of(Tables.USERS, Tables.USERS_TAGS, Tables.NOTES));
        String reason = more.reasonToStartOver(stored, "w");
        assertTrue(reason.contains("users_tags") && reason.contains("notes") && !reason.contains("users,"), reason);

        Map<String, Object> wider = more.bind(Map.of(), "w");
        assertNull(new OffsetBinding(Resource.USERS, List.of(Tables.USERS)).reasonToStartOver(wider, "w"),
                "a table disabled since needs nothing re-read");
        assertNull(more.reasonToStartOver(wider, "w"));
    }

    @Test
    void offsetsWithoutTheKeysAreAdopted() {
        OffsetBinding users = new OffsetBinding(Resource.USERS, USERS_AND_TAGS);
        assertNull(users.reasonToStartOver(Map.of("updated_at", 5L, "id", "a"), "w"), "written by earlier versions");
        assertNull(users.reasonToStartOver(Map.of("updated_at", 5L, "workspace", "w"), "w"), "tables not given");
        assertNull(users.reasonToStartOver(null, "w"));
        Map<String, Object> onlyTables = new HashMap<>(Map.of("tables", "users,users_tags"));
        assertNull(users.reasonToStartOver(onlyTables, "w"), "workspace not given");
    }

    private static void assertInvalid(org.junit.jupiter.api.function.Executable check, String... mentions) {
        ConnectException e = assertThrows(ConnectException.class, check);
        for (String mention : mentions) {
            assertTrue(e.getMessage().contains(mention), "mentions " + mention + ": " + e.getMessage());
        }
    }
}
