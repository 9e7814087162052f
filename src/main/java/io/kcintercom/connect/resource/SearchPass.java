package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass of a search, page by page from {@code passFrom} up to {@code cutoff}: which cursor to
 * read next, and which objects are complete. No I/O: the reader fetches the pages and feeds them
 * in with {@link #accept}.
 *
 * <p>Objects come out one whole second at a time, sorted by id within the second, so that the
 * (updated_at, id) position after each is exact even when a second spans pages: a second is
 * complete once a page holds a later one, and every second is complete when the pass ends. Objects
 * newer than the cutoff (now minus the search delay) may not be indexed yet; the pass ends at the
 * first page that reaches past it and leaves them to the next pass.
 */
final class SearchPass implements Pass {
    private static final Comparator<SearchQuery.Hit> ORDER =
            Comparator.comparingLong(SearchQuery.Hit::updatedAt).thenComparing(SearchQuery.Hit::id);

    private final long cutoff;
    private long passFrom;
    /** The cursor of the next page to read; null for the first page. */
    private String cursor;
    private boolean ended;
    /** Objects read but not yet complete: those of the last second seen, by id. */
    private final Map<String, SearchQuery.Hit> incompleteSecond = new LinkedHashMap<>();
    /** The cursor of the page each buffered second was first seen on: where a restart resumes it. */
    private final Map<Long, String> firstCursorOfSecond = new LinkedHashMap<>();
    private int pages;
    private long objects;

    /** The objects of a page that are complete, in order, with the position before the first and after each. */
    record Completed(List<JsonNode> objects, List<SearchPosition> positions) {
        /** No object: the position stays where it is. */
        static Completed none(SearchPosition position) {
            return new Completed(List.of(), List.of(position));
        }

        SearchPosition last() {
            return positions.get(positions.size() - 1);
        }
    }

    private SearchPass(long passFrom, String cursor, long cutoff) {
        this.passFrom = passFrom;
        this.cursor = cursor;
        this.cutoff = cutoff;
    }

    /**
     * The pass that continues from a position: the interrupted pass at its stored cursor when the
     * position has one (a position carries a cursor only in the middle of a pass), else a new pass
     * from the position's updated_at.
     *
     * @param cutoff unix seconds; objects updated later are left to the next pass
     */
    static SearchPass from(SearchPosition position, long cutoff) {
        return position.cursor() != null
                ? new SearchPass(position.passFrom(), position.cursor(), cutoff)
                : new SearchPass(position.updatedAt(), null, cutoff);
    }

    @Override
    public long passFrom() {
        return passFrom;
    }

    @Override
    public boolean newestFirst() {
        return false;
    }

    /** The cursor of the next page to read; null for the first page of the pass. */
    @Override
    public String cursor() {
        return cursor;
    }

    /** Objects are handed out as their pages are read: every step before the end reads a page. */
    @Override
    public boolean needsPage() {
        return !ended;
    }

    @Override
    public boolean ended() {
        return ended;
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
     * Takes the page at {@link #cursor()}: buffers its objects that {@code position} does not
     * already cover, moves to the next cursor (or ends the pass) and returns the objects now
     * complete, with the positions after each of them.
     */
    @Override
    public Completed accept(SearchQuery.Page page, SearchPosition position) {
        pages++;
        String pageCursor = cursor;
        long pageMaxSecond = page.maxUpdatedAt();
        ended = page.nextCursor() == null || pageMaxSecond > cutoff;
        for (SearchQuery.Hit hit : page.hits()) {
            if (position.covers(hit.updatedAt(), hit.id())) {
                continue;
            }
            incompleteSecond.put(hit.id(), hit);
            // Not putIfAbsent: the first page's cursor is null, which putIfAbsent would overwrite.
            if (!firstCursorOfSecond.containsKey(hit.updatedAt())) {
                firstCursorOfSecond.put(hit.updatedAt(), pageCursor);
            }
        }
        Completed completed = positioned(takeComplete(ended ? Long.MAX_VALUE : pageMaxSecond), position);
        if (ended) {
            cursor = null;
            incompleteSecond.clear();
            firstCursorOfSecond.clear();
        } else {
            cursor = page.nextCursor();
        }
        return completed;
    }

    /**
     * Whether a failed page request means the API no longer accepts this pass's cursor (cursors
     * expire); the pass then starts over with {@link #restartFrom}. A first page has no cursor to
     * blame.
     */
    @Override
    public boolean isCursorRejection(IntercomApiException e) {
        return cursor != null && (e.status() == 400 || e.status() == 404);
    }

    /** Starts the pass over without a cursor from the position's updated_at, which drops what was emitted. */
    @Override
    public void restartFrom(SearchPosition position) {
        passFrom = position.updatedAt();
        cursor = null;
        incompleteSecond.clear();
        firstCursorOfSecond.clear();
    }

    /** Takes the buffered objects of the seconds below {@code completeBelow}, in order; drops those past the cutoff. */
    private List<SearchQuery.Hit> takeComplete(long completeBelow) {
        List<SearchQuery.Hit> complete = new ArrayList<>();
        incompleteSecond.values().removeIf(hit -> {
            if (hit.updatedAt() > cutoff) {
                return true; // the next pass reads it, once the index has surely caught up
            }
            if (hit.updatedAt() < completeBelow) {
                complete.add(hit);
                return true;
            }
            return false;
        });
        complete.sort(ORDER);
        return complete;
    }

    private Completed positioned(List<SearchQuery.Hit> complete, SearchPosition position) {
        List<JsonNode> objectsOut = new ArrayList<>(complete.size());
        List<SearchPosition> positions = new ArrayList<>(complete.size() + 1);
        positions.add(position);
        for (SearchQuery.Hit hit : complete) {
            objectsOut.add(hit.object());
            positions.add(new SearchPosition(hit.updatedAt(), hit.id(), passFrom,
                    firstCursorOfSecond.get(hit.updatedAt())));
        }
        if (!complete.isEmpty()) {
            long last = complete.get(complete.size() - 1).updatedAt();
            firstCursorOfSecond.keySet().removeIf(second -> second < last);
        }
        objects += complete.size();
        return new Completed(objectsOut, positions);
    }
}
