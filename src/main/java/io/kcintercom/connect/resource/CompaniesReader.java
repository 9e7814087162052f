package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.client.IntercomTransientException;
import io.kcintercom.connect.client.RetriesExhaustedException;
import io.kcintercom.connect.logging.LogContext;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Companies through the scroll API ({@code GET /companies/scroll}), the only way to read more than
 * 10,000 companies. The API has no updated_at filter and allows one open scroll per workspace, so
 * each pass scrolls everything and emits the companies updated after the watermark.
 *
 * <p>A scroll expires a minute after its last use, so pages are fetched by a background thread
 * into a bounded queue while poll() drains it; when the queue stays full (Kafka is slow) or the
 * API answers 404 or 500 mid-scroll, the scroll starts over and the companies already handled in
 * this pass are skipped on the client. A second scroll gets {@code 400 scroll_exists} while any
 * other client of the workspace holds one: the pass waits for it, logged once.
 *
 * <p>The watermark is the pass's start minus a margin: the next pass emits companies updated
 * after it, except those already emitted with the same updated_at during the previous pass. The
 * last record of a pass carries the new watermark, so a restart resumes from it.
 */
public final class CompaniesReader implements ResourceReader {
    private static final Logger log = LoggerFactory.getLogger(CompaniesReader.class);
    /** Companies updated this close to a pass's start are compared by id in the next pass. */
    static final long WATERMARK_MARGIN_SECONDS = 60;
    private static final int QUEUE_PAGES = 20;
    /** Changed companies a pass holds back to hand them out whole (see Pass.held); beyond, it streams them. */
    static final int HOLD_LIMIT = 10_000;
    /** Consecutive 5xx or I/O failures opening a scroll before the pass gives up. */
    private static final int MAX_OPEN_FAILURES = 5;

    private final IntercomClient client;
    private final RecordFactory records;
    private final long pollIntervalMs;
    private final LongSupplier clock;
    private final ScrollSettings scroll;

    private volatile long watermark;
    private long nextPassAtMs;
    private Pass pass;
    private Map<String, Long> recentlyEmitted = new HashMap<>();

    /** Timing of the scroll; the defaults follow Intercom, tests shorten them. */
    public record ScrollSettings(long scrollExistsWaitMs, int scrollExistsAttempts, int maxRestarts,
                                 long queueStallMs) {
        public static ScrollSettings defaults() {
            // Another scroll (another app's, or ours from a worker that was killed) expires a minute
            // after its last use: look again every 10 s, for up to 3 minutes.
            return new ScrollSettings(10_000, 18, 5, 45_000);
        }
    }

    public CompaniesReader(IntercomClient client, RecordFactory records, Map<String, ?> offset, long since,
                           long pollIntervalMs, ScrollSettings scroll, LongSupplier clock) {
        this.client = client;
        this.records = records;
        this.pollIntervalMs = pollIntervalMs;
        this.scroll = scroll;
        this.clock = clock;
        this.watermark = CompaniesPosition.fromMap(offset, since).watermark();
    }

    @Override
    public Resource resource() {
        return Resource.COMPANIES;
    }

    @Override
    public long nextDueMs() {
        return pass != null ? 0L : nextPassAtMs;
    }

    @Override
    public long watermarkSeconds() {
        return watermark;
    }

    @Override
    public List<SourceRecord> poll(int maxRecords) {
        if (pass == null) {
            if (clock.getAsLong() < nextPassAtMs) {
                return List.of();
            }
            pass = new Pass();
        }
        return pass.drain(maxRecords);
    }

    @Override
    public void close() {
        if (pass != null) {
            pass.stop();
        }
    }

    private Map<String, Object> offset(long value) {
        return new CompaniesPosition(value).toMap();
    }

    private enum Outcome { COMPLETE, NOT_FOUND, LOST }

