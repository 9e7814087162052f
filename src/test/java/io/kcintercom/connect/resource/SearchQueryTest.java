package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;

/** The search request body from a pass's start and cursor, and the reading of an answer. */
class SearchQueryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROLE = "{\"field\":\"role\",\"operator\":\"=\",\"value\":\"user\"}";
    private static final String PAGING_AND_SORT = "\"sort\":{\"field\":\"updated_at\",\"order\":\"ascending\"}";
    private static final String CONTEXT = "users pass from 1700000000, position updated_at=1700000000, id=c1";

    private final SearchQuery users = new SearchQuery("users", "data", SearchQuery.condition("role", "=", "user"));
    private final SearchQuery conversations = new SearchQuery("conversations", "conversations", null);

    @Test
    void withoutFilterOrPositionTheQueryMatchesEveryObject() {
        assertEquals(json("{\"query\":{\"field\":\"updated_at\",\"operator\":\">\",\"value\":0},"
                + "\"pagination\":{\"per_page\":150}," + PAGING_AND_SORT + "}"), wire(conversations.body(0, null)));
    }

    @Test
    void beforeAnyPositionTheBaseFilterIsTheWholeQuery() {
        assertEquals(json("{\"query\":" + ROLE + ",\"pagination\":{\"per_page\":150}," + PAGING_AND_SORT + "}"),
                wire(users.body(0, null)));
    }

    @Test
    void aPassFromWAsksForUpdatedAtGreaterThanOrEqualToW() {
        assertEquals(json("{\"query\":{\"operator\":\"OR\",\"value\":["
                        + "{\"field\":\"updated_at\",\"operator\":\">\",\"value\":1700000000},"
                        + "{\"field\":\"updated_at\",\"operator\":\"=\",\"value\":1700000000}]},"
                        + "\"pagination\":{\"per_page\":150,\"starting_after\":\"cur-2\"}," + PAGING_AND_SORT + "}"),
                wire(conversations.body(1_700_000_000L, "cur-2")));
    }

    @Test
    void theBaseFilterIsAndedWithThePassStart() {
        JsonNode body = wire(users.body(1_700_000_000L, null));

        assertEquals(json("{\"operator\":\"AND\",\"value\":[" + ROLE + ",{\"operator\":\"OR\",\"value\":["
                + "{\"field\":\"updated_at\",\"operator\":\">\",\"value\":1700000000},"
                + "{\"field\":\"updated_at\",\"operator\":\"=\",\"value\":1700000000}]}]}"), body.get("query"));
        assertTrue(body.at("/pagination/starting_after").isMissingNode(), "the first page has no cursor");
    }

    @Test
    void anAnswerGivesItsObjectsInOrderWithTheirOrderingKeysAndTheNextCursor() {
        SearchQuery.Page page = users.read(json("{\"type\":\"list\",\"data\":["
                + "{\"id\":\"c2\",\"updated_at\":1700000005},"
                + "{\"id\":7,\"updated_at\":\"1700000003\"},"
                + "{\"id\":\"c9\",\"updated_at\":1700000004999}],"
                + "\"pages\":{\"type\":\"pages\",\"next\":{\"per_page\":150,\"starting_after\":\"cur-3\"}}}"),
                "cur-2", CONTEXT);

        assertEquals(List.of("c2", "7", "c9"), page.hits().stream().map(SearchQuery.Hit::id).toList());
        assertEquals(List.of(1_700_000_005L, 1_700_000_003L, 1_700_000_004L),
                page.hits().stream().map(SearchQuery.Hit::updatedAt).toList());
        assertEquals("c2", page.hits().get(0).object().get("id").asText(), "the object itself is kept");
        assertEquals("cur-3", page.nextCursor());
        assertEquals(1_700_000_005L, page.maxUpdatedAt());
    }

    @Test
    void aPageIsTheLastWhenItNamesNoNextCursorItsOwnOrIsEmpty() {
        String one = "\"data\":[{\"id\":\"c1\",\"updated_at\":1700000000}]";
        assertNull(users.read(json("{" + one + "}"), null, CONTEXT).nextCursor(), "no pages");
        assertNull(users.read(json("{" + one + ",\"pages\":{\"next\":null}}"), null, CONTEXT).nextCursor());
        assertNull(users.read(json("{" + one + ",\"pages\":{\"next\":{\"starting_after\":\"\"}}}"), null, CONTEXT)
                .nextCursor(), "an empty cursor");
        assertNull(users.read(json("{" + one + ",\"pages\":{\"next\":{\"starting_after\":\"cur-1\"}}}"), "cur-1",
                CONTEXT).nextCursor(), "the page's own cursor again");
        SearchQuery.Page empty = users.read(json("{\"data\":[],\"pages\":{\"next\":{\"starting_after\":\"x\"}}}"),
                null, CONTEXT);
        assertNull(empty.nextCursor(), "an empty page");
        assertEquals(Long.MIN_VALUE, empty.maxUpdatedAt());
        assertEquals("cur-2", users.read(json("{" + one + ",\"pages\":{\"next\":{\"starting_after\":\"cur-2\"}}}"),
                "cur-1", CONTEXT).nextCursor());
    }

    @Test
    void anAnswerWithoutItsArrayFailsNamingResourceArrayAndContext() {
        DataException e = assertThrows(DataException.class,
                () -> conversations.read(json("{\"type\":\"list\",\"data\":[]}"), null, CONTEXT));

        assertEquals("conversations: search response has no 'conversations' array at " + CONTEXT, e.getMessage());
    }

    @Test
    void anObjectWithoutUsableKeysIsSetApartNamingTheColumnButNoFieldValueAndTheRestIsKept() {
        SearchQuery.Page page = users.read(json("{\"data\":["
                + "{\"email\":\"someone@example.com\",\"updated_at\":1700000000},"
                + "{\"id\":\"c1\",\"updated_at\":1700000001},"
                + "{\"id\":\"c2\",\"email\":\"someone@example.com\",\"updated_at\":\"soon\"}],"
                + "\"pages\":{\"next\":{\"starting_after\":\"n\"}}}"), null, CONTEXT);

        assertEquals(List.of("c1"), page.hits().stream().map(SearchQuery.Hit::id).toList());
        assertEquals(List.of("id", "updated_at"), page.unusable().stream().map(SearchQuery.Unusable::column).toList());
        assertEquals("c2", page.unusable().get(1).object().get("id").asText(), "the raw object is kept whole");
        for (SearchQuery.Unusable unusable : page.unusable()) {
            assertFalse(unusable.reason().contains("example.com"), unusable.reason());
            assertFalse(unusable.reason().contains("soon"), unusable.reason());
        }
        assertEquals("n", page.nextCursor(), "a page with unusable objects is not the last because of them");

        SearchQuery.Page onlyUnusable = users.read(json("{\"data\":[{\"id\":\"c3\"}],"
                + "\"pages\":{\"next\":{\"starting_after\":\"m\"}}}"), null, CONTEXT);
        assertTrue(onlyUnusable.hits().isEmpty());
        assertEquals("m", onlyUnusable.nextCursor(), "a page of only unusable objects is not empty");
    }

    /** The body as Intercom receives it: sent as text, so an int and a long of one value are equal. */
    private static JsonNode wire(JsonNode body) {
        return json(body.toString());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }
}
