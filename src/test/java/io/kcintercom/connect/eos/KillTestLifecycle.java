package io.kcintercom.connect.eos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** One Kafka cluster per kill-test class; no worker JVM may outlive its test. */
abstract class KillTestLifecycle {
    static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KillTestSupport.startKafka();
    }

    @AfterAll
    static void stopKafka() {
        KillTestSupport.killAllWorkers();
        if (kafka != null) {
            kafka.stop();
            kafka = null;
        }
    }

    @AfterEach
    void noWorkerLeftRunning() {
        KillTestSupport.killAllWorkers();
        assertEquals(0, KillTestSupport.liveWorkers(), "a worker JVM outlived its test");
    }
}
