package io.kcintercom.connect;

import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.logging.LogContext;
import io.kcintercom.connect.resource.ResourceReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task's readers on a thread of its own and hands their records to poll() through a
 * bounded queue. HTTP latency, retries and rate-limit waits (up to a 10-second window) happen
 * here, so poll() always returns within a fraction of a second and the worker can stop, commit
 * offsets and rebalance on time; when Kafka is slow the queue fills and reading pauses, so
 * memory stays bounded.
 *
 * <p>The readers take turns, starting one further each round, so no resource starves another.
 * Each queued batch holds whole groups of records, which poll() never splits.
 */
final class ReaderLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReaderLoop.class);
    /** Batches buffered between the readers and poll(). */
    static final int QUEUE_BATCHES = 4;
    static final long MAX_IDLE_WAIT_MS = 1_000;

    private final List<ResourceReader> readers;
    private final int batchMaxRecords;
    private final Sleep sleep;
    private final LongSupplier clock;
    private final BlockingQueue<List<SourceRecord>> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
    private final Consumer<List<SourceRecord>> onBatch;
    private final Map<String, String> taskLogContext = LogContext.capture();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile RuntimeException failure;
    private List<SourceRecord> carried;

    /** An idle wait that ends early when the task stops. */
    interface Sleep {
        void sleep(long millis);
    }

    ReaderLoop(String name, List<ResourceReader> readers, int batchMaxRecords, Sleep sleep, LongSupplier clock,
               Consumer<List<SourceRecord>> onBatch) {
        this.onBatch = onBatch;
        this.readers = List.copyOf(readers);
        this.batchMaxRecords = batchMaxRecords;
        this.sleep = sleep;
        this.clock = clock;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Up to about {@code batch.max.records} records, or null after waiting briefly for some. */
    List<SourceRecord> poll(long maxWaitMs) throws InterruptedException {
        List<SourceRecord> batch = new ArrayList<>();
        if (carried != null) {
            batch.addAll(carried);
            carried = null;
        }
        List<SourceRecord> next = batch.isEmpty() ? queue.poll(maxWaitMs, TimeUnit.MILLISECONDS) : queue.poll();
        while (next != null) {
            if (!batch.isEmpty() && batch.size() + next.size() > batchMaxRecords) {
                carried = next;
                break;
            }
            batch.addAll(next);
            next = batch.size() >= batchMaxRecords ? null : queue.poll();
        }
        if (batch.isEmpty() && failure != null) {
            throw failure;
        }
        return batch.isEmpty() ? null : batch;
    }

    private void run() {
        int first = 0;
        try {
            while (!stopping) {
                boolean produced = false;
                for (int turn = 0; turn < readers.size() && !stopping; turn++) {
                    ResourceReader reader = readers.get((first + turn) % readers.size());
                    LogContext.enterResource(taskLogContext, reader.resource().id());
                    List<SourceRecord> records = reader.poll(batchMaxRecords);
                    if (!records.isEmpty()) {
                        produced = true;
                        onBatch.accept(records);
                        while (!stopping && !queue.offer(records, 200, TimeUnit.MILLISECONDS)) {
                            // Kafka is slower than Intercom: wait for poll() to take what is queued.
                        }
                    }
                }
                first = readers.isEmpty() ? 0 : (first + 1) % readers.size();
                if (!produced) {
                    LogContext.restore(taskLogContext);
                    idle();
                }
            }
        } catch (ClientStoppedException | InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            if (!stopping) {
                log.error("Reading from Intercom failed; the task will fail: {}", e.getMessage());
                failure = e instanceof ConnectException ? e : new ConnectException(e);
            }
        }
    }

    private void idle() {
        long now = clock.getAsLong();
        long due = readers.stream().mapToLong(ResourceReader::nextDueMs).min().orElse(now + MAX_IDLE_WAIT_MS);
        long wait = Math.min(MAX_IDLE_WAIT_MS, due - now);
        if (wait > 0) {
            sleep.sleep(wait);
        }
    }

    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
    }
}
