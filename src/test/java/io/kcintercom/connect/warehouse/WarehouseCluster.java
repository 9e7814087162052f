package io.kcintercom.connect.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.testutil.TopicReads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * Apache Kafka's in-process broker and one Connect worker, configured as a typical cluster: the
 * worker's default converters are schemaless JSON, so each connector of the warehouse path sets
 * its own (JSON with schemas), exactly as the reference configs in {@code config/} do.
 */
final class WarehouseCluster implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The converter settings every connector of the warehouse path carries (sinks need schemas). */
    static final Map<String, String> JSON_WITH_SCHEMAS = Map.of(
            "key.converter", "org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable", "true",
            "value.converter", "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable", "true");

    private final EmbeddedConnectCluster connect;

    WarehouseCluster(String name) {
        Map<String, String> workerProps = new HashMap<>();
        workerProps.put("offset.flush.interval.ms", "500");
        workerProps.put("listeners", "http://127.0.0.1:0");
        // Every plugin on the test classpath has a ServiceLoader manifest (Apicurio's converters get
        // theirs from src/test/resources): skip the slow reflective scan of the whole classpath.
        workerProps.put("plugin.discovery", "service_load");
        workerProps.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        workerProps.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        workerProps.put("key.converter.schemas.enable", "false");
        workerProps.put("value.converter.schemas.enable", "false");
        connect = new EmbeddedConnectCluster.Builder()
                .name(name)
                .numWorkers(1)
                .numBrokers(1)
                .workerProps(workerProps)
                .build();
        connect.start();
    }

    EmbeddedConnectCluster connect() {
        return connect;
    }

    /** The Intercom source against a fake, with short intervals so a test sees changes within seconds. */
    static Map<String, String> sourceConfig(FakeIntercom fake, String prefix) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", IntercomSourceConnector.class.getName());
        config.put("tasks.max", "3");
        config.put("intercom.access.token", fake.options().token());
        config.put("intercom.api.url", fake.baseUrl());
        config.put("intercom.api.url.allow.custom", "true");
        config.put("intercom.token.check", "false");
        config.put("topic.prefix", prefix);
        config.put("poll.interval.ms", "500");
        config.put("poll.interval.max.ms", "500");
        config.put("companies.poll.interval.ms", "500");
        config.put("refresh.interval.ms", "500");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "1");
        config.putAll(JSON_WITH_SCHEMAS);
        return config;
    }

    /** The {@code config} object of a ready connector file in {@code config/}, as strings. */
    static Map<String, String> readyConfig(String file) {
        try {
            JsonNode config = JSON.readTree(new java.io.File("config", file)).get("config");
            Map<String, String> out = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.put(e.getKey(), e.getValue().asText());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record now in the topic, read to its end offsets, key and value parsed as JSON (null stays null). */
    List<Record> readAll(String topic) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Record> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            TopicReads.readToEnd(consumer, partitions, Duration.ofSeconds(30), TopicReads.OnTimeout.FAIL, topic,
                    r -> out.add(new Record(parse(r.key()), parse(r.value()))));
        }
        return out;
    }

    boolean topicExists(String topic) {
        return TopicReads.exists(connect.kafka().bootstrapServers(), topic);
    }

    @Override
    public void close() {
        connect.stop();
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text); // written by another converter (e.g. StringConverter)
        }
    }

    /**
     * One record as JSON: with schemas enabled, {"schema": ..., "payload": ...}; a value that is not
     * JSON as a text node; a Kafka tombstone (null bytes) as null.
     */
    record Record(JsonNode key, JsonNode value) {
    }
}
