package io.kcintercom.connect.resource;

import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import java.util.Map;

/**
 * How a search resource reconciles with Intercom ({@link SweepSchedule}): the keys that shape its
 * sweeps, read once from the config, and whether the reader starts its first sync.
 *
 * @param intervalMs     {@code intercom.reconcile.interval.ms}: time between two sweeps, 0 for none
 * @param fullIntervalMs {@code intercom.reconcile.full.interval.ms}: sweeps in between are gated by
 *                       counts; 0 makes every sweep full
 * @param gateMinObjects {@code intercom.reconcile.gate.min.objects}: a listing (a resource, or a
 *                       segment's members of a role) of at most this many objects is read in full
 *                       whatever the counts
 * @param firstSync      the reader starts with no stored offset, so its first pass reads every object
 *                       in scope, as a full listing would (a user-written offset does not)
 */
public record Reconciliation(long intervalMs, long fullIntervalMs, long gateMinObjects, boolean firstSync) {

    /** @param offset the resource's stored offset, null or empty when there is none */
    public static Reconciliation from(IntercomSourceConnectorConfig config, Map<String, ?> offset) {
        return new Reconciliation(config.reconcileIntervalMs(), config.reconcileFullIntervalMs(),
                config.reconcileGateMinObjects(), offset == null || offset.isEmpty());
    }

    /** Sweeps every {@code intervalMs}, full every {@code fullIntervalMs}, gated at any size, resumed. */
    static Reconciliation every(long intervalMs, long fullIntervalMs) {
        return new Reconciliation(intervalMs, fullIntervalMs, 0, false);
    }

    /** The same, for a reader that starts its first sync. */
    Reconciliation startingFirstSync() {
        return new Reconciliation(intervalMs, fullIntervalMs, gateMinObjects, true);
    }
}