    /** One scroll over all companies, fetched ahead by a background thread. */
    private final class Pass {
        private final long startSeconds = clock.getAsLong() / 1000;
        private final long threshold = watermark;
        private final BlockingQueue<List<JsonNode>> pages = new ArrayBlockingQueue<>(QUEUE_PAGES);
        private final Set<String> handled = new HashSet<>();
        private boolean scrollExistsLogged;
        /** Ids the scroller has queued in this pass (its own thread's view, for telling progress). */
        private final Set<String> scrolledIds = new HashSet<>();
        private final Map<String, Long> emittedNearStart = new HashMap<>();
        private final Thread scroller;
        private volatile boolean finished;
        private volatile RuntimeException failure;
        private volatile boolean stopping;
        /**
         * The pass's changed companies, handed out together when the scroll ends: every record before the last
         * carries the old watermark, so a record handed out earlier would be sent again after a crash (and, on an
         * exactly-once worker, committed twice). Beyond {@link #HOLD_LIMIT} the pass streams instead.
         */
        private final Deque<RecordFactory.Group> held = new ArrayDeque<>();
        private boolean streaming;
        private long seen;
        private long emitted;

        Pass() {
            scroller = new Thread(LogContext.wrap((Runnable) this::scrollAll), "intercom-companies-scroll");
            scroller.setDaemon(true);
            scroller.start();
        }

