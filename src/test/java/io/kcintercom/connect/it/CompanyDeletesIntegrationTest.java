package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deleted companies (issue 16) on the in-process worker with exactly-once source support: after a
 * full sync the workspace deletes companies; the next companies pass retracts them, and after the
 * tasks restart (their store reloaded from the state topic) so does the pass after another
 * delete. The compacted companies topic then equals the workspace.
 */
class CompanyDeletesIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String CONNECTOR = "intercom-company-deletes";
    private static final String PREFIX = "cdel.";
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster(CONNECTOR, Map.of("exactly.once.source.support", "enabled",
                "producer.transaction.timeout.ms", "5000"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void deletedCompaniesAreRetractedBeforeAndAfterTheTasksRestart() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(1617, SampleWorkspace.Sizes.builder()
                .users(10).leads(0).companies(12).admins(1).teams(1).tags(2).segments(1).conversations(0)
                .build());
        // A task stopped mid-scroll leaves the workspace's one scroll open for its successor to wait out:
        // two seconds here, not Intercom's minute.
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().scrollExpiryMs(2_000).build())) {
            cluster.connect().configureConnector(CONNECTOR, config(fake));
            awaitCompacted(ws, "the full sync");

            List<String> ids = ws.companies().stream().map(c -> c.get("id").asText()).toList();
            ws.deleteCompany(ids.get(0));
            ws.deleteCompany(ids.get(5));
            awaitCompacted(ws, "two companies deleted");

            cluster.connect().restartConnectorAndTasks(CONNECTOR, false, true, false);
            ws.deleteCompany(ids.get(11));
            awaitCompacted(ws, "a company deleted after the tasks restarted");
            assertTrue(fake.requestCount("GET /companies/{id}") >= 3, "each delete confirmed");
            cluster.connect().deleteConnector(CONNECTOR);
        }
    }

    /** Waits until the compacted companies topic equals the workspace; fails naming the differences. */
    private static void awaitCompacted(SampleWorkspace ws, String what) throws InterruptedException {
        cluster.awaitCompacted(PREFIX, () -> ExpectedRows.forWorkspace(ws, List.of(Tables.COMPANIES)), TIMEOUT, what);
    }

    private static Map<String, String> config(FakeIntercom fake) {
        Map<String, String> config = SampleConnector.config(fake, PREFIX);
        config.put("tasks.max", "1");
        config.put("intercom.tables", Tables.COMPANIES);
        config.put("companies.poll.interval.ms", "1000");
        config.put("retry.backoff.ms", "50");
        return config;
    }
}
