package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.client.IntercomTransientException;
import io.kcintercom.connect.client.RetriesExhaustedException;
import io.kcintercom.connect.table.JsonPaths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The companies scroll protocol ({@code GET /companies/scroll}, then {@code ?scroll_param=}): every
 * company of the workspace once, however often the server-side scroll is lost on the way.
 *
 * <p>Intercom allows one open scroll per workspace, across all apps: opening a second one answers
 * {@code 400 scroll_exists}, which is waited out. A scroll_param expires a minute after its last
 * use (404), and a 500 mid-scroll means "start over"; a scroll cannot be resumed, so a lost scroll
 * is opened again and read from its start, and the companies already returned are skipped. Some
 * deployments answer the end of a scroll with 404 instead of an empty page; such a 404 is told
 * apart from a lost scroll by the restart that follows it finding nothing new.
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
    /** Ids of the companies returned so far; a restarted scroll skips them. */
    private final Set<String> returned = new HashSet<>();
    /** The scroll_param of the open scroll; null when the next request opens one. */
    private String param;
    private int returnedBeforeThisScroll;
    private int fruitlessRestarts;
    private boolean lockWaitLogged;
    private boolean ended;

    CompanyScroll(IntercomClient client, CompaniesReader.ScrollSettings settings) {
        this.client = client;
        this.settings = settings;
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

    /**
     * The caller could not take {@code notTaken} (the last page's new companies) before the scroll
     * would expire: they count as never returned, and the scroll starts over.
     */
    void restartAfterStall(List<JsonNode> notTaken) {
        notTaken.forEach(company -> returned.remove(JsonPaths.text(company, "id")));
        log.info("companies: Kafka is slower than the scroll's one-minute expiry; restarting it");
        lost(false);
    }

    private List<JsonNode> readPage() {
        if (Thread.currentThread().isInterrupted()) {
            throw new ClientStoppedException();
        }
        JsonNode page;
        try {
            page = param == null ? open() : client.getWithoutRetry(
                    PATH + "?scroll_param=" + SubLists.encode(param), "companies scroll page");
        } catch (IntercomApiException e) {
            if (param != null && (e.isNotFound() || e instanceof IntercomTransientException)) {
                log.info("companies: the scroll was lost ({}); starting it over, skipping the {} "
                        + "companies already read", e.getMessage(), returned.size());
                lost(e.isNotFound());
                return List.of();
            }
            throw e;
        }
        JsonNode companies = companiesOf(page);
        if (companies == null) {
            // Not the end (that is an empty array): a page we cannot read. What it held is unknown,
            // so only reading the scroll again from its start can find it.
            log.info("companies: a scroll page had no data array; starting the scroll over, skipping the {} "
                    + "companies already read", returned.size());
            lost(false);
            return List.of();
        }
        List<JsonNode> fresh = new ArrayList<>();
        for (JsonNode company : companies) {
            String id = JsonPaths.text(company, "id");
            if (id != null && returned.add(id)) {
                fresh.add(company);
            }
        }
        String nextParam = JsonPaths.text(page, "scroll_param");
        ended = companies.isEmpty() || nextParam == null;
        param = nextParam;
        return fresh;
    }

    /** The open scroll is gone: the next request opens a new one, unless this was the end. */
    private void lost(boolean notFound) {
        boolean progress = returned.size() > returnedBeforeThisScroll;
        if (!progress && notFound && returnedBeforeThisScroll > 0) {
            // Some deployments answer the end of a scroll with 404 instead of an empty page: a
            // scroll restarted after a 404 that brings nothing new means the first one had ended.
            log.info("companies: a restarted scroll found no company not seen before its 404; "
                    + "taking that 404 as the end of the scroll");
            ended = true;
            return;
        }
        fruitlessRestarts = progress ? 0 : fruitlessRestarts + 1;
        if (fruitlessRestarts > settings.maxRestarts()) {
            throw new ConnectException("companies: the scroll was lost " + fruitlessRestarts
                    + " times in a row without progress; giving up this pass");
        }
        param = null;
        returnedBeforeThisScroll = returned.size();
    }

    private JsonNode open() {
        int waitsForOtherScroll = 0;
        int transientFailures = 0;
        while (true) {
            try {
                return client.getWithoutRetry(PATH, "companies scroll start");
            } catch (IntercomTransientException e) {
                if (++transientFailures > MAX_OPEN_FAILURES) {
                    throw new RetriesExhaustedException("companies: opening the scroll failed "
                            + transientFailures + " times in a row: " + e.getMessage(), e);
                }
                long backoff = client.backoffForAttempt(transientFailures);
                log.warn("companies: opening the scroll failed ({}); retrying in {} ms", e.getMessage(), backoff);
                client.sleeper().sleep(backoff);
            } catch (IntercomApiException e) {
                if (!isScrollExists(e) || ++waitsForOtherScroll > settings.scrollExistsAttempts()) {
                    throw e;
                }
                if (!lockWaitLogged) {
                    lockWaitLogged = true;
                    log.info("companies: another scroll is open on this workspace (Intercom allows one at a "
                            + "time, across all apps); waiting for it to expire before scrolling");
                }
                client.sleeper().sleep(settings.scrollExistsWaitMs());
            }
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