        List<SourceRecord> drain(int maxRecords) {
            List<SourceRecord> out = new ArrayList<>();
            Map<String, ?> before = offset(threshold);
            boolean waited = false;
            while (out.size() < maxRecords) {
                List<JsonNode> page;
                try {
                    page = pages.poll(waited ? 0 : 500, TimeUnit.MILLISECONDS);
                    waited = true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ClientStoppedException();
                }
                if (page == null) {
                    break;
                }
                for (JsonNode company : page) {
                    RecordFactory.Group group = toGroup(company);
                    // Empty when the company was skipped as a bad object: the pass's last record must carry its end.
                    if (group != null && !group.isEmpty()) {
                        held.add(group);
                    }
                }
                if (!streaming && held.size() > HOLD_LIMIT) {
                    streaming = true;
                    log.warn("companies: more than {} companies changed in this pass; streaming them instead of "
                            + "holding the pass, so a crash before it ends sends its first companies again",
                            HOLD_LIMIT);
                }
                if (streaming) {
                    // All but the newest: the last record of the pass must be the one carrying the new watermark.
                    while (held.size() > 1) {
                        out.addAll(held.pollFirst().toRecords(before, before));
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            if (finished && pages.isEmpty()) {
                long newWatermark = Math.max(threshold, startSeconds - WATERMARK_MARGIN_SECONDS);
                while (!held.isEmpty()) {
                    RecordFactory.Group group = held.pollFirst();
                    out.addAll(group.toRecords(before, held.isEmpty() ? offset(newWatermark) : before));
                }
                watermark = newWatermark;
                recentlyEmitted = emittedNearStart;
                nextPassAtMs = clock.getAsLong() + pollIntervalMs;
                pass = null;
                log.info("companies: pass done, {} companies scrolled, {} emitted, watermark {}", seen, emitted,
                        newWatermark);
            }
            return out;
        }

        private RecordFactory.Group toGroup(JsonNode company) {
            String id = JsonPaths.text(company, "id");
            if (id == null || !handled.add(id)) {
                return null; // already handled in this pass, before the scroll restarted
            }
            seen++;
            long updatedAt = io.kcintercom.connect.table.Timestamps.epochSeconds(company.get("updated_at"));
            if (updatedAt <= threshold && threshold >= 0) {
                return null;
            }
            Long previous = recentlyEmitted.get(id);
            if (previous != null && previous == updatedAt) {
                return null; // emitted by the previous pass, unchanged since
            }
            if (updatedAt > startSeconds - WATERMARK_MARGIN_SECONDS) {
                emittedNearStart.put(id, updatedAt);
            }
            emitted++;
            return records.group(Resource.COMPANIES, "company " + id).add(Tables.COMPANIES, company);
        }

        private void scrollAll() {
            try {
                int fruitlessRestarts = 0;
                while (true) {
                    int before = scrolledIds.size();
                    Outcome outcome = scrollOnce();
                    if (outcome == Outcome.COMPLETE) {
                        break;
                    }
                    boolean progress = scrolledIds.size() > before;
                    if (!progress && outcome == Outcome.NOT_FOUND && before > 0) {
                        // Some deployments answer the end of a scroll with 404 instead of an empty page: a
                        // scroll restarted after a 404 that brings nothing new means the first one had ended.
                        log.info("companies: a restarted scroll found no company not seen before its 404; "
                                + "taking that 404 as the end of the scroll");
                        break;
                    }
                    fruitlessRestarts = progress ? 0 : fruitlessRestarts + 1;
                    if (fruitlessRestarts > scroll.maxRestarts()) {
                        throw new ConnectException("companies: the scroll was lost " + fruitlessRestarts
                                + " times in a row without progress; giving up this pass");
                    }
                }
                finished = true;
            } catch (ClientStoppedException e) {
                // Stopped mid-scroll: the pass is incomplete and must not end with a new watermark.
                failure = e;
                finished = true;
            } catch (RuntimeException e) {
                failure = e;
                finished = true;
            }
        }

        /** Scrolls to the end, or until the scroll is lost (404, 5xx, or Kafka too slow) and must start over. */
        private Outcome scrollOnce() {
            String param = null;
            while (!stopping) {
                JsonNode page;
                try {
                    page = param == null ? openScroll() : client.getWithoutRetry(
                            "/companies/scroll?scroll_param=" + SubLists.encode(param), "companies scroll page");
                } catch (IntercomApiException e) {
                    if (param != null && (e.isNotFound() || e instanceof IntercomTransientException)) {
                        log.info("companies: the scroll was lost ({}); starting it over, skipping the {} "
                                + "companies already read", e.getMessage(), scrolledIds.size());
                        return e.isNotFound() ? Outcome.NOT_FOUND : Outcome.LOST;
                    }
                    throw e;
                }
                List<JsonNode> data = new ArrayList<>();
                JsonPaths.items(page.get("data"), "companies").forEach(data::add);
                if (data.isEmpty()) {
                    return Outcome.COMPLETE;
                }
                String nextParam = JsonPaths.text(page, "scroll_param");
                if (!offer(data)) {
                    log.info("companies: Kafka is slower than the scroll's one-minute expiry; restarting it");
                    return Outcome.LOST;
                }
                data.forEach(company -> scrolledIds.add(JsonPaths.text(company, "id")));
                if (nextParam == null) {
                    return Outcome.COMPLETE;
                }
                param = nextParam;
            }
            throw new ClientStoppedException();
        }

        private JsonNode openScroll() {
            int waitsForOtherScroll = 0;
            int transientFailures = 0;
            while (true) {
                try {
                    return client.getWithoutRetry("/companies/scroll", "companies scroll start");
                } catch (IntercomTransientException e) {
                    if (++transientFailures > MAX_OPEN_FAILURES) {
                        throw new RetriesExhaustedException("companies: opening the scroll failed "
                                + transientFailures + " times in a row: " + e.getMessage(), e);
                    }
                    long backoff = client.backoffForAttempt(transientFailures);
                    log.warn("companies: opening the scroll failed ({}); retrying in {} ms", e.getMessage(), backoff);
                    client.sleeper().sleep(backoff);
                } catch (IntercomApiException e) {
                    boolean exists = "scroll_exists".equals(e.errorCode())
                            || (e.status() == 400 && String.valueOf(e.getMessage()).contains("scroll"));
                    if (!exists || ++waitsForOtherScroll > scroll.scrollExistsAttempts()) {
                        throw e;
                    }
                    if (!scrollExistsLogged) {
                        scrollExistsLogged = true;
                        log.info("companies: another scroll is open on this workspace (Intercom allows one at a "
                                + "time, across all apps); waiting for it to expire before scrolling");
                    }
                    client.sleeper().sleep(scroll.scrollExistsWaitMs());
                }
            }
        }

        private boolean offer(List<JsonNode> page) {
            try {
                return pages.offer(page, scroll.queueStallMs(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClientStoppedException();
            }
        }

        void stop() {
            stopping = true;
            scroller.interrupt();
        }
    }
}
