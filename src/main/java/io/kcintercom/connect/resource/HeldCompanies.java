package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The changed companies of a pass, between the scroller's thread and the reader's: held whole up
 * to a limit, so a pass of ordinary size finishes its scroll however long Kafka keeps the reader
 * waiting; beyond the limit the pass streams, the reader takes all but the newest (the pass's last
 * record carries the new watermark), and the scroller waits for room. Memory stays bounded either way.
 */
final class HeldCompanies {
    private final int limit;
    private final Deque<JsonNode> companies = new ArrayDeque<>();
    private boolean streaming;
    private boolean scrollOver;

    HeldCompanies(int limit) {
        this.limit = limit;
    }

    /** Adds a changed company, waiting while a streaming pass holds more than the limit. */
    synchronized void put(JsonNode company) throws InterruptedException {
        while (companies.size() > limit) {
            wait();
        }
        companies.addLast(company);
        streaming |= companies.size() > limit;
        notifyAll();
    }

    /** Whether the pass outgrew the limit and hands its companies out as they come. */
    synchronized boolean streaming() {
        return streaming;
    }

    /** Streaming: up to {@code max} companies, all but the newest. */
    synchronized List<JsonNode> takeAllButNewest(int max) {
        List<JsonNode> out = new ArrayList<>();
        while (companies.size() > 1 && out.size() < max) {
            out.add(companies.pollFirst());
        }
        notifyAll();
        return out;
    }

    /** Every company held; for the end of the pass, when nothing more comes. */
    synchronized List<JsonNode> takeAll() {
        List<JsonNode> out = new ArrayList<>(companies);
        companies.clear();
        notifyAll();
        return out;
    }

    /** Waits up to {@code millis} until a streaming pass has companies to take, or the scroll is over. */
    synchronized void awaitWork(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long left = deadline - System.nanoTime();
        while (!scrollOver && !(streaming && companies.size() > 1) && left > 0) {
            TimeUnit.NANOSECONDS.timedWait(this, left);
            left = deadline - System.nanoTime();
        }
    }

    /** The scroll ended, one way or the other: ends the reader's wait. */
    synchronized void scrollOver() {
        scrollOver = true;
        notifyAll();
    }
}
