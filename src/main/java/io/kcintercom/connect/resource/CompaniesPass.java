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
    private volatile boolean finished;
    private volatile RuntimeException failure;

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

    /** Throws what ended the scroll early, if anything did. */
    void checkFailure() {
        if (failure != null) {
            throw failure;
        }
    }

    /** Whether the scroll has ended and everything it found was taken. */
    boolean complete() {
        return finished && pages.isEmpty();
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
            finished = true;
        } catch (RuntimeException e) {
            // Stopped or failed mid-scroll: the pass is incomplete and must not end with a new watermark.
            failure = e;
            finished = true;
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
