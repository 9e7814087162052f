package io.kcintercom.connect.resource;

import io.kcintercom.connect.metrics.PassProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A resource's reader whose offsets say what they were read for ({@link OffsetBinding}). Before
 * its first read it learns the token's workspace and checks the offset it was given: one written
 * for another workspace, or before one of the resource's tables was enabled, is not resumed from;
 * the resource starts over from {@code intercom.since} instead. Every record then carries its
 * position with the workspace and the tables.
 *
 * <p>The reader is created from the given offset at once (the metrics read its counters from the
 * start) and replaced when that offset turns out not to apply; it reads nothing before then.
 */
final class BoundReader implements ResourceReader {
    private static final Logger log = LoggerFactory.getLogger(BoundReader.class);

    private final OffsetBinding binding;
    private final Workspace workspace;
    private final Map<String, ?> offset;
    private final Function<Map<String, ?>, ResourceReader> factory;
    /** Replaced at most once, on this reader's thread; read by the metrics from others. */
    private volatile ResourceReader reader;
    /** Where the reader reports its pass's progress; handed on to a reader that starts over. */
    private PassProgress progress;
    /** The workspace the records are bound to; null before the first read. */
    private String workspaceId;
    /** The last position and its bound offset: a group's records share their position maps. */
    private Map<String, ?> lastPosition;
    private Map<String, Object> lastOffset;

    BoundReader(OffsetBinding binding, Workspace workspace, Map<String, ?> offset,
                Function<Map<String, ?>, ResourceReader> factory) {
        this.binding = binding;
        this.workspace = workspace;
        this.offset = offset;
        this.factory = factory;
        this.reader = factory.apply(offset);
    }

    @Override
    public Resource resource() {
        return binding.resource();
    }

    @Override
    public List<SourceRecord> poll(int maxRecords) {
        if (workspaceId == null) {
            bind();
        }
        List<SourceRecord> records = reader.poll(maxRecords);
        if (records.isEmpty()) {
            return records;
        }
        List<SourceRecord> bound = new ArrayList<>(records.size());
        for (SourceRecord record : records) {
            bound.add(new SourceRecord(record.sourcePartition(), boundOffset(record.sourceOffset()), record.topic(),
                    record.kafkaPartition(), record.keySchema(), record.key(), record.valueSchema(), record.value(),
                    record.timestamp(), record.headers()));
        }
        return bound;
    }

    /** Learns the workspace (throwing what GET /me throws) and starts over when the offset does not apply. */
    private void bind() {
        String id = workspace.id();
        String reason = binding.reasonToStartOver(offset, id);
        if (reason != null) {
            log.info("{}: not resuming from the stored offset, because {}; reading {} again from intercom.since "
                    + "(rows already in the topics are sent again, as upserts by key)", binding.resource().id(), reason,
                    binding.resource().id());
            ResourceReader stale = reader;
            reader = factory.apply(null);
            if (progress != null) {
                reader.reportProgressTo(progress);
            }
            stale.close();
        }
        workspaceId = id;
    }

    private Map<String, Object> boundOffset(Map<String, ?> position) {
        if (position != lastPosition) {
            lastPosition = position;
            lastOffset = binding.bind(position, workspaceId);
        }
        return lastOffset;
    }

    @Override
    public void reportProgressTo(PassProgress progress) {
        this.progress = progress;
        reader.reportProgressTo(progress);
    }

    @Override
    public boolean retryableInPlace() {
        return reader.retryableInPlace();
    }

    @Override
    public boolean waitingForScrollLock() {
        return reader.waitingForScrollLock();
    }

    @Override
    public long nextDueMs() {
        return workspaceId == null ? 0L : reader.nextDueMs();
    }

    @Override
    public long watermarkSeconds() {
        return reader.watermarkSeconds();
    }

    @Override
    public Map<String, LongSupplier> counters() {
        return reader.counters();
    }

    @Override
    public void close() {
        reader.close();
    }
}
