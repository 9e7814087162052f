package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admins (with teams), tags and segments: small lists with no cursor, refreshed whole every
 * {@code refresh.interval.ms}. Only rows whose content changed since they were emitted are
 * emitted, and a row that disappeared becomes a tombstone, so compacted topics and upsert sinks
 * stay right without being flooded.
 *
 * <p>Each row is a parent in the store of emitted keys, its content digest as its version, so a
 * task that starts knows what was emitted before it: rows removed while the connector was down
 * are tombstoned, and on an exactly-once worker (where every stored state committed with its row)
 * only the rows changed since are emitted. The offset keeps a digest of the whole table: after a
 * restart an unchanged table emits nothing; a changed one is emitted whole when the store cannot
 * be trusted (at-least-once) or there is none, the per-row digests then living in memory only.
 * A refresh is handed to the worker as one batch, so it is committed whole or not at all.
 */
public final class ReferenceReader implements ResourceReader {
    private static final Logger log = LoggerFactory.getLogger(ReferenceReader.class);

    /** One list endpoint feeding the table: path and the key of its item array. */
    record Source(String path, String itemsKey) {
    }

    private final Resource resource;
    private final String table;
    private final List<Source> sources;
    private final IntercomClient client;
    private final RecordFactory records;
    private final long refreshIntervalMs;
    private final LongSupplier clock;

    private String storedDigest;
    private Map<String, String> rowDigests;
    private long nextRefreshAtMs;
    private volatile long refreshedAtSeconds = -1;

    ReferenceReader(Resource resource, String table, List<Source> sources, IntercomClient client,
                    RecordFactory records, Map<String, ?> offset, long refreshIntervalMs, LongSupplier clock) {
        this.resource = resource;
        this.table = table;
        this.sources = sources;
        this.client = client;
        this.records = records;
        this.refreshIntervalMs = refreshIntervalMs;
        this.clock = clock;
        this.storedDigest = ReferencePosition.fromMap(offset).digest();
    }

    public static ReferenceReader admins(IntercomClient client, RecordFactory records, Map<String, ?> offset,
                                         long refreshIntervalMs, LongSupplier clock) {
        return new ReferenceReader(Resource.ADMINS, Tables.ADMINS,
                List.of(new Source("/admins", "admins"), new Source("/teams", "teams")),
                client, records, offset, refreshIntervalMs, clock);
    }

    public static ReferenceReader tags(IntercomClient client, RecordFactory records, Map<String, ?> offset,
                                       long refreshIntervalMs, LongSupplier clock) {
        return new ReferenceReader(Resource.TAGS, Tables.TAGS, List.of(new Source("/tags", "tags")),
                client, records, offset, refreshIntervalMs, clock);
    }

    public static ReferenceReader segments(IntercomClient client, RecordFactory records, Map<String, ?> offset,
                                           long refreshIntervalMs, LongSupplier clock) {
        return new ReferenceReader(Resource.SEGMENTS, Tables.SEGMENTS,
                List.of(new Source("/segments?include_count=true", "segments")),
                client, records, offset, refreshIntervalMs, clock);
    }

    @Override
    public Resource resource() {
        return resource;
    }

    @Override
    public long nextDueMs() {
        return nextRefreshAtMs;
    }

    /** A failed refresh changes nothing here, and a new reader would not know the rows to retract. */
    @Override
    public boolean retryableInPlace() {
        return true;
    }

    /** A full refresh is as fresh as its start. */
    @Override
    public long watermarkSeconds() {
        return refreshedAtSeconds;
    }

