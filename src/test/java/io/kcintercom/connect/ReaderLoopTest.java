package io.kcintercom.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomAuthException;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

class ReaderLoopTest {
    /** A reader that always has a batch of {@code size} records ready. */
    private static class EndlessReader implements ResourceReader {
        final Resource resource;
        final int size;
        final AtomicInteger polls = new AtomicInteger();

        EndlessReader(Resource resource, int size) {
            this.resource = resource;
            this.size = size;
        }

        @Override
        public Resource resource() {
            return resource;
        }

        @Override
        public List<SourceRecord> poll(int maxRecords) {
            polls.incrementAndGet();
            List<SourceRecord> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(new SourceRecord(Map.of("r", resource.id()), Map.of("i", i), "t", null, null));
            }
            return batch;
        }

        @Override
        public long nextDueMs() {
            return 0;
        }
    }

    private static ReaderLoop loop(List<ResourceReader> readers, int batchMax) {
        return new ReaderLoop("test", readers, batchMax, millis -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, System::currentTimeMillis, batch -> { });
    }

    @Test
    void whenKafkaIsSlowReadingPausesInsteadOfBuffering() throws Exception {
        EndlessReader reader = new EndlessReader(Resource.USERS, 100);
        ReaderLoop loop = loop(List.of(reader), 100);
        loop.start();
        Thread.sleep(800);
        int pollsWhileNobodyTakes = reader.polls.get();
        Thread.sleep(800);
        // The queue holds a bounded number of batches; once full the reader is not asked again.
        assertTrue(pollsWhileNobodyTakes <= ReaderLoop.QUEUE_BATCHES + 2, "polls " + pollsWhileNobodyTakes);
        assertEquals(pollsWhileNobodyTakes, reader.polls.get(), "no reading while the queue is full");
        assertEquals(100, loop.poll(100).size());
        Thread.sleep(300);
        assertTrue(reader.polls.get() > pollsWhileNobodyTakes, "reading resumes once poll() takes a batch");
        loop.close();
    }

    @Test
    void readersTakeTurnsSoNoneStarves() throws Exception {
        EndlessReader users = new EndlessReader(Resource.USERS, 10);
        EndlessReader tags = new EndlessReader(Resource.TAGS, 10);
        ReaderLoop loop = loop(List.of(users, tags), 10);
        loop.start();
        // Each resource reads on its own thread: let both fill their lanes before taking turns.
        long deadline = System.currentTimeMillis() + 5_000;
        while ((users.polls.get() <= ReaderLoop.QUEUE_BATCHES || tags.polls.get() <= ReaderLoop.QUEUE_BATCHES)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        int fromUsers = 0;
        int fromTags = 0;
        for (int i = 0; i < 20; i++) {
            Thread.sleep(5); // the worker sends each batch to Kafka before it polls again
            for (SourceRecord record : loop.poll(1000)) {
                if (record.sourcePartition().get("r").equals("users")) {
                    fromUsers++;
                } else {
                    fromTags++;
                }
            }
        }
        loop.close();
        assertTrue(fromUsers > 50 && fromTags > 50, "users " + fromUsers + ", tags " + fromTags);
    }

    @Test
    void aReaderFailureFailsPollAfterWhatWasReadIsHandedOut() throws Exception {
        ResourceReader failing = new EndlessReader(Resource.ADMINS, 1) {
            @Override
            public List<SourceRecord> poll(int maxRecords) {
                if (polls.incrementAndGet() > 1) {
                    // Permanent: a refused token fails the task; transient failures are waited out.
                    throw new IntercomAuthException("boom", 401, null);
                }
                return super.poll(maxRecords);
            }
        };
        ReaderLoop loop = loop(List.of(failing), 10);
        loop.start();
        assertEquals(1, loop.poll(1000).size());
        Thread.sleep(200);
        ConnectException e = org.junit.jupiter.api.Assertions.assertThrows(ConnectException.class,
                () -> loop.poll(100));
        assertEquals("boom", e.getMessage());
        loop.close();
    }
}
