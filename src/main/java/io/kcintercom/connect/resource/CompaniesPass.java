package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.logging.LogContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One pass over all companies: a background thread reads the {@link CompanyScroll} (a scroll
 * expires a minute after its last use, so it must not wait for Kafka) and queues the changed
 * companies, which the reader's thread takes with {@link #take}.
 */
final class CompaniesPass {
    private static final int QUEUE_PAGES = 20;

    private final CompanyScroll scroll;
    private final CompanyChanges changes;
    private final long stallMs;
    private final BlockingQueue<List<JsonNode>> pages = new ArrayBlockingQueue<>(QUEUE_PAGES);
    private final Thread scroller;
    /**
     * Null while the scroll runs; then how it ended, written once after the last page was queued.
     * One field, read once: a failure can never be read as the end (two fields, failure then
     * finished, could be read in between).
     */
    private volatile Ending ending;

    /** How the scroll ended: {@code failure} is null when it read every company. */
    private record Ending(RuntimeException failure) {
    }

    CompaniesPass(CompanyScroll scroll, CompanyChanges changes, long stallMs) {
        this.scroll = scroll;
        this.changes = changes;
        this.stallMs = stallMs;
        this.scroller = new Thread(LogContext.wrap((Runnable) this::scrollAll), "intercom-companies-scroll");
        scroller.setDaemon(true);
        scroller.start();
    }

    /** The changed companies queued now (whole pages, about {@code max}), waiting up to {@code waitMs} for the first. */
    List<JsonNode> take(long waitMs, int max) {
        List<JsonNode> out = new ArrayList<>();
        boolean waited = false;
        while (out.size() < max) {
            List<JsonNode> page;
            try {
                page = pages.poll(waited ? 0 : waitMs, TimeUnit.MILLISECONDS);
                waited = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClientStoppedException();
            }
            if (page == null) {
                break;
            }
            out.addAll(page);
        }
        return out;
    }

    /**
     * Whether the scroll read every company and everything it queued was taken; throws what ended
     * the scroll early, if anything did.
     */
    boolean completed() {
        Ending end = ending;
        if (end == null) {
            return false;
        }
        if (end.failure() != null) {
            throw end.failure();
        }
        return pages.isEmpty();
    }

    CompanyChanges changes() {
        return changes;
    }

    int companiesSeen() {
        return scroll.returnedCount();
    }

    void stop() {
        scroller.interrupt();
    }

    private void scrollAll() {
        try {
            for (List<JsonNode> fresh = scroll.next(); !fresh.isEmpty(); fresh = scroll.next()) {
                List<JsonNode> changed = fresh.stream().filter(changes::changed).toList();
                if (!offer(changed)) {
                    scroll.restartAfterStall(fresh);
                }
            }
            ending = new Ending(null);
        } catch (RuntimeException e) {
            // Stopped or failed mid-scroll: the pass is incomplete and must not end with a new watermark.
            ending = new Ending(e);
        }
    }

    private boolean offer(List<JsonNode> changed) {
        try {
            return pages.offer(changed, stallMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientStoppedException();
        }
    }
}
