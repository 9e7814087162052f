package io.kcintercom.connect.resource;

import io.kcintercom.connect.metrics.PassProgress;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Reads one Intercom resource. The task calls {@link #poll(int)} in turns with its other readers;
 * a reader does a bounded amount of work per call (one page and its follow-ups) so none starves
 * the others, and it never hands out part of an object's group of records.
 */
public interface ResourceReader extends AutoCloseable {
    Resource resource();

    /**
     * Records ready now, at most about {@code maxRecords} (a single object's group of records is
     * never split, so one group may exceed it). Empty when nothing is due yet.
     */
    List<SourceRecord> poll(int maxRecords);

    /** Epoch millis at which this reader next has work; now or earlier when it has work already. */
    long nextDueMs();

    /** The updated_at (unix seconds) up to which this resource is synced, or -1; for the lag metric. */
    default long watermarkSeconds() {
        return -1;
    }

    /**
     * Whether the reader may simply be polled again after a transient failure, because a failed
     * poll changes nothing in it and it holds what a new reader could not rebuild (the rows of the
     * last refresh, which tell what was removed since). Other readers are replaced, resuming from the
     * offset of the last record they handed out.
     */
    default boolean retryableInPlace() {
        return false;
    }

    /** Whether the reader is waiting now for another client to release the workspace's one scroll. */
    default boolean waitingForScrollLock() {
        return false;
    }

    /** Named counters for metrics, e.g. "truncated-conversations"; read from any thread. */
    default Map<String, LongSupplier> counters() {
        return Map.of();
    }

    /**
     * Where to report the progress of its passes: the resource's, which outlives this reader (a
     * reader restarted after a failure resumes the pass). Readers without long passes ignore it.
     */
    default void reportProgressTo(PassProgress progress) {
    }

    @Override
    default void close() {
    }
}
