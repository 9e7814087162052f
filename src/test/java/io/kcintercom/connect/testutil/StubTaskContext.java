package io.kcintercom.connect.testutil;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;

/**
 * What a worker hands a task, for running a task without a worker: its configs and the stored
 * offsets (none, or the given ones), nothing else. The task registers its metrics over JMX, so
 * there are no plugin metrics.
 */
public final class StubTaskContext implements SourceTaskContext {
    private final Map<String, String> configs;
    private final Map<Map<String, String>, Map<String, Object>> stored;

    public StubTaskContext(Map<String, String> configs, Map<Map<String, String>, Map<String, Object>> stored) {
        this.configs = configs;
        this.stored = stored;
    }

    /** A context whose offset store is empty: the task starts from scratch. */
    public static StubTaskContext withoutOffsets(Map<String, String> configs) {
        return new StubTaskContext(configs, Map.of());
    }

    @Override
    public Map<String, String> configs() {
        return configs;
    }

    @Override
    public OffsetStorageReader offsetStorageReader() {
        return new OffsetStorageReader() {
            @Override
            public <T> Map<String, Object> offset(Map<String, T> partition) {
                return stored.get(partition);
            }

            @Override
            public <T> Map<Map<String, T>, Map<String, Object>> offsets(Collection<Map<String, T>> partitions) {
                Map<Map<String, T>, Map<String, Object>> out = new HashMap<>();
                for (Map<String, T> partition : partitions) {
                    if (stored.containsKey(partition)) {
                        out.put(partition, stored.get(partition));
                    }
                }
                return out;
            }
        };
    }

    @Override
    public PluginMetrics pluginMetrics() {
        return null;
    }
}
