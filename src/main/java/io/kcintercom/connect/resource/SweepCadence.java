package io.kcintercom.connect.resource;

/**
 * When a search resource's reconciliation sweep is due, and whether it lists in full or is gated by
 * counts (issue 17): {@code intercom.reconcile.interval.ms} between two sweeps, at most
 * {@code intercom.reconcile.full.interval.ms} between two full ones. Both completion times are in
 * the resource's offset ({@link SearchPosition#sweptAt()}, {@link SearchPosition#fullSweptAt()}),
 * so a restart keeps the cadence; an offset without the full one (no full sweep yet, or written by
 * an earlier version) makes the next sweep full.
 *
 * <p>Only a sweep started as full counts as one: a gated sweep whose counts differ does list that
 * resource in full, but its segments may have stopped at their first page.
 *
 * <p>A reader that starts from no position (a new connector, offsets reset) reads every object in
 * its first pass, so the sweep at the end of that first sync is gated like a daily one and counts
 * as full: listing everything again right after would double the first sync's search pages (15,000
 * at 2M contacts) to find only what was deleted meanwhile, which the counts already show.
 */
final class SweepCadence {
    private final long intervalMs;
    private final long fullIntervalMs;
    private long sweptAt;
    private long fullSweptAt;
    private boolean runningFull;
    /** Whether the first pass reads every object: the next sweep is the first sync's, and counts as full. */
    private boolean firstSyncListsAll;

    /**
     * @param intervalMs     {@code intercom.reconcile.interval.ms}
     * @param fullIntervalMs {@code intercom.reconcile.full.interval.ms}; 0: every sweep is full
     * @param firstSync      the reader starts with no stored offset: its first pass reads every object
     */
    SweepCadence(long intervalMs, long fullIntervalMs, boolean firstSync, SearchPosition start) {
        this.intervalMs = intervalMs;
        this.fullIntervalMs = fullIntervalMs;
        this.sweptAt = start.sweptAt();
        this.fullSweptAt = start.fullSweptAt();
        this.firstSyncListsAll = firstSync;
    }

    long sweptAt() {
        return sweptAt;
    }

    long fullSweptAt() {
        return fullSweptAt;
    }

    /** Whether sweeps run: every interval, or with sweeps disabled (0) once, at the end of the first sync. */
    boolean sweepsOn() {
        return intervalMs > 0 || sweptAt == 0;
    }

    /** When the next sweep is due (epoch ms). */
    long nextDueMs() {
        return sweptAt * 1000 + intervalMs;
    }

    /** Whether a sweep started now lists everything. */
    boolean fullDue(long nowMs) {
        if (firstSyncListsAll && fullIntervalMs > 0) {
            return false;
        }
        return fullIntervalMs == 0 || fullSweptAt == 0 || nowMs >= fullSweptAt * 1000 + fullIntervalMs;
    }

    /** Why a sweep started now is full or gated, for its INFO line: times only. */
    String reason(long nowMs) {
        if (fullIntervalMs == 0) {
            return "full (intercom.reconcile.full.interval.ms is 0)";
        }
        if (firstSyncListsAll) {
            return "gated by counts (the first sync has just read every object)";
        }
        if (fullSweptAt == 0) {
            return "full (no full sweep recorded yet)";
        }
        long agoMinutes = Math.max(0, nowMs / 1000 - fullSweptAt) / 60;
        return fullDue(nowMs) ? "full (the last full sweep was " + agoMinutes + " min ago)"
                : "gated by counts (the last full sweep was " + agoMinutes + " min ago; the next is due in "
                + Math.max(0, (fullSweptAt * 1000 + fullIntervalMs - nowMs) / 60_000) + " min)";
    }

    /** A sweep starts: {@code full} when it lists everything. */
    void started(boolean full) {
        runningFull = full;
    }

    /** The running sweep completed now. */
    void completed(long nowMs) {
        sweptAt = nowMs / 1000;
        if (runningFull || firstSyncListsAll) {
            fullSweptAt = sweptAt;
        }
        runningFull = false;
        firstSyncListsAll = false;
    }
}
