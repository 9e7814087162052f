package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link ReferenceReader}: admins with teams, tags and segments refreshed whole; only changed rows
 * are emitted, removed rows become tombstones, and the digest offset survives a restart.
 */
class ReferenceReaderTest extends ReaderTestSupport {
    static final long REFRESH_MS = 600_000;

    @Test
    void adminsAndTeamsShareTheAdminsTableAndAnUnchangedRefreshEmitsNothing() {
        ObjectNode admins = JSON.createObjectNode().put("type", "admin.list");
        admins.putArray("admins")
                .add(admin("991267397", "Ann"))
                .add(admin("991267398", "Bob"));
        ObjectNode teams = JSON.createObjectNode().put("type", "team.list");
        ObjectNode team = teams.putArray("teams").addObject().put("type", "team").put("id", "814865")
                .put("name", "Support");
        team.putArray("admin_ids").add(991267397L);
        wm.stubFor(get(urlPathEqualTo("/admins")).willReturn(okJson(admins.toString())));
        wm.stubFor(get(urlPathEqualTo("/teams")).willReturn(okJson(teams.toString())));
        ReferenceReader reader = ReferenceReader.admins(client, records(Tables.ADMINS), null, REFRESH_MS, clock::get);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("991267397", "991267398", "814865"), ids(out, Tables.ADMINS));
        assertEquals(3, out.size());
        assertEquals(List.of("admin", "admin", "team"), valueStrings(out, Tables.ADMINS, "type"));
        assertEquals("ann@example.com", valueField(out.get(0), "email"));
        assertNull(valueField(out.get(2), "email"));
        assertEquals(Map.of(), out.get(0).sourceOffset());
        assertEquals(Map.of(), out.get(1).sourceOffset());
        assertTrue(lastOffset(out).get("digest") instanceof String digest && !digest.isBlank(),
                "the refresh's last record carries the table digest: " + lastOffset(out));
        assertEquals(Offsets.partition(Resource.ADMINS), out.get(0).sourcePartition());

        // Not due yet: no request.
        wm.resetRequests();
        assertEquals(List.of(), reader.poll(100));
        assertEquals(0, count(getRequestedFor(anyUrl())));

        // Due, unchanged: both lists read again, nothing emitted.
        advanceToNextPass(reader);
        assertEquals(List.of(), drainPass(reader));
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/admins"))));
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/teams"))));
    }

    @Test
    void aChangedTagIsEmittedAloneAndARemovedTagBecomesATombstone() throws Exception {
        stubTags(tag("t1", "VIP"), tag("t2", "Bug"), tag("t3", "Churn risk"));
        ReferenceReader reader = ReferenceReader.tags(client, records(Tables.TAGS), null, REFRESH_MS, clock::get);
        assertEquals(List.of("t1", "t2", "t3"), ids(drainPass(reader), Tables.TAGS));

        stubTags(tag("t1", "VIP"), tag("t2", "Bug report"), tag("t3", "Churn risk"));
        advanceToNextPass(reader);
        List<SourceRecord> changed = drainPass(reader);
        assertEquals(1, changed.size());
        assertEquals("t2", keyField(changed.get(0), "id"));
        assertEquals("Bug report", valueField(changed.get(0), "name"));
        String digestAfterChange = (String) lastOffset(changed).get("digest");

        stubTags(tag("t1", "VIP"), tag("t2", "Bug report"));
        advanceToNextPass(reader);
        List<SourceRecord> removed = drainPass(reader);
        assertEquals(1, removed.size());
        SourceRecord tombstone = removed.get(0);
        assertEquals(PREFIX + Tables.TAGS, tombstone.topic());
        assertEquals("t3", keyField(tombstone, "id"));
        assertEquals(Tables.get(Tables.TAGS).keySchema(), tombstone.keySchema());
        assertNull(tombstone.value(), "a tombstone");
        String digestAfterRemoval = (String) lastOffset(removed).get("digest");
        assertFalse(digestAfterRemoval.equals(digestAfterChange), "the digest follows the content");

        // A new reader from the last offset: the same content emits nothing.
        Map<String, Object> stored = JSON.readValue(JSON.writeValueAsString(lastOffset(removed)),
                new TypeReference<Map<String, Object>>() { });
        ReferenceReader restarted = ReferenceReader.tags(client, records(Tables.TAGS), stored, REFRESH_MS,
                clock::get);
        assertEquals(List.of(), drainPass(restarted));

        // After a restart, a change is emitted whole once (the per-row digests were in memory only).
        stubTags(tag("t1", "VIP customer"), tag("t2", "Bug report"));
        ReferenceReader restartedAgain = ReferenceReader.tags(client, records(Tables.TAGS), stored, REFRESH_MS,
                clock::get);
        assertEquals(List.of("t1", "t2"), ids(drainPass(restartedAgain), Tables.TAGS));
    }

    @Test
    void segmentsAreReadWithTheirCounts() {
        ObjectNode body = JSON.createObjectNode().put("type", "segment.list");
        body.putArray("segments").addObject().put("type", "segment").put("id", "s1").put("name", "Active")
                .put("created_at", T - 100_000).put("updated_at", T - 50_000).put("person_type", "user")
                .put("count", 42);
        wm.stubFor(get(urlPathEqualTo("/segments")).withQueryParam("include_count", equalTo("true"))
                .willReturn(okJson(body.toString())));
        ReferenceReader reader = ReferenceReader.segments(client, records(Tables.SEGMENTS), null, REFRESH_MS,
                clock::get);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("s1"), ids(out, Tables.SEGMENTS));
        assertEquals(42L, valueField(out.get(0), "count"));
        assertEquals("user", valueField(out.get(0), "person_type"));
    }

    private static void stubTags(ObjectNode... tags) {
        ObjectNode body = JSON.createObjectNode().put("type", "list");
        ArrayNode data = body.putArray("data");
        for (ObjectNode tag : tags) {
            data.add(tag);
        }
        wm.stubFor(get(urlPathEqualTo("/tags")).willReturn(okJson(body.toString())));
    }

    private static ObjectNode admin(String id, String name) {
        ObjectNode admin = JSON.createObjectNode().put("type", "admin").put("id", id).put("name", name)
                .put("email", name.toLowerCase() + "@example.com").put("away_mode_enabled", false)
                .put("away_mode_reassign", false).put("has_inbox_seat", true);
        admin.putArray("team_ids").add(814865);
        return admin;
    }
}