    @Override
    public List<SourceRecord> poll(int maxRecords) {
        if (clock.getAsLong() < nextRefreshAtMs) {
            return List.of();
        }
        long startedAtSeconds = clock.getAsLong() / 1000;
        Map<String, JsonNode> current = new LinkedHashMap<>();
        boolean complete = list(current);
        Map<String, String> digests = new TreeMap<>();
        current.forEach((id, item) -> digests.put(id, digest(item.toString())));
        String tableDigest = digest(digests.toString());

        boolean restarted = rowDigests == null;
        boolean unchangedSinceStored = restarted && tableDigest.equals(storedDigest);
        EmittedKeys emitted = records.emitted();
        List<RecordFactory.Group> groups = new ArrayList<>();
        int changed = 0;
        for (Map.Entry<String, JsonNode> entry : current.entrySet()) {
            String id = entry.getKey();
            String digest = digests.get(id);
            RecordFactory.Group group = records.group(resource, resource.id() + " refresh")
                    .parent(table, id).version(digest);
            if (changedSinceEmitted(id, digest, restarted, unchangedSinceStored)) {
                groups.add(group.add(table, entry.getValue()));
                changed++;
            } else if (restarted && emitted.enabled()) {
                // Already in Kafka at this content: its group writes a state record only where the store
                // lacks the row at this digest, e.g. after an upgrade from a version without it.
                groups.add(group);
            }
        }
        List<String> removed = complete ? removedSinceEmitted(current, emitted) : List.of();
        for (String id : removed) {
            groups.add(records.group(resource, resource.id() + " refresh").parent(table, id).removeParent());
        }
        if (unchangedSinceStored && changed == 0) {
            log.debug("{}: unchanged since the stored refresh; no rows to emit", resource.id());
        }
        rowDigests = new HashMap<>(digests);
        storedDigest = tableDigest;
        refreshedAtSeconds = startedAtSeconds;
        nextRefreshAtMs = clock.getAsLong() + refreshIntervalMs;
        log.info("{}: refreshed {} rows, {} changed, {} removed", resource.id(), current.size(), changed,
                removed.size());

        Map<String, Object> before = ReferencePosition.UNKNOWN.toMap();
        List<SourceRecord> out = new ArrayList<>();
        groups.forEach(group -> out.addAll(group.toRecords(before, before)));
        if (!out.isEmpty()) {
            // The new digest goes on the refresh's last record only: committed once all is delivered.
            out.set(out.size() - 1, withOffset(out.get(out.size() - 1), new ReferencePosition(tableDigest).toMap()));
        }
        return out;
    }

    /**
     * Reads every source into {@code current} (id to item); false when a source is missing, so the
     * rows it would list are unknown rather than removed.
     */
    private boolean list(Map<String, JsonNode> current) {
        boolean complete = true;
        for (Source source : sources) {
            JsonNode body;
            try {
                body = client.get(source.path(), resource.id() + " refresh");
            } catch (IntercomApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
                // An endpoint this workspace or API version does not serve: its rows are absent, not fatal.
                log.warn("{}: {} answered 404 ({}); reading no rows from it", resource.id(), source.path(),
                        e.getMessage());
                complete = false;
                continue;
            }
            for (JsonNode item : JsonPaths.items(body, source.itemsKey())) {
                String id = JsonPaths.text(item, "id");
                if (id != null) {
                    current.put(id, item);
                }
            }
        }
        return complete;
    }

    /**
     * Whether a listed row must be emitted. Within a task: when its digest differs from the one this
     * task last read. On the first refresh after a start: not when the whole table is as the stored
     * offset left it; otherwise when the store does not hold it at this digest. The store answers
     * only when it is exact (an exactly-once worker, see {@link EmittedKeys#version}) and only when
     * an offset is stored (offsets reset through the REST API mean "send everything again"), so
     * under at-least-once a changed table is sent whole.
     */
    private boolean changedSinceEmitted(String id, String digest, boolean restarted, boolean unchangedSinceStored) {
        if (!restarted) {
            return !digest.equals(rowDigests.get(id));
        }
        if (unchangedSinceStored) {
            return false;
        }
        return storedDigest == null || !digest.equals(records.emitted().version(resource, id));
    }

    /**
     * The rows emitted before and no longer listed: the store's, which outlive a restart (rows removed
     * while the task was down included); without a store, those this task read on its last refresh.
     */
    private List<String> removedSinceEmitted(Map<String, JsonNode> current, EmittedKeys emitted) {
        List<String> removed = new ArrayList<>();
        if (emitted.enabled()) {
            emitted.forEachParent(resource, id -> {
                if (!current.containsKey(id)) {
                    removed.add(id);
                }
            });
        } else if (rowDigests != null) {
            rowDigests.keySet().stream().filter(id -> !current.containsKey(id)).sorted().forEach(removed::add);
        }
        return removed;
    }

    private SourceRecord withOffset(SourceRecord record, Map<String, ?> offset) {
        return new SourceRecord(record.sourcePartition(), offset, record.topic(), record.kafkaPartition(),
                record.keySchema(), record.key(), record.valueSchema(), record.value(), record.timestamp(),
                record.headers());
    }

    private static String digest(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
