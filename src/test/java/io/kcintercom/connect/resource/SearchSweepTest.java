package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * {@link SearchSweep} against stubbed search pages and a hand-filled store: parents that vanished,
 * inline links that differ from the stored keys, parents the store does not know, and the cost.
 */
class SearchSweepTest extends ReaderTestSupport {
    static final String PATH = "/contacts/search";
    static final String CONVERSATIONS_PATH = "/conversations/search";

    final SweepTestKeys keys = new SweepTestKeys();
    final AtomicLong retractions = new AtomicLong();

    RecordFactory records(EmittedKeys store, String... tables) {
        return new RecordFactory(PREFIX, List.of(tables), BadObjects.skipping(), store);
    }

    SearchSweep usersSweep(RecordFactory records) {
        return new SearchSweep(Resource.USERS, client, PATH, new SearchQuery("users", "data",
                SearchReader.condition("role", "=", "user")), records,
                new ContactGroups(Resource.USERS, client, records, followUps(4)), null, retractions);
    }

    /** The contact with a complete inline notes list of these note references. */
    static ObjectNode withNotes(ObjectNode contact, String... noteIds) {
        ArrayNode data = contact.putObject("notes").put("type", "list")
                .put("total_count", noteIds.length).put("has_more", false).putArray("data");
        for (String id : noteIds) {
            data.add(JsonNodeFactory.instance.objectNode().put("type", "note").put("id", id));
        }
        return contact;
    }

