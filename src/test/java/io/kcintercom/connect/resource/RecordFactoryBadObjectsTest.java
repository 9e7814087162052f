package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** The skip path of {@link RecordFactory.Group}: what is skipped, what is kept, which offsets, which policy. */
class RecordFactoryBadObjectsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ?> BEFORE = Map.of("updated_at", 1L, "id", "a");
    private static final Map<String, ?> AFTER = Map.of("updated_at", 2L, "id", "b");

    @Test
    void aBadChildRowIsSkippedAloneAndItsErrorsRecordKeepsTheGroupsOffsets() {
        BadObjects bad = new BadObjects(BadObjects.Policy.SKIP, "errors");
        RecordFactory records = new RecordFactory("i.", List.of(Tables.USERS, Tables.EVENTS_SUMMARY), bad);
        RecordFactory.Group group = records.group(Resource.USERS, "contact u1");

        group.add(Tables.USERS, json("{\"type\":\"contact\",\"id\":\"u1\",\"created_at\":1700000000}"));
        assertFalse(group.lastSkipped());
        group.addChild(Tables.EVENTS_SUMMARY, json("{\"count\":3}"), "user_id", "u1");
        assertTrue(group.lastSkipped(), "an event summary without its required name");
        group.addChild(Tables.EVENTS_SUMMARY, json("{\"name\":\"signed-up\",\"count\":3}"), "user_id", "u1");
        assertFalse(group.lastSkipped());

        List<SourceRecord> out = group.toRecords(BEFORE, AFTER);
        assertEquals(List.of("i.users", "errors", "i.events_summary"), out.stream().map(SourceRecord::topic).toList());
        assertEquals(List.of(BEFORE, BEFORE, AFTER), out.stream().map(SourceRecord::sourceOffset).toList());
        assertEquals("events_summary", out.get(1).headers().lastWithName(RecordFactory.HEADER_TABLE).value());
        assertEquals("name", out.get(1).headers().lastWithName(RecordFactory.HEADER_COLUMN).value());
        assertEquals(1, bad.count(Resource.USERS));
    }

    @Test
    void aRowOfADisabledTableIsNeverBuiltSoNeverBad() {
        BadObjects bad = BadObjects.skipping();
        RecordFactory.Group group = new RecordFactory("i.", List.of(Tables.USERS_TAGS), bad)
                .group(Resource.USERS, "contact u1")
                .add(Tables.USERS, json("{\"id\":\"u1\",\"created_at\":true}"));
        assertFalse(group.lastSkipped());
        assertTrue(group.isEmpty());
        assertEquals(0, bad.count(Resource.USERS));
    }

    @Test
    void underFailTheExceptionIsAConfigExceptionNamingIdColumnAndKeyButNoValue() {
        RecordFactory.Group group = new RecordFactory("i.", List.of(Tables.COMPANIES),
                new BadObjects(BadObjects.Policy.FAIL, null)).group(Resource.COMPANIES, "company c9");

        ConfigException e = assertThrows(ConfigException.class, () -> group.add(Tables.COMPANIES,
                json("{\"id\":\"c9\",\"monthly_spend\":\"a-secret-amount\"}")));

        assertTrue(e.getMessage().startsWith("companies: company c9: the companies row c9 cannot be built, column "
                + "'monthly_spend'"), e.getMessage());
        assertTrue(e.getMessage().contains("intercom.bad.objects=skip"), e.getMessage());
        assertFalse(e.getMessage().contains("a-secret-amount"), e.getMessage());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
