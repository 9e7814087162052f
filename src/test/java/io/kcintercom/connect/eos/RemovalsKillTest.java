package io.kcintercom.connect.eos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.eos.KillTestSupport.Reader;
import io.kcintercom.connect.eos.KillTestSupport.Row;
import io.kcintercom.connect.eos.KillTestSupport.Scenario;
import io.kcintercom.connect.eos.KillTestSupport.Worker;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.warehouse.Removals;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Retractions survive SIGKILL under exactly-once (issue 16, "also after kill -9 in the middle"): a
 * worker JVM syncs a workspace of a few hundred contacts, the workspace then goes through every kind
 * of removal ({@link Removals}), and the worker is killed as soon as it has written (not necessarily
 * committed) a tombstone for one of the rows that must go: in the middle of the retractions. A new
 * worker takes over and is killed the same way once it retracts in its turn; the third one finishes.
 * The {@code read_committed} view of every topic, compacted (last record per key, tombstones
 * removed), must then equal the workspace: zero extra, zero missing.
 *
 * <p>What it proves: the state topic's entries commit with the rows and tombstones they describe, so
 * a worker that inherits an aborted transaction neither forgets a retraction (its store still holds
 * the keys, it diffs them again) nor misses a row (a re-read emits it again).
 */
class RemovalsKillTest extends KillTestLifecycle {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aWorkerKilledWhileItRetractsLeavesTheCompactedTopicsEqualToTheWorkspace() throws Exception {
        Scenario s = Scenario.builder("removals", true)
                .workspace(16, SampleWorkspace.Sizes.builder()
                        .users(200).leads(60).companies(20).admins(3).teams(1).tags(10).segments(4)
                        .conversations(30).notesPerContact(2).eventsPerContact(2).tagsPerContact(2).build())
                .intercom(5, 15, 4_000)
                .kills(2, ExactlyOnceKillTest.KILL_SEED, 0, 0)
                .connector(3, 200, 8)
                .timing(1_000, TIMEOUT)
                .build();
        Path dir = KillTestSupport.OUT.resolve(s.name());
        KillTestSupport.deleteRecursively(dir);
        Files.createDirectories(dir);
        SampleWorkspace ws = SampleWorkspace.generate(s.workspaceSeed(), s.sizes());
        List<String> tables = Template.ALL.tables();
        List<String> topics = tables.stream().map(t -> s.prefix() + t).toList();
        String connector = "intercom-" + s.name();
        Random random = new Random(s.killSeed());
        StringBuilder report = new StringBuilder();
        Reader reader = new Reader(kafka.bootstrapServers(), s.prefix(), tables);
        FakeIntercom.Options options = FakeIntercom.Options.builder().latencyMs(s.latencyMinMs(), s.latencyMaxMs())
                .rateLimitPer10s(s.rateLimitPer10s()).scrollExpiryMs(5_000).build();
        try (FakeIntercom fake = FakeIntercom.start(ws, options)) {
            Map<String, String> config = KillTestSupport.connectorConfig(fake, s);
            // Sweeps every few seconds: most removals move no updated_at, only a sweep reveals them.
            config.put("intercom.reconcile.interval.ms", "3000");
            // Every sweep lists in full: a sweep gated by counts would leave the quiet removals to a weekly one.
            config.put("intercom.reconcile.full.interval.ms", "0");
            Worker worker = Worker.start(kafka.bootstrapServers(), s, dir, 1);
            worker.awaitRest();
            worker.putConnector(connector, config);
            worker.awaitTasksRunning(connector, s.tasks());

            Map<String, Set<String>> synced = ExpectedRows.forWorkspace(ws, tables);
            awaitCompacted(reader, topics, synced, worker, "the first full sync");

            // Where the watch for retractions starts: before the removals, so that it misses none.
            Map<TopicPartition, Long> from = reader.endOffsets(topics);
            Removals.apply(ws);
            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, tables);
            Map<String, Set<String>> gone = new TreeMap<>();
            synced.forEach((table, keys) -> {
                Set<String> left = new TreeSet<>(keys);
                left.removeAll(expected.get(table));
                if (!left.isEmpty()) {
                    gone.put(table, left);
                }
            });
            int toRetract = gone.values().stream().mapToInt(Set::size).sum();
            report.append(String.format("removals applied: %d row(s) to retract in %s%n", toRetract, gone.keySet()));

