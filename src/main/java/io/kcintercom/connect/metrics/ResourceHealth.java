package io.kcintercom.connect.metrics;

import io.kcintercom.connect.client.RetryCause;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one resource is doing and how well Intercom answers it: its state, the last successful
 * request, the outage in progress (since when, why) and the retries it needed, by cause.
 *
 * <p>An outage starts at the first transient failure (a retried request, or a reader restarted
 * after one) and ends at the next successful answer. It is logged once at WARN when it starts,
 * again every {@link #REMINDER_MS} while it lasts, and at INFO when it heals: never a WARN per
 * retry, so a long outage stays readable in the logs and alertable through JMX.
 */
public final class ResourceHealth {
    private static final Logger log = LoggerFactory.getLogger(ResourceHealth.class);
    static final long REMINDER_MS = 5 * 60_000L;

    /** The states users see on JMX; {@link #label()} is the attribute's value. */
    public enum State {
        STARTING("starting"),
        RUNNING("running"),
        CAUGHT_UP("caught-up"),
        BACKING_OFF("backing-off"),
        WAITING_FOR_SCROLL_LOCK("waiting-for-scroll-lock"),
        STOPPED("stopped");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final String resource;
    private final LongSupplier clock;
    private final Map<RetryCause, LongAdder> retriesByCause = new EnumMap<>(RetryCause.class);
    /** The counters of readers this resource replaced, so that its metrics never go down. */
    private final Map<String, LongAdder> carried = new java.util.concurrent.ConcurrentHashMap<>();
    /** The pass in progress; the resource's, so a reader restarted mid-pass goes on counting it. */
    private final PassProgress progress;
    private volatile State state = State.STARTING;
    private volatile long lastSuccessMs = -1;
    private volatile long outageStartMs = -1;
    private volatile String outageCause = "";
    private long lastReminderMs;

    public ResourceHealth(String resource, LongSupplier clock) {
        this.resource = resource;
        this.clock = clock;
        this.progress = new PassProgress(clock);
        for (RetryCause cause : RetryCause.values()) {
            retriesByCause.put(cause, new LongAdder());
        }
    }

    public String resource() {
        return resource;
    }

    public PassProgress progress() {
        return progress;
    }

    /** Intercom answered a request of this resource: ends an outage in progress. */
    public void succeeded() {
        succeeded(Long.MAX_VALUE);
    }

    /**
     * Intercom answered a request of this resource sent at {@code sentAtMs}: ends an outage in
     * progress, unless the request was sent before the outage started (an answer already on its
     * way says nothing of whether Intercom answers now).
     */
    public void succeeded(long sentAtMs) {
        lastSuccessMs = clock.getAsLong();
        long start = outageStartMs;
        if (start >= 0 && sentAtMs >= start) {
            heal();
        }
    }

    /**
     * Transient failures that will be waited out: the start of an outage if none is in progress.
     * {@code cause} is short and free of personal data, e.g. "HTTP 503".
     */
    public void failing(String cause, String plan) {
        long now = clock.getAsLong();
        synchronized (this) {
            if (outageStartMs < 0) {
                outageStartMs = now;
                outageCause = cause;
                lastReminderMs = now;
                log.warn("{}: Intercom is failing ({}); {}. The task keeps running; other resources are not "
                        + "affected.", resource, cause, plan);
            } else if (now - lastReminderMs >= REMINDER_MS) {
                lastReminderMs = now;
                outageCause = cause;
                log.warn("{}: still failing after {} ({}); {}.", resource, format(now - outageStartMs), cause, plan);
            }
        }
    }

    /** Counts a retry (of a request or of the resource), by cause. */
    public void retried(RetryCause kind) {
        retriesByCause.get(kind).increment();
    }

    private synchronized void heal() {
        if (outageStartMs < 0) {
            return;
        }
        long lasted = clock.getAsLong() - outageStartMs;
        log.info("{}: Intercom answers again; the outage ({}) lasted {}.", resource, outageCause, format(lasted));
        outageStartMs = -1;
        outageCause = "";
    }

    public void state(State state) {
        this.state = state;
    }

    public State state() {
        return state;
    }

    public long lastSuccessMs() {
        return lastSuccessMs;
    }

    /** When the outage in progress started (epoch ms), or -1 when Intercom answers. */
    public long outageStartMs() {
        return outageStartMs;
    }

    /** How long the outage in progress has lasted, or 0. */
    public long outageMs() {
        long start = outageStartMs;
        return start < 0 ? 0 : Math.max(0, clock.getAsLong() - start);
    }

    public String outageCause() {
        return outageCause;
    }

    /** Keeps the final counts of a reader that is being replaced. */
    public void carry(Map<String, java.util.function.LongSupplier> counters) {
        counters.forEach((name, value) -> carried.computeIfAbsent(name, n -> new LongAdder()).add(value.getAsLong()));
    }

    /** What replaced readers counted under this name. */
    public long carried(String name) {
        LongAdder n = carried.get(name);
        return n == null ? 0 : n.sum();
    }

    public long retries(RetryCause cause) {
        return retriesByCause.get(cause).sum();
    }

    static String format(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toMinutes() >= 1) {
            return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        }
        return d.toSeconds() + " s";
    }
}
