package io.kcintercom.connect.metrics;

import io.kcintercom.connect.client.RequestObserver;
import io.kcintercom.connect.resource.ResourceReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
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
 * time waiting for the rate limit, retries, the last poll, each resource's lag (now minus its
 * updated_at watermark) and its counters (truncated conversations, objects that vanished).
 */
public final class TaskMetrics implements RequestObserver, AutoCloseable {
    public static final String JMX_PREFIX = "kafka.connect.intercom";
    public static final String GROUP = "intercom-source-task-metrics";

    private final Metrics metrics;
    private final Map<String, String> taskTags;
    private final String topicPrefix;
    private final Map<String, Sensor> sensors = new ConcurrentHashMap<>();
    private volatile long lastPollMs;

    public TaskMetrics(String connector, String task, String topicPrefix) {
        this.metrics = new Metrics(new MetricConfig(), List.of(new JmxReporter()), Time.SYSTEM,
                new KafkaMetricsContext(JMX_PREFIX));
        this.taskTags = new LinkedHashMap<>();
        taskTags.put("connector", connector);
        taskTags.put("task", task);
        this.topicPrefix = topicPrefix;
        gauge("last-poll-timestamp-ms", "When poll() last handed records to the worker (epoch ms).", taskTags,
                () -> lastPollMs);
    }

    /** Lag and counters of a reader, read when JMX asks. */
    public void register(ResourceReader reader) {
        Map<String, String> tags = with("resource", reader.resource().id());
        gauge("lag-seconds", "Now minus the resource's updated_at watermark, in seconds (-1 before the first).",
                tags, () -> {
                    long watermark = reader.watermarkSeconds();
                    return watermark <= 0 ? -1 : System.currentTimeMillis() / 1000 - watermark;
                });
        reader.counters().forEach((name, supplier) ->
                gauge(name + "-total", "Count of " + name.replace('-', ' ') + " since the task started.", tags,
                        supplier));
    }

    /** Counts the rows of a batch per table. */
    public void recordsEmitted(List<SourceRecord> records) {
        Map<String, Integer> perTopic = new LinkedHashMap<>();
        for (SourceRecord record : records) {
            perTopic.merge(record.topic(), 1, Integer::sum);
        }
        perTopic.forEach((topic, n) -> {
            String table = topic.startsWith(topicPrefix) ? topic.substring(topicPrefix.length()) : topic;
            sensor("rows-emitted", with("table", table), "Rows emitted").record(n);
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
        sensor("requests", tags, "Requests to Intercom").record(1);
        if (status == 429) {
            sensor("rate-limited", taskTags, "429 answers from Intercom").record(1);
        }
    }

    @Override
    public void onRetry() {
        sensor("retries", taskTags, "Requests retried after a 5xx, timeout, connection error or bad body")
                .record(1);
    }

    @Override
    public void onRateLimitWait(long millis) {
        sensor("rate-limit-wait-ms", taskTags, "Milliseconds spent waiting for Intercom's rate limit")
                .record(millis);
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
