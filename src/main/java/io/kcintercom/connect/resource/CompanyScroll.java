package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.client.IntercomTransientException;
import io.kcintercom.connect.client.RetriesExhaustedException;
import io.kcintercom.connect.table.JsonPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The companies scroll protocol ({@code GET /companies/scroll}, then {@code ?scroll_param=}): every
 * company of the workspace once, however often the server-side scroll is lost on the way.
 *
 * <p>Intercom allows one open scroll per workspace, across all apps: opening a second one answers
 * {@code 400 scroll_exists}, which is waited out. A scroll_param expires a minute after its last
 * use (404), and a 500 mid-scroll means "start over"; a scroll cannot be resumed, so a lost scroll
 * is opened again and read from its start, and the companies already returned are skipped. A
 * lost scroll is never taken for its end, which is an empty page; some deployments answer the end
 * with 404 instead, which is told apart from an expiry (see {@link #isEndWithoutAnEmptyPage}).
 * Neither a held nor a lost scroll ever gives up: both are waited out, with one WARN each.
 *
 * <p>Synchronous and single-threaded: the caller's thread makes every request and every wait
 * (through the client's sleeper, which ends early when the task stops).
 */
final class CompanyScroll {
    private static final Logger log = LoggerFactory.getLogger(CompanyScroll.class);
    static final String PATH = "/companies/scroll";
    /** Consecutive 5xx or I/O failures opening a scroll before giving up. */
    private static final int MAX_OPEN_FAILURES = 5;

    private final IntercomClient client;
    private final CompaniesReader.ScrollSettings settings;
    private final Counters counters;
    /** Ids of the companies returned so far; a restarted scroll skips them, the end of the pass looks them up. */
    private final IdHashes returned = new IdHashes();
    private Attempt attempt = new Attempt(0);
    /** The most pages any attempt read: the attempts read the same sequence, each from its start. */
    private int frontierPages;
    /** Pages read by the previous attempt if it brought nothing new and stopped without an empty page; else -1. */
    private int fruitlessStopPages = -1;
    private int fruitlessRestarts;
    private boolean lockWaitLogged;
    private boolean ended;
    /** Intercom's time (Date header, epoch millis) when this scroll first opened, or -1 if unknown. */
    private long firstOpenedAtServerMs = -1;

    /** One server-side scroll, from its opening to its end or loss. */
    private static final class Attempt {
        final int returnedBefore;
        /** The scroll_param to send next; null when the next request opens the scroll. */
        String param;
        int pages;
        /** When the request before the current one started: the scroll was last used no earlier. */
        long previousRequestNanos = System.nanoTime();

        Attempt(int returnedBefore) {
            this.returnedBefore = returnedBefore;
        }
    }

    /** Counts of the transient troubles, kept across passes, for metrics. */
    static final class Counters {
        final AtomicLong restarts = new AtomicLong();
        final AtomicLong lockWaits = new AtomicLong();
        /** Whether the scroll is waiting now for another client's scroll to expire. */
        volatile boolean waitingForLock;
    }

    CompanyScroll(IntercomClient client, CompaniesReader.ScrollSettings settings, Counters counters) {
        this.client = client;
        this.settings = settings;
        this.counters = counters;
    }

    /**
     * The companies of the next page that this scroll has not returned before, in scroll order;
     * empty once the scroll has ended. Reads on past pages that bring nothing new.
     */
    List<JsonNode> next() {
        while (!ended) {
            List<JsonNode> fresh = readPage();
            if (!fresh.isEmpty()) {
                return fresh;
            }
        }
        return List.of();
    }

    /** Companies returned so far. */
    int returnedCount() {
        return returned.size();
    }

    /** Whether the scroll returned the company: for the end of the pass, once {@link #next} returned empty. */
    boolean returned(String id) {
        return returned.contains(id);
    }

    /**
     * Intercom's time when the scroll first opened (the Date header of about then, whole seconds,
     * epoch millis), or -1 if unknown: no company was read before it.
     */
    long firstOpenedAtServerMs() {
        return firstOpenedAtServerMs;
    }

    private List<JsonNode> readPage() {
        if (Thread.currentThread().isInterrupted()) {
            throw new ClientStoppedException();
        }
        long requestNanos = System.nanoTime();
        JsonNode page;
        try {
            page = attempt.param == null ? open() : client.getWithoutRetry(
                    PATH + "?scroll_param=" + SubLists.encode(attempt.param), "companies scroll page");
        } catch (IntercomApiException e) {
            if (attempt.param != null && (e.isNotFound() || e instanceof IntercomTransientException)) {
                long idleMs = (System.nanoTime() - attempt.previousRequestNanos) / 1_000_000;
                if (e.isNotFound() && isEndWithoutAnEmptyPage("its 404", idleMs)) {
                    ended = true;
                    return List.of();
                }
                log.info("companies: the scroll was lost ({}); starting it over, skipping the {} "
                        + "companies already read", e.getMessage(), returned.size());
                restart();
                return List.of();
            }
            throw e;
        } finally {
            attempt.previousRequestNanos = requestNanos;
        }
        JsonNode companies = companiesOf(page);
        if (companies == null) {
            // Not the end (that is an empty array): a page we cannot read. What it held is unknown,
            // so only reading the scroll again from its start can find it.
            log.info("companies: a scroll page had no data array; starting the scroll over, skipping the {} "
                    + "companies already read", returned.size());
            restart();
            return List.of();
        }
        List<JsonNode> fresh = new ArrayList<>();
        for (JsonNode company : companies) {
            String id = JsonPaths.text(company, "id");
            if (id != null && returned.add(id)) {
                fresh.add(company);
            }
        }
        if (companies.isEmpty()) {
            ended = true;
            return fresh;
        }
        attempt.pages++;
        frontierPages = Math.max(frontierPages, attempt.pages);
        attempt.param = JsonPaths.text(page, "scroll_param");
        if (attempt.param == null) {
            if (isEndWithoutAnEmptyPage("a page without scroll_param", 0)) {
                ended = true;
            } else {
                log.info("companies: a scroll page had no scroll_param; starting the scroll over to read on");
                restart();
            }
        }
        return fresh;
    }

    /**
     * Some deployments answer the end of a scroll with 404 instead of an empty page (and a page
     * without scroll_param cannot be followed either). A 404 is also what an expired scroll gets,
     * and taking that for the end would lose the companies not yet read. So such a stop is the end
     * only when this scroll, restarted after an earlier one stopped, read again as far as any
     * scroll of the pass got (or as far as the previous one that stopped so), found no company not
     * returned before, and had asked within the idle limit after its previous request, too soon
     * for the scroll to have expired.
     */
    private boolean isEndWithoutAnEmptyPage(String stop, long idleMs) {
        boolean nothingNew = returned.size() == attempt.returnedBefore && attempt.returnedBefore > 0;
        boolean atFrontier = attempt.pages >= frontierPages || attempt.pages == fruitlessStopPages;
        fruitlessStopPages = nothingNew ? attempt.pages : -1;
        if (nothingNew && atFrontier && idleMs < settings.idleLimitMs()) {
            log.info("companies: a restarted scroll read every company seen before {} and found no new one; "
                    + "taking that as the end of the scroll", stop);
            return true;
        }
        return false;
    }

    /**
     * The open scroll is gone: the next request opens a new one and reads from the start. A lost
     * scroll is transient however often it recurs: after {@code maxRestarts} in a row without a new
     * company, the restarts back off (one WARN for the streak) instead of failing the task.
     */
    private void restart() {
        counters.restarts.incrementAndGet();
        boolean progress = returned.size() > attempt.returnedBefore;
        if (progress && fruitlessRestarts > settings.maxRestarts()) {
            log.info("companies: the scroll moves on again after {} restarts without progress", fruitlessRestarts);
        }
        fruitlessRestarts = progress ? 0 : fruitlessRestarts + 1;
        attempt = new Attempt(returned.size());
        int beyond = fruitlessRestarts - settings.maxRestarts();
        if (beyond > 0) {
            long backoff = client.backoffForAttempt(beyond);
            if (beyond == 1) {
                log.warn("companies: the scroll was lost {} times in a row without reaching a new company; "
                        + "starting it over with a growing pause (now {} ms) until it gets through", fruitlessRestarts,
                        backoff);
            }
            client.sleeper().sleep(backoff);
        }
    }

    private JsonNode open() {
        int waitsForOtherScroll = 0;
        int transientFailures = 0;
        while (true) {
            try {
                JsonNode page = client.getWithoutRetry(PATH, "companies scroll start");
                if (firstOpenedAtServerMs < 0) {
                    firstOpenedAtServerMs = client.lastResponseDateMs();
                }
                counters.waitingForLock = false;
                if (waitsForOtherScroll > settings.scrollExistsAttempts()) {
                    log.info("companies: the other scroll is gone; scrolling after {} attempts", waitsForOtherScroll);
                }
                return page;
            } catch (IntercomTransientException e) {
                if (++transientFailures > MAX_OPEN_FAILURES) {
                    throw new RetriesExhaustedException("companies: opening the scroll failed "
                            + transientFailures + " times in a row: " + e.getMessage(), e);
                }
                long backoff = client.backoffForAttempt(transientFailures);
                // At INFO: the resource's health logs the outage once at WARN if this goes on.
                log.info("companies: opening the scroll failed ({}); retrying in {} ms", e.getMessage(), backoff);
                client.sleeper().sleep(backoff);
            } catch (IntercomApiException e) {
                if (!isScrollExists(e)) {
                    throw e;
                }
                waitsForOtherScroll++;
                counters.lockWaits.incrementAndGet();
                counters.waitingForLock = true;
                logLockWait(waitsForOtherScroll);
                client.sleeper().sleep(settings.scrollExistsWaitMs());
            }
        }
    }

    /**
     * Another client holding the workspace's one scroll is transient however long it lasts: the
     * pass waits for it. INFO when the wait starts, one WARN when it lasts longer than a scroll
     * left alone would (its holder keeps using it: another app's sync, or a stuck script).
     */
    private void logLockWait(int attempts) {
        if (!lockWaitLogged) {
            lockWaitLogged = true;
            log.info("companies: another scroll is open on this workspace (Intercom allows one at a "
                    + "time, across all apps); waiting for it to expire before scrolling");
        }
        if (attempts == settings.scrollExistsAttempts() + 1) {
            log.warn("companies: the workspace's scroll is still held by another client after {} attempts {} ms "
                    + "apart; the companies pass keeps waiting for it", settings.scrollExistsAttempts(),
                    settings.scrollExistsWaitMs());
        }
    }

    /** The page's companies: {@code data} as documented, or a top-level {@code companies}; null if neither. */
    private static JsonNode companiesOf(JsonNode page) {
        for (String key : new String[] {"data", "companies"}) {
            JsonNode items = page == null ? null : page.get(key);
            if (items != null && items.isArray()) {
                return items;
            }
        }
        return null;
    }

    private static boolean isScrollExists(IntercomApiException e) {
        return "scroll_exists".equals(e.errorCode())
                || (e.status() == 400 && String.valueOf(e.getMessage()).contains("scroll"));
    }
}
