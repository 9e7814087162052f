package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, "Prove it": Intercom failing for a long time while a sync runs on the in-process
 * Connect worker, and the task never failing. Each test ends with every expected row in its
 * topic, the task RUNNING on the REST API throughout (read every 200 ms by {@link TaskWatch}),
 * the per-resource health on JMX and the outage logs asserted.
 *
 * <p>Durations are scaled down so that CI stays fast: what takes 15 to 30 minutes in production
 * takes 12 to 25 seconds here. The scale is kept where it matters: a request's own retries give
 * up after {@code retry.max.time.ms=1000}, so an outage of 15 s lasts fifteen times the client's
 * whole retry budget and only the resource-level supervision (resume from the last position with
 * backoff up to {@code retry.backoff.max.ms=1000}) can carry the sync through it, as it carries a
 * 30-minute outage past the default 5-minute budget.
 */
class OutageIntegrationTest {
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(120);
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster("intercom-outages", Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static SampleWorkspace basicWorkspace(long seed) {
        return SampleWorkspace.generate(seed, SampleWorkspace.Sizes.builder()
                .users(300).leads(60).companies(40).admins(4).teams(2).tags(12).segments(4).conversations(0)
                .build());
    }

    /** One task for every resource: a resource waiting must not hold up the others of its task. */
    static Map<String, String> connectorConfig(FakeIntercom fake, String prefix) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "1");
        config.put("intercom.token.check", "false");
        config.put("intercom.template", "basic");
        config.put("poll.interval.ms", "2000");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        config.put("retry.max.time.ms", "1000");
        config.put("retry.backoff.max.ms", "1000");
        config.put("request.timeout.ms", "5000");
        return config;
    }

    /**
     * A 503 outage of every endpoint (an HTML gateway page, as Intercom's load balancers send) in
     * the middle of a sync: 15 s here, standing for the 30 minutes.
     */
    @Test
    void aLongOutageOfEveryEndpointMidSyncIsWaitedOut() throws Exception {
        SampleWorkspace ws = basicWorkspace(151);
        String name = "outage-503";
        String prefix = "o503.";
        ConnectorLogs logs = new ConnectorLogs(name);
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().rateLimitPer10s(0)
                .latencyMs(2, 5).build())) {
            // Mid-sync: after 150 requests, a fraction of the users' (search pages and per-contact follow-ups).
            fake.outageAfter(FakeIntercom.ALL_ENDPOINTS, FakeIntercom.Fault.HTTP_503, 150, 15_000);
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix));
            try (TaskWatch watch = new TaskWatch(cluster.connect(), name)) {
                awaitOutage(fake, Duration.ofSeconds(60));
                long rowsAtStart = cluster.topicExists(prefix + Tables.USERS)
                        ? cluster.readAll(prefix + Tables.USERS).size() : 0;
                assertTrue(rowsAtStart < ws.contacts("user").size(), "the outage starts mid-sync: " + rowsAtStart);
                // While Intercom fails: the resource says so on JMX, and the task keeps RUNNING.
                awaitHealth(name, "users", "outage-seconds", v -> ((Number) v).longValue() >= 3, Duration.ofSeconds(30));
                assertTrue(TaskWatch.healthLong(name, "users", "outage-start-timestamp-ms") > 0);
                String cause = String.valueOf(TaskWatch.health(name, "users", "outage-cause"));
                assertTrue(cause.contains("503") || cause.equals("server-error"), "cause " + cause);
                awaitOutageOver(fake, Duration.ofSeconds(60));

                assertEveryRow(cluster, ws, prefix);
                assertHealedAndRunning(watch, name, "users");
                assertTrue(watch.statesSeen("users").contains("backing-off"), "states " + watch.statesSeen("users"));
                assertTrue(watch.longestOutageSeconds("users") >= 3, "outage-seconds seen "
                        + watch.longestOutageSeconds("users"));
                assertTrue(TaskWatch.healthLong(name, "users", "retries-server-error-total") > 0);
            }
            cluster.connect().deleteConnector(name);
        } finally {
            logs.close();
        }
        assertOneWarnAndOneHealPerResource(logs.lines(), "users");
    }

    /**
     * Another client (a BI tool's sync, a script) holds the workspace's one companies scroll for
     * 30 s here, standing for the 20 minutes, from before the connector starts. Users and
     * leads, in the same task, flow meanwhile; companies arrive once the hold ends.
     */
    @Test
    void aScrollHeldElsewhereForLongHoldsUpOnlyCompanies() throws Exception {
        SampleWorkspace ws = basicWorkspace(152);
        String name = "outage-scroll";
        String prefix = "oscroll.";
        long holdMs = 30_000;
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().rateLimitPer10s(0)
                .latencyMs(2, 5).build())) {
            fake.holdScrollElsewhere(holdMs);
            long holdEnds = System.currentTimeMillis() + holdMs;
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix));
            try (TaskWatch watch = new TaskWatch(cluster.connect(), name)) {
                cluster.awaitRows(prefix + Tables.USERS, SYNC_TIMEOUT, rows -> rows.size() >= 100);
                cluster.awaitRows(prefix + Tables.LEADS, SYNC_TIMEOUT, rows -> rows.size() >= 30);
                long companyRows = cluster.topicExists(prefix + Tables.COMPANIES)
                        ? cluster.readAll(prefix + Tables.COMPANIES).size() : 0;
                assertTrue(System.currentTimeMillis() < holdEnds, "users and leads arrived while the scroll was held");
                assertEquals(0, companyRows, "no company before the other client lets the scroll go");
                assertTrue(TaskWatch.healthLong(name, "companies", "scroll-lock-waits-total") > 0,
                        "companies counts its waits for the scroll");

                assertEveryRow(cluster, ws, prefix);
                assertTrue(System.currentTimeMillis() >= holdEnds);
                assertHealedAndRunning(watch, name, "companies");
                assertTrue(TaskWatch.healthLong(name, "companies", "scroll-lock-waits-total") >= 2,
                        "waited more than once: the hold outlasts one 10 s wait");
            }
            cluster.connect().deleteConnector(name);
        }
    }

    /**
     * Every endpoint answers 429 for 12 s here (a storm: another app of the workspace spending the
     * shared limit). 429s are rate limiting, not an outage: waited out until the window resets,
     * counted as rate-limited retries, and no outage WARN.
     */
    @Test
    void a429StormIsWaitedOutAsRateLimitingNotAnOutage() throws Exception {
        SampleWorkspace ws = basicWorkspace(153);
        String name = "outage-429";
        String prefix = "o429.";
        ConnectorLogs logs = new ConnectorLogs(name);
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().rateLimitPer10s(0)
                .latencyMs(2, 5).build())) {
            fake.outageAfter(FakeIntercom.ALL_ENDPOINTS, FakeIntercom.Fault.HTTP_429, 150, 12_000);
            cluster.connect().configureConnector(name, connectorConfig(fake, prefix));
            try (TaskWatch watch = new TaskWatch(cluster.connect(), name)) {
                awaitOutage(fake, Duration.ofSeconds(60));
                awaitOutageOver(fake, Duration.ofSeconds(60));
                assertEveryRow(cluster, ws, prefix);
                assertHealedAndRunning(watch, name, "users");
                assertTrue(fake.rateLimited429s() >= 2, "429s answered: " + fake.rateLimited429s());
                // Which resource's request draws the 429s depends on who probes the window after the
                // first one: the task's resources together count them.
                long rateLimited = 0;
                for (String resource : List.of("users", "leads", "companies", "admins", "tags", "segments")) {
                    rateLimited += TaskWatch.healthLong(name, resource, "retries-rate-limited-total");
                }
                assertTrue(rateLimited > 0, "the 429s are counted by cause");
                assertEquals(0, watch.longestOutageSeconds("users"), "a 429 storm is no outage");
            }
            cluster.connect().deleteConnector(name);
        } finally {
            logs.close();
        }
        List<String> outageWarns = logs.lines().stream()
                .filter(l -> l.startsWith("WARN") && l.contains("Intercom is failing")).toList();
        assertTrue(outageWarns.isEmpty(), "no outage WARN for rate limiting: " + outageWarns);
    }

    // ---- shared steps ------------------------------------------------------------------------------

    static void awaitOutage(FakeIntercom fake, Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!fake.outageRunning()) {
            assertTrue(System.currentTimeMillis() < deadline, "the outage never started");
            Thread.sleep(50);
        }
    }

    static void awaitOutageOver(FakeIntercom fake, Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (fake.outagesPending() > 0) {
            assertTrue(System.currentTimeMillis() < deadline, "the outage never ended");
            Thread.sleep(100);
        }
    }

    static void awaitHealth(String connector, String resource, String attribute,
                            java.util.function.Predicate<Object> done, Duration timeout) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        Object value = null;
        while (System.currentTimeMillis() < deadline) {
            value = TaskWatch.health(connector, resource, attribute);
            if (done.test(value)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(resource + " " + attribute + " is still " + value);
    }

    /** Every key the workspace has, in every table of the basic template, with nothing else. */
    static void assertEveryRow(ConnectCluster cluster, SampleWorkspace ws, String prefix) throws InterruptedException {
        Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, Template.BASIC.tables());
        for (String table : Template.BASIC.tables()) {
            Set<String> want = expected.get(table);
            List<ConnectCluster.Row> rows = cluster.awaitRows(prefix + table, SYNC_TIMEOUT,
                    r -> keys(table, r).containsAll(want));
            assertEquals(want, keys(table, rows), "keys of " + table);
        }
    }

    /**
     * The outage is over on JMX (no start, no cause, a state of a working resource) and the
     * task was RUNNING at every look at the REST API.
     */
    static void assertHealedAndRunning(TaskWatch watch, String connector, String resource) throws Exception {
        awaitHealth(connector, resource, "outage-start-timestamp-ms", v -> ((Number) v).longValue() == -1,
                Duration.ofSeconds(10));
        assertEquals(0, TaskWatch.healthLong(connector, resource, "outage-seconds"));
        assertEquals("", TaskWatch.health(connector, resource, "outage-cause"));
        awaitHealth(connector, resource, "state", v -> Set.of("running", "caught-up").contains(String.valueOf(v)),
                Duration.ofSeconds(10));
        assertTrue(TaskWatch.healthLong(connector, resource, "last-success-timestamp-ms") > 0);
        assertTrue(watch.statusReads() > 20, "the status was read throughout: " + watch.statusReads());
        assertEquals(List.of(), watch.notRunning(), "the task stayed RUNNING");
    }

    /**
     * One WARN when a resource's outage starts and one INFO when it heals, for {@code mustHave}
     * at least and for every resource that had one: never a WARN per retry.
     */
    static void assertOneWarnAndOneHealPerResource(List<String> lines, String mustHave) {
        for (String resource : List.of("users", "leads", "companies", "admins", "tags", "segments")) {
            long starts = lines.stream().filter(l -> l.startsWith("WARN")
                    && l.contains(resource + ": Intercom is failing")).count();
            long heals = lines.stream().filter(l -> l.startsWith("INFO")
                    && l.contains(resource + ": Intercom answers again")).count();
            assertTrue(starts <= 1, resource + ": one WARN per outage, saw " + starts);
            assertEquals(starts, heals, resource + ": an INFO heal for each outage");
            if (resource.equals(mustHave)) {
                assertEquals(1, starts, resource + " had an outage");
            }
        }
        long retryWarns = lines.stream().filter(l -> l.startsWith("WARN") && l.contains("etrying")
                && !l.contains("Intercom is failing")).count();
        assertEquals(0, retryWarns, "retries are not logged at WARN");
    }

    static Set<String> keys(String table, List<ConnectCluster.Row> rows) {
        Set<String> keys = new HashSet<>();
        for (ConnectCluster.Row row : rows) {
            if (row.value() != null) {
                keys.add(ExpectedRows.keyOf(table, row.key()));
            }
        }
        return keys;
    }
}
