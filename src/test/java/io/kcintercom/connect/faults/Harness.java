package io.kcintercom.connect.faults;

import io.kcintercom.connect.it.ExpectedRows;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.IntercomSourceTask;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Column;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.testutil.StubTaskContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Shared fixture of the fault catalogue: sample workspaces and fakes with a token of their own (so
 * every test gets a fresh shared rate limiter, which is keyed by token and host), task configs with
 * short backoffs and timeouts, a task runner with a {@link StubTaskContext}, and the keys
 * every table should hold.
 */
final class Harness {
    static final String PREFIX = "faults.";
    /** Short, so retries cost milliseconds; the backoff assertions scale with it. */
    static final long BACKOFF_MS = 20;

    private Harness() {
    }

    // ---------------------------------------------------------------- workspace and fake

    static SampleWorkspace workspace(long seed, Consumer<SampleWorkspace.Sizes.Builder> sizes) {
        SampleWorkspace.Sizes.Builder b = SampleWorkspace.Sizes.builder()
                .users(12).leads(6).companies(15).admins(3).teams(2).tags(8).segments(3).conversations(10)
                .maxPartsPerConversation(4).notesPerContact(2).eventsPerContact(2).tagsPerContact(2)
                .companiesPerContact(1).heavyContactEvery(0);
        sizes.accept(b);
        return SampleWorkspace.generate(seed, b.build());
    }

    /** A fake with a token of its own (never the default one), unlimited unless the options say otherwise. */
    static FakeIntercom fake(SampleWorkspace ws, Consumer<FakeIntercom.Options.Builder> options) {
        FakeIntercom.Options.Builder b = FakeIntercom.Options.builder()
                .token("faults-" + UUID.randomUUID())
                .rateLimitPer10s(0);
        options.accept(b);
        return FakeIntercom.start(ws, b.build());
    }

    static FakeIntercom fake(SampleWorkspace ws) {
        return fake(ws, o -> { });
    }

    /**
     * The fault hits requests {@code okFirst + 1 .. okFirst + times} to the endpoint: the first
     * {@code okFirst} are served normally (a zero delay is the fake's "no fault").
     */
    static void failAfter(FakeIntercom fake, String template, int okFirst, int times, FakeIntercom.Fault fault) {
        if (okFirst > 0) {
            fake.failNext(template, okFirst, FakeIntercom.Fault.delay(0));
        }
        fake.failNext(template, times, fault);
    }

    static IntercomClient client(String baseUrl, String token, int timeoutMs) {
        return new IntercomClient(new IntercomClient.Settings(baseUrl, token, "2.11", timeoutMs, BACKOFF_MS, 10_000));
    }

    // ---------------------------------------------------------------- task config

    /** Task props reading {@code resources} into {@code tables}: short backoff, one pass per run. */
    static Map<String, String> props(String baseUrl, String token, Collection<Resource> resources,
                                     Collection<String> tables) {
        Map<String, String> p = new HashMap<>();
        p.put("intercom.access.token", token);
        p.put("intercom.api.url", baseUrl);
        p.put("intercom.api.url.allow.custom", "true");
        p.put("intercom.tables", String.join(",", tables));
        p.put("intercom.token.check", "false");
        p.put("task.resources", resources.stream().map(Resource::id).collect(Collectors.joining(",")));
        p.put("topic.prefix", PREFIX);
        p.put("poll.interval.ms", "86400000");
        p.put("companies.poll.interval.ms", "86400000");
        p.put("refresh.interval.ms", "604800000");
        p.put("search.delay.ms", "1000");
        p.put("retry.backoff.ms", String.valueOf(BACKOFF_MS));
        p.put("retry.max.time.ms", "10000");
        p.put("request.timeout.ms", "5000");
        p.put("max.in.flight.requests", "4");
        p.put("batch.max.records", "500");
        return p;
    }

    static Map<String, String> props(FakeIntercom fake, Collection<Resource> resources, Collection<String> tables) {
        return props(fake.baseUrl(), fake.options().token(), resources, tables);
    }

