package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.client.RetriesExhaustedException;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link SearchReader} on {@code POST /contacts/search} with {@link ContactGroups}, built the way
 * {@link Readers#create} builds the users reader: pagination, the request body, child rows from
 * inline lists and from follow-up requests, and failures.
 */
class ContactsSearchReaderTest extends ReaderTestSupport {
    static final String PATH = "/contacts/search";
    static final long POLL_MS = 60_000;
    static final long DELAY_MS = 60_000;

    ContactGroups groups;

    SearchReader usersReader(RecordFactory records, SearchPosition start) {
        groups = new ContactGroups(Resource.USERS, client, records, followUps(4));
        return new SearchReader(Resource.USERS, client, PATH, "data", SearchReader.condition("role", "=", "user"),
                groups, start, POLL_MS, DELAY_MS, clock::get);
    }

    @Test
    void paginatesAcrossThreePagesSendingEachCursorBack() {
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("c01", T - 5000), contact("c02", T - 4000)));
        stubSearchPage(PATH, "cur-1", searchPage("data", "cur-2", contact("c03", T - 3000), contact("c04", T - 2000)));
        stubSearchPage(PATH, "cur-2", searchPage("data", null, contact("c05", T - 1000)));
        SearchReader reader = usersReader(records(Tables.USERS), SearchPosition.initial(0));

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("c01", "c02", "c03", "c04", "c05"), ids(out, Tables.USERS));
        assertEquals(5, out.size());
        assertEquals(List.of("ext-c01", "ext-c02", "ext-c03", "ext-c04", "ext-c05"),
                valueStrings(out, Tables.USERS, "user_id"));
        List<JsonNode> bodies = searchBodies(PATH);
        assertEquals(3, bodies.size(), "one request per page");
        assertTrue(bodies.get(0).path("pagination").path("starting_after").isMissingNode(),
                "the first page is requested without a cursor: " + bodies.get(0));
        assertEquals("cur-1", bodies.get(1).at("/pagination/starting_after").asText());
        assertEquals("cur-2", bodies.get(2).at("/pagination/starting_after").asText());
        for (JsonNode body : bodies) {
            assertEquals(150, body.at("/pagination/per_page").asInt());
            assertEquals("updated_at", body.at("/sort/field").asText());
            assertEquals("ascending", body.at("/sort/order").asText());
            // No position yet (since = 0): only the role filter.
            assertEquals(parse("{\"field\":\"role\",\"operator\":\"=\",\"value\":\"user\"}"), body.get("query"));
        }
        assertEquals(new SearchPosition(T - 1000, "c05", T - 1000, null), reader.position());
        assertEquals(1, count(postRequestedFor(urlPathEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer test-token"))
                .withHeader("Intercom-Version", equalTo("2.11"))
                .withRequestBody(matchingJsonPath("$.pagination.starting_after", equalTo("cur-2")))));
    }

    @Test
    void queryCarriesRoleAndUpdatedAtGreaterOrEqualOnceAPositionExists() {
        stubSearchPage(PATH, null, searchPage("data", null, contact("c01", T - 5000), contact("c02", T - 4000)));
        SearchReader reader = usersReader(records(Tables.USERS), SearchPosition.initial(0));
        assertEquals(List.of("c01", "c02"), ids(drainPass(reader), Tables.USERS));

        // Second pass: from the position (T-4000), "updated_at > W OR updated_at = W" ANDed with the role.
        wm.resetAll();
        stubSearchPage(PATH, null, searchPage("data", null, contact("c02", T - 4000), contact("c03", T - 100)));
        assertEquals(List.of(), reader.poll(100), "nothing before the poll interval has passed");
        assertEquals(0, searchBodies(PATH).size());
        advanceToNextPass(reader);
        List<SourceRecord> second = drainPass(reader);

        assertEquals(List.of("c03"), ids(second, Tables.USERS));
        List<JsonNode> bodies = searchBodies(PATH);
        assertEquals(1, bodies.size());
        long w = T - 4000;
        JsonNode expected = parse("{\"operator\":\"AND\",\"value\":["
                + "{\"field\":\"role\",\"operator\":\"=\",\"value\":\"user\"},"
                + "{\"operator\":\"OR\",\"value\":["
                + "{\"field\":\"updated_at\",\"operator\":\">\",\"value\":" + w + "},"
                + "{\"field\":\"updated_at\",\"operator\":\"=\",\"value\":" + w + "}]}]}");
        assertEquals(expected, bodies.get(0).get("query"));
    }

    @Test
    void inlineTagsCompaniesAndSocialProfilesBecomeChildRowsWithoutFollowUps() {
        ObjectNode c1 = contact("c1", T - 1000);
        c1.set("tags", addressable("c1", "tags", "tag", "t1", "t2"));
        c1.set("companies", addressable("c1", "companies", "company", "co1"));
        ((ArrayNode) c1.get("social_profiles").get("data")).addObject().put("type", "social_profile")
                .put("name", "Twitter").put("url", "https://twitter.com/c1").put("username", "c1");
        ObjectNode c2 = contact("c2", T - 900);
        c2.set("tags", addressable("c2", "tags", "tag", "t1"));
        stubSearchPage(PATH, null, searchPage("data", null, c1, c2));
        SearchReader reader = usersReader(records(Tables.USERS, Tables.USERS_TAGS, Tables.USERS_COMPANIES,
                Tables.USERS_SOCIAL_PROFILES), SearchPosition.initial(0));

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("c1", "c2"), ids(out, Tables.USERS));
        List<SourceRecord> tags = onTopic(out, Tables.USERS_TAGS);
        assertEquals(List.of("c1/t1", "c1/t2", "c2/t1"),
                tags.stream().map(r -> keyField(r, "users_pk") + "/" + keyField(r, "id")).toList());
        assertEquals(List.of("c1", "c1", "c2"), valueStrings(out, Tables.USERS_TAGS, "users_pk"));
        List<SourceRecord> companies = onTopic(out, Tables.USERS_COMPANIES);
        assertEquals(1, companies.size());
        assertEquals("co1", keyField(companies.get(0), "id"));
        assertEquals("c1", keyField(companies.get(0), "users_pk"));
        List<SourceRecord> social = onTopic(out, Tables.USERS_SOCIAL_PROFILES);
        assertEquals(1, social.size());
        assertEquals("c1", keyField(social.get(0), "users_pk"));
        assertEquals("Twitter", keyField(social.get(0), "name"));
        assertEquals("https://twitter.com/c1", keyField(social.get(0), "url"));
        assertEquals("c1", valueField(social.get(0), "username"));
        // Group order: each contact first, then its children, before the next contact.
        assertEquals(List.of("users", "users_tags", "users_tags", "users_companies", "users_social_profiles",
                "users", "users_tags"), out.stream().map(r -> r.topic().substring(PREFIX.length())).toList());
        assertEquals(0, count(getRequestedFor(anyUrl())), "inline lists need no follow-up request");
    }

    @Test
    void truncatedListsAndFollowUpTablesAreReadFromTheirEndpoints() {
        String apiHost = "https://api.intercom.io"; // next-page links are absolute; the client keeps our host
        ObjectNode c1 = contact("c1", T - 1000);
        ObjectNode inlineTags = addressable("c1", "tags", "tag",
                IntStream.rangeClosed(1, 10).mapToObj(i -> String.format("t%02d", i)).toArray(String[]::new));
        inlineTags.put("total_count", 12).put("has_more", true);
        c1.set("tags", inlineTags);
        ObjectNode inlineCompanies = addressable("c1", "companies", "company", "co1");
        inlineCompanies.put("total_count", 3).put("has_more", true);
        c1.set("companies", inlineCompanies);
        withNotes(c1, "n1");
        ObjectNode c2 = contact("c2", T - 900);
        c2.set("tags", addressable("c2", "tags", "tag", "t01"));
        // The inline count is a hint: a note deleted since the search still makes c2's notes asked for.
        withNotes(c2, "n-deleted");
        stubSearchPage(PATH, null, searchPage("data", null, c1, c2));

        ObjectNode[] allTags = IntStream.rangeClosed(1, 12)
                .mapToObj(i -> tag(String.format("t%02d", i), "Tag " + i)).toArray(ObjectNode[]::new);
        wm.stubFor(get(urlPathEqualTo("/contacts/c1/tags")).willReturn(okJson(listOf("list", allTags).toString())));
        ObjectNode companiesPage1 = listOf("list", company("co1"), company("co2"));
        companiesPage1.putObject("pages").put("type", "pages").put("page", 1).put("per_page", 2)
                .put("total_pages", 2).put("next", apiHost + "/contacts/c1/companies?page=2");
        ObjectNode companiesPage2 = listOf("list", company("co3"));
        companiesPage2.putObject("pages").put("type", "pages").put("page", 2).put("per_page", 2)
                .put("total_pages", 2).putNull("next");
        wm.stubFor(get(urlPathEqualTo("/contacts/c1/companies")).withQueryParam("page", absent())
                .willReturn(okJson(companiesPage1.toString())));
        wm.stubFor(get(urlPathEqualTo("/contacts/c1/companies")).withQueryParam("page", equalTo("2"))
                .willReturn(okJson(companiesPage2.toString())));
        stubFollowUps("c1", notes("c1", "n1"), eventSummary("c1", "signed-in", "bought"));
        stubFollowUps("c2", notes("c2"), eventSummary("c2", "signed-in"));

        SearchReader reader = usersReader(records(Resource.USERS.tables().toArray(String[]::new)),
                SearchPosition.initial(0));
        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("c1", "c2"), ids(out, Tables.USERS));
        // tags: the 12 of the list URL, not the 10 inlined
        List<SourceRecord> tags = onTopic(out, Tables.USERS_TAGS);
        assertEquals(13, tags.size());
        assertEquals(12, tags.stream().filter(r -> "c1".equals(keyField(r, "users_pk"))).count());
        assertEquals("t12", keyField(tags.get(11), "id"));
        // companies: both pages of the page-number pagination
        assertEquals(List.of("co1", "co2", "co3"), ids(out, Tables.USERS_COMPANIES));
        assertEquals(List.of("c1", "c1", "c1"), valueStrings(out, Tables.USERS_COMPANIES, "users_pk"));
        assertEquals(2, count(getRequestedFor(urlPathEqualTo("/contacts/c1/companies"))));
        assertEquals(0, count(getRequestedFor(urlPathEqualTo("/contacts/c2/tags"))), "c2's tags are complete");
        assertEquals(0, count(getRequestedFor(urlPathEqualTo("/contacts/c2/companies"))));
        // notes and the event summary from their endpoints, with the contact's id; segment
        // membership is not read per contact (SegmentSweep reads it per segment)
        assertEquals(List.of(), onTopic(out, Tables.USERS_SEGMENTS));
        assertEquals(0, count(getRequestedFor(urlPathMatching("/contacts/.*/segments"))));
        List<SourceRecord> notes = onTopic(out, Tables.NOTES);
        assertEquals(1, notes.size());
        assertEquals("n1", keyField(notes.get(0), "id"));
        assertEquals("c1", valueField(notes.get(0), "user_id"));
        assertEquals("admin", valueField(notes.get(0), "author_type"));
        assertEquals("a1", valueField(notes.get(0), "author_id"));
        List<SourceRecord> events = onTopic(out, Tables.EVENTS_SUMMARY);
        assertEquals(List.of("c1/signed-in", "c1/bought", "c2/signed-in"), events.stream()
                .map(r -> keyField(r, "user_id") + "/" + keyField(r, "name")).toList());
        assertEquals(List.of("c1", "c1", "c2"), valueStrings(out, Tables.EVENTS_SUMMARY, "user_id"));
        assertEquals(7L, valueField(events.get(0), "count"));
        assertEquals(new Date(1_389_913_941_000L), valueField(events.get(0), "first"));
        for (String id : List.of("c1", "c2")) {
            assertEquals(1, count(getRequestedFor(urlPathEqualTo("/contacts/" + id + "/notes"))));
            assertEquals(1, count(getRequestedFor(urlPathEqualTo("/events"))
                    .withQueryParam("type", equalTo("user")).withQueryParam("summary", equalTo("true"))
                    .withQueryParam("intercom_user_id", equalTo(id))));
        }
        // c1's whole group precedes c2's
        List<String> order = out.stream().map(r -> r.topic().substring(PREFIX.length())).toList();
        assertEquals("users", order.get(0));
        int c2At = order.lastIndexOf("users");
        assertEquals(1 + 12 + 3 + 1 + 2, c2At, "c1's 18 child rows come right after c1: " + order);
    }

    @Test
    void followUpsOfDisabledTablesAreNeverRequested() {
        ObjectNode c1 = contact("c1", T - 1000);
        ((ObjectNode) c1.get("tags")).put("has_more", true).put("total_count", 30);
        ((ObjectNode) c1.get("companies")).put("has_more", true).put("total_count", 30);
        stubSearchPage(PATH, null, searchPage("data", null, c1, contact("c2", T - 900)));

        // users_segments on; tags, companies, notes and events_summary off
        SearchReader reader = usersReader(records(Tables.USERS, Tables.USERS_SEGMENTS), SearchPosition.initial(0));
        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("c1", "c2"), ids(out, Tables.USERS));
        assertEquals(0, onTopic(out, Tables.USERS_SEGMENTS).size(), "segment membership is the segment sweep's");
        assertEquals(0, count(getRequestedFor(anyUrl())), "no per-contact segments request (issue 17)");
        assertEquals(0, count(getRequestedFor(urlPathMatching("/contacts/.*/(tags|companies|notes)"))));
        assertEquals(0, count(getRequestedFor(urlPathEqualTo("/events"))));

        // and with every follow-up table off, not one GET
        wm.resetRequests();
        SearchReader bare = usersReader(records(Tables.USERS), SearchPosition.initial(0));
        assertEquals(2, drainPass(bare).size());
        assertEquals(0, count(getRequestedFor(anyUrl())));
    }

    @Test
    void aFollowUp404RetractsThatContactsRowsAndThePassGoesOn() {
        stubSearchPage(PATH, null, searchPage("data", "cur-1", withNotes(contact("c1", T - 3000), "n-c1"),
                withNotes(contact("c2", T - 2000), "n-c2")));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, withNotes(contact("c3", T - 1000), "n-c3")));
        String notFound = errorBody("not_found", "User Not Found");
        wm.stubFor(get(urlPathEqualTo("/events")).withQueryParam("intercom_user_id", equalTo("c1"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody(notFound)));
        wm.stubFor(get(urlPathEqualTo("/contacts/c1/notes"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody(notFound)));
        for (String id : List.of("c2", "c3")) {
            wm.stubFor(get(urlPathEqualTo("/events")).withQueryParam("intercom_user_id", equalTo(id))
                    .willReturn(okJson(eventSummary(id, "e-" + id).toString())));
            wm.stubFor(get(urlPathEqualTo("/contacts/" + id + "/notes"))
                    .willReturn(okJson(notes(id, "n-" + id).toString())));
        }
        SearchReader reader = usersReader(records(Tables.USERS, Tables.USERS_SEGMENTS, Tables.NOTES,
                Tables.EVENTS_SUMMARY), SearchPosition.initial(0));

        List<SourceRecord> out = drainPass(reader);

        // The 404 reveals c1 is gone: a tombstone for its row and its inline note, in its place.
        assertEquals(List.of("c1", "c2", "c3"), ids(out, Tables.USERS));
        assertEquals(List.of("c1"), onTopic(out, Tables.USERS).stream().filter(r -> r.value() == null)
                .map(r -> keyField(r, "id")).toList(), "the vanished contact is a tombstone");
        assertEquals(List.of("n-c1"), onTopic(out, Tables.NOTES).stream().filter(r -> r.value() == null)
                .map(r -> keyField(r, "id")).toList(), "and so is its note");
        List<SourceRecord> live = out.stream().filter(r -> r.value() != null).toList();
        assertEquals(List.of("c2", "c3"), valueStrings(live, Tables.EVENTS_SUMMARY, "user_id"));
        assertEquals(List.of("c2", "c3"), valueStrings(live, Tables.NOTES, "user_id"));
        assertEquals(0, count(getRequestedFor(urlPathMatching("/contacts/.*/segments"))), "no segments call");
        assertEquals(1, groups.vanishedCount(), "c1 counted once, though its notes and events calls both got 404");
        assertEquals(2, searchBodies(PATH).size(), "the pass went on to page 2");
        assertEquals(new SearchPosition(T - 1000, "c3", T - 1000, null), reader.position());
    }

    @Test
    void anUnreadableSearchPageFailsNamingTheResourceAndPosition() {
        wm.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"type\":\"list\",\"data\":[{\"type\":\"contact\",\"id\":\"c08\",\"updated_at\":")));
        SearchReader reader = usersReader(records(Tables.USERS),
                new SearchPosition(T - 5000, "c07", T - 5000, null));

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class, () -> reader.poll(100));

        String message = e.getMessage();
        assertTrue(message.contains("/contacts/search"), message);
        assertTrue(message.contains("users pass from " + (T - 5000)), message);
        assertTrue(message.contains("updated_at=" + (T - 5000) + ", id=c07"), message);
        assertTrue(searchBodies(PATH).size() > 1, "retried before giving up: " + searchBodies(PATH).size());
        assertEquals(new SearchPosition(T - 5000, "c07", T - 5000, null), reader.position(), "nothing moved");
    }

    @Test
    void aSearchPageWithoutItsItemsArrayFailsNamingTheResourceAndPosition() {
        wm.stubFor(post(urlPathEqualTo(PATH)).willReturn(okJson("{\"type\":\"list\",\"total_count\":0}")));
        SearchReader reader = usersReader(records(Tables.USERS),
                new SearchPosition(T - 5000, "c07", T - 5000, null));

        DataException e = assertThrows(DataException.class, () -> reader.poll(100));

        assertTrue(e.getMessage().startsWith("users: "), e.getMessage());
        assertTrue(e.getMessage().contains("'data'"), e.getMessage());
        assertTrue(e.getMessage().contains("updated_at=" + (T - 5000) + ", id=c07"), e.getMessage());
    }

    // ---------------------------------------------------------------- fixtures

    private void stubFollowUps(String id, ObjectNode notes, ObjectNode events) {
        wm.stubFor(get(urlPathEqualTo("/contacts/" + id + "/notes")).withQueryParam("per_page", equalTo("50"))
                .willReturn(okJson(notes.toString())));
        wm.stubFor(get(urlPathEqualTo("/events")).withQueryParam("intercom_user_id", equalTo(id))
                .willReturn(okJson(events.toString())));
    }

    /** The contact with these notes inline, as Intercom lists them (references, newest first). */
    static ObjectNode withNotes(ObjectNode contact, String... noteIds) {
        contact.set("notes", addressable(contact.get("id").asText(), "notes", "note", noteIds));
        return contact;
    }

    static ObjectNode company(String id) {
        return JSON.createObjectNode().put("type", "company").put("id", id).put("company_id", "ext-" + id)
                .put("name", "Company " + id);
    }


    static ObjectNode notes(String contactId, String... noteIds) {
        List<ObjectNode> items = new ArrayList<>();
        for (String noteId : noteIds) {
            ObjectNode note = JSON.createObjectNode().put("type", "note").put("id", noteId)
                    .put("created_at", T - 7000).put("body", "<p>Text for " + noteId + "</p>");
            note.putObject("contact").put("type", "contact").put("id", contactId);
            note.putObject("author").put("type", "admin").put("id", "a1").put("name", "Ann Admin")
                    .put("email", "ann@example.com").put("away_mode_enabled", false);
            items.add(note);
        }
        ObjectNode list = listOf("list", items.toArray(ObjectNode[]::new));
        list.put("total_count", noteIds.length);
        list.putObject("pages").put("type", "pages").putNull("next").put("page", 1).put("per_page", 50)
                .put("total_pages", 1);
        return list;
    }

    static ObjectNode eventSummary(String contactId, String... names) {
        ObjectNode summary = JSON.createObjectNode().put("type", "event.summary")
                .put("email", contactId + "@example.com").put("intercom_user_id", contactId)
                .put("user_id", "ext-" + contactId);
        ArrayNode events = summary.putArray("events");
        for (String name : names) {
            events.addObject().put("name", name).put("first", "2014-01-16T23:12:21.000+00:00")
                    .put("last", "2023-11-01T10:00:00.000+00:00").put("count", 7).putNull("description");
        }
        return summary;
    }
}
