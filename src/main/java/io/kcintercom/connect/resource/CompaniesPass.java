package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.logging.LogContext;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * One pass over all companies. A scroll expires a minute after its last use, so a thread of the
 * pass's own reads the {@link CompanyScroll} to its end, never waiting for Kafka: it keeps only the
 * companies {@link CompanyChanges} finds changed, in {@link HeldCompanies}, which the reader's
 * thread takes with {@link #take}. Only a pass with more changed companies than the hold limit
 * (a first sync of a large workspace) makes the scroller wait for the reader; if that wait outlasts
 * the scroll, the scroll starts over and skips what it returned, so every wait still moves it on.
 * Once the scroll read to its end, the same thread looks for deleted companies ({@link CompaniesVanished}).
 */
final class CompaniesPass {
    private final CompanyScroll scroll;
    private final CompanyChanges changes;
    private final HeldCompanies held;
    private final CompaniesVanished vanished;
    private final Thread scroller;
    /**
     * Null while the scroll runs; then how it ended, written once after the last company was
     * held. One field, read once: a failure can never be read as the end (two fields, failure then
     * finished, could be read in between).
     */
    private volatile Ending ending;

    /**
     * How the scroll ended: {@code failure} is null when it read every company, and then
     * {@code deleted} names the companies found deleted.
     */
    private record Ending(RuntimeException failure, List<String> deleted) {
    }

    /**
     * Companies for the reader; {@code last}: the pass is complete, these are its final ones, and
     * {@code deleted} the ids of the companies whose rows it retracts.
     */
    record Taken(List<JsonNode> companies, boolean last, List<String> deleted) {
    }

    CompaniesPass(CompanyScroll scroll, CompanyChanges changes, int holdLimit, CompaniesVanished vanished) {
        this.scroll = scroll;
        this.changes = changes;
        this.held = new HeldCompanies(holdLimit);
        this.vanished = vanished;
        this.scroller = new Thread(LogContext.wrap((Runnable) this::scrollAll), "intercom-companies-scroll");
        scroller.setDaemon(true);
        scroller.start();
    }

    /**
     * The companies to hand out now: all of them once the scroll read every company, up to
     * {@code max} while the pass streams, else none; waits up to {@code waitMs} for either.
     * Throws what ended the scroll early, if anything did.
     */
    Taken take(int max, long waitMs) {
        Taken taken = takeNow(max);
        if (taken == null) {
            try {
                held.awaitWork(waitMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClientStoppedException();
            }
            taken = takeNow(max);
        }
        return taken != null ? taken : new Taken(List.of(), false, List.of());
    }

    /** Whether the pass outgrew the hold limit. */
    boolean streaming() {
        return held.streaming();
    }

    CompanyChanges changes() {
        return changes;
    }

    /** Intercom's time when the pass's scroll opened (epoch millis), or -1 if unknown. */
    long openedAtServerMs() {
        return scroll.firstOpenedAtServerMs();
    }

    int companiesSeen() {
        return scroll.returnedCount();
    }

    void stop() {
        scroller.interrupt();
    }

    private Taken takeNow(int max) {
        Ending end = ending;
        if (end != null && end.failure() != null) {
            throw end.failure();
        }
        if (end != null) {
            return new Taken(held.takeAll(), true, end.deleted()); // everything was held before the end was written
        }
        if (held.streaming()) {
            List<JsonNode> companies = held.takeAllButNewest(max);
            return companies.isEmpty() ? null : new Taken(companies, false, List.of());
        }
        return null;
    }

    private void scrollAll() {
        try {
            for (List<JsonNode> fresh = scroll.next(); !fresh.isEmpty(); fresh = scroll.next()) {
                for (JsonNode company : fresh) {
                    if (changes.changed(company)) {
                        held.put(company);
                    }
                }
            }
            // Only a scroll read to its end tells which stored companies it did not return.
            ending = new Ending(null, vanished.check(scroll::returned).deleted());
        } catch (InterruptedException e) {
            ending = new Ending(new ClientStoppedException(), List.of());
        } catch (RuntimeException e) {
            // Stopped or failed mid-scroll: the pass is incomplete and must not end with a new watermark.
            ending = new Ending(e, List.of());
        } catch (Error e) {
            // Handed to the reader, which fails the task with it, instead of a pass that never ends.
            ending = new Ending(new ConnectException(e), List.of());
        } finally {
            held.scrollOver();
        }
    }
}
