package io.kcintercom.connect;

import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.logging.LogContext;
import io.kcintercom.connect.metrics.ResourceHealth;
import io.kcintercom.connect.metrics.ResourceHealth.State;
import io.kcintercom.connect.resource.ResourceReader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one resource on a thread of its own and supervises it. A transient failure (see
 * {@link Failures}) never leaves this class: the reader is closed, the worker waits with capped
 * exponential backoff, and a new reader resumes from the offset of the last record this worker
 * handed out (a reader that is {@link ResourceReader#retryableInPlace() retryable in place} is
 * polled again instead), so nothing is skipped and the other resources of the task keep flowing.
 * Only a permanent or fatal failure, or an outage longer than {@code outage.max.ms}, is passed on
 * to fail the task.
 */
final class ResourceWorker implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ResourceWorker.class);
    /** Longest idle wait, so a reader whose due time moves earlier is asked again soon. */
    static final long MAX_IDLE_WAIT_MS = 1_000;
    /** Shortest idle wait when a reader has nothing yet but says it has work (waiting on requests). */
    static final long MIN_IDLE_WAIT_MS = 1;

    /** Creates a reader that resumes from an offset (null: the stored or configured start). */
    interface ReaderFactory {
        ResourceReader create(Map<String, ?> offset);
    }

    /** Where a worker's records and failures go. */
    interface Output {
        /** Hands a whole batch over, waiting while Kafka is slower; false when the task stops. */
        boolean offer(List<SourceRecord> records) throws InterruptedException;

        void fail(Throwable failure);

        boolean stopping();
    }

    /** How failures are waited out. */
    record Supervision(long backoffInitialMs, long backoffMaxMs, long outageMaxMs) {
        static final Supervision DEFAULT = new Supervision(1_000, 300_000, 0);
    }

    private final ResourceHealth health;
    private final ReaderFactory factory;
    private final int batchMaxRecords;
    private final ReaderLoop.Sleep sleep;
    private final LongSupplier clock;
    private final Output output;
    private final Supervision supervision;
    private final Map<String, String> taskLogContext;
    private final Backoff backoff;

    /** The current reader, null between a failure and its replacement; published for metrics. */
    private final AtomicReference<ResourceReader> published;
    private ResourceReader reader;
    private Map<String, ?> lastOffset;
    private boolean recovering;

    ResourceWorker(AtomicReference<ResourceReader> first, ReaderFactory factory, ResourceHealth health, int batchMaxRecords,
                   ReaderLoop.Sleep sleep, LongSupplier clock, Output output, Supervision supervision,
                   Map<String, String> taskLogContext) {
        this.published = first;
        this.reader = first.get();
        this.factory = factory;
        this.health = health;
        this.batchMaxRecords = batchMaxRecords;
        this.sleep = sleep;
        this.clock = clock;
        this.output = output;
        this.supervision = supervision;
        this.taskLogContext = taskLogContext;
        this.backoff = new Backoff(supervision.backoffInitialMs(), supervision.backoffMaxMs());
        if (reader != null) {
            reader.reportProgressTo(health.progress());
        }
    }

    @Override
    public void run() {
        LogContext.enterResource(taskLogContext, health.resource());
        try {
            while (!output.stopping()) {
                try {
                    if (!step()) {
                        return;
                    }
                } catch (ClientStoppedException | InterruptedException e) {
                    return;
                } catch (Throwable failure) {
                    if (output.stopping() || !waitOut(failure)) {
                        return;
                    }
                }
            }
        } finally {
            health.state(State.STOPPED);
            closeReader();
        }
    }

    /** One poll of the reader; false when the task is stopping. */
    private boolean step() throws InterruptedException {
        if (reader == null) {
            reader = factory.create(lastOffset);
            reader.reportProgressTo(health.progress());
            published.set(reader);
        }
        List<SourceRecord> records = reader.poll(batchMaxRecords);
        long now = clock.getAsLong();
        if (!records.isEmpty()) {
            recovered(State.RUNNING);
            lastOffset = records.get(records.size() - 1).sourceOffset();
            logProgress();
            return output.offer(records);
        }
        long due = reader.nextDueMs();
        if (reader.waitingForScrollLock()) {
            health.state(State.WAITING_FOR_SCROLL_LOCK);
        } else if (due > now) {
            recovered(State.CAUGHT_UP);
        } else {
            // Working (a pass waiting for its requests): whether it has recovered shows in the outage
            // metrics, healed by the next answer; the backoff resets once it hands records out again.
            health.state(State.RUNNING);
        }
        logProgress();
        sleep.sleep(Math.max(MIN_IDLE_WAIT_MS, Math.min(MAX_IDLE_WAIT_MS, due - now)));
        return true;
    }

    /** A line a minute while a long pass runs (a first sync); none when caught up, backing off or waiting. */
    private void logProgress() {
        if (health.state() == State.RUNNING) {
            String line = health.progress().lineIfDue(health.resource());
            if (line != null) {
                log.info(line);
            }
        }
    }

    private void recovered(State state) {
        health.state(state);
        if (recovering) {
            recovering = false;
            backoff.reset();
            health.succeeded();
        }
    }

    /** Waits a transient failure out; false when the task must fail (or is stopping). */
    private boolean waitOut(Throwable failure) {
        Failures.Kind kind = Failures.classify(failure);
        if (kind != Failures.Kind.TRANSIENT) {
            output.fail(failure);
            return false;
        }
        Failures.Cause cause = Failures.cause(failure);
        long wait = backoff.next();
        recovering = true;
        health.state(State.BACKING_OFF);
        health.retried(cause.kind());
        health.failing(cause.detail(), "resuming from the last position in " + Math.max(1, wait / 1000) + " s, then with "
                + "backoff up to " + supervision.backoffMaxMs() / 1000 + " s");
        log.debug("{}: transient failure, retrying in {} ms", health.resource(), wait, failure);
        long outageMaxMs = supervision.outageMaxMs();
        if (outageMaxMs > 0 && health.outageMs() > outageMaxMs) {
            output.fail(new ConnectException(health.resource() + ": Intercom has been failing (" + cause.detail() + ") for "
                    + health.outageMs() / 1000 + " s, longer than outage.max.ms (" + outageMaxMs
                    + " ms); set outage.max.ms=0 to wait without limit"));
            return false;
        }
        if (reader == null || !reader.retryableInPlace()) {
            closeReader();
        }
        sleep.sleep(wait);
        return true;
    }

    private void closeReader() {
        ResourceReader current = reader;
        reader = null;
        if (current != null) {
            // Its counters live on in the health, so the metrics never go down when it is replaced.
            published.compareAndSet(current, null);
            health.carry(current.counters());
            try {
                current.close();
            } catch (RuntimeException e) {
                log.debug("{}: closing the reader failed", health.resource(), e);
            }
        }
    }
}
