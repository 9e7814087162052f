package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.RowConverter;
import io.kcintercom.connect.table.TableDef;
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
 * {@code refresh.interval.ms}. Only rows whose content changed since the last refresh are
 * emitted, and a row that disappeared becomes a tombstone, so compacted topics and upsert sinks
 * stay right without being flooded.
 *
 * <p>The offset keeps a digest of the whole table: after a restart, an unchanged table emits
 * nothing; a changed one is emitted whole once, since the per-row digests live in memory.
 * A refresh is handed to the worker as one group, so it is committed whole or not at all.
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
        Map<String, String> digests = new TreeMap<>();
        current.forEach((id, item) -> digests.put(id, digest(item.toString())));
        String tableDigest = digest(digests.toString());

        RecordFactory.Group group = records.group(resource, resource.id() + " refresh");
        List<String> removed = new ArrayList<>();
        int changed = 0;
        if (rowDigests == null && tableDigest.equals(storedDigest)) {
            log.debug("{}: unchanged since the stored refresh; nothing to emit", resource.id());
        } else {
            for (Map.Entry<String, JsonNode> entry : current.entrySet()) {
                String previous = rowDigests == null ? null : rowDigests.get(entry.getKey());
                if (!digests.get(entry.getKey()).equals(previous)) {
                    group.add(table, entry.getValue());
                    changed++;
                }
            }
            if (rowDigests != null && complete) {
                rowDigests.keySet().stream().filter(id -> !current.containsKey(id)).forEach(removed::add);
            }
        }
        rowDigests = new HashMap<>(digests);
        storedDigest = tableDigest;
        refreshedAtSeconds = startedAtSeconds;
        nextRefreshAtMs = clock.getAsLong() + refreshIntervalMs;
        log.info("{}: refreshed {} rows, {} changed, {} removed", resource.id(), current.size(), changed,
                removed.size());

        Map<String, Object> before = ReferencePosition.UNKNOWN.toMap();
        Map<String, Object> after = new ReferencePosition(tableDigest).toMap();
        List<SourceRecord> out = new ArrayList<>(group.toRecords(before, before));
        removed.forEach(id -> out.add(tombstone(id, before)));
        if (!out.isEmpty()) {
            // The new digest goes on the refresh's last record only: committed once all is delivered.
            out.set(out.size() - 1, withOffset(out.get(out.size() - 1), after));
        }
        return out;
    }

    private SourceRecord withOffset(SourceRecord record, Map<String, ?> offset) {
        return new SourceRecord(record.sourcePartition(), offset, record.topic(), record.kafkaPartition(),
                record.keySchema(), record.key(), record.valueSchema(), record.value(), record.timestamp(),
                record.headers());
    }

    private SourceRecord tombstone(String id, Map<String, ?> offset) {
        TableDef def = Tables.get(table);
        RowConverter.Row row = RowConverter.convert(def, JsonNodeFactory.instance.objectNode().put("id", id));
        return new SourceRecord(Offsets.partition(resource), offset, records.topic(table), null,
                def.keySchema(), row.key(), null, null);
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
