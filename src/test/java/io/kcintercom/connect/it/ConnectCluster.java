package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.testutil.TopicReads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * Apache Kafka's in-process broker and Connect worker, set up as a user would run this connector:
 * JSON converters without schemas (so values read back as plain JSON), fast offset flushes.
 */
final class ConnectCluster implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final EmbeddedConnectCluster connect;

    ConnectCluster(String name, Map<String, String> extraWorkerProps) {
        this(name, 1, extraWorkerProps);
    }

    ConnectCluster(String name, int workers, Map<String, String> extraWorkerProps) {
        Map<String, String> workerProps = new HashMap<>();
        workerProps.put("offset.flush.interval.ms", "500");
        workerProps.put("listeners", "http://127.0.0.1:0");
        workerProps.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        workerProps.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        workerProps.put("key.converter.schemas.enable", "false");
        workerProps.put("value.converter.schemas.enable", "false");
        workerProps.putAll(extraWorkerProps);
        // Exactly-once workers write their config topic transactionally: the one broker must host the
        // transaction log (it wants 3 replicas by default, and the worker never becomes leader).
        java.util.Properties brokerProps = new java.util.Properties();
        brokerProps.put("transaction.state.log.replication.factor", "1");
        brokerProps.put("transaction.state.log.min.isr", "1");
        connect = new EmbeddedConnectCluster.Builder()
                .name(name)
                .numWorkers(workers)
                .numBrokers(1)
                .brokerProps(brokerProps)
                .workerProps(workerProps)
                .build();
        connect.start();
    }

    EmbeddedConnectCluster connect() {
        return connect;
    }

    /** Every record now in the topics, read to their end offsets, as parsed JSON key and value. */
    List<Row> readAll(String... topics) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<Row> rows = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            TopicReads.readToEnd(consumer, partitions, Duration.ofSeconds(30), TopicReads.OnTimeout.FAIL,
                    String.join(",", topics),
                    record -> rows.add(new Row(record.topic(), parse(record.key()), parse(record.value()))));
        }
        return rows;
    }

    /** Waits until the topic holds rows satisfying {@code done}; returns them. */
    List<Row> awaitRows(String topic, Duration timeout, Predicate<List<Row>> done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        List<Row> rows = List.of();
        while (System.currentTimeMillis() < deadline) {
            if (topicExists(topic)) {
                rows = readAll(topic);
                if (done.test(rows)) {
                    return rows;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Timed out waiting for " + topic + "; it holds " + rows.size() + " rows");
    }

    /** What log compaction keeps of each table's topic: the keys whose last record is a row, not a tombstone. */
    Map<String, Set<String>> compacted(String prefix, Collection<String> tables) {
        Map<String, Set<String>> keys = new HashMap<>();
        tables.forEach(table -> keys.put(table, new TreeSet<>()));
        String[] topics = tables.stream().map(t -> prefix + t).filter(this::topicExists).toArray(String[]::new);
        // One topic per table and one partition per topic: records come in log order within each table.
        for (Row row : topics.length == 0 ? List.<Row>of() : readAll(topics)) {
            String table = row.topic().substring(prefix.length());
            String key = ExpectedRows.keyOf(table, row.key());
            if (row.value() == null) {
                keys.get(table).remove(key);
            } else {
                keys.get(table).add(key);
            }
        }
        return keys;
    }

    /**
     * Waits until every table's compacted view equals {@code expected} (asked again each round: the
     * workspace may still be changing); fails naming the extra and missing keys per table.
     */
    Map<String, Set<String>> awaitCompacted(String prefix, Supplier<Map<String, Set<String>>> expected,
                                            Duration timeout, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        Map<String, Set<String>> want = expected.get();
        Map<String, Set<String>> compacted = Map.of();
        while (System.currentTimeMillis() < deadline) {
            want = expected.get();
            compacted = compacted(prefix, want.keySet());
            if (compacted.equals(want)) {
                return compacted;
            }
            Thread.sleep(500);
        }
        assertEquals(Map.of(), ExpectedRows.differences(compacted, want), "compacted topics after " + what);
        return compacted;
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
        try {
            return MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("Not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }

    /** One record read back. */
    record Row(String topic, JsonNode key, JsonNode value) {
        String id() {
            return key.has("id") ? key.get("id").asText() : key.toString();
        }
    }
}
