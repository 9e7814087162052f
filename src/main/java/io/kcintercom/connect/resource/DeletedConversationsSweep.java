package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.table.Timestamps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads {@code GET /conversations/deleted} (API 2.16 and later), newest deletion first, a page of
 * {@value #PAGE_SIZE} per step, down to the watermark: the newest {@code deleted_at} already read,
 * kept in the conversations offset. Every listed conversation the store of emitted keys knows is
 * removed with its child rows. The listing has no "since" filter, so the first time (watermark 0)
 * reads it all once; after that a pass costs one request while nothing was deleted.
 *
 * <p>Deletions the listing misses (older versions, or a conversation deleted and listed within
 * the same second as the watermark) are left to the reconciliation sweep, which sees them vanish.
 */
final class DeletedConversationsSweep implements SweepStep {
    /** The listing's largest page. */
    static final int PAGE_SIZE = 60;

    private final IntercomClient client;
    private final RecordFactory records;
    private final EmittedKeys keys;
    private final long watermark;
    private final AtomicLong retractions;

    private int page = 1;
    private long newest;
    private boolean done;
    private long requests;

    /** @param watermark the newest deleted_at read before (unix seconds), 0 for none */
    DeletedConversationsSweep(IntercomClient client, RecordFactory records, long watermark, AtomicLong retractions) {
        this.client = client;
        this.records = records;
        this.keys = records.emitted();
        this.watermark = watermark;
        this.newest = watermark;
        this.retractions = retractions;
    }

    /** Whether the configured API version lists deleted conversations: 2.16 and later, Unstable and Preview. */
    static boolean available(String apiVersion) {
        String[] parts = apiVersion.trim().split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 2 || (major == 2 && minor >= 16);
        } catch (NumberFormatException e) {
            return true; // "Unstable", "Preview": newer than every numbered version
        }
    }

    /** The newest deleted_at read, once {@link #done()}: the watermark of the next listing. */
    long watermark() {
        return newest;
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public long requests() {
        return requests;
    }

    @Override
    public List<RecordFactory.Group> step() {
        if (done) {
            return List.of();
        }
        JsonNode answer = client.get("/conversations/deleted?order=desc&per_page=" + PAGE_SIZE + "&page=" + page,
                "conversations deleted listing page " + page);
        requests++;
        List<RecordFactory.Group> groups = new ArrayList<>();
        int listed = 0;
        for (JsonNode conversation : JsonPaths.items(answer.get("conversations"), "conversations")) {
            listed++;
            long deletedAt = Timestamps.epochSeconds(conversation.get("deleted_at"));
            if (deletedAt >= 0 && deletedAt <= watermark) {
                done = true;
                break;
            }
            newest = Math.max(newest, deletedAt);
            String id = JsonPaths.text(conversation, "id");
            if (id != null && keys.contains(Resource.CONVERSATIONS, id)) {
                groups.add(records.group(Resource.CONVERSATIONS, "deleted conversation " + id)
                        .parent(Tables.CONVERSATIONS, id).removeParent());
            }
        }
        retractions.addAndGet(groups.size());
        JsonNode next = JsonPaths.at(answer, "pages.next");
        if (listed == 0 || next == null || next.isNull() || next.asText().isBlank()) {
            done = true;
        }
        page++;
        return groups;
    }
}
