package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pass that costs what changed: it reads newest first, down to the first page that reaches an
 * object older than the position's second, and then hands out the objects it collected oldest
 * first, a page's worth at a time, with the same exact positions as {@link SearchPass}.
 *
 * <p>Contact search before API 2.17 matches whole days: a pass from W answers every contact since
 * 00:00 of W's day, and an oldest-first pass reads all of that day again to find what is new (up
 * to ~100 pages a pass at the end of a busy day, and the same all through a day without change).
 * Newest first, an idle pass reads one page.
 *
 * <p>Memory is bounded: after {@value #MAX_PAGES} pages of new objects (a bulk change, or a
 * position days old) the pass gives up and the reader reads oldest first from the position, which
 * streams (from the position's second on API 2.17, which searches contacts by the exact second;
 * from its whole day before). It gives up too when a page is not sorted newest first (an API that ignores the sort),
 * since stopping early is only right on a sorted answer; a last page needs no order.
 */
final class NewestFirstPass implements Pass {
    /** Pages of new objects held at most before giving up for the oldest-first pass. */
    static final int MAX_PAGES = 10;

    private static final Comparator<SearchQuery.Hit> ORDER =
            Comparator.comparingLong(SearchQuery.Hit::updatedAt).thenComparing(SearchQuery.Hit::id);

    /** Why a pass gave up reading newest first. */
    enum GaveUp { TOO_MANY_CHANGES, NOT_SORTED }

    private final long passFrom;
    private final long cutoff;
    private String cursor;
    private GaveUp gaveUp;
    /** Objects read that the position does not cover, by id: an object that moved while paging counts once. */
    private final Map<String, SearchQuery.Hit> collected = new HashMap<>();
    /** The collected objects oldest first, once the reading is over; null while reading. */
    private Deque<SearchQuery.Hit> toHandOut;
    private int pages;
    private long objects;

    /**
     * @param position where reading has got to; the pass reads what it does not cover
     * @param cutoff   unix seconds; objects updated later are left to the next pass
     */
    NewestFirstPass(SearchPosition position, long cutoff) {
        this.passFrom = position.updatedAt();
        this.cutoff = cutoff;
    }

    /** Why the pass gave up, or null while it has not. */
    GaveUp gaveUp() {
        return gaveUp;
    }

    @Override
    public long passFrom() {
        return passFrom;
    }

    @Override
    public boolean newestFirst() {
        return true;
    }

    @Override
    public String cursor() {
        return cursor;
    }

    @Override
    public boolean needsPage() {
        return toHandOut == null && gaveUp == null;
    }

    @Override
    public boolean ended() {
        return gaveUp != null || (toHandOut != null && toHandOut.isEmpty());
    }

    @Override
    public int pages() {
        return pages;
    }

    @Override
    public long objects() {
        return objects;
    }

    /**
     * Collects the page's objects that the position does not cover and that the cutoff allows.
     * Reading is over at the last page, or at a sorted page holding an object older than the
     * position's second: every later page is older still, hence covered.
     */
    @Override
    public SearchPass.Completed accept(SearchQuery.Page page, SearchPosition position) {
        pages++;
        boolean reachedCovered = false;
        for (SearchQuery.Hit hit : page.hits()) {
            reachedCovered |= hit.updatedAt() < position.updatedAt();
            if (!position.covers(hit.updatedAt(), hit.id()) && hit.updatedAt() <= cutoff) {
                collected.merge(hit.id(), hit, (a, b) -> a.updatedAt() >= b.updatedAt() ? a : b);
            }
        }
        if (page.nextCursor() == null || (reachedCovered && page.newestFirst())) {
            List<SearchQuery.Hit> oldestFirst = new ArrayList<>(collected.values());
            oldestFirst.sort(ORDER);
            toHandOut = new ArrayDeque<>(oldestFirst);
            endReading();
        } else if (!page.newestFirst()) {
            giveUp(GaveUp.NOT_SORTED);
        } else if (pages >= MAX_PAGES) {
            giveUp(GaveUp.TOO_MANY_CHANGES);
        } else {
            cursor = page.nextCursor();
        }
        return SearchPass.Completed.none(position);
    }

    /** The next (at most) page's worth of collected objects, oldest first, with the position after each. */
    @Override
    public SearchPass.Completed handOut(SearchPosition position) {
        List<JsonNode> out = new ArrayList<>();
        List<SearchPosition> positions = new ArrayList<>();
        positions.add(position);
        while (!toHandOut.isEmpty() && out.size() < SearchQuery.PAGE_SIZE) {
            SearchQuery.Hit hit = toHandOut.poll();
            out.add(hit.object());
            // No cursor: a restart reads newest first again from this position, not this pass's pages.
            positions.add(new SearchPosition(hit.updatedAt(), hit.id(), passFrom, null));
        }
        objects += out.size();
        return new SearchPass.Completed(out, positions);
    }

    /** A page request rejected at a cursor: the cursor expired (nothing was handed out yet). */
    @Override
    public boolean isCursorRejection(IntercomApiException e) {
        return cursor != null && (e.status() == 400 || e.status() == 404);
    }

    /** Reads again from the newest page; what was collected is read again too. */
    @Override
    public void restartFrom(SearchPosition position) {
        cursor = null;
        collected.clear();
    }

    private void giveUp(GaveUp why) {
        gaveUp = why;
        endReading();
    }

    private void endReading() {
        cursor = null;
        collected.clear();
    }
}
