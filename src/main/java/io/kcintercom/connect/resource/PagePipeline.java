package io.kcintercom.connect.resource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The pages of a search whose follow-up requests are running, turned into records strictly in
 * page order. A page's follow-ups start while the previous page's still run, so requests keep
 * flowing at a page's end; at most {@value #PAGES_IN_PROGRESS} pages wait at a time.
 *
 * <p>Each object's group of records carries the position before its object and the position after
 * it, so an offset committed mid-group never skips the rest of the group.
 */
final class PagePipeline {
    /** Pages whose follow-ups may run at once: enough to keep requests flowing at a page's end. */
    static final int PAGES_IN_PROGRESS = 2;

    private final Deque<PageInProgress> inProgress = new ArrayDeque<>();
    /** Groups of records ready to hand out, each one object's. */
    private final Deque<List<SourceRecord>> ready = new ArrayDeque<>();
    /** The updated_at of the last object whose records were made ready, for the lag metric. */
    private volatile long emittedUpdatedAt;

    PagePipeline(long emittedUpdatedAt) {
        this.emittedUpdatedAt = emittedUpdatedAt;
    }

    /**
     * Adds a page whose follow-ups were started.
     *
     * @param positions the position before the page's first object, then the position after each
     */
    void add(PendingGroups groups, List<SearchPosition> positions) {
        inProgress.add(new PageInProgress(groups, positions));
    }

    /**
     * Whether the oldest page in progress is to be emitted now: its follow-ups are done, enough
     * pages wait, or waiting for them is all there is left to do ({@code moreToRead} false).
     */
    boolean oldestIsDue(boolean moreToRead) {
        PageInProgress oldest = inProgress.peek();
        return oldest != null
                && (inProgress.size() >= PAGES_IN_PROGRESS || !moreToRead || oldest.groups().isDone());
    }

    /** Waits for the oldest page's follow-ups and makes its records ready. */
    void emitOldest() {
        PageInProgress page = inProgress.poll();
        List<RecordFactory.Group> groups = page.groups().await();
        List<SearchPosition> positions = page.positions();
        for (int i = 0; i < groups.size(); i++) {
            RecordFactory.Group group = groups.get(i);
            if (!group.isEmpty()) {
                ready.add(group.toRecords(positions.get(i).toMap(), positions.get(i + 1).toMap()));
            }
        }
        emittedUpdatedAt = positions.get(positions.size() - 1).updatedAt();
    }

    boolean hasReady() {
        return !ready.isEmpty();
    }

    boolean hasPagesInProgress() {
        return !inProgress.isEmpty();
    }

    /** Cancels the follow-ups of every page in progress (the reader is closing: they would be wasted). */
    void cancelAll() {
        inProgress.forEach(page -> page.groups().cancel());
        inProgress.clear();
    }

    /** Whole groups of ready records, at most about {@code maxRecords} (one group may exceed it). */
    List<SourceRecord> take(int maxRecords) {
        List<SourceRecord> batch = new ArrayList<>();
        while (!ready.isEmpty() && (batch.isEmpty() || batch.size() + ready.peek().size() <= maxRecords)) {
            batch.addAll(ready.poll());
        }
        return batch;
    }

    long emittedUpdatedAt() {
        return emittedUpdatedAt;
    }

    private record PageInProgress(PendingGroups groups, List<SearchPosition> positions) {
    }
}
