package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.metrics.TaskMetrics;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.testutil.LogCapture;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ObjectName;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * A search page with one object the converter cannot map among good ones: the good ones and their
 * child rows are emitted, the position moves past the bad one, which is counted, logged by id and
 * column (never a value) and, with an errors topic, kept there as raw JSON; under {@code fail} the
 * reader fails naming the object, the column and the key.
 */
class BadObjectsSearchReaderTest extends ReaderTestSupport {
    private static final String PATH = "/contacts/search";
    private static final String ERRORS = "intercom-errors";
    private static final String SECRET = "SECRET-not-a-date";
    private static final long FIRST = T - 10_000;
    private static final int BAD = 70;

    private SearchReader usersReader(RecordFactory records) {
        ContactGroups groups = new ContactGroups(Resource.USERS, client, records, followUps(4));
        return new SearchReader(Resource.USERS, client, PATH, "data", SearchReader.condition("role", "=", "user"),
                groups, SearchPosition.initial(0), 60_000, 60_000, clock::get);
    }

    /** 150 contacts a second apart, each with one inline tag; the 71st's created_at is no timestamp. */
    private static ObjectNode[] pageWithOneBadContact() {
        ObjectNode[] contacts = new ObjectNode[SearchQuery.PAGE_SIZE];
        for (int i = 0; i < contacts.length; i++) {
            contacts[i] = contact(id(i), FIRST + i);
            contacts[i].set("tags", addressable(id(i), "tags", "tag", "t" + i));
        }
        contacts[BAD].put("created_at", SECRET);
        return contacts;
    }

    private static String id(int i) {
        return String.format("c%03d", i);
    }

    @Test
    void theOtherObjectsAndTheirChildrenAreEmittedAndTheBadOneGoesToTheErrorsTopic() throws Exception {
        ObjectNode[] contacts = pageWithOneBadContact();
        stubSearchPage(PATH, null, searchPage("data", null, contacts));
        BadObjects badObjects = new BadObjects(BadObjects.Policy.SKIP, ERRORS);
        SearchReader reader = usersReader(new RecordFactory(PREFIX, List.of(Tables.USERS, Tables.USERS_TAGS),
                badObjects));
        List<SourceRecord> out;
        LogCapture logs = LogCapture.start();
        try (TaskMetrics metrics = new TaskMetrics("bad-objects-test", "0", PREFIX)) {
            metrics.registerBadObjects(Resource.USERS, () -> badObjects.count(Resource.USERS));
            assertEquals(0L, badObjectsMetric(), "present from the start, at 0");
            try {
                out = drainPass(reader);
            } finally {
                logs.stop();
            }
            assertEquals(1L, badObjectsMetric());
        }

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < contacts.length; i++) {
            if (i != BAD) {
                expected.add(id(i));
            }
        }
        assertEquals(expected, ids(onTopic(out, Tables.USERS), Tables.USERS), "the 149 others, in order");
        assertEquals(expected, onTopic(out, Tables.USERS_TAGS).stream().map(r -> keyField(r, "users_pk")).toList(),
                "the bad contact's tag is skipped with it");
        assertEquals(new SearchPosition(FIRST + 149, id(149), FIRST + 149, null), reader.position(),
                "the position moved past the bad object to the page's end");
        assertEquals(1, badObjects.count(Resource.USERS));
        assertEquals(0, badObjects.count(Resource.LEADS));

