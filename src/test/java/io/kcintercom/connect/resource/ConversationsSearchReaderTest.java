package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SearchReader} on {@code POST /conversations/search} with {@link ConversationGroups}: the
 * child rows of a conversation, its parts from {@code GET /conversations/{id}}, the 500-part cap,
 * and the bound on concurrent part requests.
 */
class ConversationsSearchReaderTest extends ReaderTestSupport {
    static final String PATH = "/conversations/search";
    static final long POLL_MS = 60_000;
    static final long DELAY_MS = 60_000;
    static final String[] ALL_TABLES = Resource.CONVERSATIONS.tables().toArray(String[]::new);

    ConversationGroups groups;

    SearchReader conversationsReader(RecordFactory records, SearchPosition start, int maxInFlight) {
        groups = new ConversationGroups(client, records, followUps(maxInFlight));
        return new SearchReader(Resource.CONVERSATIONS, client, PATH, "conversations", null, groups, start,
                POLL_MS, DELAY_MS, clock::get);
    }

    @Test
    void conversationsTheirChildRowsAndPartsWithParentIds() {
        ObjectNode c101 = conversation("101", T - 5000);
        ((ArrayNode) c101.at("/source/attachments")).addObject().put("type", "upload").put("name", "a.png")
                .put("url", "https://files.example.com/a.png").put("content_type", "image/png")
                .put("filesize", 1024).put("width", 64).put("height", 48);
        ((ArrayNode) c101.at("/tags/tags")).add(tag("t1", "VIP")).add(tag("t2", "Bug"));
        ObjectNode c102 = conversation("102", T - 4000);
        stubSearchPage(PATH, null, searchPage("conversations", null, c101, c102));
        ObjectNode p1 = part("p1");
        ((ArrayNode) p1.get("attachments")).addObject().put("type", "upload").put("name", "log.txt")
                .put("url", "https://files.example.com/log.txt").put("content_type", "text/plain").put("filesize", 10);
        stubDetail(detail(c101, 2, p1, part("p2")));
        stubDetail(detail(c102, 600, part("p3"))); // Intercom returned only the most recent parts
        SearchReader reader = conversationsReader(records(ALL_TABLES), SearchPosition.initial(0), 4);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("101", "102"), ids(out, Tables.CONVERSATIONS));
        SourceRecord conversation = onTopic(out, Tables.CONVERSATIONS).get(0);
        assertEquals("u-101", valueField(conversation, "user_id"));
        assertEquals("admin", valueField(conversation, "assignee_type"));
        assertEquals("991267715", valueField(conversation, "assignee_id"));
        assertEquals("src-101", valueField(conversation, "conversation_message_id"));
        List<SourceRecord> attachments = onTopic(out, Tables.CONVERSATIONS_ATTACHMENTS);
        assertEquals(1, attachments.size());
        assertEquals("101", keyField(attachments.get(0), "conversations_pk"));
        assertEquals("https://files.example.com/a.png", keyField(attachments.get(0), "url"));
        assertEquals(1024L, valueField(attachments.get(0), "filesize"));
        assertEquals(List.of("101/t1", "101/t2"), onTopic(out, Tables.CONVERSATIONS_TAGS).stream()
                .map(r -> keyField(r, "conversations_pk") + "/" + keyField(r, "id")).toList());
        assertEquals(List.of("101/u-101", "102/u-102"), onTopic(out, Tables.CONVERSATIONS_CUSTOMERS).stream()
                .map(r -> keyField(r, "conversations_pk") + "/" + keyField(r, "id")).toList());
        assertEquals(List.of("p1", "p2", "p3"), ids(out, Tables.CONVERSATION_PARTS));
        assertEquals(List.of("101", "101", "102"), valueStrings(out, Tables.CONVERSATION_PARTS, "conversations_pk"));
        List<SourceRecord> partAttachments = onTopic(out, Tables.CONVERSATION_PARTS_ATTACHMENTS);
        assertEquals(1, partAttachments.size());
        assertEquals("p1", keyField(partAttachments.get(0), "conversation_parts_pk"));
        assertEquals("https://files.example.com/log.txt", keyField(partAttachments.get(0), "url"));
        assertEquals(1, groups.truncatedCount(), "102 reported 600 parts and returned 1");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/conversations/101"))));
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/conversations/102"))));
        // The whole group of 101 (8 records) comes before 102, and its last record carries the position after it.
        assertEquals("conversations", out.get(8).topic().substring(PREFIX.length()));
        assertEquals("102", keyField(out.get(8), "id"));
        assertEquals("101", out.get(7).sourceOffset().get("id"));
        assertEquals("", out.get(6).sourceOffset().get("id"));
        // No base filter and no position: the query matches every conversation.
        assertEquals(parse("{\"field\":\"updated_at\",\"operator\":\">\",\"value\":0}"),
                searchBodies(PATH).get(0).get("query"));
    }

    @Test
    void partsAreFetchedOnlyForConversationsThePositionAndDelayLetThrough() {
        stubSearchPage(PATH, null, searchPage("conversations", null, conversation("101", T - 5000),
                conversation("102", T - 4000), conversation("103", T - 3000), conversation("104", T - 10)));
        stubDetail(detail(conversation("103", T - 3000), 1, part("p103")));
        // Already emitted up to (T-4000, 102); 104 is newer than now - delay.
        SearchReader reader = conversationsReader(records(ALL_TABLES),
                new SearchPosition(T - 4000, "102", T - 4000, null), 4);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("103"), ids(out, Tables.CONVERSATIONS));
        assertEquals(List.of("p103"), ids(out, Tables.CONVERSATION_PARTS));
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/conversations/103"))));
        assertEquals(1, count(getRequestedFor(urlPathMatching("/conversations/.*"))),
                "no detail request for 101, 102 (covered) or 104 (too fresh)");
        // With a position and no base filter, the query is the OR alone.
        JsonNode query = searchBodies(PATH).get(0).get("query");
        assertEquals("OR", query.get("operator").asText(), query.toString());
        assertEquals(T - 4000, query.at("/value/0/value").asLong());
    }

    @Test
    void noDetailRequestWhenNoPartsTableIsEnabled() {
        stubSearchPage(PATH, null, searchPage("conversations", null, conversation("101", T - 5000)));
        SearchReader reader = conversationsReader(records(Tables.CONVERSATIONS, Tables.CONVERSATIONS_TAGS),
                SearchPosition.initial(0), 4);

        assertEquals(List.of("101"), ids(drainPass(reader), Tables.CONVERSATIONS));
        assertEquals(0, count(getRequestedFor(urlPathMatching("/conversations/.*"))));
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 410})
    void aConversationDeletedBeforeItsPartsAreReadBecomesTombstonesOfItsRowAndTheChildRowsItNames(int status) {
        ObjectNode gone = conversation("101", T - 5000);
        ((ArrayNode) gone.path("tags").path("tags")).addObject().put("type", "tag").put("id", "t1").put("name", "T");
        ((ArrayNode) gone.path("source").path("attachments")).addObject().put("type", "upload")
                .put("name", "a.png").put("url", "https://files.example/a.png");
        stubSearchPage(PATH, null, searchPage("conversations", null, gone, conversation("102", T - 4000)));
        wm.stubFor(get(urlPathEqualTo("/conversations/101")).willReturn(aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody(errorBody("conversation_not_found", "Conversation not found"))));
        stubDetail(detail(conversation("102", T - 4000), 1, part("p2")));
        SearchReader reader = conversationsReader(records(ALL_TABLES), SearchPosition.initial(0), 4);

        List<SourceRecord> out = drainPass(reader);

        List<String> tombstones = out.stream().filter(r -> r.value() == null)
                .map(r -> r.topic().substring(PREFIX.length()) + " " + r.key()).toList();
        assertEquals(List.of(
                "conversations Struct{id=101}",
                "conversations_attachments Struct{conversations_pk=101,url=https://files.example/a.png}",
                "conversations_tags Struct{conversations_pk=101,id=t1}",
                "conversations_customers Struct{conversations_pk=101,id=u-101}"), tombstones);
        List<SourceRecord> live = out.stream().filter(r -> r.value() != null).toList();
        assertEquals(List.of("102"), ids(live, Tables.CONVERSATIONS));
        assertEquals(List.of("102"), valueStrings(live, Tables.CONVERSATION_PARTS, "conversations_pk"));
        assertEquals(1, groups.vanishedCount());
        // In the conversation's place in the pass: its group's last record carries the position after it,
        // the others the position before it.
        assertEquals(List.of("", "", "", "101"),
                out.subList(0, 4).stream().map(r -> String.valueOf(r.sourceOffset().get("id"))).toList());
    }

    @Test
    void partRequestsRunConcurrentlyUpToTheFollowUpBound() {
        int conversations = 8;
        stubSlowDetails(conversations);
        SearchReader reader = conversationsReader(records(ALL_TABLES), SearchPosition.initial(0), 4);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(conversations, onTopic(out, Tables.CONVERSATIONS).size());
        assertEquals(conversations, onTopic(out, Tables.CONVERSATION_PARTS).size());
        assertEquals(conversations, IN_FLIGHT.served(), "one detail request per conversation of the page");
        int peak = IN_FLIGHT.peak();
        assertTrue(peak > 1 && peak <= 4, "peak of concurrent part requests: " + peak);
        // Results keep the order of the conversations whatever order the requests finished in.
        assertEquals(IntStream.range(0, conversations).mapToObj(i -> "p" + (200 + i)).toList(),
                ids(out, Tables.CONVERSATION_PARTS));
        assertEquals(IntStream.range(0, conversations).mapToObj(i -> String.valueOf(200 + i)).toList(),
                valueStrings(out, Tables.CONVERSATION_PARTS, "conversations_pk"));
    }

    @Test
    void withOneFollowUpSlotPartRequestsRunOneAtATime() {
        int conversations = 4;
        stubSlowDetails(conversations);
        SearchReader reader = conversationsReader(records(ALL_TABLES), SearchPosition.initial(0), 1);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(conversations, onTopic(out, Tables.CONVERSATION_PARTS).size());
        assertEquals(conversations, IN_FLIGHT.served());
        assertEquals(1, IN_FLIGHT.peak());
    }

    /**
     * Pages are pipelined: while the first page's part request is still held by Intercom, the
     * second page is already read and its part request sent; records still leave in page order.
     */
    @Test
    void theNextPageAndItsPartRequestsGoOutWhileThePreviousPageWaitsForItsParts() throws Exception {
        ObjectNode first = conversation("301", T - 5000);
        // The last second of a page may go on on the next page: 303 is completed by page 2.
        ObjectNode straddling = conversation("303", T - 4500);
        ObjectNode second = conversation("302", T - 4000);
        stubSearchPage(PATH, null, searchPage("conversations", "cur-1", first, straddling));
        stubSearchPage(PATH, "cur-1", searchPage("conversations", null, second));
        wm.stubFor(get(urlPathEqualTo("/conversations/301"))
                .willReturn(okJson(detail(first, 1, part("p301")).toString()).withTransformers(Gate.NAME)));
        stubDetail(detail(straddling, 1, part("p303")));
        stubDetail(detail(second, 1, part("p302")));
        SearchReader reader = conversationsReader(records(ALL_TABLES), SearchPosition.initial(0), 4);
        GATE.close();

        CompletableFuture<List<SourceRecord>> polled = CompletableFuture.supplyAsync(() -> {
            List<SourceRecord> out = new ArrayList<>();
            while (out.isEmpty()) {
                out.addAll(reader.poll(10_000));
            }
            return out;
        });
        long deadline = System.currentTimeMillis() + 5_000;
        while (wm.findAll(getRequestedFor(urlPathEqualTo("/conversations/302"))).isEmpty()
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, GATE.waiting(), "the first page's part request is still held");
        assertEquals(1, wm.findAll(getRequestedFor(urlPathEqualTo("/conversations/302"))).size(),
                "the second page's part request went out meanwhile");
        assertEquals(2, searchBodies(PATH).size(), "both search pages were read");
        assertTrue(!polled.isDone(), "nothing of the second page may leave before the first page's parts");

        GATE.open();
        List<SourceRecord> out = new ArrayList<>(polled.get(5, TimeUnit.SECONDS));
        out.addAll(drainPass(reader));
        assertEquals(List.of("301", "303", "302"), ids(out, Tables.CONVERSATIONS), "page order is kept");
        assertEquals(List.of("p301", "p303", "p302"), ids(out, Tables.CONVERSATION_PARTS));
    }

    // ---------------------------------------------------------------- fixtures

    /** Conversations 200.. on one search page, each detail held 200 ms by the in-flight counter. */
    private void stubSlowDetails(int n) {
        ObjectNode[] items = new ObjectNode[n];
        for (int i = 0; i < n; i++) {
            String id = String.valueOf(200 + i);
            items[i] = conversation(id, T - 5000 + i);
            wm.stubFor(get(urlPathEqualTo("/conversations/" + id))
                    .willReturn(okJson(detail(items[i], 1, part("p" + id)).toString())
                            .withTransformers(InFlight.NAME)));
        }
        stubSearchPage(PATH, null, searchPage("conversations", null, items));
    }

    private static void stubDetail(ObjectNode detail) {
        wm.stubFor(get(urlPathEqualTo("/conversations/" + detail.get("id").asText()))
                .willReturn(okJson(detail.toString())));
    }

    /** A conversation as search returns it (2.11 shape, no parts). */
    static ObjectNode conversation(String id, long updatedAt) {
        ObjectNode c = JSON.createObjectNode().put("type", "conversation").put("id", id).put("title", (String) null)
                .put("created_at", updatedAt - 3600).put("updated_at", updatedAt).putNull("waiting_since")
                .putNull("snoozed_until").put("open", true).put("state", "open").put("read", false)
                .put("priority", "not_priority").put("admin_assignee_id", 991267715).putNull("team_assignee_id");
        ObjectNode source = c.putObject("source").put("type", "conversation").put("id", "src-" + id)
                .put("delivered_as", "customer_initiated").put("subject", "").put("body", "<p>Hello " + id + "</p>")
                .putNull("url").put("redacted", false);
        source.putObject("author").put("type", "user").put("id", "u-" + id).put("name", "User " + id);
        source.putArray("attachments");
        c.putObject("tags").put("type", "tag.list").putArray("tags");
        c.putObject("contacts").put("type", "contact.list").putArray("contacts").addObject()
                .put("type", "contact").put("id", "u-" + id).put("external_id", "ext-u-" + id);
        c.putObject("custom_attributes");
        return c;
    }

    /** GET /conversations/{id}: the conversation with its parts and the total the API reports. */
    static ObjectNode detail(ObjectNode conversation, int totalCount, ObjectNode... parts) {
        ObjectNode detail = conversation.deepCopy();
        ObjectNode list = detail.putObject("conversation_parts").put("type", "conversation_part.list");
        ArrayNode array = list.putArray("conversation_parts");
        for (ObjectNode part : parts) {
            array.add(part);
        }
        list.put("total_count", totalCount);
        return detail;
    }

    static ObjectNode part(String id) {
        ObjectNode part = JSON.createObjectNode().put("type", "conversation_part").put("id", id)
                .put("part_type", "comment").put("body", "<p>Part " + id + "</p>").put("created_at", T - 6000)
                .put("updated_at", T - 6000).put("notified_at", T - 6000).putNull("assigned_to")
                .putNull("external_id").put("redacted", false);
        part.putObject("author").put("type", "admin").put("id", "a1").put("name", "Ann Admin");
        part.putArray("attachments");
        return part;
    }
}
