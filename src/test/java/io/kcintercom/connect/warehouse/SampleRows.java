package io.kcintercom.connect.warehouse;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.IntercomSourceTask;
import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.testutil.StubTaskContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The records this connector really emits for a small sample workspace: the connector's own task
 * configs, every task started with a stub context (no stored offsets) and polled until every row
 * the workspace implies has arrived, for all 22 tables. No Kafka involved.
 */
final class SampleRows {
    static final String PREFIX = "rows.";

    private SampleRows() {
    }

    /** A workspace small enough to sync in a second, with rows in every one of the 22 tables. */
    static SampleWorkspace workspace() {
        return SampleWorkspace.generate(7, SampleWorkspace.Sizes.builder()
                .users(10).leads(6).companies(6).admins(3).teams(1).tags(6).segments(3).conversations(12)
                .maxPartsPerConversation(5).notesPerContact(2).eventsPerContact(2).tagsPerContact(2)
                .companiesPerContact(1).heavyContactEvery(0).build());
    }

    /**
     * Every row of the workspace, grouped by table (in contract order), each table non-empty. The
     * tombstones by which each user retracts the leads rows it may have had as a lead are no rows
     * and are left out (TombstoneConversionTest covers how tombstones convert).
     */
    static Map<String, List<SourceRecord>> byTable() {
        SampleWorkspace ws = workspace();
        List<String> tables = List.copyOf(Tables.all().keySet());
        Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, tables);
        expected.forEach((table, keys) -> assertTrue(!keys.isEmpty(),
                "the sample workspace should have rows in " + table + "; pick other sizes"));
        List<SourceRecord> records;
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder()
                .token("rows-" + UUID.randomUUID()).rateLimitPer10s(0).build())) {
            records = run(fake, expected, Duration.ofSeconds(60));
        }
        Map<String, List<SourceRecord>> byTable = new LinkedHashMap<>();
        tables.forEach(t -> byTable.put(t, new ArrayList<>()));
        for (SourceRecord record : records) {
            if (record.value() != null) {
                byTable.get(record.topic().substring(PREFIX.length())).add(record);
            }
        }
        return byTable;
    }

    private static List<SourceRecord> run(FakeIntercom fake, Map<String, Set<String>> expected, Duration timeout) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "sample-rows");
        props.put("intercom.access.token", fake.options().token());
        props.put("intercom.api.url", fake.baseUrl());
        props.put("intercom.api.url.allow.custom", "true");
        props.put("intercom.template", Template.ALL.configValue());
        props.put("intercom.token.check", "false");
        props.put("topic.prefix", PREFIX);
        props.put("search.delay.ms", "1000");
        props.put("retry.backoff.ms", "20");
        try (Tasks tasks = new Tasks(props, 7)) {
            return tasks.pollUntil(records -> complete(expected, records), timeout);
        }
    }

    /**
     * The connector's tasks as a worker would run them, minus Kafka: the connector splits the
     * config, each task is started with a stub context (no stored offsets) and polled in turn.
     */
    static final class Tasks implements AutoCloseable {
        private final IntercomSourceConnector connector = new IntercomSourceConnector();
        private final List<IntercomSourceTask> tasks = new ArrayList<>();
        private final List<SourceRecord> records = new ArrayList<>();

        Tasks(Map<String, String> connectorProps, int maxTasks) {
            connector.start(connectorProps);
            for (Map<String, String> taskProps : connector.taskConfigs(maxTasks)) {
                IntercomSourceTask task = new IntercomSourceTask();
                task.initialize(StubTaskContext.withoutOffsets(taskProps));
                task.start(taskProps);
                tasks.add(task);
            }
        }

        /** Polls every task until all records so far satisfy {@code done}; returns them all. */
        List<SourceRecord> pollUntil(Predicate<List<SourceRecord>> done, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (!done.test(records)) {
                    if (System.nanoTime() > deadline) {
                        fail("the tasks did not emit the expected records within " + timeout + "; got "
                                + records.size());
                    }
                    for (IntercomSourceTask task : tasks) {
                        List<SourceRecord> batch = task.poll();
                        if (batch != null) {
                            records.addAll(batch);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return records;
        }

        @Override
        public void close() {
            tasks.forEach(IntercomSourceTask::stop);
            connector.stop();
        }
    }

    private static boolean complete(Map<String, Set<String>> expected, List<SourceRecord> records) {
        Map<String, Set<String>> missing = new HashMap<>();
        expected.forEach((t, keys) -> missing.put(t, new java.util.HashSet<>(keys)));
        for (SourceRecord record : records) {
            String table = record.topic().substring(PREFIX.length());
            missing.get(table).remove(key(table, (Struct) record.key()));
        }
        return missing.values().stream().allMatch(Set::isEmpty);
    }

    static String key(String table, Struct key) {
        List<String> parts = new ArrayList<>();
        Tables.get(table).keyColumns().forEach(c -> {
            Object value = key.get(c.name());
            parts.add(value == null ? "" : value.toString());
        });
        return String.join("|", parts);
    }
}
