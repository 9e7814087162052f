package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The sweep retracts a contact's dropped social profile and deleted note (issue 16): neither moves
 * {@code updated_at}, and the listing shows both at no extra request (social profiles inline, notes
 * as inline ids). Changed notes cost one notes request, for their bodies; unchanged ones none.
 */
class QuietContactChildrenSweepTest extends ReaderTestSupport {
    private static final String PATH = SearchSweepTest.PATH;
    private static final List<String> TABLES = List.of(Tables.USERS, Tables.USERS_SOCIAL_PROFILES, Tables.NOTES);
    private final AtomicLong retractions = new AtomicLong();

    private SearchSweep usersSweep(RecordFactory records) {
        return new SearchSweep(Resource.USERS, client, PATH, new SearchQuery("users", "data",
                SearchReader.condition("role", "=", "user")), records,
                new ContactGroups(Resource.USERS, client, records, followUps(4)), null, retractions);
    }

    private static ObjectNode profile(String name, String url) {
        return JSON.createObjectNode().put("type", "social_profile").put("name", name).put("url", url);
    }

    private static ObjectNode note(String id) {
        ObjectNode note = JSON.createObjectNode().put("type", "note").put("id", id).put("body", "b");
        note.putObject("contact").put("type", "contact").put("id", "u1");
        return note;
    }

    private static ObjectNode withChildren(ObjectNode contact, List<ObjectNode> profiles, String... noteIds) {
        contact.set("social_profiles", listOf("list", profiles.toArray(ObjectNode[]::new)));
        contact.set("notes", addressable(contact.get("id").asText(), "notes", "note", noteIds));
        return contact;
    }

    @Test
    void aDroppedSocialProfileAndADeletedNoteAreRetractedByTheSweep() {
        KeyStore store = new KeyStore("state", List.of(Resource.USERS));
        RecordFactory records = new RecordFactory(PREFIX, TABLES, BadObjects.skipping(), store);
        records.group(Resource.USERS, "emitted before").parent(Tables.USERS, "u1")
                .covering(List.of(Tables.USERS_SOCIAL_PROFILES, Tables.NOTES))
                .add(Tables.USERS, contact("u1", T - 900))
                .addChild(Tables.USERS_SOCIAL_PROFILES, profile("Twitter", "https://t/u1"), "users_pk", "u1")
                .addChild(Tables.USERS_SOCIAL_PROFILES, profile("LinkedIn", "https://l/u1"), "users_pk", "u1")
                .add(Tables.NOTES, note("n1")).add(Tables.NOTES, note("n2"))
                .toRecords(Map.of(), Map.of());
        stubSearchPage(PATH, null, searchPage("data", null,
                withChildren(contact("u1", T - 900), List.of(profile("Twitter", "https://t/u1")), "n1")));
        wm.stubFor(get(urlPathEqualTo("/contacts/u1/notes"))
                .willReturn(okJson(listOf("list", note("n1")).toString())));
        SearchSweep sweep = usersSweep(records);

        List<SourceRecord> out = SearchSweepTest.run(sweep);

        List<String> profileTombstones = onTopic(out, Tables.USERS_SOCIAL_PROFILES).stream()
                .filter(r -> r.value() == null).map(r -> keyField(r, "name")).toList();
        assertEquals(List.of("LinkedIn"), profileTombstones, "the dropped profile is retracted");
        assertEquals(List.of("n2"), SearchSweepTest.tombstoneIds(out, Tables.NOTES), "the deleted note is retracted");
        assertEquals(List.of("n1"), onTopic(out, Tables.NOTES).stream().filter(r -> r.value() != null)
                .map(r -> keyField(r, "id")).toList(), "the note left is emitted again, with its body");
        assertEquals(2, sweep.requests(), "the search page and the changed contact's notes");
        assertEquals(1, retractions.get());

        assertEquals(List.of(), SearchSweepTest.run(usersSweep(records)), "the store now equals the workspace");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/contacts/u1/notes"))),
                "unchanged notes cost no request");
    }
}
