package io.kcintercom.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomTransientException;
import io.kcintercom.connect.client.RetryCause;
import io.kcintercom.connect.metrics.ResourceHealth;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import io.kcintercom.connect.testutil.LogCapture;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Transient failures are waited out per resource; only permanent or fatal ones fail the task. */
class ResourceSupervisionTest {
    private static final ResourceWorker.Supervision FAST = new ResourceWorker.Supervision(10, 40, 0);

    /** Emits records numbered from its start offset; fails (with the given failure) while told to. */
    private static final class CountingReader implements ResourceReader {
        final Resource resource;
        final long start;
        final FailureSwitch failures;
        boolean inPlace;
        long next;

        CountingReader(Resource resource, Map<String, ?> offset, FailureSwitch failures) {
            this.resource = resource;
            this.start = offset == null ? 0 : ((Number) offset.get("n")).longValue();
            this.next = start;
            this.failures = failures;
        }

        @Override
        public Resource resource() {
            return resource;
        }

        @Override
        public List<SourceRecord> poll(int maxRecords) {
            RuntimeException failure = failures.next();
            if (failure != null) {
                throw failure;
            }
            SourceRecord record = new SourceRecord(Map.of("r", resource.id()), Map.of("n", next + 1), "t", null,
                    next);
            next++;
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(record);
        }

        @Override
        public long nextDueMs() {
            return 0;
        }

        @Override
        public boolean retryableInPlace() {
            return inPlace;
        }
    }

    /** Fails the polls numbered in [from, to) (counted across readers of one resource). */
    private static final class FailureSwitch {
        final AtomicInteger polls = new AtomicInteger();
        final int from;
        final int to;
        final java.util.function.Supplier<RuntimeException> failure;

        FailureSwitch(int from, int to, java.util.function.Supplier<RuntimeException> failure) {
            this.from = from;
            this.to = to;
            this.failure = failure;
        }

        RuntimeException next() {
            int n = polls.incrementAndGet();
            return n > from && n <= to ? failure.get() : null;
        }
    }

    private static ReaderLoop loop(List<ReaderLoop.Slot> slots, ResourceWorker.Supervision supervision) {
        return new ReaderLoop("test", slots, 100, millis -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, System::currentTimeMillis, batch -> { }, supervision);
    }

    private static ReaderLoop.Slot slot(Resource resource, FailureSwitch failures, List<Map<String, ?>> createdFrom,
                                        ResourceHealth health) {
        ResourceWorker.ReaderFactory factory = offset -> {
            createdFrom.add(offset);
            return new CountingReader(resource, offset, failures);
        };
        return new ReaderLoop.Slot(factory.create(null), factory, health);
    }

    private static List<SourceRecord> drain(ReaderLoop loop, int atLeast, long timeoutMs) throws Exception {
        List<SourceRecord> all = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (all.size() < atLeast && System.currentTimeMillis() < deadline) {
            List<SourceRecord> batch = loop.poll(100);
            if (batch != null) {
                all.addAll(batch);
            }
        }
        return all;
    }

    @Test
    void aTransientFailureResumesFromTheLastRecordHandedOutWithNoGapAndNoRepeat() throws Exception {
        List<Map<String, ?>> createdFrom = Collections.synchronizedList(new ArrayList<>());
        ResourceHealth health = new ResourceHealth("users", System::currentTimeMillis);
        FailureSwitch failures = new FailureSwitch(5, 9,
                () -> new IntercomTransientException("Intercom request failed: HTTP 503", 503, null));
        LogCapture logs = LogCapture.start();
        try (ReaderLoop loop = loop(List.of(slot(Resource.USERS, failures, createdFrom, health)), FAST)) {
            loop.start();
            List<SourceRecord> records = drain(loop, 20, 10_000);
            assertTrue(records.size() >= 20, "records " + records.size());
            for (int i = 0; i < records.size(); i++) {
                assertEquals((long) i, records.get(i).value(), "record " + i + " in order, none skipped or repeated");
            }
            assertEquals(4, health.retries(RetryCause.SERVER_ERROR), "each failed poll is counted once");
            assertTrue(createdFrom.size() >= 2, "the reader was replaced after the failures");
            assertEquals(Map.of("n", 5L), createdFrom.get(1), "the new reader resumes after the last record");
            assertEquals(-1, health.outageStartMs(), "the outage healed once records flowed again");
        } finally {
            logs.stop();
        }
        List<String> lines = logs.lines();
        // The capture may see an event once per logger config it passes (2 here): 4 failed polls
        // logged at WARN each would show at least 4 times.
        long warns = count(lines, "WARN", "users: Intercom is failing (HTTP 503)");
        long heals = count(lines, "INFO", "users: Intercom answers again");
        assertTrue(warns >= 1 && warns <= 2, "one WARN when the outage starts, not one per retry:\n" + lines);
        assertEquals(warns, heals, "one INFO when it heals:\n" + lines);
    }

