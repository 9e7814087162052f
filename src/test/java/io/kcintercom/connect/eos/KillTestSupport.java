package io.kcintercom.connect.eos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.testutil.TopicReads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;

/**
 * The machinery of the kill tests: an in-process Kafka broker with transactions, Connect workers
 * as separate JVMs that can be SIGKILLed, the Connect REST API, and a reader that checks every
 * topic against the sample workspace.
 *
 * <p>{@link #run} drives one scenario against a {@link FakeIntercom} serving a seeded sample
 * workspace. It starts a worker JVM ({@code java -Xmx384m @classpath-file WorkerMain
 * worker.properties}, on this JVM's own class path, so the connector loads from the class path),
 * creates the connector through the REST API, and then, {@code kills} times: waits until the
 * topics hold a random share of the expected rows (seeded; each kill also waits for the current
 * worker to commit something of its own), kills the worker with {@link Process#destroyForcibly()}
 * (SIGKILL: no shutdown hook, no producer flush, no transaction abort), records what was
 * committed, and starts a fresh worker JVM on the same Kafka with the same group.id and internal
 * topics. Once every expected key has arrived it reads every topic back, {@code read_committed}
 * (what a downstream consumer sees) and {@code read_uncommitted} (which also returns the records
 * of aborted transactions: what a killed worker had in flight), and counts rows, duplicates,
 * records in flight at each kill and duplicates due to each kill.
 *
 * <p>Everything a run leaves is under {@code target/eos-kill/<scenario>/}: the worker properties
 * and logs, dumps of the worker's offsets topic after each kill, and {@code report.txt}.
 */
final class KillTestSupport {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Everything a run leaves behind (worker properties and logs, the report) goes under here. */
    static final Path OUT = Path.of("target", "eos-kill");
    /** The connector splits its work by resource; there are 7 resources. */
    static final int RESOURCES = 7;

