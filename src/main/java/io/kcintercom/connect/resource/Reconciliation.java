package io.kcintercom.connect.resource;

import io.kcintercom.connect.config.IntercomSourceConnectorConfig;

/**
 * How a search resource reconciles with Intercom ({@link SweepSchedule}): the keys that shape its
 * sweeps, read once from the config.
 *
 * @param intervalMs     {@code intercom.reconcile.interval.ms}: time between two sweeps, 0 for none
 * @param fullIntervalMs {@code intercom.reconcile.full.interval.ms}: sweeps in between are gated by
 *                       counts; 0 makes every sweep full
 * @param gateMinObjects {@code intercom.reconcile.gate.min.objects}: a listing (a resource, or a
 *                       segment's members of a role) of at most this many objects is read in full
 *                       whatever the counts
 * @param since          {@code intercom.since} in unix seconds (0: none): objects updated before it
 *                       are out of the connector's scope, for the sweeps as for the passes
 */
public record Reconciliation(long intervalMs, long fullIntervalMs, long gateMinObjects, long since) {

    public static Reconciliation from(IntercomSourceConnectorConfig config) {
        return new Reconciliation(config.reconcileIntervalMs(), config.reconcileFullIntervalMs(),
                config.reconcileGateMinObjects(), config.sinceEpochSeconds());
    }

    /** Sweeps every {@code intervalMs}, full every {@code fullIntervalMs}, gated at any size, no lower bound. */
    static Reconciliation every(long intervalMs, long fullIntervalMs) {
        return new Reconciliation(intervalMs, fullIntervalMs, 0, 0);
    }

    /** Whether a listing Intercom counts {@code total} objects in may stop early when the counts agree. */
    boolean gates(long total) {
        return total > gateMinObjects;
    }
}
