package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.client.IntercomTransientException;
import io.kcintercom.connect.metrics.PassProgress;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** A reader resumes from an offset only when it was written for this workspace and these tables. */
class BoundReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TABLES = List.of(Tables.USERS, Tables.USERS_TAGS);

    /** Emits one record whose offset is its start offset's updated_at + 1, and remembers where it started. */
    private static final class StubReader implements ResourceReader {
        final Map<String, ?> start;
        boolean closed;

        StubReader(Map<String, ?> start) {
            this.start = start;
        }

        @Override
        public Resource resource() {
            return Resource.USERS;
        }

        @Override
        public List<SourceRecord> poll(int maxRecords) {
            long from = OffsetFields.longValue(start, "updated_at", 0);
            Map<String, Object> position = Map.of("updated_at", from + 1);
            return List.of(new SourceRecord(Offsets.partition(Resource.USERS), position, "t", null, null, "k1", null, "v"),
                    new SourceRecord(Offsets.partition(Resource.USERS), position, "t", null, null, "k2", null, "v"));
        }

        @Override
        public long nextDueMs() {
            return 123;
        }

        @Override
        public Map<String, LongSupplier> counters() {
            return Map.of("things", () -> 7);
        }

        @Override
        public void close() {
            closed = true;
        }

        PassProgress progress;
        boolean waiting;

        @Override
        public void reportProgressTo(PassProgress progress) {
            this.progress = progress;
        }

        @Override
        public boolean waitingForScrollLock() {
            return waiting;
        }
    }

    private final List<StubReader> created = new ArrayList<>();
    private final AtomicInteger meCalls = new AtomicInteger();

    private Workspace workspace(String idCode) {
        return new Workspace(() -> {
            meCalls.incrementAndGet();
            return JSON.createObjectNode().set("app", JSON.createObjectNode().put("id_code", idCode));
        });
    }

    private BoundReader reader(List<String> tables, Workspace workspace, Map<String, ?> offset) {
        return new BoundReader(new OffsetBinding(Resource.USERS, tables), workspace, offset, start -> {
            StubReader stub = new StubReader(start);
            created.add(stub);
            return stub;
        });
    }

    @Test
    void resumesFromAnOffsetOfThisWorkspaceAndTablesAndBindsEveryRecord() {
        Map<String, Object> stored = new OffsetBinding(Resource.USERS, TABLES).bind(Map.of("updated_at", 50L), "ws1");
        BoundReader reader = reader(TABLES, workspace("ws1"), stored);
        assertEquals(0L, reader.nextDueMs(), "due at once: it must learn the workspace");
        List<SourceRecord> records = reader.poll(10);
        assertEquals(1, created.size(), "resumed, not replaced");
        assertEquals(Map.of("updated_at", 51L, "workspace", "ws1", "tables", "users,users_tags"),
                records.get(0).sourceOffset());
        assertSame(records.get(0).sourceOffset(), records.get(1).sourceOffset(), "a group's offsets shared");
        assertEquals("k2", records.get(1).key());
        assertEquals(Offsets.partition(Resource.USERS), records.get(0).sourcePartition(), "the partition unchanged");
        assertEquals(123L, reader.nextDueMs());
        assertEquals(7L, reader.counters().get("things").getAsLong());
    }

    @Test
    void progressAndTheScrollLockReachTheReaderWithinAlsoAfterItStartsOver() {
        Map<String, Object> stored = new OffsetBinding(Resource.USERS, TABLES).bind(Map.of("updated_at", 50L),
                "staging");
        BoundReader reader = reader(TABLES, workspace("prod"), stored);
        PassProgress progress = new PassProgress(System::currentTimeMillis);
        reader.reportProgressTo(progress);
        assertSame(progress, created.get(0).progress);
        reader.poll(10);
        assertSame(progress, created.get(1).progress, "the reader that starts over reports to the same place");
        created.get(1).waiting = true;
        assertTrue(reader.waitingForScrollLock());
    }

    @Test
    void anOffsetOfAnotherWorkspaceStartsOverFromTheBeginning() {
        Map<String, Object> stored = new OffsetBinding(Resource.USERS, TABLES).bind(Map.of("updated_at", 50L),
                "staging");
        BoundReader reader = reader(TABLES, workspace("prod"), stored);
        List<SourceRecord> records = reader.poll(10);
        assertEquals(2, created.size());
        assertTrue(created.get(0).closed, "the reader of the old position is closed");
        assertEquals(null, created.get(1).start, "the new one starts from intercom.since");
        assertEquals(Map.of("updated_at", 1L, "workspace", "prod", "tables", "users,users_tags"),
                records.get(0).sourceOffset());
    }

    @Test
    void anOffsetWrittenBeforeATableWasEnabledStartsOver() {
        Map<String, Object> stored = new OffsetBinding(Resource.USERS, List.of(Tables.USERS))
                .bind(Map.of("updated_at", 50L), "ws1");
        BoundReader reader = reader(TABLES, workspace("ws1"), stored);
        assertEquals(Map.of("updated_at", 1L, "workspace", "ws1", "tables", "users,users_tags"),
                reader.poll(10).get(0).sourceOffset());
        // Once the new offsets are written, a restart resumes from them.
        BoundReader restarted = reader(TABLES, workspace("ws1"), Map.of("updated_at", 1L, "workspace", "ws1",
                "tables", "users,users_tags"));
        assertEquals(2L, restarted.poll(10).get(0).sourceOffset().get("updated_at"));
    }

    @Test
    void anOffsetOfAnEarlierVersionIsAdoptedAsThisWorkspaces() {
        BoundReader reader = reader(TABLES, workspace("ws1"), Map.of("updated_at", 50L, "id", "a"));
        assertEquals(Map.of("updated_at", 51L, "workspace", "ws1", "tables", "users,users_tags"),
                reader.poll(10).get(0).sourceOffset());
        assertEquals(1, created.size());
    }

    @Test
    void theWorkspaceIsAskedOnceForAllResourcesAndAgainOnlyAfterAFailure() {
        AtomicInteger attempts = new AtomicInteger();
        Workspace flaky = new Workspace(() -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IntercomTransientException("GET /me (workspace id) failed: HTTP 503", 503, null);
            }
            JsonNode me = JSON.createObjectNode().set("app", JSON.createObjectNode().put("id_code", "ws1"));
            return me;
        });
        BoundReader first = reader(TABLES, flaky, null);
        assertThrows(IntercomTransientException.class, () -> first.poll(10), "thrown for the supervisor to wait out");
        assertEquals(0L, first.nextDueMs(), "still to be bound");
        assertEquals("ws1", first.poll(10).get(0).sourceOffset().get("workspace"));
        BoundReader second = reader(TABLES, flaky, null);
        assertEquals("ws1", second.poll(10).get(0).sourceOffset().get("workspace"));
        assertEquals(2, attempts.get(), "one failed request, one answer shared by every reader");

        BoundReader other = reader(TABLES, workspace("ws2"), null);
        other.poll(10);
        other.poll(10);
        assertEquals(1, meCalls.get());
    }
}