            for (int k = 1; k <= s.kills(); k++) {
                String seen = awaitRetractionWritten(reader, from, gone, worker);
                Thread.sleep(random.nextInt(200)); // a little further into the retractions, seeded
                worker.kill();
                Thread.sleep(200);
                from = reader.endOffsets(topics);
                int retracted = toRetract - stillLive(compacted(reader.readAll(topics, "read_committed")), gone);
                report.append(String.format("kill %d after %s: %d of %d retraction(s) committed%n", k, seen,
                        retracted, toRetract));
                if (k == 1) {
                    assertTrue(retracted < toRetract, "the first kill came after every retraction had committed: "
                            + report);
                }
                worker = Worker.start(kafka.bootstrapServers(), s, dir, k + 1);
                worker.awaitRest();
                worker.awaitTasksRunning(connector, s.tasks());
            }

            Map<String, Set<String>> compacted = awaitCompacted(reader, topics, expected, worker, "the removals");
            // A later sweep must not bring anything back either.
            Thread.sleep(4_000);
            worker.assertAlive();
            compacted = compacted(reader.readAll(topics, "read_committed"));
            report.append("requests to the fake Intercom: ").append(new TreeMap<>(fake.requestCounts())).append('\n');
            Files.writeString(dir.resolve("report.txt"), report.toString());
            System.out.println(report);
            assertEquals(Map.of(), ExpectedRows.differences(compacted, expected),
                    "compacted topics after the kills" + report);
            worker.kill();
        } finally {
            KillTestSupport.killAllWorkers();
            reader.close();
        }
    }

    /**
     * Follows the topics from {@code from}, read_uncommitted (what the worker has written, committed or not),
     * until a tombstone for a row that must go ({@code gone}: its keys per table) appears; says where.
     */
    private static String awaitRetractionWritten(Reader reader, Map<TopicPartition, Long> from,
                                                 Map<String, Set<String>> gone, Worker worker)
            throws InterruptedException {
        try (KafkaConsumer<byte[], byte[]> consumer = reader.consumer("read_uncommitted")) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (System.currentTimeMillis() < deadline) {
                worker.assertAlive();
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                    String table = r.topic().substring(reader.prefix.length());
                    Set<String> keys = gone.get(table);
                    if (r.value() == null && keys != null) {
                        String key = ExpectedRows.keyOf(table, parse(r.key()));
                        if (keys.contains(key)) {
                            return "a tombstone in " + table;
                        }
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no retraction written within " + TIMEOUT);
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(byte[] bytes) throws java.io.IOException {
        return KillTestSupport.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
    }

    private static int stillLive(Map<String, Set<String>> compacted, Map<String, Set<String>> gone) {
        int live = 0;
        for (Map.Entry<String, Set<String>> e : gone.entrySet()) {
            Set<String> have = compacted.getOrDefault(e.getKey(), Set.of());
            live += (int) e.getValue().stream().filter(have::contains).count();
        }
        return live;
    }

    private static Map<String, Set<String>> awaitCompacted(Reader reader, List<String> topics,
                                                           Map<String, Set<String>> expected, Worker worker,
                                                           String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
        Map<String, Set<String>> compacted = Map.of();
        while (System.currentTimeMillis() < deadline) {
            worker.assertAlive();
            compacted = compacted(reader.readAll(topics, "read_committed"));
            if (ExpectedRows.differences(compacted, expected).isEmpty()) {
                return compacted;
            }
            Thread.sleep(500);
        }
        assertEquals(Map.of(), ExpectedRows.differences(compacted, expected), "compacted topics after " + what);
        return compacted;
    }

    /** Per table (by its name, not topic): keys whose last committed record is a row. */
    private static Map<String, Set<String>> compacted(List<Row> rows) {
        Map<String, Set<String>> live = new HashMap<>();
        List<Row> ordered = new ArrayList<>(rows);
        ordered.sort(java.util.Comparator.comparing((Row r) -> r.partition().toString()).thenComparingLong(Row::offset));
        for (Row row : ordered) {
            Set<String> keys = live.computeIfAbsent(row.table(), t -> new TreeSet<>());
            if (row.tombstone()) {
                keys.remove(row.key());
            } else {
                keys.add(row.key());
            }
        }
        return live;
    }
}
