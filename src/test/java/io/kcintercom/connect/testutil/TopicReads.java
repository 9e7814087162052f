package io.kcintercom.connect.testutil;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reading topics back in tests: whole partitions, from their beginning to their end offsets now. */
public final class TopicReads {
    private TopicReads() {
    }

    /** What to do when the end offsets are not reached in time. */
    public enum OnTimeout { FAIL, STOP }

    /**
     * Assigns the partitions to the consumer, reads each from its beginning up to the end offset it
     * has when the read starts (for the consumer's isolation level), and hands every record to the
     * sink. Returns those end offsets.
     *
     * @param what names the read in the timeout failure
     */
    public static Map<TopicPartition, Long> readToEnd(KafkaConsumer<byte[], byte[]> consumer,
                                                      List<TopicPartition> partitions, Duration timeout,
                                                      OnTimeout onTimeout, String what,
                                                      Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            if (System.currentTimeMillis() > deadline) {
                if (onTimeout == OnTimeout.STOP) {
                    break;
                }
                throw new AssertionError("Timed out reading " + what);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(sink);
        }
        return end;
    }

    /** Whether the topic exists now on the cluster at these bootstrap servers. */
    public static boolean exists(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            return admin.listTopics().names().get().contains(topic);
        } catch (Exception e) {
            return false;
        }
    }
}