    /** Workers started by this JVM, killed by {@link #killAllWorkers()} whatever happens. */
    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(KillTestSupport::killAllWorkers, "eos-kill-cleanup"));
    }

    private KillTestSupport() {
    }

    // ------------------------------------------------------------------------------------------
    // Kafka

    /** One in-process KRaft broker with transactions enabled at replication factor 1. */
    static EmbeddedKafkaCluster startKafka() {
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        broker.put("transaction.state.log.num.partitions", "4");
        broker.put("offsets.topic.replication.factor", "1");
        broker.put("offsets.topic.num.partitions", "4");
        broker.put("group.initial.rebalance.delay.ms", "0");
        // Lets the workers use a short session timeout, so the group drops a killed worker quickly.
        broker.put("group.min.session.timeout.ms", "1000");
        broker.put("auto.create.topics.enable", "false");
        // Transactions a killed worker left open are aborted soon after their timeout (default: every 10 s).
        broker.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500");
        EmbeddedKafkaCluster kafka = new EmbeddedKafkaCluster(1, broker);
        kafka.start();
        return kafka;
    }

    /** Kills every worker JVM this test JVM started that is still alive, and waits for each to go. */
    static void killAllWorkers() {
        for (Process process : STARTED) {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
        for (Process process : STARTED) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Workers started by this JVM still alive (should be none once a test is over). */
    static long liveWorkers() {
        return STARTED.stream().filter(Process::isAlive).count();
    }

    // ------------------------------------------------------------------------------------------
    // Scenario and result

    /**
     * One kill test. Build it with {@link #builder(String, boolean)}.
     *
     * @param name           names the connector, the topics ({@code <name>.<table>}), the worker group and the
     *                       output directory
     * @param exactlyOnce    whether the workers run with {@code exactly.once.source.support=enabled}
     * @param killFrom       the kills come at random points of the sync: kill k once the topics hold a random
     *                       fraction in [killFrom, killTo] of the expected rows (drawn for all kills, sorted), and
     *                       the worker has committed something of its own (so that every worker makes progress)
     * @param firstKillInCompaniesPass instead of a random point, the first kill comes once the companies scroll has
     *                       been read to its end, before all companies are committed: in the middle of the pass
     * @param settleMs       once everything arrived, how long the last worker keeps running before the final read,
     *                       so that a late duplicate would show
     */
    record Scenario(String name, boolean exactlyOnce, long workspaceSeed, SampleWorkspace.Sizes sizes,
                    long latencyMinMs, long latencyMaxMs, int rateLimitPer10s, int kills, long killSeed,
                    double killFrom, double killTo, boolean firstKillInCompaniesPass, int tasksMax,
                    int batchMaxRecords, int maxInFlightRequests, long settleMs, Duration syncTimeout) {
        int tasks() {
            return Math.min(tasksMax, RESOURCES);
        }

        String prefix() {
            return name + ".";
        }

        String workerGroup() {
            return "eos-kill-" + name;
        }

        String offsetsTopic() {
            return workerGroup() + "-offsets";
        }

        static Builder builder(String name, boolean exactlyOnce) {
            return new Builder(name, exactlyOnce);
        }

        static final class Builder {
            private final String name;
            private final boolean exactlyOnce;
            private long workspaceSeed = 6;
            private SampleWorkspace.Sizes sizes = SampleWorkspace.Sizes.defaults();
            private long latencyMinMs = 5;
            private long latencyMaxMs = 15;
            private int rateLimitPer10s;
            private int kills = 3;
            private long killSeed = 618;
            private double killFrom = 0.05;
            private double killTo = 0.8;
            private boolean firstKillInCompaniesPass;
            private int tasksMax = 3;
            private int batchMaxRecords = 200;
            private int maxInFlightRequests = 8;
            private long settleMs = 2_000;
            private Duration syncTimeout = Duration.ofSeconds(60);

            private Builder(String name, boolean exactlyOnce) {
                this.name = name;
                this.exactlyOnce = exactlyOnce;
            }

            Builder workspace(long seed, SampleWorkspace.Sizes v) {
                workspaceSeed = seed;
                sizes = v;
                return this;
            }

            /** The fake Intercom's latency per request, and its rate limit per 10 s (0: none). */
            Builder intercom(long minLatencyMs, long maxLatencyMs, int requestsPer10s) {
                latencyMinMs = minLatencyMs;
                latencyMaxMs = maxLatencyMs;
                rateLimitPer10s = requestsPer10s;
                return this;
            }

            /** {@code count} kills at random points between the fractions {@code from} and {@code to} of the rows. */
            Builder kills(int count, long seed, double from, double to) {
                kills = count;
                killSeed = seed;
                killFrom = from;
                killTo = to;
                return this;
            }

            /** The first kill comes in the middle of the companies pass (see {@link Scenario}). */
            Builder firstKillInCompaniesPass() {
                firstKillInCompaniesPass = true;
                return this;
            }

            Builder connector(int tasks, int batchRecords, int inFlightRequests) {
                tasksMax = tasks;
                batchMaxRecords = batchRecords;
                maxInFlightRequests = inFlightRequests;
                return this;
            }

            Builder timing(long settle, Duration timeout) {
                settleMs = settle;
                syncTimeout = timeout;
                return this;
            }

            Scenario build() {
                return new Scenario(name, exactlyOnce, workspaceSeed, sizes, latencyMinMs, latencyMaxMs,
                        rateLimitPer10s, kills, killSeed, killFrom, killTo, firstKillInCompaniesPass,
                        tasksMax, batchMaxRecords, maxInFlightRequests, settleMs, syncTimeout);
            }
        }
    }

    /**
     * What happened at one kill.
     *
     * @param aim                "random", or what the targeted kill waited for
     * @param endOffsetsAfter    the log end offsets just after the kill: everything below them was written by this
     *                           worker or its predecessors
     * @param lastOffsetCommitMs per resource, when the offset stored for it at the kill was written (epoch ms)
     */
    record Kill(int number, String aim, long atMs, long killedAtEpochMs, long afterTasksRunningMs, long workerUptimeMs,
                int committedRowsBefore, String progress, Map<TopicPartition, Long> endOffsetsAfter,
                Map<String, Long> lastOffsetCommitMs) {
        long msSinceLastOffsetCommit() {
            return lastOffsetCommitMs.values().stream().mapToLong(t -> killedAtEpochMs - t).min().orElse(-1);
        }
    }

    /** Rows of one table as read back. */
    record TableCount(String table, int expected, int committedRecords, int distinctKeys, int duplicates,
                      int missing, int unexpected, List<String> sampleDuplicates) {
    }

    /**
     * The outcome of a scenario, with everything the report shows.
     *
     * @param inFlightAtKill           per kill: records the killed worker had written in transactions it never
     *                                 committed (aborted since); exactly-once only
     * @param duplicatesByKill         per kill: records written again after it, whose earlier copy the killed worker
     *                                 had written
     * @param duplicatesByKillByTask   the same, per task
     * @param duplicatesWithoutKill    records written twice by one worker, with no kill in between
     * @param reemittedBeforeLastCommit duplicates whose earlier copy was written more than {@link #COMMIT_SLACK_MS}
     *                                 before the killed worker's last offset commit for its resource: an offset that
     *                                 did not cover what had been delivered (a few examples)
     */
    record Result(Scenario scenario, Map<String, TableCount> tables, List<Kill> kills, List<Integer> inFlightAtKill,
                  List<Integer> duplicatesByKill, List<Map<String, Integer>> duplicatesByKillByTask,
                  int duplicatesWithoutKill, int reemittedBeforeLastCommitCount, List<String> reemittedBeforeLastCommit,
                  int abortedRecords, long controlRecords, long totalMs, List<Long> workerReadyMs,
                  Map<String, Long> requests) {
        /** Exactly-once: written in transactions, and every table holds each expected key once, nothing else. */
        void assertExactlyOnce() {
            assertTrue(controlRecords > 0, "the records were written in transactions" + report());
            for (TableCount table : tables.values()) {
                assertEquals(0, table.missing(), "missing keys in " + table.table() + report());
                assertEquals(0, table.unexpected(), "unexpected keys in " + table.table() + report());
                assertEquals(0, table.duplicates(), "duplicate keys in " + table.table() + ": "
                        + table.sampleDuplicates() + report());
            }
        }

        /**
         * At-least-once: every expected key and nothing else; what is written twice was only what a killed
         * worker wrote after its last offset commit (the stored offsets never lag behind what was delivered).
         */
        void assertAtLeastOnce() {
            for (TableCount table : tables.values()) {
                assertEquals(0, table.missing(), "missing keys in " + table.table() + report());
                assertEquals(0, table.unexpected(), "unexpected keys in " + table.table() + report());
            }
            assertEquals(0, duplicatesWithoutKill, "rows written twice by one worker" + report());
            assertEquals(0, reemittedBeforeLastCommitCount, "re-emitted rows the stored offsets already covered: "
                    + reemittedBeforeLastCommit + report());
        }

        int totalDuplicates() {
            return tables.values().stream().mapToInt(TableCount::duplicates).sum();
        }

        int totalMissing() {
            return tables.values().stream().mapToInt(TableCount::missing).sum();
        }

        int totalUnexpected() {
            return tables.values().stream().mapToInt(TableCount::unexpected).sum();
        }

        int totalRows() {
            return tables.values().stream().mapToInt(TableCount::committedRecords).sum();
        }

        String report() {
            StringBuilder b = new StringBuilder();
            Scenario s = scenario;
            b.append(String.format("%n=== kill test '%s': exactly.once.source.support=%s ===%n", s.name(),
                    s.exactlyOnce() ? "enabled" : "(not set)"));
            b.append(String.format("workspace seed %d, kill seed %d, %d task(s), batch.max.records %d, "
                            + "max.in.flight.requests %d, fake latency %d-%d ms, rate limit %s/10 s, %d kill(s) at "
                            + "random points between %.0f%% and %.0f%% of the rows%n",
                    s.workspaceSeed(), s.killSeed(), s.tasks(), s.batchMaxRecords(), s.maxInFlightRequests(),
                    s.latencyMinMs(), s.latencyMaxMs(), s.rateLimitPer10s() == 0 ? "none" : s.rateLimitPer10s(),
                    s.kills(), s.killFrom() * 100, s.killTo() * 100));
            b.append(String.format("%-32s %8s %9s %8s %6s %8s %10s%n", "table", "expected", "committed", "distinct",
                    "dups", "missing", "unexpected"));
            for (TableCount t : tables.values()) {
                b.append(String.format("%-32s %8d %9d %8d %6d %8d %10d%s%n", t.table(), t.expected(),
                        t.committedRecords(), t.distinctKeys(), t.duplicates(), t.missing(), t.unexpected(),
                        t.sampleDuplicates().isEmpty() ? "" : "  e.g. " + t.sampleDuplicates()));
            }
            b.append(String.format("%-32s %8d %9d %8s %6d %8d %10d%n", "TOTAL",
                    tables.values().stream().mapToInt(TableCount::expected).sum(), totalRows(), "",
                    totalDuplicates(), totalMissing(), totalUnexpected()));
            for (int i = 0; i < kills.size(); i++) {
                Kill k = kills.get(i);
                b.append(String.format("kill %d (%s) at %5.1f s: worker up %5.1f s, %5d ms after its tasks ran, last "
                                + "offset commit %d ms before; %5d rows committed by then (%s); %4d record(s) in flight "
                                + "(written, then aborted); %4d of its records written again after it %s%n",
                        k.number(), k.aim(), k.atMs() / 1000.0, k.workerUptimeMs() / 1000.0, k.afterTasksRunningMs(),
                        k.msSinceLastOffsetCommit(), k.committedRowsBefore(), k.progress(), inFlightAtKill.get(i),
                        duplicatesByKill.get(i), duplicatesByKillByTask.get(i).isEmpty() ? ""
                                : "(by task: " + duplicatesByKillByTask.get(i) + ")"));
            }
            b.append(String.format("aborted records in all: %d; transaction markers: %d; duplicates without a kill in "
                            + "between: %d; re-emitted records older than the last offset commit: %d %s%n",
                    abortedRecords, controlRecords, duplicatesWithoutKill, reemittedBeforeLastCommitCount,
                    reemittedBeforeLastCommit.isEmpty() ? "" : reemittedBeforeLastCommit));
            b.append(String.format("worker JVM start to tasks running: %s ms; total %.1f s%n", workerReadyMs,
                    totalMs / 1000.0));
            b.append("requests to the fake Intercom: ").append(requests).append('\n');
            return b.toString();
        }
    }

    // ------------------------------------------------------------------------------------------
    // The run

    static Result run(EmbeddedKafkaCluster kafka, Scenario s) throws Exception {
        Path dir = OUT.resolve(s.name());
        deleteRecursively(dir);
        Files.createDirectories(dir);
        SampleWorkspace ws = SampleWorkspace.generate(s.workspaceSeed(), s.sizes());
        List<String> tables = Template.ALL.tables();
        Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, tables);
        List<String> topics = tables.stream().map(t -> s.prefix() + t).toList();
        String connector = "intercom-" + s.name();
        Random random = new Random(s.killSeed());
        List<Kill> kills = new ArrayList<>();
        List<Long> readyMs = new ArrayList<>();
        long start = System.nanoTime();
        FakeIntercom.Options options = FakeIntercom.Options.builder()
                .latencyMs(s.latencyMinMs(), s.latencyMaxMs()).rateLimitPer10s(s.rateLimitPer10s())
                // A worker killed mid-scroll leaves the workspace's one scroll open for the next to wait out:
                // seconds here, not Intercom's minute, keep the companies scenario short.
                .scrollExpiryMs(s.firstKillInCompaniesPass() ? 5_000 : 60_000).build();
        Reader reader = new Reader(kafka.bootstrapServers(), s.prefix(), tables);
        try (FakeIntercom fake = FakeIntercom.start(ws, options)) {
            Worker worker = Worker.start(kafka.bootstrapServers(), s, dir, 1);
            worker.awaitRest();
            worker.putConnector(connector, connectorConfig(fake, s));
            worker.awaitTasksRunning(connector, s.tasks());
            readyMs.add(worker.uptimeMs());
            int totalRows = expected.values().stream().mapToInt(Set::size).sum();
            long[] killAt = new long[s.kills()];
            for (int k = 0; k < killAt.length; k++) {
                killAt[k] = Math.round(totalRows * (s.killFrom() + random.nextDouble() * (s.killTo() - s.killFrom())));
            }
            java.util.Arrays.sort(killAt);
            int committedOffsets = 0;
            for (int k = 1; k <= s.kills(); k++) {
                String aim = "random";
                if (k == 1 && s.firstKillInCompaniesPass()) {
                    aim = awaitCompaniesMidPass(reader, expected.get("companies").size(), worker);
                } else {
                    // Kill once the topics hold the drawn number of rows (written, committed or not) and this
                    // worker has committed something of its own, so every kill interrupts a sync that moved on.
                    long deadline = System.currentTimeMillis() + s.syncTimeout().toMillis();
                    while (reader.written(topics) < killAt[k - 1]
                            || reader.committedOffsetRecords(s.offsetsTopic()) <= committedOffsets) {
                        worker.assertAlive();
                        if (System.currentTimeMillis() > deadline) {
                            throw new AssertionError("kill " + k + ": the topics never reached " + killAt[k - 1]
                                    + " rows; see " + dir);
                        }
                        Thread.sleep(20);
                    }
                }
                long uptime = worker.uptimeMs();
                long sinceRunning = worker.msSinceTasksRunning();
                worker.kill();
                long killedAt = elapsedMs(start);
                long killedAtEpochMs = System.currentTimeMillis();
                // What the dead worker's producers had handed to the broker is there now, committed or not.
                Thread.sleep(200);
                Map<TopicPartition, Long> ends = reader.endOffsets(topics);
                Files.writeString(dir.resolve("offsets-topic-after-kill-" + k + ".txt"),
                        reader.dumpOffsetsTopic(s.offsetsTopic()));
                committedOffsets = reader.committedOffsetRecords(s.offsetsTopic());
                Snapshot committed = reader.snapshot(expected);
                if (committed.complete() && aim.equals("random")) {
                    throw new AssertionError("Kill " + k + " came after the whole workspace had arrived ("
                            + committed.rows() + " rows): the sync is too short for this scenario; see " + dir);
                }
                kills.add(new Kill(k, aim, killedAt, killedAtEpochMs, sinceRunning, uptime, committed.rows(),
                        committed.progress(), ends, reader.lastOffsetCommits(s.offsetsTopic())));
                worker = Worker.start(kafka.bootstrapServers(), s, dir, k + 1);
                worker.awaitRest();
                worker.awaitTasksRunning(connector, s.tasks());
                readyMs.add(worker.uptimeMs());
            }
            awaitComplete(reader, expected, s.syncTimeout(), worker, dir);
            Thread.sleep(s.settleMs());
            worker.assertAlive();
            long totalMs = elapsedMs(start);
            List<Row> committedRows = reader.readAll(topics, "read_committed");
            List<Row> allRows = reader.readAll(topics, "read_uncommitted");
            Map<TopicPartition, Long> finalEnds = reader.endOffsets(topics);
            Files.writeString(dir.resolve("offsets-topic-at-end.txt"), reader.dumpOffsetsTopic(s.offsetsTopic()));
            worker.kill();
            Result result = result(s, tables, expected, committedRows, allRows, finalEnds, kills, totalMs, readyMs,
                    fake.requestCounts(), tasksOfTables(connectorConfig(fake, s), s.tasksMax()));
            Files.writeString(dir.resolve("report.txt"), result.report());
            return result;
        } finally {
            killAllWorkers();
            reader.close();
        }
    }

    /**
     * Waits for the middle of the first companies pass, and says what it found: either some but not all
     * companies committed (a pass handed out in pieces), or all of them written in a transaction not yet committed
     * (a pass handed out whole). If the pass was committed whole before either could be seen, the kill comes
     * after it.
     */
    private static String awaitCompaniesMidPass(Reader reader, int companies, Worker worker)
            throws InterruptedException {
        String topic = reader.prefix + "companies";
        try (TopicWatch written = new TopicWatch(reader, topic, "read_uncommitted");
             TopicWatch committed = new TopicWatch(reader, topic, "read_committed")) {
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                worker.assertAlive();
                int w = written.distinctKeys();
                int c = w == 0 ? 0 : committed.distinctKeys();
                if (c > 0 && c < companies) {
                    return "companies pass partly committed: " + c + " of " + companies;
                }
                if (c == 0 && w >= companies) {
                    return "companies pass written whole, not committed yet";
                }
                if (c >= companies) {
                    return "companies pass committed whole before the kill could land in it";
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the companies pass never started");
    }

    /** Follows one topic with a consumer of its own, counting the distinct keys seen so far. */
    private static final class TopicWatch implements AutoCloseable {
        private final Reader reader;
        private final String topic;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Set<String> keys = new HashSet<>();
        private boolean assigned;

        TopicWatch(Reader reader, String topic, String isolation) {
            this.reader = reader;
            this.topic = topic;
            this.consumer = reader.consumer(isolation);
        }

        int distinctKeys() {
            if (!assigned) {
                List<TopicPartition> partitions = reader.partitions(consumer, List.of(topic));
                if (partitions.isEmpty()) {
                    return 0;
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                assigned = true;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                keys.add(new String(r.key(), StandardCharsets.UTF_8));
            }
            return keys.size();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    /** Which task writes each table, as the connector splits the resources: "task 0", or "task 0+1". */
    static Map<String, String> tasksOfTables(Map<String, String> connectorConfig, int tasksMax) {
        IntercomSourceConnector connector = new IntercomSourceConnector();
        connector.start(connectorConfig);
        List<Map<String, String>> taskConfigs = connector.taskConfigs(tasksMax);
        connector.stop();
        Map<String, Set<Integer>> tasks = new TreeMap<>();
        for (int t = 0; t < taskConfigs.size(); t++) {
            for (String id : taskConfigs.get(t).get(IntercomSourceConnectorConfig.TASK_RESOURCES).split(",")) {
                for (String table : Resource.fromId(id).tables()) {
                    tasks.computeIfAbsent(table, x -> new java.util.TreeSet<>()).add(t);
                }
            }
        }
        Map<String, String> labels = new TreeMap<>();
        tasks.forEach((table, ts) -> labels.put(table, "task " + ts.stream().map(String::valueOf)
                .collect(Collectors.joining("+"))));
        return labels;
    }

    static Map<String, String> connectorConfig(FakeIntercom fake, Scenario s) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", IntercomSourceConnector.class.getName());
        config.put("tasks.max", String.valueOf(s.tasksMax()));
        config.put("intercom.access.token", fake.options().token());
        config.put("intercom.api.url", fake.baseUrl());
        config.put("intercom.api.url.allow.custom", "true");
        config.put("intercom.template", "all");
        config.put("topic.prefix", s.prefix());
        config.put("poll.interval.ms", "1000");
        config.put("search.delay.ms", "0");
        config.put("batch.max.records", String.valueOf(s.batchMaxRecords()));
        config.put("max.in.flight.requests", String.valueOf(s.maxInFlightRequests()));
        config.put("retry.backoff.ms", "50");
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "1");
        if (s.exactlyOnce()) {
            // Refuse to run at all unless the worker can give this connector exactly-once delivery.
            config.put("exactly.once.support", "required");
            config.put("transaction.boundary", "poll");
        }
        return config;
    }

    private static void awaitComplete(Reader reader, Map<String, Set<String>> expected, Duration timeout,
                                      Worker worker, Path dir) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        Snapshot last = null;
        while (System.currentTimeMillis() < deadline) {
            worker.assertAlive();
            last = reader.snapshot(expected);
            if (last.complete()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("The sync did not complete within " + timeout + ": missing "
                + (last == null ? "?" : last.missing()) + "; worker log in " + dir);
    }

    private static Result result(Scenario s, List<String> tables, Map<String, Set<String>> expected,
                                 List<Row> committed, List<Row> all, Map<TopicPartition, Long> finalEnds,
                                 List<Kill> kills, long totalMs, List<Long> readyMs, Map<String, Long> requests,
                                 Map<String, String> taskOfTable) {
        Map<String, TableCount> counts = new LinkedHashMap<>();
        for (String table : tables) {
            // Tombstones are no rows: a user retracts the leads rows it may have had as a lead, most never live.
            // A tombstone after a row removes it from the compacted view, as compaction and upsert sinks do.
            List<Row> rows = committed.stream().filter(r -> r.table().equals(table) && !r.tombstone()).toList();
            Map<String, Integer> perKey = new HashMap<>();
            rows.forEach(r -> perKey.merge(r.key(), 1, Integer::sum));
            Set<String> live = compacted(committed.stream().filter(r -> r.table().equals(table)).toList());
            Set<String> want = expected.get(table);
            int missing = (int) want.stream().filter(k -> !live.contains(k)).count();
            int unexpected = (int) perKey.keySet().stream().filter(k -> !want.contains(k)).count();
            List<String> sample = perKey.entrySet().stream().filter(e -> e.getValue() > 1).limit(3)
                    .map(e -> e.getKey() + " x" + e.getValue()).toList();
            counts.put(table, new TableCount(table, want.size(), rows.size(), perKey.size(),
                    rows.size() - perKey.size(), missing, unexpected, sample));
        }

        // Records that reached the log but not a committed transaction: the in-flight work of a killed worker.
        Set<String> committedPositions = committed.stream().map(Row::position).collect(Collectors.toSet());
        List<Row> aborted = all.stream().filter(r -> !committedPositions.contains(r.position())).toList();
        List<Integer> inFlight = new ArrayList<>();
        List<Integer> duplicatesByKill = new ArrayList<>();
        List<Map<String, Integer>> duplicatesByKillByTask = new ArrayList<>();
        for (int i = 0; i < kills.size(); i++) {
            inFlight.add(0);
            duplicatesByKill.add(0);
            duplicatesByKillByTask.add(new TreeMap<>());
        }
        for (Row row : aborted) {
            int writer = writerOf(kills, row);
            if (writer < kills.size()) {
                inFlight.set(writer, inFlight.get(writer) + 1);
            }
        }
        // Every further copy of a key is a duplicate. It is due to the kill of the worker that wrote the copy
        // before it, if another worker wrote this one; otherwise one worker wrote the same row twice.
        Map<String, Row> previous = new HashMap<>();
        int withoutKill = 0;
        int stale = 0;
        List<String> staleExamples = new ArrayList<>();
        List<Row> ordered = new ArrayList<>(committed.stream().filter(r -> !r.tombstone()).toList());
        ordered.sort(java.util.Comparator.comparing((Row r) -> r.partition().toString()).thenComparingLong(Row::offset));
        for (Row row : ordered) {
            Row before = previous.put(row.table() + "/" + row.key(), row);
            if (before == null) {
                continue;
            }
            int firstWriter = writerOf(kills, before);
            if (firstWriter == writerOf(kills, row) || firstWriter >= kills.size()) {
                withoutKill++;
                continue;
            }
            duplicatesByKill.set(firstWriter, duplicatesByKill.get(firstWriter) + 1);
            duplicatesByKillByTask.get(firstWriter).merge(taskOfTable.getOrDefault(row.table(), "?"), 1, Integer::sum);
            // Sound at-least-once: what is written again was written after the last offset commit the killed
            // worker made for that resource (give or take the time a send takes to be acknowledged).
            long lastCommit = lastCommitFor(row.table(), kills.get(firstWriter).lastOffsetCommitMs());
            if (before.timestamp() < lastCommit - COMMIT_SLACK_MS) {
                stale++;
                if (staleExamples.size() < 3) {
                    staleExamples.add(row.table() + " " + row.key() + " written " + (lastCommit - before.timestamp())
                            + " ms before the last offset commit");
                }
            }
        }
        long records = all.size();
        long logEnd = finalEnds.values().stream().mapToLong(Long::longValue).sum();
        return new Result(s, counts, kills, inFlight, duplicatesByKill, duplicatesByKillByTask, withoutKill, stale,
                staleExamples, aborted.size(), logEnd - records, totalMs, readyMs, sorted(requests));
    }

    /** The keys whose last record (in log order) is a row, not a tombstone. */
    private static Set<String> compacted(List<Row> rows) {
        List<Row> ordered = new ArrayList<>(rows);
        ordered.sort(java.util.Comparator.comparing((Row r) -> r.partition().toString()).thenComparingLong(Row::offset));
        Set<String> live = new java.util.HashSet<>();
        for (Row row : ordered) {
            if (row.tombstone()) {
                live.remove(row.key());
            } else {
                live.add(row.key());
            }
        }
        return live;
    }

    /** A record sent before an offset commit may be acknowledged after it: how long that may take, at most. */
    static final long COMMIT_SLACK_MS = 1_000;

    /** The earliest last offset commit among the resources that write the table; 0 if none had committed. */
    private static long lastCommitFor(String table, Map<String, Long> lastCommitByResource) {
        long earliest = Long.MAX_VALUE;
        for (Resource resource : Resource.values()) {
            if (resource.tables().contains(table)) {
                earliest = Math.min(earliest, lastCommitByResource.getOrDefault(resource.id(), 0L));
            }
        }
        return earliest == Long.MAX_VALUE ? 0 : earliest;
    }

    /** Which worker wrote the row: 0 for the first, i for the one started after kill i. */
    private static int writerOf(List<Kill> kills, Row row) {
        int kill = killBefore(kills, row);
        return kill < 0 ? kills.size() : kill;
    }

    /**
     * The index of the first kill after which the row's offset lies below the log end seen right after that
     * kill: the kill whose worker wrote it. -1 if the row was written after the last kill.
     */
    private static int killBefore(List<Kill> kills, Row row) {
        for (int i = 0; i < kills.size(); i++) {
            Long end = kills.get(i).endOffsetsAfter().get(row.partition());
            if (end != null && row.offset() < end) {
                return i;
            }
        }
        return -1;
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    // ------------------------------------------------------------------------------------------
    // Reading the topics back

    /** One record read back: its table, key (as ExpectedRows renders it) and place in the log. */
    record Row(String table, String key, boolean tombstone, TopicPartition partition, long offset, long timestamp) {
        String position() {
            return partition + "@" + offset;
        }
    }

    /** How far the sync had got in committed data. */
    record Snapshot(int rows, int missing, Map<String, Integer> found, Map<String, Integer> expected) {
        boolean complete() {
            return missing == 0;
        }

        /** Committed progress of the parent tables, e.g. "users 150/300". */
        String progress() {
            return Stream.of("users", "leads", "companies", "conversations", "admins")
                    .map(t -> t + " " + found.getOrDefault(t, 0) + "/" + expected.getOrDefault(t, 0))
                    .collect(Collectors.joining(", "));
        }
    }

    /** Reads whole topics, to their end offsets at the time of the read. */
    static final class Reader {
        private final String bootstrap;
        final String prefix;
        private Set<String> existing = Set.of();
        private long listedAt;
        private final List<String> tables;

        Reader(String bootstrap, String prefix, List<String> tables) {
            this.bootstrap = bootstrap;
            this.prefix = prefix;
            this.tables = tables;
        }

        private KafkaConsumer<byte[], byte[]> progressConsumer;
        private final Set<TopicPartition> progressAssigned = new HashSet<>();
        private final Map<String, Set<String>> progressKeys = new HashMap<>();
        private int progressRows;

        /**
         * How far the sync has got in committed rows. A read_committed consumer of its own follows the topics from
         * one call to the next (they only grow), so a call reads only what is new.
         */
        Snapshot snapshot(Map<String, Set<String>> expected) {
            if (progressConsumer == null) {
                progressConsumer = consumer("read_committed");
            }
            List<TopicPartition> partitions = partitions(progressConsumer, tables.stream().map(t -> prefix + t).toList());
            if (!progressAssigned.containsAll(partitions)) {
                List<TopicPartition> added = partitions.stream().filter(p -> !progressAssigned.contains(p)).toList();
                progressConsumer.assign(partitions); // keeps the positions of partitions it already had
                progressConsumer.seekToBeginning(added);
                progressAssigned.addAll(added);
            }
            if (!partitions.isEmpty()) {
                Map<TopicPartition, Long> end = progressConsumer.endOffsets(partitions);
                long deadline = System.currentTimeMillis() + 30_000;
                while (partitions.stream().anyMatch(p -> progressConsumer.position(p) < end.get(p))) {
                    if (System.currentTimeMillis() > deadline) {
                        throw new AssertionError("Timed out following the topics");
                    }
                    for (ConsumerRecord<byte[], byte[]> record : progressConsumer.poll(Duration.ofMillis(100))) {
                        progressRows++;
                        if (record.value() != null) {
                            String table = record.topic().substring(prefix.length());
                            progressKeys.computeIfAbsent(table, t -> new HashSet<>())
                                    .add(ExpectedRows.keyOf(table, parse(record.key())));
                        }
                    }
                }
            }
            int missing = 0;
            Map<String, Integer> foundCounts = new HashMap<>();
            Map<String, Integer> expectedCounts = new HashMap<>();
            for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
                Set<String> have = progressKeys.getOrDefault(e.getKey(), Set.of());
                int absent = (int) e.getValue().stream().filter(k -> !have.contains(k)).count();
                missing += absent;
                foundCounts.put(e.getKey(), e.getValue().size() - absent);
                expectedCounts.put(e.getKey(), e.getValue().size());
            }
            return new Snapshot(progressRows, missing, foundCounts, expectedCounts);
        }

        /** The log end offset (high watermark) of every existing partition of the topics. */
        Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
            try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_uncommitted")) {
                return consumer.endOffsets(partitions(consumer, topics));
            }
        }

        /** Every record in the topics from the beginning to the end offsets of the isolation level. */
        List<Row> readAll(Collection<String> topics, String isolation) {
            List<Row> rows = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
                List<TopicPartition> partitions = partitions(consumer, topics);
                if (partitions.isEmpty()) {
                    return rows;
                }
                TopicReads.readToEnd(consumer, partitions, Duration.ofSeconds(30), TopicReads.OnTimeout.FAIL,
                        topics + " (" + isolation + ")", record -> {
                            String table = record.topic().substring(prefix.length());
                            rows.add(new Row(table, ExpectedRows.keyOf(table, parse(record.key())),
                                    record.value() == null, new TopicPartition(record.topic(), record.partition()),
                                    record.offset(), record.timestamp()));
                        });
            }
            return rows;
        }

        private KafkaConsumer<byte[], byte[]> endOffsetsConsumer;

        /** Records (and transaction markers) written to the topics so far: the sum of their log end offsets. */
        long written(Collection<String> topics) {
            if (endOffsetsConsumer == null) {
                endOffsetsConsumer = consumer("read_uncommitted");
            }
            return endOffsetsConsumer.endOffsets(partitions(endOffsetsConsumer, topics)).values().stream()
                    .mapToLong(Long::longValue).sum();
        }

        void close() {
            if (endOffsetsConsumer != null) {
                endOffsetsConsumer.close();
            }
            if (offsetsConsumer != null) {
                offsetsConsumer.close();
            }
            if (progressConsumer != null) {
                progressConsumer.close();
            }
        }

        private KafkaConsumer<byte[], byte[]> offsetsConsumer;
        private int offsetRecords;

        /** Records in the worker's offsets topic a read_committed consumer has seen so far: one or more per commit. */
        int committedOffsetRecords(String topic) {
            if (offsetsConsumer == null) {
                KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed");
                List<TopicPartition> partitions = partitions(consumer, List.of(topic));
                if (partitions.isEmpty()) {
                    consumer.close();
                    return 0;
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                offsetsConsumer = consumer;
            }
            offsetRecords += offsetsConsumer.poll(Duration.ofMillis(10)).count();
            return offsetRecords;
        }

        /** Per resource, when the offset stored for it now was written (epoch ms), from the offsets topic. */
        Map<String, Long> lastOffsetCommits(String topic) {
            Map<String, Long> last = new TreeMap<>();
            try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
                List<TopicPartition> partitions = partitions(consumer, List.of(topic));
                TopicReads.readToEnd(consumer, partitions, Duration.ofSeconds(10), TopicReads.OnTimeout.STOP, topic,
                        r -> last.merge(parse(r.key()).path(1).path("resource").asText(), r.timestamp(), Math::max));
            }
            return last;
        }

        /**
         * The worker's offsets topic, record by record, marked committed or not, with its end offsets for both
         * isolation levels: what a restarted task can and cannot see of the offsets its predecessors wrote.
         */
        String dumpOffsetsTopic(String topic) {
            Map<String, String> committed = new LinkedHashMap<>();
            StringBuilder b = new StringBuilder();
            for (String isolation : List.of("read_committed", "read_uncommitted")) {
                try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
                    List<TopicPartition> partitions = partitions(consumer, List.of(topic));
                    StringBuilder lines = new StringBuilder();
                    Map<TopicPartition, Long> end = TopicReads.readToEnd(consumer, partitions, Duration.ofSeconds(10),
                            TopicReads.OnTimeout.STOP, topic, r -> {
                                String line = r.partition() + "@" + r.offset() + " "
                                        + new String(r.key(), StandardCharsets.UTF_8) + " = "
                                        + (r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8));
                                if (isolation.equals("read_committed")) {
                                    committed.put(line, line);
                                } else {
                                    lines.append(committed.containsKey(line) ? "  committed " : "  NOT COMMITTED ")
                                            .append(line).append('\n');
                                }
                            });
                    b.append(isolation).append(" end offsets ").append(end).append('\n').append(lines);
                }
            }
            return b.toString();
        }

        List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, Collection<String> topics) {
            if (!existing.containsAll(topics) && System.currentTimeMillis() - listedAt > 200) {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                    existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                    listedAt = System.currentTimeMillis();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot list topics", e);
                }
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                if (existing.contains(topic)) {
                    consumer.partitionsFor(topic, Duration.ofSeconds(10))
                            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                }
            }
            return partitions;
        }

        KafkaConsumer<byte[], byte[]> consumer(String isolation) {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        private static JsonNode parse(byte[] bytes) {
            try {
                return MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new AssertionError("Key is not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Worker JVMs

    /** A Connect worker in a JVM of its own, on the test JVM's class path, talked to over REST. */
    static final class Worker {
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

        private final int number;
        private final int port;
        private final Process process;
        private final Path log;
        private final Path out;
        private final long startedAt = System.currentTimeMillis();
        private volatile long tasksRunningAt;

        private Worker(int number, int port, Process process, Path log, Path out) {
            this.number = number;
            this.port = port;
            this.process = process;
            this.log = log;
            this.out = out;
        }

        static Worker start(String bootstrap, Scenario s, Path dir, int number) throws IOException {
            int port = freePort();
            String group = s.workerGroup();
            Properties props = new Properties();
            props.put("bootstrap.servers", bootstrap);
            props.put("group.id", group);
            props.put("config.storage.topic", group + "-configs");
            props.put("offset.storage.topic", group + "-offsets");
            props.put("status.storage.topic", group + "-status");
            props.put("config.storage.replication.factor", "1");
            props.put("offset.storage.replication.factor", "1");
            props.put("offset.storage.partitions", "1");
            props.put("status.storage.replication.factor", "1");
            props.put("status.storage.partitions", "1");
            props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
            props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            props.put("key.converter.schemas.enable", "false");
            props.put("value.converter.schemas.enable", "false");
            props.put("listeners", "http://127.0.0.1:" + port);
            props.put("rest.advertised.host.name", "127.0.0.1");
            props.put("rest.advertised.port", String.valueOf(port));
            props.put("offset.flush.interval.ms", "100");
            // The connector and the converters load from the class path (ServiceLoader manifests): no plugin.path,
            // and no slow reflective scan of the test class path.
            props.put("plugin.discovery", "service_load");
            // A killed worker leaves the group within a few seconds, and its tasks go to the new worker at once.
            props.put("session.timeout.ms", "3000");
            props.put("heartbeat.interval.ms", "500");
            props.put("scheduled.rebalance.max.delay.ms", "0");
            if (s.exactlyOnce()) {
                props.put("exactly.once.source.support", "enabled");
                // A worker killed while committing leaves a transaction open on the offsets topic. A new worker
                // reads that topic read_committed up to its high watermark before it even joins the group, so it
                // waits until the broker aborts the transaction: after the task producers' transaction timeout,
                // 60 s by default. A transaction here spans one poll() batch, well under a second.
                props.put("producer.transaction.timeout.ms", "5000");
            }
            Path propsFile = dir.resolve("worker-" + number + ".properties");
            try (var writer = Files.newBufferedWriter(propsFile)) {
                props.store(writer, "Connect worker " + number + " of kill test " + s.name());
            }
            // The class path goes in an argument file: it is far longer than is comfortable on a command line.
            Path argFile = dir.resolve("worker-classpath.args");
            if (!Files.exists(argFile)) {
                String cp = System.getProperty("java.class.path");
                Files.writeString(argFile, "-cp\n\"" + cp.replace("\\", "\\\\") + "\"\n");
            }
            Path log = dir.resolve("worker-" + number + ".log").toAbsolutePath();
            Path out = dir.resolve("worker-" + number + ".out").toAbsolutePath();
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlog4j2.configurationFile=" + log4jConfig(),
                    "-Deos.worker.log=" + log,
                    "@" + argFile.toAbsolutePath(),
                    WorkerMain.class.getName(),
                    propsFile.toAbsolutePath().toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            // stdin stays a pipe: WorkerMain halts when it closes, i.e. when this JVM dies.
            Process process = builder.start();
            STARTED.add(process);
            return new Worker(number, port, process, log, out);
        }

        private static String log4jConfig() {
            try {
                return Path.of(KillTestSupport.class.getResource("/eos-worker-log4j2.properties").toURI()).toString();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        String workerId() {
            return "127.0.0.1:" + port;
        }

        long uptimeMs() {
            return System.currentTimeMillis() - startedAt;
        }

        long msSinceTasksRunning() {
            return System.currentTimeMillis() - tasksRunningAt;
        }

        /** SIGKILL, and wait until the process is gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                throw new AssertionError("worker " + number + " did not die on SIGKILL");
            }
        }

        void assertAlive() {
            if (!process.isAlive()) {
                throw new AssertionError("worker " + number + " exited with " + process.exitValue() + ": "
                        + tail(out) + "\n" + tail(log));
            }
        }

        void awaitRest() throws InterruptedException {
            long deadline = System.currentTimeMillis() + READY_TIMEOUT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                assertAlive();
                try {
                    if (send("GET", "/", null).statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
            throw new AssertionError("worker " + number + " REST API not up within " + READY_TIMEOUT + ": " + tail(log));
        }

        void putConnector(String name, Map<String, String> config) throws InterruptedException, IOException {
            String body = MAPPER.writeValueAsString(config);
            long deadline = System.currentTimeMillis() + READY_TIMEOUT.toMillis();
            HttpResponse<String> response = null;
            while (System.currentTimeMillis() < deadline) {
                assertAlive();
                try {
                    response = send("PUT", "/connectors/" + name + "/config", body);
                    if (response.statusCode() == 200 || response.statusCode() == 201) {
                        return;
                    }
                    if (response.statusCode() != 409 && response.statusCode() < 500) {
                        break; // a real refusal, e.g. a config error
                    }
                } catch (IOException e) {
                    // retried
                }
                Thread.sleep(250);
            }
            throw new AssertionError("creating connector " + name + " failed: "
                    + (response == null ? "no answer" : response.statusCode() + " " + response.body()));
        }

        /**
         * Waits until this worker runs the connector and all its tasks; returns the time they were seen running.
         * A failed task fails the test with its trace.
         */
        long awaitTasksRunning(String name, int tasks) throws InterruptedException {
            long deadline = System.currentTimeMillis() + READY_TIMEOUT.toMillis();
            String last = "";
            while (System.currentTimeMillis() < deadline) {
                assertAlive();
                try {
                    HttpResponse<String> response = send("GET", "/connectors/" + name + "/status", null);
                    last = response.body();
                    if (response.statusCode() == 200) {
                        JsonNode status = MAPPER.readTree(response.body());
                        for (JsonNode task : status.path("tasks")) {
                            if ("FAILED".equals(task.path("state").asText())
                                    && workerId().equals(task.path("worker_id").asText())) {
                                throw new AssertionError("task " + task.path("id").asText() + " failed on worker "
                                        + number + ": " + task.path("trace").asText());
                            }
                        }
                        boolean connectorRunning = "RUNNING".equals(status.path("connector").path("state").asText())
                                && workerId().equals(status.path("connector").path("worker_id").asText());
                        long running = Stream.of(status.path("tasks")).flatMap(t -> {
                            List<JsonNode> list = new ArrayList<>();
                            t.forEach(list::add);
                            return list.stream();
                        }).filter(t -> "RUNNING".equals(t.path("state").asText())
                                && workerId().equals(t.path("worker_id").asText())).count();
                        if (connectorRunning && running == tasks && status.path("tasks").size() == tasks) {
                            tasksRunningAt = System.currentTimeMillis();
                            return tasksRunningAt;
                        }
                    }
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(200);
            }
            throw new AssertionError("worker " + number + " did not run " + name + " and its " + tasks
                    + " tasks within " + READY_TIMEOUT + "; last status " + last + "\n" + tail(log));
        }

        private HttpResponse<String> send(String method, String path, String body)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + workerId() + path))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json");
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            try {
                return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                throw new IOException("worker " + number + " not reachable", e);
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                return socket.getLocalPort();
            }
        }

        private static String tail(Path file) {
            try {
                if (!Files.exists(file)) {
                    return "(no " + file.getFileName() + ")";
                }
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                return file + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException | UncheckedIOException e) {
                return "(cannot read " + file + ": " + e + ")";
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Requests per endpoint, for the report, sorted. */
    static Map<String, Long> sorted(Map<String, Long> counts) {
        return new TreeMap<>(counts);
    }
}
