package io.kcintercom.connect.metrics;

import io.kcintercom.connect.client.RequestObserver;
import io.kcintercom.connect.client.RetryCause;
import io.kcintercom.connect.logging.LogContext;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.JmxReporter;
import org.apache.kafka.common.metrics.KafkaMetricsContext;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A task's metrics, on JMX under {@code kafka.connect.intercom:type=intercom-source-task-metrics,
 * connector=<name>,task=<id>,...}: rows emitted per table, requests by endpoint and status, 429s,
 * time waiting for the rate limit, retries, the last poll; per resource its state, lag, last
 * successful request, the outage in progress, retries by cause, the progress of its pass
 * (objects expected and read, requests, rate, ETA: {@link PassProgress}) and its counters (truncated
 * conversations, objects that vanished, bad objects skipped). Task-level counters exist from the start, at 0.
 */
public final class TaskMetrics implements RequestObserver, AutoCloseable {
    public static final String JMX_PREFIX = "kafka.connect.intercom";
    public static final String GROUP = "intercom-source-task-metrics";

    private final Metrics metrics;
    private final Map<String, String> taskTags;
    private final String topicPrefix;
    private final Map<String, Sensor> sensors = new ConcurrentHashMap<>();
    /** Consecutive failed attempts of one request after which its resource counts as in an outage. */
    static final int OUTAGE_AFTER_ATTEMPTS = 3;
    private final Map<String, ResourceHealth> healthByResource = new ConcurrentHashMap<>();
    private final WallClockUnion rateLimitWait = new WallClockUnion();
    private volatile long lastPollMs;
    private volatile String ignoredTopic;

    public TaskMetrics(String connector, String task, String topicPrefix) {
        this.metrics = new Metrics(new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM,
                new KafkaMetricsContext(JMX_PREFIX));
        this.taskTags = new LinkedHashMap<>();
        taskTags.put("connector", connector);
        taskTags.put("task", task);
        this.topicPrefix = topicPrefix;
        gauge("last-poll-timestamp-ms", "When poll() last returned records to the worker (epoch ms); 0 before "
                + "the first time.", taskTags, () -> lastPollMs);
        rateLimited();
        retries();
        gauge("rate-limit-wait-ms-total", "Milliseconds of wall-clock time during which at least one request "
                + "of this task waited for Intercom's rate limit (concurrent waits count once).", taskTags,
                rateLimitWait::total);
    }

    /**
     * A resource's state, lag, outage and counters, read when JMX asks from its health and its
     * current reader (a reader restarted after a failure replaces the one before).
     */
    public void register(Resource resource, Supplier<ResourceReader> reader, ResourceHealth health) {
        healthByResource.put(resource.id(), health);
        Map<String, String> tags = with("resource", resource.id());
        gauge("lag-seconds", "Seconds between now and the updated_at of the newest object read, while the "
                + "resource is behind; 0 once caught up (nothing left to read until its next pass); -1 "
                + "while no position is known yet.", tags, () -> lagSeconds(reader.get(), health));
        addMetric("state", "What the resource is doing: starting, running, caught-up, backing-off, "
                + "waiting-for-scroll-lock or stopped.", tags, () -> health.state().label());
        gauge("last-success-timestamp-ms", "When Intercom last answered a request of this resource "
                + "(epoch ms), -1 before the first.", tags, health::lastSuccessMs);
        gauge("outage-start-timestamp-ms", "When the outage in progress started (epoch ms), -1 when "
                + "Intercom answers.", tags, health::outageStartMs);
        gauge("outage-seconds", "How long the outage in progress has lasted, in seconds; 0 when Intercom "
                + "answers. Alert on it.", tags, () -> health.outageMs() / 1000);
        addMetric("outage-cause", "The cause of the outage in progress (e.g. HTTP 503, timeout), empty "
                + "when Intercom answers.", tags, health::outageCause);
        for (RetryCause cause : RetryCause.values()) {
            gauge("retries-" + cause.label() + "-total", "Retries of this resource's requests or passes "
                    + "caused by " + cause.label().replace('-', ' ') + ".", tags, () -> health.retries(cause));
        }
        registerProgress(tags, health.progress());
        ResourceReader first = reader.get();
        if (first != null) {
            first.counters().keySet().forEach(name -> gauge(name + "-total", "Count of " + name.replace('-', ' ')
                    + " since the task started (kept when the resource restarts after a failure).", tags,
                    () -> {
                        ResourceReader current = reader.get();
                        LongSupplier counter = current == null ? null : current.counters().get(name);
                        return health.carried(name) + (counter == null ? 0 : counter.getAsLong());
                    }));
        }
    }

    /** The pass in progress, like Debezium's snapshot metrics (see {@link PassProgress}). */
    private void registerProgress(Map<String, String> tags, PassProgress progress) {
        gauge("pass-expected-objects", "Objects the current pass expects to read (the search's total_count on "
                + "its first page); -1 while not known (a companies scroll, a newest-first pass, a pass resumed at "
                + "its cursor after a restart of the task, or before the first pass).", tags,
                progress::expectedObjects);
        gauge("pass-done-objects", "Objects the current pass has read so far (the last pass's once it ended).",
                tags, progress::doneObjects);
        gauge("pass-requests", "Answers from Intercom to this resource's requests during the current pass "
                + "(the last pass's once it ended).", tags, progress::passRequests);
        gauge("pass-seconds", "Seconds the current pass has run (the last pass's duration once it ended).", tags,
                progress::passSeconds);
        gauge("requests-per-minute", "Answers from Intercom to this resource's requests over the last minute.",
                tags, progress::requestsPerMinute);
        gauge("pass-eta-seconds", "Seconds until the current pass has read its expected objects at its "
                + "average pace so far; -1 between passes or while the total is not known.", tags,
                progress::etaSeconds);
    }