    private static long count(List<String> lines, String level, String text) {
        return lines.stream().filter(line -> line.startsWith(level + " ") && line.contains(text)).count();
    }

    @Test
    void aReaderThatKeepsWhatANewOneCouldNotRebuildIsRetriedInPlace() throws Exception {
        List<Map<String, ?>> createdFrom = Collections.synchronizedList(new ArrayList<>());
        FailureSwitch failures = new FailureSwitch(2, 4, () -> new IntercomTransientException("down", 503, null));
        ResourceWorker.ReaderFactory factory = offset -> {
            createdFrom.add(offset);
            CountingReader reader = new CountingReader(Resource.TAGS, offset, failures);
            reader.inPlace = true;
            return reader;
        };
        try (ReaderLoop loop = loop(List.of(new ReaderLoop.Slot(factory.create(null), factory,
                new ResourceHealth("tags", System::currentTimeMillis))), FAST)) {
            loop.start();
            List<SourceRecord> records = drain(loop, 10, 10_000);
            assertTrue(records.size() >= 10);
            for (int i = 0; i < records.size(); i++) {
                assertEquals((long) i, records.get(i).value());
            }
            assertEquals(1, createdFrom.size(), "polled again, never replaced");
        }
    }

    @Test
    void oneResourceWaitingDoesNotHoldUpTheOthers() throws Exception {
        ResourceHealth companies = new ResourceHealth("companies", System::currentTimeMillis);
        FailureSwitch forever = new FailureSwitch(0, Integer.MAX_VALUE,
                () -> new IntercomTransientException("scroll held", 400, null));
        FailureSwitch never = new FailureSwitch(0, 0, () -> null);
        try (ReaderLoop loop = loop(List.of(
                slot(Resource.COMPANIES, forever, new ArrayList<>(), companies),
                slot(Resource.USERS, never, new ArrayList<>(), new ResourceHealth("users",
                        System::currentTimeMillis))), FAST)) {
            loop.start();
            List<SourceRecord> records = drain(loop, 50, 10_000);
            assertTrue(records.size() >= 50, "users kept flowing: " + records.size());
            assertTrue(records.stream().allMatch(r -> r.sourcePartition().get("r").equals("users")));
            assertEquals(ResourceHealth.State.BACKING_OFF, companies.state());
            assertTrue(companies.outageStartMs() > 0);
            assertTrue(forever.polls.get() > 3, "companies kept retrying: " + forever.polls.get());
        }
    }

    @Test
    void anErrorFailsTheTaskLoudlyInsteadOfLeavingItIdle() throws Exception {
        FailureSwitch failures = new FailureSwitch(2, 3, () -> {
            throw new OutOfMemoryError("test");
        });
        try (ReaderLoop loop = loop(List.of(slot(Resource.ADMINS, failures, new ArrayList<>(),
                new ResourceHealth("admins", System::currentTimeMillis))), FAST)) {
            loop.start();
            ConnectException e = assertThrows(ConnectException.class, () -> {
                while (true) {
                    loop.poll(100);
                }
            });
            assertNotNull(e.getCause());
            assertTrue(e.getCause() instanceof OutOfMemoryError);
        }
    }

