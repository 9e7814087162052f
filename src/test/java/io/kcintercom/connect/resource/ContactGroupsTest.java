package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kcintercom.connect.resource.ContactsSearchReaderTest.company;
import static io.kcintercom.connect.resource.ContactsSearchReaderTest.eventSummary;
import static io.kcintercom.connect.resource.ContactsSearchReaderTest.notes;
import static io.kcintercom.connect.resource.ContactsSearchReaderTest.withNotes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ContactGroups} on one page of contacts whose follow-ups differ: each result reaches the
 * contact it was requested for, as the rows of the table it was requested for.
 */
class ContactGroupsTest extends ReaderTestSupport {

    @Test
    void eachContactGetsEachFollowUpResultUnderItsOwnName() {
        // c1: truncated tags, complete companies; c2: the other way round; c3: nothing truncated.
        ObjectNode c1 = contact("c1", T - 3000);
        c1.set("tags", truncated(addressable("c1", "tags", "tag", "t-c1-inline")));
        c1.set("companies", addressable("c1", "companies", "company", "co-c1-inline"));
        ObjectNode c2 = contact("c2", T - 2000);
        c2.set("tags", addressable("c2", "tags", "tag", "t-c2-inline"));
        c2.set("companies", truncated(addressable("c2", "companies", "company", "co-c2-inline")));
        ObjectNode c3 = contact("c3", T - 1000);
        for (ObjectNode c : List.of(c1, c2, c3)) {
            withNotes(c, "n-" + c.get("id").asText()); // each has a note: its notes are asked for
        }
        wm.stubFor(get(urlPathEqualTo("/contacts/c1/tags"))
                .willReturn(okJson(listOf("list", tag("t-c1-a", "A"), tag("t-c1-b", "B")).toString())));
        wm.stubFor(get(urlPathEqualTo("/contacts/c2/companies"))
                .willReturn(okJson(listOf("list", company("co-c2-a"), company("co-c2-b")).toString())));
        for (String id : List.of("c1", "c2", "c3")) {
            wm.stubFor(get(urlPathEqualTo("/contacts/" + id + "/notes"))
                    .willReturn(okJson(notes(id, "n-" + id).toString())));
            wm.stubFor(get(urlPathEqualTo("/events")).withQueryParam("intercom_user_id", equalTo(id))
                    .willReturn(okJson(eventSummary(id, "e-" + id).toString())));
        }
        RecordFactory records = records(Resource.USERS.tables().toArray(String[]::new));
        // One request at a time: the order they reach the server is the order they were started in.
        ContactGroups groups = new ContactGroups(Resource.USERS, client, records, followUps(1));

        List<RecordFactory.Group> built = groups.start(List.of(c1, c2, c3)).await();

        // No segments call: membership comes from SegmentSweep, per segment (issue 17).
        assertEquals(List.of(
                "/contacts/c1/tags", "/contacts/c1/notes?per_page=50",
                "/events?type=user&summary=true&intercom_user_id=c1",
                "/contacts/c2/companies", "/contacts/c2/notes?per_page=50",
                "/events?type=user&summary=true&intercom_user_id=c2",
                "/contacts/c3/notes?per_page=50",
                "/events?type=user&summary=true&intercom_user_id=c3"), requestedUrls());
        assertEquals(3, built.size());
        assertEquals(List.of(
                "users c1", "users_tags t-c1-a", "users_tags t-c1-b", "users_companies co-c1-inline",
                "notes n-c1", "events_summary e-c1"), rows(built.get(0)));
        assertEquals(List.of(
                "users c2", "users_tags t-c2-inline", "users_companies co-c2-a", "users_companies co-c2-b",
                "notes n-c2", "events_summary e-c2"), rows(built.get(1)));
        assertEquals(List.of("users c3", "notes n-c3", "events_summary e-c3"),
                rows(built.get(2)));
        for (int i = 0; i < 3; i++) {
            String id = "c" + (i + 1);
            List<SourceRecord> children = toRecords(built.get(i)).subList(1, built.get(i).size());
            for (SourceRecord child : children) {
                String table = child.topic().substring(PREFIX.length());
                String parentColumn = table.equals(Tables.NOTES) || table.equals(Tables.EVENTS_SUMMARY)
                        ? "user_id" : "users_pk";
                assertEquals(id, String.valueOf(valueField(child, parentColumn)), table + " row of " + id);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 410})
    void aContactAFollowUpFindsGoneBecomesTombstonesOfItsRowAndEveryChildRowItNames(int status) {
        // c1 is gone: its tags and notes calls answer 404 (410 for a merged contact from API 2.16),
        // its events call answered before it went. c2 is alive. The store holds the segments the
        // segment sweep emitted for c1: they are retracted with it.
        ObjectNode c1 = contact("c1", T - 2000);
        c1.set("tags", truncated(addressable("c1", "tags", "tag", "t1")));
        c1.set("companies", addressable("c1", "companies", "company", "co1"));
        c1.set("social_profiles", listOf("list", JSON.createObjectNode().put("type", "social_profile")
                .put("name", "Twitter").put("url", "https://twitter.com/c1")));
        withNotes(c1, "n1");
        ObjectNode c2 = contact("c2", T - 1000);
        wm.stubFor(get(urlPathEqualTo("/contacts/c1/tags")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(errorBody("not_found", "User Not Found"))));
        wm.stubFor(get(urlPathEqualTo("/contacts/c1/notes")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(errorBody("not_found", "User Not Found"))));
        for (String id : List.of("c1", "c2")) {
            wm.stubFor(get(urlPathEqualTo("/events")).withQueryParam("intercom_user_id", equalTo(id))
                    .willReturn(okJson(eventSummary(id, "e-" + id).toString())));
        }
        SweepTestKeys stored = new SweepTestKeys();
        stored.add(Resource.USERS, "c1", Tables.USERS_SEGMENTS, "s-a", "s-b");
        stored.add(Resource.USERS, "c2", Tables.USERS_SEGMENTS, "s-c2");
        RecordFactory records = new RecordFactory(PREFIX, Resource.USERS.tables(), BadObjects.skipping(), stored);
        ContactGroups groups = new ContactGroups(Resource.USERS, client, records, followUps(2));

        List<RecordFactory.Group> built = groups.start(List.of(c1, c2)).await();

        assertEquals(List.of("users c1 deleted", "users_tags t1 deleted", "users_companies co1 deleted",
                "users_social_profiles Twitter deleted", "users_segments s-a deleted", "users_segments s-b deleted",
                "notes n1 deleted", "events_summary e-c1 deleted"),
                rows(built.get(0)));
        for (SourceRecord tombstone : toRecords(built.get(0))) {
            assertNull(tombstone.valueSchema(), "a tombstone has no value schema, as ReferenceReader's");
            String table = tombstone.topic().substring(PREFIX.length());
            if (!table.equals(Tables.USERS) && !table.equals(Tables.NOTES)) {
                String parentColumn = table.equals(Tables.EVENTS_SUMMARY) ? "user_id" : "users_pk";
                assertEquals("c1", keyField(tombstone, parentColumn), table + " key names its contact");
            }
        }
        // A contact read again leaves its memberships alone: only the segment sweep changes them.
        assertEquals(List.of("users c2", "events_summary e-c2"), rows(built.get(1)));
        assertEquals(1, groups.vanishedCount(), "c1 counted once, though two of its calls found it gone");
    }

    @Test
    void neitherAUserNorALeadRetractsTheOtherRolesRows() {
        ObjectNode c1 = contact("c1", T - 1000);
        c1.set("tags", addressable("c1", "tags", "tag", "t1"));
        c1.set("companies", addressable("c1", "companies", "company", "co1"));
        List<String> tables = new ArrayList<>(Resource.USERS.tables());
        tables.addAll(Resource.LEADS.tables());
        tables.removeAll(List.of(Tables.USERS_SEGMENTS, Tables.LEADS_SEGMENTS, Tables.NOTES, Tables.EVENTS_SUMMARY));
        RecordFactory records = records(tables.toArray(String[]::new));

        RecordFactory.Group asUser = new ContactGroups(Resource.USERS, client, records, followUps(1))
                .start(List.of(c1)).await().get(0);
        RecordFactory.Group asLead = new ContactGroups(Resource.LEADS, client, records, followUps(1))
                .start(List.of(c1.deepCopy().put("role", "lead"))).await().get(0);

        // No speculative leads tombstones (see ContactGroups' class comment: they broke a JDBC sink).
        assertEquals(List.of("users c1", "users_tags t1", "users_companies co1"), rows(asUser));
        // Intercom refuses to turn a user into a lead: a lead has no users rows to retract.
        assertEquals(List.of("leads c1", "leads_tags t1", "leads_companies co1"), rows(asLead));
        assertEquals(0, wm.getAllServeEvents().size(), "no request: the inline lists name the rows");
    }

    private static ObjectNode truncated(ObjectNode inline) {
        return inline.put("total_count", 12).put("has_more", true);
    }

    private static List<String> requestedUrls() {
        List<String> urls = new ArrayList<>(wm.getAllServeEvents().stream()
                .map(event -> event.getRequest().getUrl()).toList());
        Collections.reverse(urls); // the journal lists the newest first
        return urls;
    }

    private static List<SourceRecord> toRecords(RecordFactory.Group group) {
        return group.toRecords(Map.of(), Map.of());
    }

    /**
     * Each row as "table key", the key being the row's id or, for event summaries and social
     * profiles, its name; a tombstone (null value) ends with " deleted".
     */
    private static List<String> rows(RecordFactory.Group group) {
        return toRecords(group).stream().map(r -> {
            String table = r.topic().substring(PREFIX.length());
            String key = table.equals(Tables.EVENTS_SUMMARY) || table.endsWith("_social_profiles")
                    ? keyField(r, "name") : keyField(r, "id");
            return table + " " + key + (r.value() == null ? " deleted" : "");
        }).toList();
    }
}
