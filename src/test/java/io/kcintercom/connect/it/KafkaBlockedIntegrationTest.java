package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, "Prove it": Kafka blocked for a long time in the middle of a sync. The broker is
 * stopped (every send, offset commit and status write waits) and started again on the same ports;
 * the connector's readers stop reading while they cannot hand records over, and the companies
 * scroll, shorter-lived here than the block, is not lost to it.
 *
 * <p>Durations are scaled down so that CI stays fast: the broker is down for 20 s, standing for
 * the 15 minutes; the fake's scroll expires after 3 s unused (Intercom: one minute), so
 * the block outlasts a scroll many times over, as 15 minutes outlast a real one. The worker's
 * group session timeout is raised to 60 s so that the worker itself keeps its tasks through the
 * block (a Connect worker out of contact with its group for longer than its session gives its
 * tasks up: that is Connect's behaviour, not this connector's).
 */
class KafkaBlockedIntegrationTest {
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster("intercom-kafka-blocked", Map.of("session.timeout.ms", "60000",
                "heartbeat.interval.ms", "3000", "offset.flush.timeout.ms", "2000"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void kafkaDownForLongMidSyncLosesNothingAndFailsNothing() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(154, SampleWorkspace.Sizes.builder()
                .users(300).leads(60).companies(120).admins(4).teams(2).tags(12).segments(4).conversations(0)
                .build());
        String name = "kafka-blocked";
        String prefix = "kblock.";
        // Topics exist before the sync, as many production setups create them: creating a topic
        // while the broker is down is the worker's own call, which would time out.
        for (String table : Template.BASIC.tables()) {
            cluster.connect().kafka().createTopic(prefix + table, 1);
        }
        try (ConnectorLogs logs = new ConnectorLogs();
             FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().rateLimitPer10s(0)
                     .latencyMs(5, 10).scrollPageSize(10).scrollExpiryMs(3_000).build())) {
            cluster.connect().configureConnector(name, OutageIntegrationTest.connectorConfig(fake, prefix));
            try (TaskWatch watch = new TaskWatch(cluster.connect(), name)) {
                cluster.awaitRows(prefix + Tables.USERS, java.time.Duration.ofSeconds(120), rows -> rows.size() >= 30);
                cluster.connect().kafka().stopOnlyBrokers();
                long requestsWhenBlocked = fake.totalRequests();
                Thread.sleep(20_000);
                long requestsDuringBlock = fake.totalRequests() - requestsWhenBlocked;
                cluster.connect().kafka().restartOnlyBrokers();

                OutageIntegrationTest.assertEveryRow(cluster, ws, prefix);
                assertTrue(ws.companies().size() > 10 * 10, "the companies scroll spans many pages");
                assertEquals(List.of(), watch.notRunning(), "the task stayed RUNNING");
                assertTrue(watch.statusReads() > 20, "the status was read throughout: " + watch.statusReads());
                // Kafka's trouble is not Intercom's: no resource reports an outage.
                for (String resource : List.of("users", "leads", "companies")) {
                    assertEquals(0, watch.longestOutageSeconds(resource), resource + " reported an Intercom outage");
                    assertEquals(-1, TaskWatch.healthLong(name, resource, "outage-start-timestamp-ms"));
                }
                assertEquals(0, TaskWatch.healthLong(name, "companies", "scroll-restarts-total"),
                        "the scroll was read to its end, not lost to the block");
                // The readers waited for Kafka rather than reading the workspace into memory.
                assertTrue(requestsDuringBlock < ws.contacts("user").size(),
                        "requests while Kafka was down: " + requestsDuringBlock);
            }
            cluster.connect().deleteConnector(name);
            List<String> outageWarns = logs.lines().stream()
                    .filter(l -> l.startsWith("WARN") && l.contains("Intercom is failing")).toList();
            assertEquals(List.of(), outageWarns, "no Intercom outage logged for a Kafka outage");
        }
    }
}
