package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.kcintercom.connect.client.IntercomApiException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One search pass without I/O: pages go in, complete objects come out a whole second at a time in
 * (updated_at, id) order, each with the position after it.
 */
class SearchPassTest {
    private static final long S = 1_700_000_000L;
    private static final long NO_CUTOFF = Long.MAX_VALUE;

    private SearchPosition position = SearchPosition.initial(0);

    @Test
    void aSecondSpanningPagesIsHeldUntilALaterSecondAppearsThenEmittedInIdOrder() {
        SearchPass pass = SearchPass.from(position, NO_CUTOFF);

        // Page 1 ends inside second S+1: only S is complete.
        assertEquals(List.of("a"), ids(accept(pass, page("p2", hit("a", S), hit("c", S + 1), hit("b", S + 1)))));
        assertEquals("p2", pass.cursor());
        // Page 2 is all S+1, still open at its end: nothing is complete.
        assertEquals(List.of(), ids(accept(pass, page("p3", hit("e", S + 1), hit("d", S + 1)))));
        // Page 3 reaches S+3: the whole of S+1, across three pages, sorted by id, and S+2.
        assertEquals(List.of("b", "c", "d", "e", "f"),
                ids(accept(pass, page("p4", hit("f", S + 2), hit("g", S + 3)))));
        assertFalse(pass.ended());
        // The last page completes everything.
        assertEquals(List.of("g", "h"), ids(accept(pass, page(null, hit("h", S + 3)))));
        assertTrue(pass.ended());
        assertNull(pass.cursor());
        assertEquals(4, pass.pages());
        assertEquals(8, pass.objects());
    }

    @Test
    void eachPositionCarriesTheCursorOfThePageItsSecondBeganOn() {
        SearchPass pass = SearchPass.from(position, NO_CUTOFF);

        SearchPass.Completed first = accept(pass, page("p2", hit("a", S), hit("b", S + 1)));
        SearchPass.Completed second = accept(pass, page("p3", hit("c", S + 1), hit("d", S + 2)));
        SearchPass.Completed third = accept(pass, page(null, hit("e", S + 2), hit("f", S + 3)));

        assertEquals(List.of(SearchPosition.initial(0), new SearchPosition(S, "a", 0, null)), first.positions());
        // S+1 began on the first page (no cursor): resuming at "b" must re-read that page.
        assertEquals(List.of(new SearchPosition(S, "a", 0, null), new SearchPosition(S + 1, "b", 0, null),
                new SearchPosition(S + 1, "c", 0, null)), second.positions());
        assertEquals(List.of(new SearchPosition(S + 1, "c", 0, null), new SearchPosition(S + 2, "d", 0, "p2"),
                new SearchPosition(S + 2, "e", 0, "p2"), new SearchPosition(S + 3, "f", 0, "p3")), third.positions());
    }

    @Test
    void objectsThePositionCoversAreDropped() {
        position = new SearchPosition(S + 1, "b", S + 1, null);
        SearchPass pass = SearchPass.from(position, NO_CUTOFF);
        assertEquals(S + 1, pass.passFrom());
        assertNull(pass.cursor(), "a position without a cursor starts a new pass");

        SearchPass.Completed completed = accept(pass,
                page(null, hit("z", S), hit("a", S + 1), hit("b", S + 1), hit("c", S + 1), hit("a", S + 2)));

        assertEquals(List.of("c", "a"), ids(completed));
        assertEquals(new SearchPosition(S + 2, "a", S + 1, null), completed.last());
    }

    @Test
    void thePassEndsAtThePageThatReachesPastTheCutoffAndLeavesNewerObjects() {
        SearchPass pass = SearchPass.from(position, S + 1);

        SearchPass.Completed completed = accept(pass, page("p2", hit("a", S), hit("b", S + 1), hit("c", S + 2)));

        assertTrue(pass.ended(), "no need to read on: the rest is newer still");
        assertEquals(List.of("a", "b"), ids(completed), "c may not be indexed everywhere yet");
        assertNull(pass.cursor());
    }

    @Test
    void aPositionWithACursorResumesItsInterruptedPass() {
        position = new SearchPosition(S + 5, "k", S, "p7");
        SearchPass pass = SearchPass.from(position, NO_CUTOFF);

        assertEquals(S, pass.passFrom());
        assertEquals("p7", pass.cursor());
        SearchPass.Completed completed = accept(pass, page(null, hit("j", S + 5), hit("l", S + 5)));
        assertEquals(List.of("l"), ids(completed));
        assertEquals(new SearchPosition(S + 5, "l", S, "p7"), completed.last());
    }

    @Test
    void aRejectedCursorRestartsThePassFromThePositionWithoutItsBuffer() {
        SearchPass pass = SearchPass.from(position, NO_CUTOFF);
        position = accept(pass, page("p2", hit("a", S), hit("b", S + 1))).last();
        assertEquals(new SearchPosition(S, "a", 0, null), position);

        assertTrue(pass.isCursorRejection(new IntercomApiException("bad cursor", 400, "parameter_invalid")));
        assertTrue(pass.isCursorRejection(new IntercomApiException("gone", 404, "not_found")));
        assertFalse(pass.isCursorRejection(new IntercomApiException("denied", 403, "forbidden")));
        pass.restartFrom(position);

        assertEquals(S, pass.passFrom());
        assertNull(pass.cursor());
        assertFalse(pass.isCursorRejection(new IntercomApiException("bad", 400, null)),
                "a first page has no cursor to blame");
        // "b" was buffered from the abandoned cursor; it comes out only when the new pass reads it.
        assertEquals(List.of(), ids(accept(pass, page("q2", hit("a", S)))));
        SearchPass.Completed completed = accept(pass, page(null, hit("b", S + 1)));
        assertEquals(List.of("b"), ids(completed));
        assertEquals(new SearchPosition(S + 1, "b", S, "q2"), completed.last(), "the new pass's cursor");
    }

    private SearchPass.Completed accept(SearchPass pass, SearchQuery.Page page) {
        SearchPass.Completed completed = pass.accept(page, position);
        assertEquals(position, completed.positions().get(0), "the positions start where the reader stands");
        assertEquals(completed.objects().size() + 1, completed.positions().size());
        position = completed.last();
        return completed;
    }

    private static List<String> ids(SearchPass.Completed completed) {
        List<String> ids = new ArrayList<>();
        for (JsonNode object : completed.objects()) {
            ids.add(object.get("id").asText());
        }
        return ids;
    }

    private static SearchQuery.Page page(String nextCursor, SearchQuery.Hit... hits) {
        return new SearchQuery.Page(List.of(hits), nextCursor);
    }

    private static SearchQuery.Hit hit(String id, long updatedAt) {
        return new SearchQuery.Hit(id, updatedAt,
                JsonNodeFactory.instance.objectNode().put("id", id).put("updated_at", updatedAt));
    }
}