    static List<SourceRecord> run(SweepStep sweep) {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 100 && !sweep.done(); i++) {
            sweep.step().forEach(group -> out.addAll(group.toRecords(Map.of(), Map.of())));
        }
        assertTrue(sweep.done(), "the sweep ends");
        return out;
    }

    static List<String> tombstoneIds(List<SourceRecord> records, String table) {
        return onTopic(records, table).stream().filter(r -> r.value() == null).map(r -> keyField(r, "id")).toList();
    }

    static ObjectNode tagged(ObjectNode contact, String... tagIds) {
        contact.set("tags", addressable(contact.get("id").asText(), "tags", "tag", tagIds));
        return contact;
    }

    @Test
    void storedParentsTheListingDoesNotShowAreRemovedAndOnlyThose() {
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2").put(Resource.USERS, "u3");
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("u1", T - 500)));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("u3", T - 100)));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS));

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("u2"), tombstoneIds(out, Tables.USERS), "u2 vanished: deleted or merged");
        assertEquals(1, out.size(), "known parents with unchanged links emit nothing");
        assertEquals(2, sweep.requests(), "one request per page of 150");
        assertEquals(1, retractions.get());
        for (JsonNode body : searchBodies(PATH)) {
            assertEquals(parse("{\"field\":\"role\",\"operator\":\"=\",\"value\":\"user\"}"), body.get("query"),
                    "only the base filter: every object, not what changed");
            assertEquals(150, body.at("/pagination/per_page").asInt());
            assertEquals("ascending", body.at("/sort/order").asText());
        }
    }

    @Test
    void withTheStoreTheRemovedLinksAndTheVanishedParentsChildRowsAreTombstonedAndASecondSweepFindsNothing() {
        KeyStore store = new KeyStore("state", List.of(Resource.USERS));
        RecordFactory records = records(store, Tables.USERS, Tables.USERS_TAGS);
        for (String id : List.of("u1", "gone")) {
            records.group(Resource.USERS, "emitted before").parent(Tables.USERS, id)
                    .covering(List.of(Tables.USERS_TAGS)).add(Tables.USERS, contact(id, T - 900))
                    .addChild(Tables.USERS_TAGS, tag("t1", "a"), "users_pk", id)
                    .addChild(Tables.USERS_TAGS, tag("t2", "b"), "users_pk", id)
                    .toRecords(Map.of(), Map.of());
        }
        stubSearchPage(PATH, null, searchPage("data", null, tagged(contact("u1", T - 900), "t1", "t3")));

        List<SourceRecord> out = run(usersSweep(records));

        List<String> tagTombstones = onTopic(out, Tables.USERS_TAGS).stream().filter(r -> r.value() == null)
                .map(r -> keyField(r, "users_pk") + "/" + keyField(r, "id")).sorted().toList();
        assertEquals(List.of("gone/t1", "gone/t2", "u1/t2"), tagTombstones);
        assertEquals(List.of("gone"), tombstoneIds(out, Tables.USERS));
        assertEquals(List.of("t1", "t3"), store.childIds(Resource.USERS, "u1", Tables.USERS_TAGS).stream()
                .sorted().toList());
        assertFalse(store.contains(Resource.USERS, "gone"));

        assertEquals(List.of(), run(usersSweep(records)), "the store now equals the workspace");
    }

    @Test
    void aVanishedLeadThatIsAUserNowKeepsItsNotesAndEventSummariesAfterItsTombstones() {
        keys.put(Resource.LEADS, "converted", Tables.NOTES, List.of("n1"))
                .put(Resource.LEADS, "deleted", Tables.NOTES, List.of("n2"));
        stubSearchPage(PATH, null, searchPage("data", null));
        ObjectNode user = contact("converted", T - 100);
        wm.stubFor(get(urlPathEqualTo("/contacts/converted")).willReturn(okJson(user.toString())));
        wm.stubFor(get(urlPathEqualTo("/contacts/deleted")).willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(404)
                        .withBody(errorBody("not_found", "User Not Found"))));
        wm.stubFor(get(urlPathEqualTo("/contacts/converted/notes")).willReturn(okJson(listOf("list",
                JSON.createObjectNode().put("type", "note").put("id", "n1").put("body", "b")
                        .put("created_at", T - 300)).toString())));
        wm.stubFor(get(urlPathEqualTo("/events")).willReturn(okJson("{\"type\":\"event.summary\",\"events\":[]}")));
        RecordFactory records = records(keys, Tables.LEADS, Tables.NOTES, Tables.EVENTS_SUMMARY);
        SearchSweep sweep = new SearchSweep(Resource.LEADS, client, PATH, new SearchQuery("leads", "data", null),
                records, new ContactGroups(Resource.LEADS, client, records, followUps(4)), null, retractions);

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("converted", "deleted"), tombstoneIds(out, Tables.LEADS).stream().sorted().toList());
        List<SourceRecord> notes = onTopic(out, Tables.NOTES);
        assertEquals("n1", keyField(notes.get(notes.size() - 1), "id"));
        assertTrue(notes.get(notes.size() - 1).value() != null, "the converted lead's note is live again, last");
        assertEquals(2, retractions.get());
    }

    @Test
    void anObjectAPassEmittedDuringTheSweepIsNotRemoved() {
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "new");
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("u1", T - 500)));
        stubSearchPage(PATH, "cur-1", searchPage("data", null));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS));

        sweep.step();
        sweep.seen("new"); // created after the listing went past its place, emitted by a pass
        List<SourceRecord> out = run(sweep);

        assertEquals(List.of(), tombstoneIds(out, Tables.USERS));
    }

    @Test
    void inlineLinksThatDifferFromTheStoredKeysEmitTheCurrentLinksCoveringTheirTables() {
        keys.put(Resource.USERS, "u1", Tables.USERS_TAGS, List.of("t1", "t2"))
                .put(Resource.USERS, "u2", Tables.USERS_TAGS, List.of("t9"));
        stubSearchPage(PATH, null, searchPage("data", null,
                tagged(contact("u1", T - 500), "t1", "t3"), tagged(contact("u2", T - 400), "t9")));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS, Tables.USERS_TAGS));

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("u1"), ids(out, Tables.USERS), "only u1's links changed (u2 has what was emitted)");
        assertEquals(List.of("t1", "t3"), onTopic(out, Tables.USERS_TAGS).stream()
                .map(r -> keyField(r, "id")).toList(), "u1's current tags, all of them");
        assertEquals(1, retractions.get(), "t2 is to be retracted");
        assertEquals(1, sweep.requests(), "inline lists cost nothing");
    }

    @Test
    void aTruncatedInlineListIsReadInFullBeforeComparing() {
        keys.put(Resource.USERS, "u1", Tables.USERS_TAGS, List.of("t1", "t2"));
        ObjectNode contact = tagged(contact("u1", T - 500), "t1");
        ((ObjectNode) contact.get("tags")).put("has_more", true).put("total_count", 2);
        stubSearchPage(PATH, null, searchPage("data", null, contact));
        wm.stubFor(get(urlPathEqualTo("/contacts/u1/tags"))
                .willReturn(okJson(listOf("list", tag("t1", "a"), tag("t2", "b")).toString())));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS, Tables.USERS_TAGS));

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of(), out, "the full list equals what was emitted");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/contacts/u1/tags"))));
        assertEquals(2, sweep.requests());
    }

    @Test
    void aContactWhoseInlineNotesDisagreeWithTheStoredOnesIsReadAgainWholeAndTheOthersAreNot() {
        keys.put(Resource.USERS, "u1", Tables.NOTES, List.of("n1"))
                .put(Resource.USERS, "u2", Tables.NOTES, List.of("n7"));
        ObjectNode added = withNotes(contact("u1", T - 500), "n1", "n2");
        ObjectNode same = withNotes(contact("u2", T - 400), "n7");
        stubSearchPage(PATH, null, searchPage("data", null, added, same));
        wm.stubFor(get(urlPathEqualTo("/contacts/u1/notes")).willReturn(okJson(listOf("list",
                JsonNodeFactory.instance.objectNode().put("type", "note").put("id", "n1").put("body", "a"),
                JsonNodeFactory.instance.objectNode().put("type", "note").put("id", "n2").put("body", "b"))
                .toString())));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS, Tables.NOTES));

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("u1"), ids(out, Tables.USERS),
                "a note added without updated_at moving: the contact's group again (it covers notes); u2 unchanged");
        assertEquals(List.of("n1", "n2"), onTopic(out, Tables.NOTES).stream().map(r -> keyField(r, "id")).toList());
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/contacts/u1/notes"))), "no notes call for u2");
    }

    @Test
    void aContactWhoseInlineNotesSayNoneLeftHasItsStoredNotesRetractedWithoutANotesCall() {
        keys.put(Resource.USERS, "u1", Tables.NOTES, List.of("n1", "n2"));
        ObjectNode emptied = withNotes(contact("u1", T - 500));
        stubSearchPage(PATH, null, searchPage("data", null, emptied));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS, Tables.NOTES));

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("u1"), ids(out, Tables.USERS), "its group again, covering notes");
        assertEquals(0, count(getRequestedFor(urlPathEqualTo("/contacts/u1/notes"))), "the inline list says none");
    }

    @Test
    void aContactGoneBeforeItsNotesAreReadIsRetractedAndTheSweepGoesOn() {
        keys.put(Resource.USERS, "u1", Tables.NOTES, List.of("n1"))
                .put(Resource.USERS, "u2", Tables.NOTES, List.of("n7"));
        ObjectNode gone = withNotes(contact("u1", T - 500), "n1", "n2");
        ObjectNode same = withNotes(contact("u2", T - 400), "n7");
        stubSearchPage(PATH, null, searchPage("data", null, gone, same));
        wm.stubFor(get(urlPathEqualTo("/contacts/u1/notes")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withBody("{\"type\":\"error.list\",\"errors\":"
                        + "[{\"code\":\"not_found\",\"message\":\"User Not Found\"}]}")));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS, Tables.NOTES));

        List<SourceRecord> out = run(sweep);

        assertTrue(sweep.done(), "the 404 does not fail the sweep");
        assertEquals(List.of("u1"), tombstoneIds(out, Tables.USERS), "deleted between the listing and its notes call");
        assertEquals(1, onTopic(out, Tables.USERS).size(), "u1's tombstone only: u2 unchanged");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/contacts/u1/notes"))), "the 404 is not retried");
    }

    @Test
    void aParentTheStoreDoesNotKnowGetsItsFullGroup() {
        keys.put(Resource.USERS, "u1");
        stubSearchPage(PATH, null, searchPage("data", null, contact("u1", T - 500),
                tagged(contact("converted", T - 400), "t5")));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS, Tables.USERS_TAGS));

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("converted"), ids(out, Tables.USERS), "a lead converted in place, or a missed object");
        assertEquals(List.of("t5"), onTopic(out, Tables.USERS_TAGS).stream().map(r -> keyField(r, "id")).toList());
        assertEquals(0, retractions.get());
    }

    @Test
    void anUnknownObjectWhoseRowCannotBeBuiltIsLeftToThePassThatReportedIt() {
        ObjectNode bad = contact("bad", T - 500).put("created_at", "not-a-date");
        stubSearchPage(PATH, null, searchPage("data", null, bad, contact("good", T - 400)));
        RecordFactory records = new RecordFactory(PREFIX, List.of(Tables.USERS), BadObjects.skipping(), keys);
        SearchSweep sweep = new SearchSweep(Resource.USERS, client, PATH, new SearchQuery("users", "data", null),
                records, new ContactGroups(Resource.USERS, client, records, followUps(4)), null, retractions);

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("good"), ids(out, Tables.USERS));
        assertEquals(0, records.badObjects().count(Resource.USERS), "not counted (nor logged) a second time");
    }

    @Test
    void conversationsCompareTheirTags() {
        keys.put(Resource.CONVERSATIONS, "c1", Tables.CONVERSATIONS_TAGS, List.of("t1"))
                .put(Resource.CONVERSATIONS, "gone");
        ObjectNode conversation = JSON.createObjectNode().put("type", "conversation").put("id", "c1")
                .put("created_at", T - 900).put("updated_at", T - 800);
        conversation.set("tags", JSON.createObjectNode().put("type", "tag.list").set("tags", JSON.createArrayNode()));
        stubSearchPage(CONVERSATIONS_PATH, null, searchPage("conversations", null, conversation));
        RecordFactory records = records(keys, Tables.CONVERSATIONS, Tables.CONVERSATIONS_TAGS);
        SearchSweep sweep = new SearchSweep(Resource.CONVERSATIONS, client, CONVERSATIONS_PATH,
                new SearchQuery("conversations", "conversations", null), records,
                new ConversationGroups(client, records, followUps(4)), null, retractions);

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("gone"), tombstoneIds(out, Tables.CONVERSATIONS));
        assertEquals(List.of("c1"), onTopic(out, Tables.CONVERSATIONS).stream()
                .filter(r -> r.value() != null).map(r -> keyField(r, "id")).toList(), "c1's tag t1 was removed");
        assertEquals(2, retractions.get());
        assertEquals(1, count(postRequestedFor(urlPathEqualTo(CONVERSATIONS_PATH))));
    }

    @Test
    void aStepAfterTheListingRunsWhatComesNext() {
        keys.put(Resource.USERS, "u1");
        stubSearchPage(PATH, null, searchPage("data", null, contact("u1", T - 500)));
        RecordFactory records = records(keys, Tables.USERS);
        CountingStep segments = new CountingStep(2);
        SearchSweep sweep = new SearchSweep(Resource.USERS, client, PATH, new SearchQuery("users", "data", null),
                records, new ContactGroups(Resource.USERS, client, records, followUps(4)), segments, retractions);

        sweep.step();
        assertFalse(sweep.done(), "the segment sweep is still to run");
        run(sweep);

        assertEquals(2, segments.steps);
        assertEquals(3, sweep.requests(), "its requests count with the sweep's");
    }

    @Test
    void aGatedSweepWhoseCountAgreesWithTheStoreStopsAtItsFirstPageRetractsNothingAndRunsWhatComesNext() {
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2").put(Resource.USERS, "gone");
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("u1", T - 500)).put("total_count", 3));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("u2", T - 400), contact("new", T - 300)));
        RecordFactory records = records(keys, Tables.USERS);
        CountingStep segments = new CountingStep(2);
        SearchSweep sweep = new SearchSweep(Resource.USERS, client, PATH, new SearchQuery("users", "data", null),
                records, new ContactGroups(Resource.USERS, client, records, followUps(4)), segments, retractions)
                .countGated(0).learningInto(NeverStored.assumingNone());

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of(), out, "a delete offset by an object the store does not know: a full sweep's to find");
        assertEquals(1, count(postRequestedFor(urlPathEqualTo(PATH))), "the first page only");
        assertEquals(2, segments.steps, "then the segment sweep");
        assertEquals(0, retractions.get());
    }

    @Test
    void aGatedSweepWhoseCountDiffersOrIsMissingListsInFullAndRetractsTheVanished() {
        for (boolean withCount : List.of(true, false)) {
            wm.resetAll();
            SweepTestKeys stored = new SweepTestKeys().put(Resource.USERS, "u1").put(Resource.USERS, "u2")
                    .put(Resource.USERS, "gone");
            ObjectNode first = searchPage("data", "cur-1", contact("u1", T - 500)).put("total_count", 2);
            if (!withCount) {
                first.remove("total_count");
            }
            stubSearchPage(PATH, null, first);
            stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("u2", T - 400)));
            SearchSweep sweep = usersSweep(records(stored, Tables.USERS)).countGated(0).learningInto(NeverStored.assumingNone());

            List<SourceRecord> out = run(sweep);

            assertEquals(List.of("gone"), tombstoneIds(out, Tables.USERS), "total_count given: " + withCount);
            assertEquals(2, count(postRequestedFor(urlPathEqualTo(PATH))), "every page");
        }
    }

    @Test
    void aGatedSweepThatStopsFindsTheContactsActiveSinceTheLastSweepWithASearchAndReadsOnlyTheirSummaries() {
        long since = T - 3_600;
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "seen").put(Resource.USERS, "sameDay")
                .put(Resource.USERS, "changed");
        ObjectNode u1 = contact("u1", T - 500).put("last_seen_at", T - 10);
        stubSearchPage(PATH, null, searchPage("data", "cur-1", u1).put("total_count", 4));
        ObjectNode seen = contact("seen", since - 400).put("last_seen_at", since + 60); // a visit: updated_at stays
        ObjectNode sameDay = contact("sameDay", T - 300).put("last_seen_at", since - 60); // the search's day, not after
        // Updated after its last activity: its pass reads the summary, the sweep need not.
        ObjectNode changed = contact("changed", T - 200).put("last_seen_at", since + 30);
        wm.stubFor(post(urlPathEqualTo(PATH))
                .withRequestBody(matchingJsonPath("$.query.value[1].value[0].field", equalTo("last_seen_at")))
                .willReturn(okJson(searchPage("data", null, u1, seen, sameDay, changed).toString())));
        wm.stubFor(get(urlPathEqualTo("/events")).willReturn(okJson(
                "{\"type\":\"event.summary\",\"events\":[{\"name\":\"signed-up\",\"first\":\"2026-01-01T00:00:00.000Z\","
                        + "\"last\":\"2026-01-02T00:00:00.000Z\",\"count\":2}]}")));
        RecordFactory records = records(keys, Tables.USERS, Tables.EVENTS_SUMMARY);
        ContactGroups contacts = new ContactGroups(Resource.USERS, client, records, followUps(4));
        SearchQuery query = new SearchQuery("users", "data", SearchReader.condition("role", "=", "user"));
        EventSummaryBackfill.Factory summaries = new EventSummaryBackfill.Factory(Resource.USERS, client, PATH, query,
                records, contacts);
        AtomicLong summaryRequests = new AtomicLong();
        SearchSweep sweep = new SearchSweep(Resource.USERS, client, PATH, query, records,
                contacts.withEventSummariesWhen(() -> false), null, retractions).countGated(0).learningInto(NeverStored.assumingNone())
                .withPageGroups(listed -> summaries.activeSince(listed, since, summaryRequests))
                .whenGated(summaries.activeSearch(since, summaryRequests));

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("u1", "seen"), onTopic(out, Tables.EVENTS_SUMMARY).stream()
                .map(r -> keyField(r, "user_id")).toList(), "once each: the stopped first page reads no summary, "
                + "the search's page does; sameDay was last seen before the last sweep, changed is its pass's");
        assertEquals(2, count(getRequestedFor(urlPathEqualTo("/events"))));
        assertEquals(2, summaryRequests.get());
        List<JsonNode> bodies = searchBodies(PATH);
        assertEquals(2, bodies.size(), "the first listing page, then one page of active contacts");
        assertEquals(parse("{\"operator\":\"AND\",\"value\":[{\"field\":\"role\",\"operator\":\"=\",\"value\":\"user\"},"
                + "{\"operator\":\"OR\",\"value\":[{\"field\":\"last_seen_at\",\"operator\":\">\",\"value\":" + since
                + "},{\"field\":\"last_seen_at\",\"operator\":\"=\",\"value\":" + since + "}]}]}"),
                bodies.get(1).get("query"));
        assertEquals(150, bodies.get(1).at("/pagination/per_page").asInt());
        assertEquals(2, sweep.requests(), "its search pages count with the sweep's");
    }

    /**
     * Issue 17 follow-up: Intercom counts objects the store never holds (a row that cannot be built,
     * one updated before intercom.since on the day-granular search). The first gated sweep of a
     * reader lists in full and counts them; the next one stops at its first page although the counts
     * differ by them; a deletion then makes the counts differ and the sweep lists in full again.
     */
    @Test
    void aGatedSweepCountsWhatTheStoreNeverHoldsSoItStopsWhenNothingChangedAndListsInFullAfterADeletion() {
        long since = T - 1_000;
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2");
        ObjectNode bad = contact("bad", T - 500).put("created_at", "not-a-date");
        ObjectNode before = contact("old", since - 100); // the search's day, before intercom.since
        stubSearchPage(PATH, null, searchPage("data", "cur-1", before, contact("u1", T - 600), bad)
                .put("total_count", 4));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("u2", T - 400)));
        RecordFactory records = records(keys, Tables.USERS);
        NeverStored learned = new NeverStored();

        List<SourceRecord> first = run(usersSweep(records).from(since).countGated(0).learningInto(learned));
        assertEquals(List.of(), first, "nothing to emit: bad cannot be built, old is out of scope");
        assertEquals(2, count(postRequestedFor(urlPathEqualTo(PATH))), "not counted since the start: in full");
        assertEquals(2, learned.objects(), "bad and old: Intercom counts them, the store never holds them");

        wm.resetRequests();
        assertEquals(List.of(), run(usersSweep(records).from(since).countGated(0).learningInto(learned)));
        assertEquals(1, count(postRequestedFor(urlPathEqualTo(PATH))), "4 = 2 stored + 2 never stored: page 1 only");

        // u2 deleted: 3 listed against 2 + 2, where the store alone (2) would have matched by accident.
        stubSearchPage(PATH, null, searchPage("data", "cur-1", before, contact("u1", T - 600), bad)
                .put("total_count", 3));
        stubSearchPage(PATH, "cur-1", searchPage("data", null));
        wm.resetRequests();
        List<SourceRecord> out = run(usersSweep(records).from(since).countGated(0).learningInto(learned));

        assertEquals(List.of("u2"), tombstoneIds(out, Tables.USERS));
        assertEquals(2, count(postRequestedFor(urlPathEqualTo(PATH))), "listed in full");
        assertEquals(2, learned.objects(), "counted again by the full listing");
    }

    @Test
    void aGatedSweepWhoseCountsAgreeButWhoseFirstPageShowsAnObjectTheStoreCanHoldListsInFull() {
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2").put(Resource.USERS, "gone");
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("u1", T - 500), contact("new", T - 450))
                .put("total_count", 3));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("u2", T - 400)));
        SearchSweep sweep = usersSweep(records(keys, Tables.USERS)).countGated(0).learningInto(NeverStored.assumingNone());

        List<SourceRecord> out = run(sweep);

        assertEquals(List.of("gone"), tombstoneIds(out, Tables.USERS), "new offset gone's delete: found all the same");
        assertTrue(ids(out, Tables.USERS).contains("new"), "and new emitted in full");
        assertEquals(2, count(postRequestedFor(urlPathEqualTo(PATH))), "every page");
    }

    @Test
    void aGatedSweepListsInFullUntilAFullListingHasCountedWhatTheStoreNeverHolds() {
        keys.put(Resource.USERS, "u1").put(Resource.USERS, "u2");
        stubSearchPage(PATH, null, searchPage("data", "cur-1", contact("u1", T - 500)).put("total_count", 2));
        stubSearchPage(PATH, "cur-1", searchPage("data", null, contact("u2", T - 400)));
        NeverStored learned = new NeverStored();

        run(usersSweep(records(keys, Tables.USERS)).countGated(0).learningInto(learned));
        assertEquals(2, count(postRequestedFor(urlPathEqualTo(PATH))),
                "the counts agree, yet nothing is counted since the start: in full");
        assertEquals(0, learned.objects());
        run(usersSweep(records(keys, Tables.USERS)).countGated(0).learningInto(learned));
        assertEquals(3, count(postRequestedFor(urlPathEqualTo(PATH))), "then the first page only");
    }

    /** A step that makes one pretend request per step. */
    static final class CountingStep implements SweepStep {
        final int total;
        int steps;

        CountingStep(int total) {
            this.total = total;
        }

        @Override
        public boolean done() {
            return steps >= total;
        }

        @Override
        public List<RecordFactory.Group> step() {
            steps++;
            return List.of();
        }

        @Override
        public long requests() {
            return steps;
        }
    }
}
