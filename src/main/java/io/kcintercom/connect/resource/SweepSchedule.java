package io.kcintercom.connect.resource;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a search resource reconciles, and what it has done: the work {@link SearchReader} runs
 * between its passes, one step (one request) per poll.
 * <ul>
 *   <li>the reconciliation sweep ({@link SearchSweep}): due once the first pass of this reader
 *       has caught up and {@code intercom.reconcile.interval.ms} has passed since the last completed
 *       sweep, which the resource's offset keeps ({@link SearchPosition#sweptAt()}), so the first
 *       full sync is swept at its end and a restart does not sweep again at once;</li>
 *   <li>conversations on API 2.16 and later: after every pass, Intercom's deleted conversations
 *       listing down to the watermark the offset keeps ({@link DeletedConversationsSweep}).</li>
 * </ul>
 * Both retract through the store of emitted keys: without it ({@link EmittedKeys#enabled()} false)
 * there is nothing to compare the listing with, so only the segment membership part of a users or
 * leads sweep runs (it upserts what it lists and retracts nothing), which is logged at INFO. With
 * sweeps disabled (interval 0) that part still runs once, at the end of the first sync: segment
 * membership has no other source.
 */
final class SweepSchedule {
    private static final Logger log = LoggerFactory.getLogger(SweepSchedule.class);

    private final Resource resource;
    private final long intervalMs;
    private final boolean storeEnabled;
    /** A new sweep, or null when the resource has nothing to sweep. */
    private final Supplier<SweepStep> newSweep;
    /** The deleted listing from a watermark, or null when the resource or the API version has none. */
    private final LongFunction<DeletedConversationsSweep> newDeletedListing;
    private final AtomicLong sweeps = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retractions;

    /** The sweep or listing running, or null. */
    private SweepStep running;
    private long sweptAt;
    private long deletedThrough;
    /** Whether a pass of this reader has caught up: no sweep runs before (the first sync comes first). */
    private boolean caughtUp;
    private boolean deletedListingDue;

    private SweepSchedule(Resource resource, long intervalMs, boolean storeEnabled, Supplier<SweepStep> newSweep,
                          LongFunction<DeletedConversationsSweep> newDeletedListing,
                          AtomicLong retractions, SearchPosition start) {
        this.resource = resource;
        this.intervalMs = intervalMs;
        this.storeEnabled = storeEnabled;
        this.newSweep = newSweep;
        this.newDeletedListing = newDeletedListing;
        this.retractions = retractions;
        this.sweptAt = start.sweptAt();
        this.deletedThrough = start.deletedThrough();
    }

    /** A schedule that never runs anything, keeping the position's reconciliation state as it is. */
    static SweepSchedule none(Resource resource, SearchPosition start) {
        return new SweepSchedule(resource, 0L, false, null, null, new AtomicLong(), start);
    }

    /**
     * The schedule of a search reader.
     *
     * @param intervalMs {@code intercom.reconcile.interval.ms}; 0 disables sweeps (not the deleted listing)
     * @param apiVersion {@code intercom.api.version}: the deleted listing needs 2.16
     */
    static SweepSchedule of(Resource resource, IntercomClient client, String path, SearchQuery query,
                            RecordFactory records, GroupBuilder fullGroups, long intervalMs, String apiVersion,
                            SearchPosition start) {
        EmittedKeys keys = records.emitted();
        AtomicLong retractions = new AtomicLong();
        // Users and leads end their sweep with segment membership, read per segment (issue 17).
        // A reader starting from no position (a new connector, offsets reset through the REST API,
        // another workspace) re-sends every membership in its first sweep, as its passes re-send
        // every contact: a re-sync must not depend on what the state topic remembers. A stored
        // position without swept_at (its last sweep emitted nothing after it) sweeps for changes only.
        AtomicBoolean resendMemberships = new AtomicBoolean(start.id().isEmpty() && start.sweptAt() == 0);
        boolean readsSegments = resource != Resource.CONVERSATIONS
                && records.enabled(RoleTables.of(resource).segments());
        Supplier<SweepStep> segments = !readsSegments ? () -> null
                : () -> new SegmentSweep(resource, client, records, keys, resendMemberships.getAndSet(false));
        Supplier<SweepStep> newSweep = () -> new SearchSweep(resource, client, path, query, records, fullGroups,
                segments.get(), retractions);
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
        LongFunction<DeletedConversationsSweep> deleted =
                resource == Resource.CONVERSATIONS && DeletedConversationsSweep.available(apiVersion)
                        ? watermark -> new DeletedConversationsSweep(client, records, watermark, retractions)
                        : null;
        return new SweepSchedule(resource, intervalMs, keys.enabled(), newSweep, deleted, retractions, start);
    }

    /** Metrics: sweeps completed, their requests, and the parents and links they retracted. */
    Map<String, LongSupplier> counters() {
        return Map.of("sweeps", sweeps::get, "sweep-requests", requests::get,
                "sweep-retractions", retractions::get);
    }

    long sweptAt() {
        return sweptAt;
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
        if (running != null || deletedListingDue) {
            return 0L;
        }
        return sweepsOn() && caughtUp ? sweptAt * 1000 + intervalMs : Long.MAX_VALUE;
    }

    boolean hasWork(long nowMs) {
        return nextDueMs() <= nowMs;
    }

    /** Runs one step of the work due, starting it if none runs; the groups to emit. */
    List<RecordFactory.Group> step(long nowMs) {
        if (running == null) {
            if (deletedListingDue) {
                deletedListingDue = false;
                running = newDeletedListing.apply(deletedThrough);
            } else if (sweepsOn() && caughtUp && nowMs >= sweptAt * 1000 + intervalMs) {
                log.info("{}: reconciliation sweep started", resource.id());
                running = newSweep.get();
            } else {
                return List.of();
            }
        }
        long before = running.requests();
        List<RecordFactory.Group> groups = running.step();
        requestsOf(running, running.requests() - before);
        if (running.done()) {
            finished(nowMs);
        }
        return groups;
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
            sweptAt = nowMs / 1000;
            sweeps.incrementAndGet();
            log.info("{}: reconciliation sweep done: {} request(s), {} retraction(s) so far", resource.id(),
                    running.requests(), retractions.get());
        }
        running = null;
    }

    private boolean sweepsOn() {
        return newSweep != null && (intervalMs > 0 || sweptAt == 0);
    }
}