        List<SourceRecord> errors = out.stream().filter(r -> r.topic().equals(ERRORS)).toList();
        assertEquals(1, errors.size());
        SourceRecord error = errors.get(0);
        assertEquals(parse(contacts[BAD].toString()), parse((String) error.value()), "the raw JSON as the value");
        assertEquals(id(BAD), error.key());
        assertEquals("users", header(error, "resource"));
        assertEquals("users", header(error, "table"));
        assertEquals("created_at", header(error, "column"));
        assertEquals(id(BAD), header(error, "id"));
        assertTrue(header(error, "reason").contains("created_at"), header(error, "reason"));
        assertEquals(Offsets.partition(Resource.USERS), error.sourcePartition());
        assertEquals(new SearchPosition(FIRST + BAD, id(BAD), 0, null).toMap(), error.sourceOffset(),
                "the errors record carries the bad object's own position");
        int at = out.indexOf(error);
        assertEquals(id(BAD - 1), keyField(out.get(at - 1), "users_pk"), "in the page's order: after c069's tag");
        assertEquals(id(BAD + 1), keyField(out.get(at + 1), "id"), "and before c071");
        for (String header : List.of("reason", "context")) {
            assertFalse(header(error, header).contains(SECRET), header);
        }

        List<String> warnings = logs.lines().stream().filter(l -> l.startsWith("WARN")).toList();
        assertEquals(1, warnings.stream().distinct().count(), String.join("\n", warnings));
        assertTrue(warnings.get(0).contains(id(BAD)) && warnings.get(0).contains("'created_at'"), warnings.get(0));
        assertTrue(warnings.get(0).contains(ERRORS), warnings.get(0));
        assertTrue(logs.lines().stream().noneMatch(l -> l.contains(SECRET) || l.contains(id(BAD) + "@example")),
                "no field value in any log line");
    }

    @Test
    void withoutAnErrorsTopicTheBadObjectLeavesNoRecordButIsCountedAndLogged() {
        stubSearchPage(PATH, null, searchPage("data", null, pageWithOneBadContact()));
        BadObjects badObjects = BadObjects.skipping();
        SearchReader reader = usersReader(new RecordFactory(PREFIX, List.of(Tables.USERS), badObjects));

        List<SourceRecord> out = drainPass(reader);

        assertEquals(149, out.size());
        assertTrue(out.stream().allMatch(r -> r.topic().equals(PREFIX + Tables.USERS)));
        assertFalse(ids(out, Tables.USERS).contains(id(BAD)));
        assertEquals(1, badObjects.count(Resource.USERS));
        assertEquals(id(149), reader.position().id());
    }

    @Test
    void searchResultsWithoutAUsableIdOrUpdatedAtAreSkippedWithoutMovingThePosition() {
        ObjectNode noId = contact("x", T - 900);
        noId.remove("id");
        ObjectNode noUpdatedAt = contact("c-late", T - 900).put("updated_at", "soon");
        stubSearchPage(PATH, null, searchPage("data", null, contact("c1", T - 1000), noId, noUpdatedAt,
                contact("c2", T - 800)));
        BadObjects badObjects = new BadObjects(BadObjects.Policy.SKIP, ERRORS);
        SearchReader reader = usersReader(new RecordFactory(PREFIX, List.of(Tables.USERS), badObjects));

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("c1", "c2"), ids(out, Tables.USERS));
        assertEquals(2, badObjects.count(Resource.USERS));
        List<SourceRecord> errors = out.stream().filter(r -> r.topic().equals(ERRORS)).toList();
        assertEquals(List.of("id", "updated_at"), errors.stream().map(r -> header(r, "column")).toList());
        assertEquals(parse(noId.toString()), parse((String) errors.get(0).value()));
        assertNull(errors.get(0).key(), "no id to key it by");
        assertEquals("c-late", errors.get(1).key());
        for (SourceRecord error : errors) {
            assertEquals(SearchPosition.initial(0).toMap(), error.sourceOffset(),
                    "no place in the order: the position before the page");
        }
        assertEquals(new SearchPosition(T - 800, "c2", T - 800, null), reader.position());
    }

    @Test
    void underFailTheReaderFailsNamingTheObjectTheColumnAndTheKey() {
        stubSearchPage(PATH, null, searchPage("data", null, pageWithOneBadContact()));
        BadObjects badObjects = new BadObjects(BadObjects.Policy.FAIL, ERRORS);
        SearchReader reader = usersReader(new RecordFactory(PREFIX, List.of(Tables.USERS), badObjects));

        ConfigException e = assertThrows(ConfigException.class, () -> drainPass(reader));

        String message = e.getMessage();
        assertTrue(message.contains(id(BAD)), message);
        assertTrue(message.contains("'created_at'"), message);
        assertTrue(message.contains("intercom.bad.objects=skip"), message);
        assertFalse(message.contains(SECRET), message);
        assertEquals(0, badObjects.count(Resource.USERS), "failed, not skipped");
    }

    @Test
    void aBadConversationTakesItsChildRowsWithItAndABadPartTakesItsAttachments() {
        ObjectNode good = ConversationsSearchReaderTest.conversation("101", T - 5000);
        ((ArrayNode) good.at("/tags/tags")).add(tag("t1", "VIP"));
        ObjectNode bad = ConversationsSearchReaderTest.conversation("102", T - 4000);
        bad.put("created_at", SECRET);
        ((ArrayNode) bad.at("/tags/tags")).add(tag("t2", "Bug"));
        stubSearchPage("/conversations/search", null, searchPage("conversations", null, good, bad));
        ObjectNode badPart = ConversationsSearchReaderTest.part("p2").put("created_at", SECRET);
        ((ArrayNode) badPart.get("attachments")).addObject().put("type", "upload")
                .put("name", "log.txt").put("url", "https://files.example.com/log.txt").put("filesize", 10);
        stubDetail(ConversationsSearchReaderTest.detail(good, 2, ConversationsSearchReaderTest.part("p1"), badPart));
        stubDetail(ConversationsSearchReaderTest.detail(bad, 1, ConversationsSearchReaderTest.part("p3")));
        BadObjects badObjects = BadObjects.skipping();
        RecordFactory records = new RecordFactory(PREFIX, Resource.CONVERSATIONS.tables(), badObjects);
        SearchReader reader = new SearchReader(Resource.CONVERSATIONS, client, "/conversations/search",
                "conversations", null, new ConversationGroups(client, records, followUps(4)),
                SearchPosition.initial(0), 60_000, 60_000, clock::get);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("101"), ids(out, Tables.CONVERSATIONS));
        assertEquals(List.of("101"), onTopic(out, Tables.CONVERSATIONS_TAGS).stream()
                .map(r -> keyField(r, "conversations_pk")).toList(), "the bad conversation's tag goes with it");
        assertEquals(List.of("101"), onTopic(out, Tables.CONVERSATIONS_CUSTOMERS).stream()
                .map(r -> keyField(r, "conversations_pk")).toList(), "and its customer");
        assertEquals(List.of("p1"), ids(out, Tables.CONVERSATION_PARTS), "p2 is bad, p3 belongs to the bad one");
        assertTrue(onTopic(out, Tables.CONVERSATION_PARTS_ATTACHMENTS).isEmpty(), "p2's attachment goes with it");
        assertEquals(2, badObjects.count(Resource.CONVERSATIONS), "the conversation and the part");
        assertEquals("102", reader.position().id(), "the position moved past the bad conversation");
    }

    private static void stubDetail(ObjectNode detail) {
        wm.stubFor(get(urlPathEqualTo("/conversations/" + detail.get("id").asText()))
                .willReturn(okJson(detail.toString())));
    }

    private static String header(SourceRecord record, String name) {
        Header header = record.headers().lastWithName(RecordFactory.HEADER_PREFIX + name);
        return header == null ? null : (String) header.value();
    }

    private static long badObjectsMetric() throws Exception {
        ObjectName name = new ObjectName(TaskMetrics.JMX_PREFIX + ":type=" + TaskMetrics.GROUP
                + ",connector=bad-objects-test,task=0,resource=users");
        return (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "bad-objects-total");
    }
}
