package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A newest-first pass without I/O: it reads down to the position, then hands out what it collected
 * oldest first, each object once, with the position after it; it gives up rather than hold too
 * much or trust an unsorted answer.
 */
class NewestFirstPassTest {
    private static final long S = 1_700_000_000L;
    private static final long NO_CUTOFF = Long.MAX_VALUE;

    /** Emitted up to (S, "m"): "n" at S and anything later is new. */
    private final SearchPosition position = new SearchPosition(S, "m", S, null);

    @Test
    void readsDownToTheFirstPageReachingAnOlderSecondThenHandsOutOldestFirst() {
        NewestFirstPass pass = new NewestFirstPass(position, NO_CUTOFF);
        assertTrue(pass.newestFirst());
        assertNull(pass.cursor(), "the first page has no cursor");

        accept(pass, page("p2", hit("z", S + 9), hit("y", S + 5), hit("x", S + 5)));
        assertEquals("p2", pass.cursor());
        assertTrue(pass.needsPage(), "all of page 1 is newer than the position: read on");
        // Page 2 reaches S-1: the rest of the answer is older still, hence covered; its next page is not read.
        accept(pass, page("p3", hit("n", S), hit("m", S), hit("a", S), hit("k", S - 1)));
        assertFalse(pass.needsPage());
        assertNull(pass.cursor());
        assertFalse(pass.ended(), "collected objects are still to be handed out");

        SearchPass.Completed out = pass.handOut(position);
        assertEquals(List.of("n", "x", "y", "z"), ids(out), "oldest first, by id within a second; m and a covered");
        assertEquals(List.of(position, new SearchPosition(S, "n", S, null), new SearchPosition(S + 5, "x", S, null),
                new SearchPosition(S + 5, "y", S, null), new SearchPosition(S + 9, "z", S, null)), out.positions(),
                "no cursor in the positions: a restart reads newest first again from the last one");
        assertTrue(pass.ended());
        assertEquals(2, pass.pages());
        assertEquals(4, pass.objects());
    }

    @Test
    void anIdlePassReadsOnePage() {
        NewestFirstPass pass = new NewestFirstPass(position, NO_CUTOFF);

        accept(pass, page("p2", hit("m", S), hit("b", S - 100), hit("a", S - 200)));

        assertTrue(pass.ended(), "nothing new: the pass is over after its first page");
        assertEquals(List.of(), ids(pass.handOut(position)));
        assertEquals(1, pass.pages());
    }

    @Test
    void objectsPastTheCutoffAreLeftToTheNextPassAndAnObjectSeenTwiceCountsOnceInItsNewestVersion() {
        NewestFirstPass pass = new NewestFirstPass(position, S + 10);

        // "late" is too fresh for this pass; "moved" changed while the pass paged and shows up twice.
        accept(pass, page("p2", hit("late", S + 30), hit("moved", S + 8), hit("b", S + 7)));
        accept(pass, page(null, hit("moved", S + 2), hit("c", S + 1)));

        SearchPass.Completed out = pass.handOut(position);
        assertEquals(List.of("c", "b", "moved"), ids(out));
        assertEquals(S + 8, out.last().updatedAt(), "the newest version of moved");
    }

    @Test
    void handsOutAPageWorthAtATime() {
        NewestFirstPass pass = new NewestFirstPass(position, NO_CUTOFF);
        List<SearchQuery.Hit> hits = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            hits.add(hit(String.format("c%03d", 199 - i), S + 1000 - i));
        }
        accept(pass, new SearchQuery.Page(hits, null));

        SearchPass.Completed first = pass.handOut(position);
        assertEquals(SearchQuery.PAGE_SIZE, first.objects().size());
        assertFalse(pass.ended());
        SearchPass.Completed second = pass.handOut(first.last());
        assertEquals(50, second.objects().size());
        assertEquals(first.last(), second.positions().get(0));
        assertEquals("c199", second.last().id());
        assertTrue(pass.ended());
    }

    @Test
    void givesUpAfterMaxPagesOfChangesAndOnAnUnsortedPageButNotOnAnUnsortedLastPage() {
        NewestFirstPass bulk = new NewestFirstPass(position, NO_CUTOFF);
        for (int p = 0; p < NewestFirstPass.MAX_PAGES; p++) {
            assertNull(bulk.gaveUp());
            accept(bulk, page("p" + (p + 2), hit("x" + p, S + 100 - p)));
        }
        assertEquals(NewestFirstPass.GaveUp.TOO_MANY_CHANGES, bulk.gaveUp());
        assertTrue(bulk.ended());
        assertFalse(bulk.needsPage());

        NewestFirstPass unsorted = new NewestFirstPass(position, NO_CUTOFF);
        accept(unsorted, page("p2", hit("k", S - 1), hit("x", S + 5)));
        assertEquals(NewestFirstPass.GaveUp.NOT_SORTED, unsorted.gaveUp(),
                "an answer oldest first must not stop the pass at its first old object");

        NewestFirstPass lastPage = new NewestFirstPass(position, NO_CUTOFF);
        accept(lastPage, page(null, hit("k", S - 1), hit("x", S + 5)));
        assertNull(lastPage.gaveUp());
        assertEquals(List.of("x"), ids(lastPage.handOut(position)), "a last page is complete in any order");
    }

    @Test
    void aRejectedCursorStartsTheReadingOverFromTheNewestPage() {
        NewestFirstPass pass = new NewestFirstPass(position, NO_CUTOFF);
        accept(pass, page("p2", hit("y", S + 5)));

        pass.restartFrom(position);

        assertNull(pass.cursor());
        accept(pass, page(null, hit("z", S + 6), hit("y", S + 5)));
        assertEquals(List.of("y", "z"), ids(pass.handOut(position)));
    }

    @Test
    void itsPagesAskForDescendingTheSpelling216Accepts() {
        SearchQuery query = new SearchQuery("users", "data", null);

        assertEquals("descending", query.body(S, true, "p2").at("/sort/order").asText(), "not \"desc\": a 400 on 2.16");
        assertEquals("ascending", query.body(S, false, "p2").at("/sort/order").asText());
        assertEquals(query.body(S, false, "p2").get("query"), query.body(S, true, "p2").get("query"),
                "the same query either way: only the order differs");
    }

    // ---------------------------------------------------------------- fixtures

    private void accept(NewestFirstPass pass, SearchQuery.Page page) {
        SearchPass.Completed none = pass.accept(page, position);
        assertEquals(List.of(), none.objects(), "nothing is handed out while reading");
    }

    private static SearchQuery.Page page(String next, SearchQuery.Hit... hits) {
        return new SearchQuery.Page(List.of(hits), next);
    }

    private static SearchQuery.Hit hit(String id, long updatedAt) {
        return new SearchQuery.Hit(id, updatedAt, JsonNodeFactory.instance.objectNode().put("id", id));
    }

    private static List<String> ids(SearchPass.Completed completed) {
        return completed.objects().stream().map(o -> o.get("id").asText()).toList();
    }
}
