package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.metrics.PassProgress;
import io.kcintercom.connect.table.JsonPaths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incremental reader over one of Intercom's search endpoints ({@code POST /contacts/search},
 * {@code POST /conversations/search}): schedules the passes and wires their parts together, the
 * way kafka-connect-jdbc's querier wires its criteria and offset.
 * <ul>
 *   <li>{@link SearchQuery}: the request of a page and what its answer holds;</li>
 *   <li>{@link SearchPass}: one pass, from the position up to now minus {@code search.delay.ms},
 *       handing out whole seconds of objects in (updated_at, id) order;</li>
 *   <li>{@link NewestFirstPass}: on contact search, a pass that reads only what changed since the
 *       position, newest first, and hands it out in the same order;</li>
 *   <li>{@link SearchPosition}: where reading has got to, the offset of each record;</li>
 *   <li>{@link SearchPages}: fetches the pages, the next one ahead on its own thread;</li>
 *   <li>{@link PagePipeline}: pages whose follow-ups run, emitted in page order.</li>
 * </ul>
 * A pass that ends waits before the next one starts from the position: {@code poll.interval.ms},
 * longer after passes that emitted nothing ({@link PassSchedule}).
 *
 * <p>Contact search before API 2.17 matches whole days, so a pass from the position answers its
 * whole day (from 2.17, only from the position's second): the next pass reads newest first and
 * stops where the position is, on every version, unless nothing was emitted yet (the first sync
 * streams oldest first) or a pass is to be resumed at its cursor.
 *
 * <p>Between passes the reader reconciles ({@link SweepSchedule}, issue 16): the reconciliation
 * sweep once the first full sync has caught up and then every {@code intercom.reconcile.interval.ms}
 * ({@link SearchSweep}), and on conversations the deleted listing after each pass. They run one
 * step (one request) per poll; when a pass falls due while a sweep runs, the pass runs first and
 * the sweep continues after it, so changes keep flowing during a sweep of millions of ids. Their
 * records carry the position as it stands, with the sweep's state in it. Users and leads then
 * backfill their event summaries the same way, after any sweep ({@link EventSummaryBackfill}).
 */
public final class SearchReader implements ResourceReader {
    private static final Logger log = LoggerFactory.getLogger(SearchReader.class);

    private final Resource resource;
    private GroupBuilder groupBuilder;
    private final SearchQuery query;
    private final SearchPages pages;
    private final PagePipeline pipeline;
    private final long pollIntervalMs;
    private final long searchDelayMs;
    private final LongSupplier clock;
    private final String path;
    private final IntercomClient client;

    /** Where reading has got to: past every object whose follow-ups have been started. */
    private volatile SearchPosition position;
    /** The pass being read, or null between passes. */
    private Pass pass;
    private long nextPassAtMs;
    /** The wait after each pass: poll.interval.ms, longer after passes that emitted nothing. */
    private PassSchedule schedule;
    /** Whether passes may read newest first: contact search, until the API is seen to ignore the sort. */
    private boolean newestFirst;
    /** The resource's pass progress once the worker gives it; until then one of its own. */
    private PassProgress progress;
    /** The sweeps and deleted listings run between passes; none until {@link #sweeping} is called. */
    private SweepSchedule sweeps;

    /**
     * @param baseFilter a query clause ANDed with the updated_at condition (e.g. the role), or null
     */
    public SearchReader(Resource resource, IntercomClient client, String path, String itemsKey,
                        JsonNode baseFilter, GroupBuilder groupBuilder, SearchPosition start,
                        long pollIntervalMs, long searchDelayMs, LongSupplier clock) {
        this.resource = resource;
        this.groupBuilder = groupBuilder;
        this.query = new SearchQuery(resource.id(), itemsKey, baseFilter);
        this.pages = new SearchPages(resource, client, path, query);
        this.pipeline = new PagePipeline(start.updatedAt());
        this.position = start;
        this.pollIntervalMs = pollIntervalMs;
        this.schedule = PassSchedule.fixed(pollIntervalMs);
        this.searchDelayMs = searchDelayMs;
        this.clock = clock;
        this.newestFirst = resource == Resource.USERS || resource == Resource.LEADS;
        this.progress = new PassProgress(clock);
        this.path = path;
        this.client = client;
        this.sweeps = SweepSchedule.none(resource, start);
    }

    /**
     * Reconciles between passes against the records' store of emitted keys ({@link SweepSchedule}).
     *
     * @param reconciliation the intervals and the size from which sweeps are gated by counts
     * @param apiVersion {@code intercom.api.version}: conversations read the deleted listing from 2.16
     */
    public SearchReader sweeping(RecordFactory records, Reconciliation reconciliation, String apiVersion) {
        this.sweeps = SweepSchedule.of(resource, client, path, query, records, groupBuilder, reconciliation,
                apiVersion, position);
        if (groupBuilder instanceof ContactGroups contacts) {
            // Event summaries come from the backfill the schedule runs after the first sync (issue 17).
            this.groupBuilder = contacts.withEventSummariesWhen(() -> sweeps.eventSummariesBackfilled());
        }
        return this;
    }

    /** Spaces out passes that emit nothing, up to {@code maxIntervalMs} ({@link PassSchedule}). */
    public SearchReader idlePassesUpTo(long maxIntervalMs) {
        this.schedule = new PassSchedule(pollIntervalMs, maxIntervalMs);
        return this;
    }

    @Override
    public Resource resource() {
        return resource;
    }

    public SearchPosition position() {
        return position;
    }

    @Override
    public long watermarkSeconds() {
        return pipeline.emittedUpdatedAt();
    }

    @Override
    public void reportProgressTo(PassProgress progress) {
        this.progress = progress;
    }

    @Override
    public Map<String, LongSupplier> counters() {
        Map<String, LongSupplier> counters = new java.util.HashMap<>(groupBuilder.counters());
        counters.putAll(sweeps.counters());
        return counters;
    }

    @Override
    public long nextDueMs() {
        return !pipeline.hasReady() && !pipeline.hasPagesInProgress() && pass == null
                ? Math.min(nextPassAtMs, sweeps.nextDueMs()) : 0L;
    }

    @Override
    public List<SourceRecord> poll(int maxRecords) {
        if (!pipeline.hasReady()) {
            advance();
        }
        return pipeline.take(maxRecords);
    }

    @Override
    public void close() {
        // A replaced reader's follow-ups would keep spending the rate limit for results no one reads.
        pipeline.cancelAll();
        pages.close();
    }

    /**
     * One step: read the next page unless enough pages are in progress or the pass is over, then
     * emit the oldest page in progress if it is due.
     */
    private void advance() {
        if (!pipeline.oldestIsDue(pass != null)) {
            if (pass == null && !pipeline.hasPagesInProgress()) {
                long now = clock.getAsLong();
                if (now < nextPassAtMs) {
                    if (sweeps.hasWork(now)) {
                        sweepStep(now);
                    }
                    return;
                }
                startPass();
            }
            if (pass != null) {
                step();
            }
        }
        if (pipeline.oldestIsDue(pass != null)) {
            pipeline.emitOldest();
        }
    }

    private void startPass() {
        long cutoff = (clock.getAsLong() - searchDelayMs) / 1000;
        if (newestFirst && position.cursor() == null && !position.id().isEmpty()) {
            pass = new NewestFirstPass(position, cutoff);
            progress.started();
            log.debug("{}: starting a newest-first pass down to {}", resource.id(), position);
            return;
        }
        pass = SearchPass.from(position, cutoff);
        if (pass.cursor() != null) {
            progress.resumed();
            log.info("{}: resuming the interrupted pass from {} at its stored cursor", resource.id(), position);
        } else {
            progress.started();
            log.debug("{}: starting a pass from {}", resource.id(), position);
        }
    }

    /**
     * Reads the pass's next page (or takes objects it read earlier), starts the follow-ups of the
     * objects it completes and moves the position past them; their records are emitted once the
     * follow-ups are done.
     */
    private void step() {
        SearchPass.Completed completed = pass.needsPage() ? readPage() : pass.handOut(position);
        if (completed == null) {
            return;
        }
        if (!completed.objects().isEmpty()) {
            completed.objects().forEach(object -> sweeps.seen(JsonPaths.text(object, "id")));
            pipeline.add(groupBuilder.start(completed.objects()), stamped(completed.positions()));
            position = stamped(completed.last());
        }
        if (pass instanceof NewestFirstPass newest && newest.gaveUp() != null) {
            oldestFirstInstead(newest);
        } else if (pass.ended()) {
            endPass();
        } else if (pass.needsPage()) {
            pages.prefetch(pass.passFrom(), pass.newestFirst(), pass.cursor(), context(pass.cursor()));
        }
    }

    /** Reads the pass's next page; null when its cursor was rejected and the pass starts over. */
    private SearchPass.Completed readPage() {
        String cursor = pass.cursor();
        JsonNode answer;
        try {
            answer = pages.fetch(pass.passFrom(), pass.newestFirst(), cursor, context(cursor));
        } catch (IntercomApiException e) {
            if (!pass.isCursorRejection(e)) {
                throw e;
            }
            log.warn("{}: the search cursor was rejected ({}); restarting the pass from {}",
                    resource.id(), e.getMessage(), position);
            pass.restartFrom(position);
            progress.started();
            return null;
        }
        if (cursor == null && !pass.newestFirst()) {
            // The total of the pass's query: every object from its start (on day-granular contact
            // search, its start's whole day), all of which the pass's pages hold.
            progress.expect(SearchQuery.totalCount(answer));
        }
        SearchQuery.Page page = query.read(answer, cursor, context(cursor));
        progress.read(page.hits().size() + page.unusable().size());
        skipUnusable(page.unusable(), context(cursor));
        return pass.accept(page, position);
    }

    /** A newest-first pass that gave up before handing anything out: this pass reads oldest first. */
    private void oldestFirstInstead(NewestFirstPass newest) {
        if (newest.gaveUp() == NewestFirstPass.GaveUp.NOT_SORTED) {
            newestFirst = false;
            log.info("{}: the search answered a newest-first request unsorted; passes read oldest first from now on",
                    resource.id());
        } else {
            log.info("{}: more than {} pages changed since {}; this pass reads oldest first", resource.id(),
                    NewestFirstPass.MAX_PAGES, position);
        }
        pass = SearchPass.from(position, (clock.getAsLong() - searchDelayMs) / 1000);
        progress.started();
    }

    /**
     * Objects without a usable id or updated_at have no place in the order, so the position stays
     * where it is; their errors-topic records (if any) carry it, ahead of the page's other objects.
     */
    private void skipUnusable(List<SearchQuery.Unusable> unusable, String context) {
        if (unusable.isEmpty()) {
            return;
        }
        List<RecordFactory.Group> groups = new ArrayList<>(unusable.size());
        unusable.forEach(object -> groups.add(groupBuilder.unusable(object, context)));
        pipeline.add(PendingGroups.ready(groups), Collections.nCopies(groups.size() + 1, position));
    }

    private void endPass() {
        nextPassAtMs = clock.getAsLong() + schedule.waitAfterPass(pass.objects() > 0);
        // Once caught up, a later restart starts a fresh pass from the position, not the old cursor.
        position = stamped(new SearchPosition(position.updatedAt(), position.id(), position.updatedAt(), null));
        log.info("{}: pass done, {} page(s), {} object(s) read, position {}", resource.id(), pass.pages(),
                pass.objects(), position);
        pass = null;
        progress.ended();
        sweeps.passEnded();
    }

    /** One step of a sweep, deleted listing or backfill: its groups are emitted at the position as it stands. */
    private void sweepStep(long now) {
        SweepSchedule.Step step = sweeps.step(now, position);
        position = step.positions().get(step.positions().size() - 1);
        if (!step.groups().isEmpty()) {
            pipeline.add(PendingGroups.ready(step.groups()), step.positions());
            pipeline.emitOldest();
        }
    }

    /** The position with the sweep's and the backfill's state, which the positions a pass makes do not know. */
    private SearchPosition stamped(SearchPosition at) {
        return sweeps.stamp(at);
    }

    private List<SearchPosition> stamped(List<SearchPosition> positions) {
        List<SearchPosition> result = new ArrayList<>(positions.size());
        positions.forEach(at -> result.add(stamped(at)));
        return result;
    }

    /** Where the pass stands, for messages: ids and positions only. */
    private String context(String cursor) {
        return resource.id() + " pass from " + pass.passFrom() + ", position " + position
                + (cursor == null ? ", first page" : ", cursor " + cursor);
    }

    /** A clause of a search query, e.g. the role filter of the contacts readers. */
    static ObjectNode condition(String field, String operator, String value) {
        return SearchQuery.condition(field, operator, value);
    }
}
