package io.kcintercom.connect.state;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;

/**
 * The worker's own Kafka client settings (bootstrap servers and security), found through the
 * task's context: Connect gives a task no client settings, but its context leads to the worker's
 * config, or to the client settings of the worker's offsets topic, which come from it (Kafka 4.1:
 * {@code WorkerSourceTaskContext.reader -> OffsetStorageReaderImpl.backingStore ->
 * ConnectorOffsetBackingStore.workerStore -> KafkaOffsetBackingStore.offsetLog ->
 * KafkaBasedLog.consumerConfigs}). Reflection on the runtime's internals, so every step is
 * guarded: anything unexpected means "not found", never a failure.
 */
final class WorkerClientSettings {
    private static final String WORKER_CONFIG = "org.apache.kafka.connect.runtime.WorkerConfig";
    /** Only Connect's own objects are walked (runtime, storage, util), never the clients or the JDK's. */
    private static final String CONNECT_PACKAGE = "org.apache.kafka.connect.";
    private static final int MAX_DEPTH = 6;
    /** What a consumer and an admin client need to reach the worker's cluster as the worker does. */
    private static final Set<String> KEYS = Set.of("bootstrap.servers", "security.protocol", "client.dns.lookup",
            "security.providers", "connections.max.idle.ms", "request.timeout.ms");

    private WorkerClientSettings() {
    }

    /** The worker's client settings reachable from {@code context}, or an empty map. */
    static Map<String, Object> from(Object context) {
        try {
            Map<String, ?> found = find(context);
            if (found == null) {
                return Map.of();
            }
            Map<String, Object> settings = new HashMap<>();
            found.forEach((key, value) -> {
                if (value != null && (KEYS.contains(key) || key.startsWith("ssl.") || key.startsWith("sasl."))) {
                    settings.put(key, value);
                }
            });
            return settings.containsKey("bootstrap.servers") ? settings : Map.of();
        } catch (RuntimeException | LinkageError e) {
            return Map.of();
        }
    }

    /**
     * Breadth-first through Connect's own objects, a few steps deep, for the WorkerConfig's
     * settings or a map of client settings naming bootstrap servers (an internal topic's).
     */
    private static Map<String, ?> find(Object root) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> queue = new ArrayDeque<>();
        queue.add(new Object[] {root, 0});
        while (!queue.isEmpty()) {
            Object[] next = queue.poll();
            Object object = next[0];
            int depth = (Integer) next[1];
            if (object instanceof Optional<?> optional) {
                object = optional.orElse(null);
            }
            if (object == null || !seen.add(object)) {
                continue;
            }
            if (isWorkerConfig(object.getClass()) && object instanceof AbstractConfig config) {
                return config.originals();
            }
            if (object instanceof Map<?, ?> map && depth > 0 && map.get("bootstrap.servers") != null) {
                @SuppressWarnings("unchecked")
                Map<String, ?> settings = (Map<String, ?>) map;
                return settings;
            }
            if (depth >= MAX_DEPTH || !object.getClass().getName().startsWith(CONNECT_PACKAGE)) {
                continue;
            }
            for (Class<?> type = object.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
                for (Field field : type.getDeclaredFields()) {
                    if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()) {
                        continue;
                    }
                    try {
                        field.setAccessible(true);
                        queue.add(new Object[] {field.get(object), depth + 1});
                    } catch (RuntimeException | IllegalAccessException e) {
                        // a field the module system keeps closed: not the one we look for
                    }
                }
            }
        }
        return null;
    }

    private static boolean isWorkerConfig(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(WORKER_CONFIG)) {
                return true;
            }
        }
        return false;
    }
}
