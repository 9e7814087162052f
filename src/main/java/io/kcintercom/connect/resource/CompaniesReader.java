package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.metrics.PassProgress;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Companies through the scroll API ({@code GET /companies/scroll}), the only way to read more than
 * 10,000 companies. The API has no updated_at filter and allows one open scroll per workspace, so
 * each pass scrolls everything and emits the companies updated after the watermark.
 *
 * <p>Three parts: {@link CompanyScroll} speaks the scroll protocol (scroll_exists, lost scrolls,
 * restarts without duplicates); {@link CompanyChanges} decides which companies changed and the
 * next watermark; {@link CompaniesPass} runs one scroll on a thread of its own, since a scroll
 * expires a minute after its last use and must not wait for Kafka. This reader schedules the
 * passes and turns their companies into records.
 *
 * <p>The changed companies of a pass are held ({@link HeldCompanies}, on the scroller's side, so
 * however long Kafka keeps this reader waiting the scroll reads on) and handed out together when
 * the scroll ends: every
 * record before the last carries the old watermark, so a record handed out earlier would be sent
 * again after a crash (and, on an exactly-once worker, committed twice). Beyond {@link #HOLD_LIMIT}
 * the pass streams them instead. The last record of a pass carries the new watermark, so a
 * restart resumes from it.
 */
public final class CompaniesReader implements ResourceReader {
    private static final Logger log = LoggerFactory.getLogger(CompaniesReader.class);
    /** How far below Intercom's time at a pass's start its watermark stays (see CompanyChanges). */
    static final long WATERMARK_MARGIN_SECONDS = 60;
    /** Changed companies a pass holds back to hand them out whole; beyond, it streams them. */
    static final int HOLD_LIMIT = 10_000;
    /**
     * The longest a poll waits for the pass when nothing is ready. The task's other readers wait
     * meanwhile (the reader loop takes them in turns), so it is short, above all while the pass
     * waits minutes for a scroll another client holds; a lone pass still does not spin.
     */
    static final long PASS_WAIT_MS = 50;

    private final IntercomClient client;
    private final RecordFactory records;
    private final long pollIntervalMs;
    private final LongSupplier clock;
    private final ScrollSettings scroll;
    private final CompanyScroll.Counters scrollCounters = new CompanyScroll.Counters();

    private volatile long watermark;
    private long nextPassAtMs;
    private Pass pass;
    private Map<String, Long> recentlyEmitted = new HashMap<>();
    /** The resource's pass progress once the worker gives it; until then one of its own. */
    private PassProgress progress;

    /**
     * Timing of the scroll; the defaults follow Intercom, tests shorten them.
     *
     * @param scrollExistsWaitMs   the wait before asking again for a scroll another client holds
     * @param scrollExistsAttempts attempts while another client holds the scroll before one WARN (it keeps waiting)
     * @param maxRestarts          scrolls lost in a row without a new company before the restarts back off
     * @param idleLimitMs          the longest a scroll may go unused and still be taken for alive, below
     *                             Intercom's one-minute expiry: a 404 after a longer pause is an expiry
     */
    public record ScrollSettings(long scrollExistsWaitMs, int scrollExistsAttempts, int maxRestarts,
                                 long idleLimitMs) {
        public static ScrollSettings defaults() {
            // Another scroll (another app's, or ours from a worker that was killed) expires a minute
            // after its last use: look again every 10 s, and warn after 3 minutes.
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
        this.progress = new PassProgress(clock);
    }

    private Map<String, Object> offset(long value) {
        return new CompaniesPosition(value).toMap();
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

    /** Lost scrolls started over, and answers that another client held the scroll; since the task started. */
    @Override
    public boolean waitingForScrollLock() {
        return pass != null && scrollCounters.waitingForLock;
    }

    /** A scroll's answers carry no total (total_count is null): a pass reports the companies scrolled. */
    @Override
    public void reportProgressTo(PassProgress progress) {
        this.progress = progress;
    }

    @Override
    public Map<String, LongSupplier> counters() {
        return Map.of("scroll-restarts", scrollCounters.restarts::get,
                "scroll-lock-waits", scrollCounters.lockWaits::get);
    }

    @Override
    public List<SourceRecord> poll(int maxRecords) {
        if (pass == null) {
            if (clock.getAsLong() < nextPassAtMs) {
                return List.of();
            }
            CompanyChanges changes = new CompanyChanges(watermark, clock.getAsLong(), recentlyEmitted);
            pass = new Pass(new CompaniesPass(new CompanyScroll(client, scroll, scrollCounters), changes, HOLD_LIMIT));
            progress.started();
        }
        return pass.drain(maxRecords);
    }

    @Override
    public void close() {
        if (pass != null) {
            pass.scrolling.stop();
        }
    }

    /** The records of a running pass: a group per company, the last one carrying the new watermark. */
    private final class Pass {
        private final CompaniesPass scrolling;
        private final Map<String, ?> before = offset(watermark);
        private boolean streamingLogged;
        private long emitted;

        Pass(CompaniesPass scrolling) {
            this.scrolling = scrolling;
        }

        List<SourceRecord> drain(int maxRecords) {
            CompaniesPass.Taken taken = scrolling.take(maxRecords, PASS_WAIT_MS);
            progress.readSoFar(scrolling.companiesSeen());
            if (!streamingLogged && scrolling.streaming()) {
                streamingLogged = true;
                log.warn("companies: more than {} companies changed in this pass; streaming them instead of "
                        + "holding the pass, so a crash before it ends sends its first companies again", HOLD_LIMIT);
            }
            List<SourceRecord> out = new ArrayList<>();
            long newWatermark = taken.last()
                    ? scrolling.changes().nextWatermark(clock.getAsLong(), scrolling.openedAtServerMs()) : watermark;
            List<RecordFactory.Group> groups = new ArrayList<>();
            for (JsonNode company : taken.companies()) {
                RecordFactory.Group group = toGroup(company);
                // Empty when the company was skipped as a bad object: the pass's last record must carry its end.
                if (!group.isEmpty()) {
                    groups.add(group);
                }
            }
            for (int i = 0; i < groups.size(); i++) {
                boolean lastOfPass = taken.last() && i == groups.size() - 1;
                out.addAll(groups.get(i).toRecords(before, lastOfPass ? offset(newWatermark) : before));
            }
            if (taken.last()) {
                watermark = newWatermark;
                recentlyEmitted = scrolling.changes().emittedAbove(newWatermark);
                nextPassAtMs = clock.getAsLong() + pollIntervalMs;
                pass = null;
                progress.ended();
                log.info("companies: pass done, {} companies scrolled, {} emitted, watermark {}",
                        scrolling.companiesSeen(), emitted, newWatermark);
            }
            return out;
        }

        private RecordFactory.Group toGroup(JsonNode company) {
            emitted++;
            String id = JsonPaths.text(company, "id");
            // A parent without child rows: stored so a sweep can tell which companies vanished.
            return records.group(Resource.COMPANIES, "company " + id).add(Tables.COMPANIES, company)
                    .parent(Tables.COMPANIES, id).covering(List.of());
        }
    }
}
