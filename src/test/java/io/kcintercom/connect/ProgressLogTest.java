package io.kcintercom.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.metrics.PassProgress;
import io.kcintercom.connect.metrics.ResourceHealth;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import io.kcintercom.connect.testutil.LogCapture;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The resource's thread logs a progress line a minute while a long pass runs, and none once the
 * resource is caught up or waits for the scroll lock; on an injected clock that the worker's
 * sleeps move on.
 */
class ProgressLogTest {
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    /** A pass of 1,000 objects, 5 read per poll for {@code passPolls} polls; then caught up for an hour. */
    private final class LongPass implements ResourceReader {
        private final int passPolls;
        private final boolean waitingForLock;
        private PassProgress progress;
        int polls;

        LongPass(int passPolls, boolean waitingForLock) {
            this.passPolls = passPolls;
            this.waitingForLock = waitingForLock;
        }

        @Override
        public Resource resource() {
            return Resource.CONVERSATIONS;
        }

        @Override
        public void reportProgressTo(PassProgress progress) {
            this.progress = progress;
        }

        @Override
        public List<SourceRecord> poll(int maxRecords) {
            polls++;
            if (polls == 1) {
                progress.started();
                progress.expect(1_000);
            }
            if (polls <= passPolls) {
                progress.read(5);
                progress.answered();
            } else if (polls == passPolls + 1) {
                progress.ended();
            }
            return List.of();
        }

        @Override
        public long nextDueMs() {
            return polls <= passPolls ? 0 : clock.get() + 3_600_000;
        }

        @Override
        public boolean waitingForScrollLock() {
            return waitingForLock && polls <= passPolls;
        }
    }

    /** Runs a worker over the reader for {@code polls} polls, a second apart; the progress lines it logged. */
    private List<String> run(LongPass reader, int polls) {
        ResourceHealth health = new ResourceHealth(Resource.CONVERSATIONS.id(), clock::get);
        ResourceWorker.Output output = new ResourceWorker.Output() {
            @Override
            public boolean offer(List<SourceRecord> records) {
                return true;
            }

            @Override
            public void fail(Throwable failure) {
                throw new AssertionError("the worker failed", failure);
            }

            @Override
            public boolean stopping() {
                return reader.polls >= polls;
            }
        };
        ResourceWorker worker = new ResourceWorker(new AtomicReference<>(reader), offset -> reader, health, 100,
                millis -> clock.addAndGet(1_000), clock::get, output, ResourceWorker.Supervision.DEFAULT, Map.of());
        LogCapture capture = LogCapture.start();
        try {
            worker.run();
        } finally {
            capture.stop();
        }
        return capture.lines().stream()
                .filter(line -> line.startsWith("INFO " + ResourceWorker.class.getName() + " conversations: "))
                // The capture sees an event once per logger config it passes through.
                .distinct().toList();
    }

    @Test
    void aLineAMinuteWhileTheLongPassRunsAndNoneOnceCaughtUp() {
        LongPass reader = new LongPass(200, false);

        List<String> lines = run(reader, 800);

        assertEquals(800, reader.polls);
        assertEquals(3, lines.size(), "200 seconds of pass, then 10 minutes caught up: " + lines);
        assertTrue(lines.get(0).endsWith("conversations: 305 of 1,000 (30 %), 60 req/min, ETA 3 min"), lines.get(0));
        assertTrue(lines.get(2).contains("conversations: 905 of 1,000 (90 %)"), lines.get(2));
    }

    @Test
    void noLineWhileAPassWaitsForTheScrollLock() {
        LongPass reader = new LongPass(300, true);

        assertEquals(List.of(), run(reader, 400));
    }
}