    /** Every table of the resources. */
    static List<String> tablesOf(Collection<Resource> resources) {
        Set<String> tables = new LinkedHashSet<>();
        resources.forEach(r -> tables.addAll(r.tables()));
        return List.copyOf(tables);
    }

    // ---------------------------------------------------------------- running a task

    /** An {@link IntercomSourceTask} started with a stub context, polled from the test thread. */
    static final class TaskRun implements AutoCloseable {
        final IntercomSourceTask task = new IntercomSourceTask();
        final List<SourceRecord> records = new ArrayList<>();

        TaskRun(Map<String, String> props) {
            this(props, Map.of());
        }

        TaskRun(Map<String, String> props, Map<Map<String, String>, Map<String, Object>> storedOffsets) {
            task.initialize(new StubTaskContext(props, storedOffsets));
            task.start(props);
        }

        /** Polls until the records so far satisfy {@code done}; fails on a task error or the timeout. */
        List<SourceRecord> pollUntil(Predicate<List<SourceRecord>> done, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records)) {
                if (System.nanoTime() > deadline) {
                    fail("timed out after " + timeout + " with " + records.size() + " records: " + tableCounts(records));
                }
                pollOnce();
            }
            return records;
        }

        /** Polls until every expected key of every table arrived, then a little longer to catch duplicates. */
        List<SourceRecord> pollUntilComplete(Map<String, Set<String>> expected, Duration timeout) {
            pollUntil(r -> missing(expected, r).isEmpty(), timeout);
            pollFor(Duration.ofMillis(300));
            return records;
        }

        /** Keeps polling for a while (to see whatever else the task would emit). */
        void pollFor(Duration duration) {
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                pollOnce();
            }
        }

        /** Polls until poll() throws, and returns what it threw. */
        RuntimeException pollUntilFailure(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    List<SourceRecord> batch = task.poll();
                    if (batch != null) {
                        records.addAll(batch);
                    }
                } catch (RuntimeException e) {
                    return e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return fail("the task did not fail within " + timeout + "; records: " + tableCounts(records));
        }

        private void pollOnce() {
            try {
                List<SourceRecord> batch = task.poll();
                if (batch != null) {
                    records.addAll(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() {
            task.stop();
        }
    }

    /** Drives one reader directly: polls until its current pass or refresh is over. */
    static List<SourceRecord> drainPass(ResourceReader reader, Duration timeout) {
        List<SourceRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            if (System.nanoTime() > deadline) {
                fail("the pass of " + reader.resource().id() + " did not end within " + timeout);
            }
            out.addAll(reader.poll(10_000));
        } while (reader.nextDueMs() == 0);
        return out;
    }

    // ---------------------------------------------------------------- records and keys

    static String table(SourceRecord record) {
        return record.topic().substring(PREFIX.length());
    }

    /** The key of a record as "a|b": its key columns' values in table order. */
    static String key(SourceRecord record) {
        Struct key = (Struct) record.key();
        List<String> parts = new ArrayList<>();
        for (Column column : Tables.get(table(record)).keyColumns()) {
            Object value = key.get(column.name());
            parts.add(value == null ? "" : value.toString());
        }
        return String.join("|", parts);
    }

    static Object value(SourceRecord record, String field) {
        return record.value() == null ? null : ((Struct) record.value()).get(field);
    }

    static List<SourceRecord> onTable(List<SourceRecord> records, String table) {
        return records.stream().filter(r -> table(r).equals(table)).toList();
    }

    static List<String> ids(List<SourceRecord> records, String table) {
        return onTable(records, table).stream().map(Harness::key).toList();
    }

    /** Occurrences of each key, per table. */
    static Map<String, Map<String, Long>> keyCounts(List<SourceRecord> records) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (SourceRecord r : records) {
            counts.computeIfAbsent(table(r), t -> new TreeMap<>()).merge(key(r), 1L, Long::sum);
        }
        return counts;
    }

    static Map<String, Integer> tableCounts(List<SourceRecord> records) {
        Map<String, Integer> counts = new TreeMap<>();
        records.forEach(r -> counts.merge(table(r), 1, Integer::sum));
        return counts;
    }

    /** Expected keys not (yet) among the records' live rows, per table; empty when all arrived. */
    static Map<String, Set<String>> missing(Map<String, Set<String>> expected, List<SourceRecord> records) {
        Map<String, Set<String>> seen = new HashMap<>();
        for (SourceRecord r : List.copyOf(records)) {
            if (r.value() != null) {
                seen.computeIfAbsent(table(r), t -> new java.util.HashSet<>()).add(key(r));
            }
        }
        Map<String, Set<String>> missing = new TreeMap<>();
        expected.forEach((table, keys) -> {
            Set<String> absent = new LinkedHashSet<>(keys);
            absent.removeAll(seen.getOrDefault(table, Set.of()));
            if (!absent.isEmpty()) {
                missing.put(table, absent);
            }
        });
        return missing;
    }

    /**
     * Every expected key arrived as a live row, exactly once, no other live row arrived on those
     * tables, and no tombstone retracted an expected row after it arrived: the compacted topics hold
     * the expected rows. A tombstone of a key that was never live (a user retracting the leads rows
     * it may have had as a lead) is no row.
     */
    static void assertExactlyOnce(Map<String, Set<String>> expected, List<SourceRecord> records) {
        List<SourceRecord> live = records.stream().filter(r -> r.value() != null).toList();
        Map<String, Set<String>> missing = missing(expected, live);
        assertTrue(missing.isEmpty(), "missing rows: " + abbreviate(missing.toString()));
        Map<String, Set<String>> compacted = compacted(records);
        Map<String, Set<String>> retracted = new TreeMap<>();
        expected.forEach((table, keys) -> keys.stream().filter(k -> !compacted.getOrDefault(table, Set.of()).contains(k))
                .forEach(k -> retracted.computeIfAbsent(table, t -> new java.util.TreeSet<>()).add(k)));
        assertTrue(retracted.isEmpty(), "rows retracted by a later tombstone: " + abbreviate(retracted.toString()));
        Map<String, Map<String, Long>> counts = keyCounts(live);
        Map<String, List<String>> duplicates = new TreeMap<>();
        Map<String, List<String>> unexpected = new TreeMap<>();
        counts.forEach((table, perKey) -> perKey.forEach((key, n) -> {
            if (n > 1) {
                duplicates.computeIfAbsent(table, t -> new ArrayList<>()).add(key + " x" + n);
            }
            if (expected.containsKey(table) && !expected.get(table).contains(key)) {
                unexpected.computeIfAbsent(table, t -> new ArrayList<>()).add(key);
            }
        }));
        assertTrue(duplicates.isEmpty(), "duplicated rows: " + abbreviate(duplicates.toString()));
        assertTrue(unexpected.isEmpty(), "unexpected rows: " + abbreviate(unexpected.toString()));
    }

    /** What compacted topics keep: per table, the keys whose last record is a row, not a tombstone. */
    static Map<String, Set<String>> compacted(List<SourceRecord> records) {
        Map<String, Set<String>> keys = new HashMap<>();
        for (SourceRecord r : records) {
            Set<String> table = keys.computeIfAbsent(table(r), t -> new LinkedHashSet<>());
            if (r.value() == null) {
                table.remove(key(r));
            } else {
                table.add(key(r));
            }
        }
        return keys;
    }

    static String abbreviate(String text) {
        return text.length() <= 1500 ? text : text.substring(0, 1497) + "...";
    }

    /** The keys each of {@code tables} should hold for the workspace as it is now. */
    static Map<String, Set<String>> expected(SampleWorkspace ws, Collection<String> tables) {
        // notes and events_summary are fed by users and leads: only the enabled resources' rows count.
        List<String> roles = new ArrayList<>();
        if (tables.contains(Tables.USERS)) {
            roles.add("user");
        }
        if (tables.contains(Tables.LEADS)) {
            roles.add("lead");
        }
        return ExpectedRows.forWorkspace(ws, tables, roles);
    }

}
