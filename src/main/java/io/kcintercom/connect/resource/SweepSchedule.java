package io.kcintercom.connect.resource;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a search resource reconciles, and what it has done: the work {@link SearchReader} runs
 * between its passes, one step (one request) per poll.
 * <ul>
 *   <li>the reconciliation sweep ({@link SearchSweep}): due once the first pass of this reader
 *       has caught up and {@code intercom.reconcile.interval.ms} has passed since the last completed
 *       sweep, which the resource's offset keeps ({@link SearchPosition#sweptAt()}), so the first
 *       full sync is swept at its end and a restart does not sweep again at once; a sweep lists in
 *       full at most {@code intercom.reconcile.full.interval.ms} after the last full one, and is
 *       gated by counts in between ({@link SweepCadence});</li>
 *   <li>conversations on API 2.16 and later: after every pass, Intercom's deleted conversations
 *       listing down to the watermark the offset keeps ({@link DeletedConversationsSweep}).</li>
 * </ul>
 * Both retract through the store of emitted keys: without it ({@link EmittedKeys#enabled()} false)
 * there is nothing to compare the listing with, so only the segment membership part of a users or
 * leads sweep runs (it upserts what it lists and retracts nothing), which is logged at INFO. With
 * sweeps disabled (interval 0) that part still runs once, at the end of the first sync: segment
 * membership has no other source.
 *
 * <p>Users and leads with {@code events_summary} enabled have a second kind of work, of lower
 * priority: the {@link EventSummaryBackfill}, which reads every contact's event summary once after
 * the first sync of the reader has caught up (a due pass, a running sweep and the deleted listing
 * go first). Its progress is in the resource's offset ({@link SearchPosition#events()}), so a
 * restart goes on where it was; until it is done the passes' groups read no summaries
 * ({@link #eventSummariesBackfilled()}), and a sweep's full groups never do; after it, each contact
 * sweep reads the summaries of the contacts active since the previous sweep ({@link #refreshesSummaries}):
 * those it lists, or, when its count gate stops the listing, those a search on activity finds.
 */
final class SweepSchedule {
    private static final Logger log = LoggerFactory.getLogger(SweepSchedule.class);
    /** The backfill's progress is logged at most this often, like a pass's ({@code PassProgress}). */
    private static final long PROGRESS_LINE_INTERVAL_MS = 60_000;

    private final Resource resource;
    private final boolean storeEnabled;
    /** A new sweep, or null when the resource has nothing to sweep. */
    private final NewSweep newSweep;
    private final SweepCadence cadence;
    /** The deleted listing from a watermark, or null when the resource or the API version has none. */
    private final LongFunction<DeletedConversationsSweep> newDeletedListing;
    private final AtomicLong sweeps = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retractions;
    /** A backfill from a progress, or null when the resource has no event summaries to read. */
    private final EventSummaryBackfill.Factory newBackfill;
    private final AtomicLong backfillDone = new AtomicLong();
    private final AtomicLong backfillExpected = new AtomicLong(-1);

    /** The sweep or listing running, or null. */
    private SweepStep running;
    private long deletedThrough;
    /** Whether a pass of this reader has caught up: no sweep runs before (the first sync comes first). */
    private boolean caughtUp;
    private boolean deletedListingDue;
    /** When the backfill's next progress line is due (epoch ms). */
    private long nextBackfillLineMs;
    /** The event summary backfill running, or null. */
    private EventSummaryBackfill backfill;
    private SearchPosition.EventsBackfill events;
    /** The resource's scope (intercom.since when it started), which every position it emits carries. */
    private final long since;

    /** What a step emits: its groups, and the position before, between and after them ({@link PagePipeline#add}). */
    record Step(List<RecordFactory.Group> groups, List<SearchPosition> positions) {
    }

    /** Makes a sweep that lists everything ({@code full}) or is gated by counts. */
    private interface NewSweep {
        SweepStep create(boolean full);
    }

    private SweepSchedule(Resource resource, SweepCadence cadence, boolean storeEnabled,
                          NewSweep newSweep, LongFunction<DeletedConversationsSweep> newDeletedListing,
                          EventSummaryBackfill.Factory newBackfill,
                          AtomicLong retractions, SearchPosition start) {
        this.resource = resource;
        this.cadence = cadence;
        this.storeEnabled = storeEnabled;
        this.newSweep = newSweep;
        this.newDeletedListing = newDeletedListing;
        this.retractions = retractions;
        this.deletedThrough = start.deletedThrough();
        this.newBackfill = newBackfill;
        this.events = start.events();
        this.since = start.since();
    }

    /** A schedule that never runs anything, keeping the position's reconciliation state as it is. */
    static SweepSchedule none(Resource resource, SearchPosition start) {
        return new SweepSchedule(resource, new SweepCadence(0L, 0L, false, start), false, null, null, null,
                new AtomicLong(), start);
    }

    /**
     * The schedule of a search reader.
     *
     * @param reconciliation the intervals (an interval of 0 disables sweeps, not the deleted listing)
     * @param apiVersion {@code intercom.api.version}: the deleted listing needs 2.16
     */
    static SweepSchedule of(Resource resource, IntercomClient client, String path, SearchQuery query,
                            RecordFactory records, GroupBuilder fullGroups, Reconciliation reconciliation,
                            String apiVersion, SearchPosition start) {
        long intervalMs = reconciliation.intervalMs();
        EmittedKeys keys = records.emitted();
        AtomicLong retractions = new AtomicLong();
        // Users and leads end their sweep with segment membership, read per segment (issue 17).
        // A reader whose offset has no completed sweep (a new connector, offsets reset through the
        // REST API, another workspace, also when restarted in the middle of that first sync)
        // re-sends every membership in its first sweep, as its passes re-send every contact: a
        // re-sync must not depend on what the state topic remembers. Re-sending what the topics
        // already hold costs upserts only; missing it would leave memberships out until they change.
        AtomicBoolean resendMemberships = new AtomicBoolean(start.sweptAt() == 0);
        boolean readsSegments = resource != Resource.CONVERSATIONS
                && records.enabled(RoleTables.of(resource).segments());
        // What the store never holds, counted by full listings for the gated ones: in memory only.
        NeverStored neverStored = NeverStored.assumingNone();
        NewSweep segments = !readsSegments ? full -> null
                : full -> new SegmentSweep(resource, client, records, keys, resendMemberships.getAndSet(false),
                        full ? SegmentSweep.NEVER_GATED : reconciliation.gateMinObjects(), neverStored)
                        .from(start.since());
        // A sweep's full groups (objects the store does not know) read no event summaries: the
        // backfill, or afterwards the contact's next change, does (issue 17).
        GroupBuilder sweepGroups = fullGroups instanceof ContactGroups contacts
                ? contacts.withEventSummariesWhen(() -> false) : fullGroups;
        NewSweep newSweep = full -> {
            SearchSweep sweep = new SearchSweep(resource, client, path, query, records, sweepGroups,
                    segments.create(full), retractions).from(start.since());
            sweep.learningInto(neverStored);
            return full ? sweep : sweep.countGated(reconciliation.gateMinObjects());
        };
        if (intervalMs == 0) {
            // No reconciliation; segment membership, which only a segment sweep reads, is still built
            // once at the end of the first sync (sweptAt then says it was).
            newSweep = readsSegments ? segments : null;
        } else if (!keys.enabled()) {
            newSweep = readsSegments ? segments : null;
            if (intervalMs > 0) {
                log.info("{}: the reconciliation sweep {}: the store of emitted keys is not available (see "
                        + "state.kafka.bootstrap.servers), so there is nothing to compare the listing with",
                        resource.id(), newSweep == null ? "does not run" : "reads segment membership only");
            }
        }
        LongFunction<DeletedConversationsSweep> deleted = resource == Resource.CONVERSATIONS
                ? DeletedConversationsSweep.listings(apiVersion, client, records, retractions) : null;
        EventSummaryBackfill.Factory backfill = fullGroups instanceof ContactGroups contacts
                && records.enabled(Tables.EVENTS_SUMMARY)
                ? new EventSummaryBackfill.Factory(resource, client, path, query, records, contacts) : null;
        // Contacts updated before the resource's scope are not the connector's: their summaries are not read either.
        SearchPosition begin = start.events().equals(SearchPosition.EventsBackfill.NOT_STARTED) && start.since() > 0
                ? start.withEvents(new SearchPosition.EventsBackfill(start.since(), "", 0L)) : start;
        return new SweepSchedule(resource, new SweepCadence(intervalMs, reconciliation.fullIntervalMs(),
                reconciliation.firstSync(), begin), keys.enabled(), newSweep, deleted, backfill, retractions, begin);
    }

    /** Metrics: sweeps completed, their requests, and the parents and links they retracted. */
    Map<String, LongSupplier> counters() {
        Map<String, LongSupplier> counters = new HashMap<>(Map.of("sweeps", sweeps::get,
                "sweep-requests", requests::get, "sweep-retractions", retractions::get));
        if (newBackfill != null) {
            // A counter, carried over restarts of the resource like the others; how many remain is
            // in the progress line the backfill logs (counters are summed across restarts, a total is not).
            counters.put("events-backfill-contacts", backfillDone::get);
        }
        return counters;
    }

    /** Whether contact groups read event summaries now: there are none to read, or the backfill is done. */
    boolean eventSummariesBackfilled() {
        return newBackfill == null || events.done();
    }

    /** The position with the reconciliation's and the backfill's state, which the positions a pass makes lack. */
    SearchPosition stamp(SearchPosition at) {
        return at.withReconciliation(cadence.sweptAt(), cadence.fullSweptAt(), deletedThrough, since)
                .withEvents(events);
    }

    long deletedThrough() {
        return deletedThrough;
    }

    /** A pass has ended, caught up: sweeps may start, and the deleted listing is read again. */
    void passEnded() {
        caughtUp = true;
        deletedListingDue = storeEnabled && newDeletedListing != null;
    }

    /** An object a pass emitted: a sweep in progress counts it as seen. */
    void seen(String id) {
        if (running instanceof SearchSweep sweep) {
            sweep.seen(id);
        }
    }

    /** When work is next due (epoch ms): 0 while some runs, {@link Long#MAX_VALUE} when none ever will. */
    long nextDueMs() {
        if (running != null || deletedListingDue || backfillDue()) {
            return 0L;
        }
        return sweepsOn() && caughtUp ? cadence.nextDueMs() : Long.MAX_VALUE;
    }

    boolean hasWork(long nowMs) {
        return nextDueMs() <= nowMs;
    }

    /**
     * Runs one step of the work due, starting it if none runs: a sweep or deleted listing first, the
     * event summary backfill when neither is due; its groups to emit, at positions from {@code at}.
     */
    Step step(long nowMs, SearchPosition at) {
        if (running == null) {
            if (deletedListingDue) {
                deletedListingDue = false;
                running = newDeletedListing.apply(deletedThrough);
            } else if (sweepsOn() && caughtUp && nowMs >= cadence.nextDueMs()) {
                boolean full = cadence.fullDue(nowMs);
                log.info("{}: reconciliation sweep started, {}", resource.id(), cadence.reason(nowMs));
                cadence.started(full);
                running = newSweep.create(full);
                refreshesSummaries(running);
            } else if (backfillDue()) {
                return backfillStep(nowMs, at);
            } else {
                return new Step(List.of(), List.of(stamp(at)));
            }
        }
        long before = running.requests();
        List<RecordFactory.Group> groups = running.step();
        requestsOf(running, running.requests() - before);
        if (running.done()) {
            finished(nowMs);
        }
        return new Step(groups, Collections.nCopies(groups.size() + 1, stamp(at)));
    }

    /**
     * Once the backfill is done, a contact sweep also reads the summaries of the contacts it lists
     * whose activity ({@code last_seen_at}, {@code last_request_at}) is after the previous sweep:
     * a summary changes with activity, which does not always move {@code updated_at} (issue 17).
     * A gated sweep whose listing stops at its first page finds them with a search on
     * {@code last_seen_at} instead ({@link ActiveContactsSearch}).
     */
    private void refreshesSummaries(SweepStep sweep) {
        long since = cadence.sweptAt();
        if (sweep instanceof SearchSweep contacts && newBackfill != null && events.done() && since > 0) {
            contacts.withPageGroups(listed -> newBackfill.activeSince(listed, since, requests))
                    .whenGated(newBackfill.activeSearch(since, requests));
        }
    }

    private boolean backfillDue() {
        return newBackfill != null && caughtUp && !events.done();
    }

    /** One page of the backfill: each group's records carry the progress it completes. */
    private Step backfillStep(long nowMs, SearchPosition at) {
        if (backfill == null) {
            log.info("{}: event summary backfill {}", resource.id(),
                    events.from() == 0 && events.fromId().isEmpty() ? "started" : "resumed after " + events.from());
            backfill = newBackfill.create(events, backfillDone, backfillExpected);
        }
        List<SearchPosition> positions = new ArrayList<>();
        positions.add(stamp(at));
        List<RecordFactory.Group> groups = backfill.step();
        backfill.marks().forEach(mark -> positions.add(stamp(at).withEvents(mark)));
        events = backfill.reached();
        if (nowMs >= nextBackfillLineMs && !backfill.done()) {
            nextBackfillLineMs = nowMs + PROGRESS_LINE_INTERVAL_MS;
            long expected = backfillExpected.get();
            log.info("{}: event summary backfill: {} of {} contact(s) read", resource.id(), backfillDone.get(),
                    expected < 0 ? "an unknown number of" : "about " + expected);
        }
        if (backfill.done()) {
            events = new SearchPosition.EventsBackfill(events.from(), events.fromId(), Math.max(1, nowMs / 1000));
            log.info("{}: event summary backfill done: {} request(s), {} contact(s)", resource.id(),
                    backfill.requests(), backfillDone.get());
            backfill = null;
        }
        positions.set(positions.size() - 1, stamp(at));
        return new Step(groups, positions);
    }

    private void requestsOf(SweepStep step, long count) {
        if (!(step instanceof DeletedConversationsSweep)) {
            requests.addAndGet(count);
        }
    }

    private void finished(long nowMs) {
        if (running instanceof DeletedConversationsSweep listing) {
            deletedThrough = listing.watermark();
        } else {
            cadence.completed(nowMs);
            sweeps.incrementAndGet();
            log.info("{}: reconciliation sweep done: {} request(s), {} retraction(s) so far", resource.id(),
                    running.requests(), retractions.get());
        }
        running = null;
    }

    private boolean sweepsOn() {
        return newSweep != null && cadence.sweepsOn();
    }
}
