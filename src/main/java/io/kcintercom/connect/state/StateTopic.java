package io.kcintercom.connect.state;

import io.kcintercom.connect.resource.Resource;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state topic: created (compacted) when missing, and read to its end when a task starts, the
 * way Connect reads its own internal topics: a consumer of its own, no group, every partition
 * assigned from the beginning, read_committed so that only what a committed transaction wrote
 * counts (under exactly-once, a state record commits with the rows it describes).
 */
public final class StateTopic {
    private static final Logger log = LoggerFactory.getLogger(StateTopic.class);
    /** How long creating or reading the topic may wait for the cluster before the task runs without it. */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);

    private StateTopic() {
    }

    /** Creates the topic, compacted, unless it exists. */
    static void create(Map<String, Object> clientSettings, String topic) throws KafkaException {
        Map<String, Object> settings = new HashMap<>(clientSettings);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        settings.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "intercom-state-admin");
        try (Admin admin = Admin.create(settings)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Created the state topic {} (compacted)", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("could not create the state topic " + topic, e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaException("timed out creating the state topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating the state topic " + topic, e);
        }
    }

    /** Reads the topic to its end into a store of the given resources; returns the records read. */
    static long load(Map<String, Object> clientSettings, String topic, KeyStore store) throws KafkaException {
        Map<String, Object> settings = new HashMap<>(clientSettings);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
        settings.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "intercom-state-loader");
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            List<TopicPartition> partitions = infos == null ? List.of()
                    : infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long lastProgress = System.nanoTime();
            while (!reachedEnd(consumer, end)) {
                var records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > CLIENT_TIMEOUT.toNanos()) {
                    throw new org.apache.kafka.common.errors.TimeoutException("no progress reading " + topic);
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    StateRecords.Entry entry = StateRecords.parse(record.key(), record.value());
                    if (entry != null) {
                        store.load(entry.resource(), entry.parentId(), entry.state());
                    }
                    read++;
                }
            }
        }
        return read;
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey()) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The store of a task: created and loaded from the state topic, or {@link EmittedKeys#NONE}
     * (with one WARN naming the key to set) when no cluster is configured or reachable. Never fails
     * the task: without the store it still emits every row, it only cannot retract.
     *
     * @param explicit    the {@code state.kafka.*} settings (empty when not set)
     * @param taskContext the task's context, where the worker's own settings are looked for
     */
    public static EmittedKeys open(Map<String, Object> explicit, Object taskContext, String topic,
                                   Collection<Resource> resources, String bootstrapKey) {
        Map<String, Object> settings = explicit.isEmpty() ? WorkerClientSettings.from(taskContext) : explicit;
        if (settings.isEmpty()) {
            log.warn("No Kafka client settings for the state topic {}: set {} (and state.kafka.* security "
                    + "settings); until then removed tags, companies, segments and deleted objects are not "
                    + "retracted", topic, bootstrapKey);
            return EmittedKeys.NONE;
        }
        long started = System.nanoTime();
        try {
            create(settings, topic);
            KeyStore store = new KeyStore(topic, resources);
            long read = load(settings, topic, store);
            log.info("Loaded the state topic {}: {} records, {} parents, in {} ms", topic, read,
                    resources.stream().mapToInt(store::size).sum(), (System.nanoTime() - started) / 1_000_000);
            return store;
        } catch (KafkaException | IllegalArgumentException e) {
            // Never the settings' values in the message: they may hold credentials.
            log.warn("Cannot read the state topic {} ({}); running without it: nothing is retracted. Check {} "
                    + "and the state.kafka.* security settings, and the ACLs (create, read, write on the topic)",
                    topic, e.getClass().getSimpleName(), bootstrapKey);
            return EmittedKeys.NONE;
        }
    }
}
