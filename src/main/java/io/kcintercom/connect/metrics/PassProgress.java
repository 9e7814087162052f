package io.kcintercom.connect.metrics;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How far the pass a resource is reading has got, like Debezium's snapshot metrics: the objects
 * it expects (the search's {@code total_count} on the pass's first page; unknown for a scroll,
 * whose answers carry none), the objects read so far, the requests it spent, the resource's
 * request rate and, from the pass's average pace, when it should end. A first sync of two million
 * contacts takes hours; this is what tells the user how many.
 *
 * <p>It belongs to the resource, not to its reader: a reader restarted after a transient failure
 * resumes the pass at its cursor and carries on counting here. The reader's thread writes the pass's
 * progress, any of the resource's threads count its answers, JMX reads from its own thread.
 */
public final class PassProgress {
    public static final long UNKNOWN = -1;
    /** Progress lines are logged at most this often, and only once a pass has run this long. */
    static final long LINE_INTERVAL_MS = 60_000;

    private final LongSupplier clock;
    private final RequestWindow lastMinute = new RequestWindow();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong passRequests = new AtomicLong();
    private volatile long expected = UNKNOWN;
    private volatile boolean running;
    /** When the current (or last) pass started and ended, epoch ms; -1 before the first. */
    private volatile long startedMs = -1;
    private volatile long endedMs = -1;
    /** When the next progress line is due; touched by the resource's thread only. */
    private long nextLineMs;

    public PassProgress(LongSupplier clock) {
        this.clock = clock;
    }

    /** A pass starts from the position: nothing read yet, its total not known until its first answer. */
    public void started() {
        long now = clock.getAsLong();
        done.set(0);
        passRequests.set(0);
        expected = UNKNOWN;
        startedMs = now;
        endedMs = -1;
        nextLineMs = now + LINE_INTERVAL_MS;
        running = true;
    }

    /**
     * A pass resumes at a stored cursor. After a restart inside the task the pass is the one
     * counted here, which goes on; after the task's restart the objects before the cursor were
     * counted by another process, so the total stays unknown rather than a percentage that lies.
     */
    public void resumed() {
        if (!running) {
            started();
        }
    }

    /** The number of objects the pass's query matches, from its first answer. */
    public void expect(long objects) {
        expected = objects;
    }

    /** Objects read by the pass (a page's worth, whether or not earlier passes emitted them). */
    public void read(long objects) {
        done.addAndGet(objects);
    }

    /** The objects read by the pass so far, for readers that count them themselves. */
    public void readSoFar(long objects) {
        done.set(objects);
    }

    /** An answer from Intercom to one of the resource's requests (any thread). */
    public void answered() {
        passRequests.incrementAndGet();
        lastMinute.add(clock.getAsLong());
    }

    public void ended() {
        endedMs = clock.getAsLong();
        running = false;
    }

    public boolean running() {
        return running;
    }

    /** The current pass's (or, between passes, the last pass's) total, or {@link #UNKNOWN}. */
    public long expectedObjects() {
        return expected;
    }

    public long doneObjects() {
        return done.get();
    }

    public long passRequests() {
        return passRequests.get();
    }

    /** How long the current pass has run, or the last one ran, in seconds; 0 before the first. */
    public long passSeconds() {
        long start = startedMs;
        if (start < 0) {
            return 0;
        }
        long end = running ? clock.getAsLong() : endedMs;
        return Math.max(0, end - start) / 1000;
    }

    /** Answers to the resource's requests over the last minute. */
    public long requestsPerMinute() {
        return lastMinute.count(clock.getAsLong());
    }

    /**
     * Seconds until the running pass has read its expected objects at its average pace so far;
     * {@link #UNKNOWN} between passes, while the total is not known or before the first object.
     */
    public long etaSeconds() {
        long total = expected;
        long read = done.get();
        long elapsedMs = clock.getAsLong() - startedMs;
        if (!running || total < 0 || read <= 0 || elapsedMs <= 0) {
            return UNKNOWN;
        }
        long remaining = Math.max(0, total - read);
        return (long) Math.ceil(remaining * (double) elapsedMs / read / 1000);
    }

    /**
     * The progress line to log now, or null: only while a pass runs, a minute after it started and
     * then at most once a minute, so a pass that is caught up within a minute logs none. Called by
     * the resource's thread.
     */
    public String lineIfDue(String resource) {
        long now = clock.getAsLong();
        if (!running || now < nextLineMs) {
            return null;
        }
        nextLineMs = now + LINE_INTERVAL_MS;
        return line(resource);
    }

    /** E.g. "users: 412,000 of 1,998,312 (21 %), 9,700 req/min, ETA 41 min". */
    String line(String resource) {
        long total = expected;
        long read = done.get();
        String rate = String.format(Locale.ROOT, "%,d req/min", requestsPerMinute());
        if (total < 0) {
            return String.format(Locale.ROOT, "%s: %,d objects read in %s (total not known), %s", resource, read,
                    duration(passSeconds()), rate);
        }
        long percent = total == 0 ? 100 : Math.min(100, read * 100 / total);
        long eta = etaSeconds();
        return String.format(Locale.ROOT, "%s: %,d of %,d (%d %%), %s, ETA %s", resource, read, total, percent, rate,
                eta < 0 ? "unknown" : duration(eta));
    }

    /** "< 1 min", "41 min", "3 h 5 min": rounded up to the minute (the local stack's status shows it too). */
    public static String duration(long seconds) {
        if (seconds < 60) {
            return "< 1 min";
        }
        long minutes = (seconds + 59) / 60;
        return minutes < 60 ? minutes + " min" : minutes / 60 + " h " + minutes % 60 + " min";
    }

    /** Counts events over the last minute in one-second buckets. */
    private static final class RequestWindow {
        private static final long BUCKET_MS = 1_000;
        private static final int BUCKETS = (int) (60_000 / BUCKET_MS);
        private final long[] slots = new long[BUCKETS];
        private final long[] counts = new long[BUCKETS];

        synchronized void add(long nowMs) {
            long slot = nowMs / BUCKET_MS;
            int i = (int) (slot % BUCKETS);
            if (slots[i] != slot) {
                slots[i] = slot;
                counts[i] = 0;
            }
            counts[i]++;
        }

        /** Events in the current second and the 59 before it. */
        synchronized long count(long nowMs) {
            long current = nowMs / BUCKET_MS;
            long sum = 0;
            for (int i = 0; i < BUCKETS; i++) {
                if (slots[i] > current - BUCKETS && slots[i] <= current) {
                    sum += counts[i];
                }
            }
            return sum;
        }
    }
}
