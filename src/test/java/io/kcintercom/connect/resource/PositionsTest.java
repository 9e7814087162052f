package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/** Each position type's map form: written, read back through JSON as the worker does, and checked. */
class PositionsTest {
    private static Map<String, Object> throughJson(Map<String, ?> map) {
        return WorkerJson.read(WorkerJson.write(map));
    }

    @Test
    void searchPositionsRoundTrip() {
        SearchPosition position = new SearchPosition(1_719_792_000L, "6650", 1_719_700_000L, "cur");
        assertEquals(position, SearchPosition.fromMap(throughJson(position.toMap()), 0));
        SearchPosition withoutCursor = new SearchPosition(10, "a", 10, null);
        assertEquals(withoutCursor, SearchPosition.fromMap(throughJson(withoutCursor.toMap()), 0));
        assertEquals(SearchPosition.initial(99), SearchPosition.fromMap(null, 99));
        assertEquals(SearchPosition.initial(99), SearchPosition.fromMap(Map.of(), 99));
        // A rewind written by hand: only updated_at; the pass starts there.
        assertEquals(new SearchPosition(500, "", 500, null), SearchPosition.fromMap(Map.of("updated_at", 500L), 0));
    }

    @Test
    void searchPositionsAreValidated() {
        assertDoesNotThrow(() -> SearchPosition.validate(Resource.USERS, new SearchPosition(5, "a", 4, null).toMap()));
        assertDoesNotThrow(() -> SearchPosition.validate(Resource.USERS, Map.of("updated_at", 5L, "protocol", 2L)));
        assertInvalid(() -> SearchPosition.validate(Resource.LEADS, Map.of("id", "a")), "leads", "updated_at");
        assertInvalid(() -> SearchPosition.validate(Resource.USERS, Map.of("updated_at", "5")), "updated_at", "number");
        assertInvalid(() -> SearchPosition.validate(Resource.USERS, Map.of("updated_at", -2L)), "updated_at");
        assertInvalid(() -> SearchPosition.validate(Resource.USERS, Map.of("updated_at", 5L, "cursor", 3L)), "cursor");
        assertInvalid(() -> SearchPosition.validate(Resource.CONVERSATIONS, Map.of("updated_at", 5L, "digest", "x")),
                "conversations", "digest");
        assertInvalid(() -> SearchPosition.validate(Resource.USERS, Map.of("updated_at", 5L, "protocol", 3L)),
                "protocol");
    }

    @Test
    void companiesPositionsRoundTrip() {
        CompaniesPosition position = new CompaniesPosition(1_719_792_000L);
        assertEquals(Map.of("updated_at", 1_719_792_000L), position.toMap());
        assertEquals(position, CompaniesPosition.fromMap(throughJson(position.toMap()), 0));
        assertEquals(new CompaniesPosition(41), CompaniesPosition.fromMap(Map.of("updated_at", 41), 0), "an int");
        assertEquals(new CompaniesPosition(-1), CompaniesPosition.fromMap(null, 0), "everything");
        assertEquals(new CompaniesPosition(99), CompaniesPosition.fromMap(Map.of(), 100), "from since on");
        assertEquals(CompaniesPosition.initial(100), CompaniesPosition.fromMap(null, 100));
    }

    @Test
    void companiesPositionsAreValidated() {
        assertDoesNotThrow(() -> CompaniesPosition.validate(new CompaniesPosition(5).toMap()));
        assertDoesNotThrow(() -> CompaniesPosition.validate(Map.of("updated_at", -1L)));
        assertInvalid(() -> CompaniesPosition.validate(Map.of("watermark", 5L)), "companies", "watermark");
        assertInvalid(() -> CompaniesPosition.validate(Map.of()), "companies", "updated_at");
        assertInvalid(() -> CompaniesPosition.validate(Map.of("updated_at", 1.5)), "updated_at", "number");
    }

    @Test
    void referencePositionsRoundTrip() {
        ReferencePosition position = new ReferencePosition("0a1b2c");
        assertEquals(Map.of("digest", "0a1b2c"), position.toMap());
        assertEquals(position, ReferencePosition.fromMap(throughJson(position.toMap())));
        assertEquals(Map.of(), ReferencePosition.UNKNOWN.toMap());
        assertEquals(ReferencePosition.UNKNOWN, ReferencePosition.fromMap(throughJson(Map.of())));
        assertEquals(ReferencePosition.UNKNOWN, ReferencePosition.fromMap(null));
    }

    @Test
    void referencePositionsAreValidated() {
        assertDoesNotThrow(() -> ReferencePosition.validate(Resource.TAGS, new ReferencePosition("ab").toMap()));
        assertDoesNotThrow(() -> ReferencePosition.validate(Resource.TAGS, Map.of()));
        assertInvalid(() -> ReferencePosition.validate(Resource.SEGMENTS, Map.of("digest", 5L)), "segments", "digest");
        assertInvalid(() -> ReferencePosition.validate(Resource.ADMINS, Map.of("updated_at", 5L)), "admins",
                "updated_at");
    }

    /** Readers dispatches each resource to its position type, for the checks and for reading. */
    @Test
    void eachResourceIsCheckedByItsPositionType() {
        assertDoesNotThrow(() -> Readers.validate(Resource.CONVERSATIONS, Map.of("updated_at", 5L)));
        assertDoesNotThrow(() -> Readers.validate(Resource.COMPANIES, Map.of("updated_at", 5L)));
        assertDoesNotThrow(() -> Readers.validate(Resource.SEGMENTS, Map.of("digest", "ab")));
        assertInvalid(() -> Readers.validate(Resource.COMPANIES, Map.of("updated_at", 5L, "id", "a")), "id");
        assertInvalid(() -> Readers.validate(Resource.TAGS, Map.of("updated_at", 5L)), "tags");
        Map<String, Object> newer = new HashMap<>(Map.of("updated_at", 5L, "protocol", 3L));
        assertInvalid(() -> OffsetFields.requireKnownProtocol(Resource.USERS, newer), "protocol", "3");
    }

    private static void assertInvalid(org.junit.jupiter.api.function.Executable check, String... mentions) {
        ConnectException e = assertThrows(ConnectException.class, check);
        for (String mention : mentions) {
            assertTrue(e.getMessage().contains(mention), "mentions " + mention + ": " + e.getMessage());
        }
    }
}