    @Test
    void anOutageLongerThanTheConfiguredMaximumFailsTheTaskNamingTheKey() throws Exception {
        FailureSwitch forever = new FailureSwitch(0, Integer.MAX_VALUE,
                () -> new IntercomTransientException("down", 503, null));
        try (ReaderLoop loop = loop(List.of(slot(Resource.CONVERSATIONS, forever, new ArrayList<>(),
                new ResourceHealth("conversations", System::currentTimeMillis))),
                new ResourceWorker.Supervision(10, 20, 200))) {
            loop.start();
            ConnectException e = assertThrows(ConnectException.class, () -> {
                long deadline = System.currentTimeMillis() + 10_000;
                while (System.currentTimeMillis() < deadline) {
                    loop.poll(100);
                }
            });
            assertTrue(e.getMessage().contains("outage.max.ms"), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        }
    }

    @Test
    void failuresAreClassifiedInOnePlace() {
        assertEquals(Failures.Kind.PERMANENT, Failures.classify(
                new io.kcintercom.connect.client.IntercomAuthException("refused", 401, null)));
        assertEquals(Failures.Kind.PERMANENT, Failures.classify(
                new ConnectException(new org.apache.kafka.common.config.ConfigException("bad"))));
        assertEquals(Failures.Kind.FATAL, Failures.classify(new StackOverflowError()));
        assertEquals(Failures.Kind.FATAL, Failures.classify(new ConnectException(new OutOfMemoryError("x"))),
                "an Error wrapped on its way from a follow-up thread is still fatal");
        assertEquals(Failures.Kind.TRANSIENT, Failures.classify(new IntercomTransientException("x", 502, null)));
        assertEquals(Failures.Kind.TRANSIENT, Failures.classify(new ConnectException("odd")));
        assertEquals(RetryCause.DNS_FAILURE, Failures.cause(new ConnectException(
                new java.net.UnknownHostException("api.intercom.io"))).kind());
        assertEquals(RetryCause.TIMEOUT, Failures.cause(new ConnectException(
                new java.net.SocketTimeoutException("read"))).kind());
        assertEquals("HTTP 400 scroll_exists", Failures.cause(
                new io.kcintercom.connect.client.IntercomApiException("m", 400, "scroll_exists")).detail());
        assertEquals(RetryCause.SERVER_ERROR, Failures.cause(
                new io.kcintercom.connect.client.IntercomApiException("m", 503, null)).kind());
        assertEquals(RetryCause.SERVER_ERROR, Failures.cause(new io.kcintercom.connect.client.RetriesExhaustedException(
                "gave up", new IntercomTransientException("HTTP 503", 503, null))).kind(),
                "a request that ran out of retries on a 5xx counts as a server error");
    }

    @Test
    void anAnswerToARequestSentBeforeTheOutageStartedDoesNotHealIt() {
        long[] now = {1_000};
        ResourceHealth health = new ResourceHealth("users", () -> now[0]);
        health.failing("HTTP 503", "retrying");
        now[0] = 2_000;
        health.succeeded(900);
        assertEquals(1_000, health.outageStartMs(), "an answer already on its way says nothing of now");
        health.succeeded(1_500);
        assertEquals(-1, health.outageStartMs(), "a request sent during the outage was answered: healed");
    }

    @Test
    void backoffDoublesWithJitterUpToItsCap() {
        Backoff backoff = new Backoff(100, 1_000);
        long[] waits = new long[8];
        for (int i = 0; i < waits.length; i++) {
            waits[i] = backoff.next();
        }
        assertTrue(waits[0] >= 50 && waits[0] <= 100, "first " + waits[0]);
        assertTrue(waits[2] >= 200 && waits[2] <= 400, "third " + waits[2]);
        for (long wait : waits) {
            assertTrue(wait <= 1_000, "capped: " + wait);
        }
        assertTrue(waits[7] >= 500, "at the cap: " + waits[7]);
        backoff.reset();
        assertTrue(backoff.next() <= 100);
    }
}
