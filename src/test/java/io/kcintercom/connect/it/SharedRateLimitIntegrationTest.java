package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Three Connect workers sharing one token, as on a production cluster: seven tasks (one per
 * resource of the {@code all} template) spread over them, against the sample workspace with a tight
 * rate limit, so the sync spends many windows; fewer than 1 % of the requests may be answered 429,
 * and every expected row arrives.
 *
 * <p>The limiter is static per JVM, and the in-process workers share one JVM, so they would share one
 * limiter and never compete. The internal {@code intercom.rate.limit.scope=task} gives each task
 * its own limiter instead: seven independent limiters, each seeing the others only through the
 * server's {@code X-RateLimit-Remaining}, as workers in separate JVMs do (a harder case than three).
 */
class SharedRateLimitIntegrationTest {
    private static final int LIMIT_PER_10S = 80;

    @Test
    void sevenTasksOnThreeWorkersShareOneRateLimitWithoutOverspendingIt() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(19, SampleWorkspace.Sizes.builder()
                .users(160).leads(40).companies(12).admins(3).teams(1).tags(6).segments(2).conversations(40)
                .build());
        FakeIntercom.Options options = FakeIntercom.Options.builder().rateLimitPer10s(LIMIT_PER_10S)
                .latencyMs(20, 60).build();
        try (FakeIntercom fake = FakeIntercom.start(ws, options);
             ConnectCluster cluster = new ConnectCluster("intercom-shared-limit", 3, Map.of())) {
            String prefix = "shared.";
            String name = "intercom-shared-limit";
            long started = System.currentTimeMillis();
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix));
            cluster.connect().assertions().assertConnectorAndExactlyNumTasksAreRunning(name, 7,
                    "connector did not start its 7 tasks");

            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, Template.ALL.tables());
            for (String table : Template.ALL.tables()) {
                Set<String> want = expected.get(table);
                List<ConnectCluster.Row> rows = cluster.awaitRows(prefix + table, Duration.ofSeconds(120),
                        r -> keys(table, r).containsAll(want));
                assertEquals(want, keys(table, rows), "keys of " + table);
            }
            long seconds = (System.currentTimeMillis() - started) / 1000;
            long requests = fake.totalRequests();
            long refused = fake.rateLimited429s();
            double floorSeconds = requests * 10.0 / LIMIT_PER_10S;
            System.out.printf("3 workers, 7 tasks, %d per 10 s: %d requests, %d answered 429 (%.2f %%), all rows in"
                    + " %d s, %.2f x the floor of %.0f s%n", LIMIT_PER_10S, requests, refused,
                    100.0 * refused / requests, seconds, seconds / floorSeconds, floorSeconds);
            assertTrue(requests > 4 * LIMIT_PER_10S, "the sync spans several windows: " + requests + " requests");
            assertTrue(refused < requests / 100.0, refused + " of " + requests + " requests answered 429");
            cluster.connect().deleteConnector(name);
        }
    }

    private static Map<String, String> connectorConfig(FakeIntercom fake, String prefix) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "7");
        config.put("intercom.template", Template.ALL.configValue());
        config.put("intercom.rate.limit.scope", "task");
        config.put("poll.interval.ms", "600000");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        config.put("max.in.flight.requests", "4");
        return config;
    }

    private static Set<String> keys(String table, List<ConnectCluster.Row> rows) {
        return rows.stream().filter(r -> r.value() != null).map(r -> ExpectedRows.keyOf(table, r.key()))
                .collect(Collectors.toSet());
    }
}
