package io.kcintercom.connect.resource;

import io.kcintercom.connect.client.IntercomApiException;

/**
 * One pass of a search, without I/O: the page it needs next and the objects it has completed, in
 * (updated_at, id) order with the position after each. {@link SearchPass} reads oldest first and
 * hands objects out page by page; {@link NewestFirstPass} reads newest first down to the position,
 * then hands out what it collected, oldest first.
 */
interface Pass {
    /** The updated_at the pass's query starts from. */
    long passFrom();

    /** Whether the pass asks for its pages newest first. */
    boolean newestFirst();

    /** The cursor of the next page to read; null for the first page. */
    String cursor();

    /** Whether the next step reads a page; otherwise it hands out objects already read. */
    boolean needsPage();

    /** Takes the page at {@link #cursor()} and returns the objects now complete. */
    SearchPass.Completed accept(SearchQuery.Page page, SearchPosition position);

    /** The next objects read earlier, when {@link #needsPage()} is false; none for a pass that hands out as it reads. */
    default SearchPass.Completed handOut(SearchPosition position) {
        return SearchPass.Completed.none(position);
    }

    /** Whether every object of the pass has been handed out. */
    boolean ended();

    /** Whether a failed page request means the API no longer accepts the pass's cursor. */
    boolean isCursorRejection(IntercomApiException e);

    /** Starts the pass over without a cursor from the position. */
    void restartFrom(SearchPosition position);

    int pages();

    long objects();
}