    /**
     * The resource's objects skipped because they could not be converted ({@code intercom.bad.objects}),
     * counted for the task's life (a restarted resource keeps its count); present from the start, at 0.
     */
    public void registerBadObjects(Resource resource, LongSupplier skipped) {
        gauge("bad-objects-total", "Objects of this resource skipped since the task started because they could "
                + "not be converted to rows (logged with their id and column; their JSON is in errors.topic "
                + "when set).", with("resource", resource.id()), skipped);
    }

    /**
     * The resource's share of the store of emitted keys (parents read with child rows: users, leads,
     * companies, conversations): parents held, -1 while the task runs without the state topic; and
     * child rows retracted.
     */
    public void registerState(Resource resource, LongSupplier parents, LongSupplier retractions) {
        Map<String, String> tags = with("resource", resource.id());
        gauge("state-parents", "Objects whose emitted child keys the task holds (loaded from the state topic "
                + "and kept up to date); -1 when the task runs without the state topic and retracts nothing.",
                tags, parents);
        gauge("retractions-total", "Child rows retracted (tombstoned) since the task started because their "
                + "object no longer lists them or is gone.", tags, retractions);
    }

    /** Records of this topic (the state topic) are not rows of a table. */
    public void ignoreTopic(String topic) {
        ignoredTopic = topic;
    }

    private static long lagSeconds(ResourceReader reader, ResourceHealth health) {
        if (health.state() == ResourceHealth.State.CAUGHT_UP) {
            return 0;
        }
        long watermark = reader == null ? -1 : reader.watermarkSeconds();
        return watermark <= 0 ? -1 : Math.max(0, System.currentTimeMillis() / 1000 - watermark);
    }

    /** Counts the rows of a batch per table. */
    public void recordsEmitted(List<SourceRecord> records) {
        Map<String, Integer> perTopic = new LinkedHashMap<>();
        for (SourceRecord record : records) {
            if (!record.topic().equals(ignoredTopic)) {
                perTopic.merge(record.topic(), 1, Integer::sum);
            }
        }
        perTopic.forEach((topic, n) -> {
            String table = topic.startsWith(topicPrefix) ? topic.substring(topicPrefix.length()) : topic;
            sensor("rows-emitted", with("table", table), "Rows read for this table and queued for poll()").record(n);
        });
    }

    public void polled(int records) {
        if (records > 0) {
            lastPollMs = System.currentTimeMillis();
        }
    }

    @Override
    public void onResponse(String endpoint, int status) {
        Map<String, String> tags = with("endpoint", endpoint);
        tags.put("status", String.valueOf(status));
        sensor("requests", tags, "Answers from Intercom with this endpoint and status").record(1);
        ResourceHealth health = currentHealth();
        if (health != null) {
            health.progress().answered();
        }
        if (status == 429) {
            rateLimited().record(1);
        }
    }

    @Override
    public void onSuccess(String endpoint, long sentAtMs) {
        ResourceHealth health = currentHealth();
        if (health != null) {
            health.succeeded(sentAtMs);
        }
    }

    @Override
    public void onRetry(RetryCause cause, int attempt) {
        if (cause != RetryCause.RATE_LIMITED) {
            retries().record(1);
        }
        ResourceHealth health = currentHealth();
        if (health == null) {
            return;
        }
        health.retried(cause);
        // One failed answer is noise; a request failing again and again is an outage in the making.
        if (cause != RetryCause.RATE_LIMITED && attempt >= OUTAGE_AFTER_ATTEMPTS) {
            health.failing(cause.label(), "retrying with backoff; the resource resumes from its last position "
                    + "if it keeps failing");
        }
    }

    @Override
    public void onRateLimitWait(long millis) {
        rateLimitWait.add(System.currentTimeMillis(), millis);
    }

    /** The health of the resource the calling thread works for (follow-up threads carry it too). */
    private ResourceHealth currentHealth() {
        String resource = LogContext.currentResource();
        return resource == null ? null : healthByResource.get(resource);
    }

    private Sensor rateLimited() {
        return sensor("rate-limited", taskTags, "429 answers from Intercom");
    }

    private Sensor retries() {
        return sensor("retries", taskTags, "Requests sent again after a 5xx, 408, timeout, connection error or "
                + "bad body (429 waits not counted)");
    }

    private Sensor sensor(String name, Map<String, String> tags, String description) {
        String key = name + tags;
        return sensors.computeIfAbsent(key, k -> {
            Sensor sensor = metrics.sensor(k);
            sensor.add(metrics.metricName(name + "-total", GROUP, description + ", in total.", tags),
                    new CumulativeSum());
            sensor.add(metrics.metricName(name + "-rate", GROUP, description + ", per second.", tags), new Rate());
            return sensor;
        });
    }

    private void gauge(String name, String description, Map<String, String> tags, LongSupplier value) {
        MetricName metricName = metrics.metricName(name, GROUP, description, tags);
        metrics.addMetric(metricName, (Gauge<Long>) (config, now) -> value.getAsLong());
    }

    private void addMetric(String name, String description, Map<String, String> tags, Supplier<String> value) {
        MetricName metricName = metrics.metricName(name, GROUP, description, tags);
        metrics.addMetric(metricName, (Gauge<String>) (config, now) -> value.get());
    }

    private Map<String, String> with(String key, String value) {
        Map<String, String> tags = new LinkedHashMap<>(taskTags);
        tags.put(key, value);
        return tags;
    }

    @Override
    public void close() {
        metrics.close();
    }
}
