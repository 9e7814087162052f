package io.kcintercom.connect;

import io.kcintercom.connect.logging.LogContext;
import io.kcintercom.connect.metrics.ResourceHealth;
import io.kcintercom.connect.resource.ResourceReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each of a task's resources on a thread of its own ({@link ResourceWorker}) and hands their
 * records to poll() through a small bounded lane per resource. HTTP latency, retries, rate-limit
 * waits and outages happen on those threads, so poll() always returns within a fraction of a
 * second, and one resource waiting (a held scroll lock, a failing endpoint) never holds up the
 * others. When Kafka is slow the lanes fill and reading pauses, so memory stays bounded; poll()
 * takes from the lanes in turn, starting one further each time, so no resource starves another.
 * Each batch holds whole groups of records, which poll() never splits.
 */
final class ReaderLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReaderLoop.class);
    /** Batches buffered between one resource's reader and poll(). */
    static final int QUEUE_BATCHES = 2;
    /** How long close() waits for the reader threads to end. */
    static final long CLOSE_WAIT_MS = 2_000;

    /** An idle wait that ends early when the task stops. */
    interface Sleep {
        void sleep(long millis);
    }

    /**
     * A resource to run: its reader (the first one, then each replacement, for metrics to read), how
     * to make another one, and its health.
     */
    record Slot(AtomicReference<ResourceReader> reader, ResourceWorker.ReaderFactory factory,
                ResourceHealth health) {
        Slot(ResourceReader first, ResourceWorker.ReaderFactory factory, ResourceHealth health) {
            this(new AtomicReference<>(first), factory, health);
        }
    }

    private final List<Lane> lanes = new ArrayList<>();
    /** One permit per batch waiting in any lane, so poll() can wait for whichever comes first. */
    private final Semaphore ready = new Semaphore(0);
    private int nextLane;
    private final Consumer<List<SourceRecord>> onBatch;
    private final int batchMaxRecords;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;
    private volatile ConnectException failure;
    private List<SourceRecord> carried;

    ReaderLoop(String name, List<Slot> slots, int batchMaxRecords, Sleep sleep, LongSupplier clock,
               Consumer<List<SourceRecord>> onBatch, ResourceWorker.Supervision supervision) {
        this.onBatch = onBatch;
        this.batchMaxRecords = batchMaxRecords;
        Map<String, String> taskLogContext = LogContext.capture();
        for (Slot slot : slots) {
            Lane lane = new Lane();
            lanes.add(lane);
            ResourceWorker worker = new ResourceWorker(slot.reader(), slot.factory(), slot.health(), batchMaxRecords,
                    sleep, clock, lane, supervision, taskLogContext);
            Thread thread = new Thread(worker, name + "-" + slot.health().resource());
            thread.setDaemon(true);
            threads.add(thread);
        }
    }

    /** Readers that are never replaced: a transient failure resumes with the same reader. */
    ReaderLoop(String name, List<ResourceReader> readers, int batchMaxRecords, Sleep sleep, LongSupplier clock,
               Consumer<List<SourceRecord>> onBatch) {
        this(name, readers.stream().map(reader -> new Slot(reader, offset -> reader,
                        new ResourceHealth(reader.resource().id(), clock))).toList(),
                batchMaxRecords, sleep, clock, onBatch, ResourceWorker.Supervision.DEFAULT);
    }

    void start() {
        threads.forEach(Thread::start);
    }

    /** Up to about {@code batch.max.records} records, or null after waiting briefly for some. */
    List<SourceRecord> poll(long maxWaitMs) throws InterruptedException {
        List<SourceRecord> batch = new ArrayList<>();
        if (carried != null) {
            batch.addAll(carried);
            carried = null;
        }
        boolean available = batch.isEmpty() ? ready.tryAcquire(maxWaitMs, TimeUnit.MILLISECONDS) : ready.tryAcquire();
        while (available) {
            List<SourceRecord> next = takeInTurn();
            if (!batch.isEmpty() && batch.size() + next.size() > batchMaxRecords) {
                carried = next;
                break;
            }
            batch.addAll(next);
            available = batch.size() < batchMaxRecords && ready.tryAcquire();
        }
        if (batch.isEmpty() && failure != null) {
            throw failure;
        }
        return batch.isEmpty() ? null : batch;
    }

    /** The next lane's batch, in turn; called holding a permit, so some lane has one. */
    private List<SourceRecord> takeInTurn() {
        for (int i = 0; ; i = (i + 1) % lanes.size()) {
            int index = (nextLane + i) % lanes.size();
            List<SourceRecord> batch = lanes.get(index).queue.poll();
            if (batch != null) {
                nextLane = (index + 1) % lanes.size();
                return batch;
            }
        }
    }

    /** One resource's way to poll(): a bounded queue of whole batches. */
    private final class Lane implements ResourceWorker.Output {
        final BlockingQueue<List<SourceRecord>> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);

        @Override
        public boolean offer(List<SourceRecord> records) throws InterruptedException {
            onBatch.accept(records);
            while (!stopping) {
                if (queue.offer(records, 200, TimeUnit.MILLISECONDS)) {
                    ready.release();
                    return true;
                }
                // Kafka is slower than Intercom: wait for poll() to take what is queued.
            }
            return false;
        }

        @Override
        public void fail(Throwable cause) {
            ReaderLoop.this.fail(cause);
        }

        @Override
        public boolean stopping() {
            return stopping;
        }
    }

    private void fail(Throwable cause) {
        if (stopping || failure != null) {
            return;
        }
        log.error("Reading from Intercom failed in a way that waiting cannot fix; the task will fail: {}",
                cause instanceof Error ? cause.toString() : cause.getMessage());
        failure = cause instanceof ConnectException connect ? connect : new ConnectException(cause);
        // The other resources stop too, so that poll() reaches the failure once the lanes are drained.
        stopping = true;
    }

    @Override
    public void close() {
        stopping = true;
        threads.forEach(Thread::interrupt);
        long deadline = System.currentTimeMillis() + CLOSE_WAIT_MS;
        for (Thread thread : threads) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            try {
                thread.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }
}
