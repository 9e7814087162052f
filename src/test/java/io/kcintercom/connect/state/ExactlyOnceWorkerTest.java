package io.kcintercom.connect.state;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.Test;

/**
 * {@link WorkerClientSettings#exactlyOnce}: the store's versions are trusted only on a worker with
 * {@code exactly.once.source.support=enabled}; anything else (disabled, preparing, no worker
 * config found) reads as at-least-once.
 */
class ExactlyOnceWorkerTest {

    private static DistributedConfig worker(String exactlyOnce) {
        Map<String, String> props = new HashMap<>();
        props.put("bootstrap.servers", "127.0.0.1:9092");
        props.put("group.id", "connect");
        props.put("config.storage.topic", "c");
        props.put("offset.storage.topic", "o");
        props.put("status.storage.topic", "s");
        props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        if (exactlyOnce != null) {
            props.put("exactly.once.source.support", exactlyOnce);
        }
        return new DistributedConfig(props);
    }

    @Test
    void onlyAWorkerWithExactlyOnceEnabledIsExact() {
        assertTrue(WorkerClientSettings.exactlyOnce(worker("enabled")));
        assertFalse(WorkerClientSettings.exactlyOnce(worker("preparing")));
        assertFalse(WorkerClientSettings.exactlyOnce(worker("disabled")));
        assertFalse(WorkerClientSettings.exactlyOnce(worker(null)));
        assertFalse(WorkerClientSettings.exactlyOnce(new Object()), "no worker config found");
        assertFalse(WorkerClientSettings.exactlyOnce(null));
    }
}
