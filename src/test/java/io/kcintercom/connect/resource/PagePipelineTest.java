package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Pages whose follow-ups run, emitted in page order with the positions around each object. */
class PagePipelineTest {
    private static final long S = 1_700_000_000L;
    private static final SearchPosition START = SearchPosition.initial(S - 100);
    private final RecordFactory records = new RecordFactory("intercom.", List.of(Tables.USERS, Tables.USERS_TAGS));

    @Test
    void theOldestPageIsDueWhenItsFollowUpsAreDoneTooManyPagesWaitOrNothingIsLeftToRead() {
        PagePipeline pipeline = new PagePipeline(START.updatedAt());
        assertFalse(pipeline.oldestIsDue(true), "no page");
        assertFalse(pipeline.oldestIsDue(false), "no page");

        Pending first = new Pending(user("a"));
        pipeline.add(first, List.of(START, at("a")));
        assertTrue(pipeline.hasPagesInProgress());
        assertFalse(pipeline.oldestIsDue(true), "its follow-ups run and the next page can be read meanwhile");
        assertTrue(pipeline.oldestIsDue(false), "waiting for it is all there is left to do");
        first.done = true;
        assertTrue(pipeline.oldestIsDue(true), "its follow-ups are done");

        first.done = false;
        pipeline.add(new Pending(user("b")), List.of(at("a"), at("b")));
        assertTrue(pipeline.oldestIsDue(true), PagePipeline.PAGES_IN_PROGRESS + " pages wait: no more are read");
    }

    @Test
    void pagesAreEmittedInPageOrderEachRecordCarryingThePositionsAroundItsObject() {
        PagePipeline pipeline = new PagePipeline(START.updatedAt());
        Pending first = new Pending(user("a").addChild(Tables.USERS_TAGS, tag("t1"), "users_pk", "a"), user("b"));
        Pending second = new Pending(user("c"));
        second.done = true;
        pipeline.add(first, List.of(START, at("a"), at("b")));
        pipeline.add(second, List.of(at("b"), at("c")));

        pipeline.emitOldest();

        assertTrue(first.awaited.get());
        assertFalse(second.awaited.get(), "a later page waits for the earlier one, done or not");
        assertEquals(S + 2, pipeline.emittedUpdatedAt());
        List<SourceRecord> out = pipeline.take(100);
        assertEquals(List.of("intercom.users", "intercom.users_tags", "intercom.users"),
                out.stream().map(SourceRecord::topic).toList());
        assertEquals(START.toMap(), out.get(0).sourceOffset(), "a's first record: the position before a");
        assertEquals(at("a").toMap(), out.get(1).sourceOffset(), "a's last record: the position after a");
        assertEquals(at("b").toMap(), out.get(2).sourceOffset());
        assertFalse(pipeline.hasReady());

        pipeline.emitOldest();
        assertEquals(List.of(at("c").toMap()), pipeline.take(100).stream().map(SourceRecord::sourceOffset).toList());
        assertEquals(S + 3, pipeline.emittedUpdatedAt());
        assertFalse(pipeline.hasPagesInProgress());
    }

    @Test
    void anObjectWithoutRecordsStillMovesTheWatermarkAndBatchesNeverSplitAGroup() {
        PagePipeline pipeline = new PagePipeline(START.updatedAt());
        RecordFactory.Group nothing = records.group(Resource.USERS, "x"); // e.g. every table of it disabled
        Pending page = new Pending(user("a").addChild(Tables.USERS_TAGS, tag("t1"), "users_pk", "a"), user("b"),
                nothing);
        pipeline.add(page, List.of(START, at("a"), at("b"), at("c")));

        pipeline.emitOldest();

        assertEquals(S + 3, pipeline.emittedUpdatedAt());
        assertEquals(2, pipeline.take(1).size(), "a's group whole, though over the limit");
        assertEquals(1, pipeline.take(1).size());
        assertEquals(List.of(), pipeline.take(1));
    }

    private static SearchPosition at(String id) {
        return new SearchPosition(S + id.charAt(0) - 'a' + 1, id, S - 100, null);
    }

    private RecordFactory.Group user(String id) {
        return records.group(Resource.USERS, "contact " + id)
                .add(Tables.USERS, JsonNodeFactory.instance.objectNode().put("type", "contact").put("id", id));
    }

    private static ObjectNode tag(String id) {
        return JsonNodeFactory.instance.objectNode().put("type", "tag").put("id", id).put("name", "Tag " + id);
    }

    /** A page's groups, done when the test says so. */
    private static final class Pending implements PendingGroups {
        private final List<RecordFactory.Group> groups;
        final AtomicBoolean awaited = new AtomicBoolean();
        volatile boolean done;

        Pending(RecordFactory.Group... groups) {
            this.groups = List.of(groups);
        }

        @Override
        public boolean isDone() {
            return done;
        }

        @Override
        public List<RecordFactory.Group> await() {
            awaited.set(true);
            return groups;
        }

        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    @Test
    void aClosingReaderCancelsTheFollowUpsOfEveryPageInProgress() {
        PagePipeline pipeline = new PagePipeline(START.updatedAt());
        Pending first = new Pending(user("a"));
        Pending second = new Pending(user("b"));
        pipeline.add(first, List.of(START, at("a")));
        pipeline.add(second, List.of(at("a"), at("b")));

        pipeline.cancelAll();

        assertTrue(first.cancelled.get() && second.cancelled.get());
        assertFalse(pipeline.hasPagesInProgress());
    }
}
