package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.ApiVersion;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.table.Timestamps;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code GET /conversations/deleted} (API 2.16 and later), newest deletion first, a page of
 * {@value #PAGE_SIZE} per step, down to the watermark: the newest {@code deleted_at} already read,
 * kept in the conversations offset. Every listed conversation the store of emitted keys knows is
 * removed with its child rows. The listing has no "since" filter, so the first time (watermark 0)
 * reads it all once; after that a pass costs one request while nothing was deleted.
 *
 * <p>Deletions the listing misses (older versions, or a conversation deleted and listed within
 * the same second as the watermark) are left to the reconciliation sweep, which sees them vanish.
 * So are all deletions once Intercom refuses the listing's first page (400, 403 or 404: a version
 * or plan without it, or a proxy that does not pass it): that is logged once, and the listings of
 * the same {@link #listings factory} read nothing for the rest of the task's life.
 *
 * <p>The watermark moves only once a listing has read down to it or to the listing's end: a
 * listing cut short (a later page refused, or an error thrown) leaves it where it was, so the next
 * listing reads again from page 1 and the deletions on the pages never read are not skipped.
 */
final class DeletedConversationsSweep implements SweepStep {
    private static final Logger log = LoggerFactory.getLogger(DeletedConversationsSweep.class);
    /** The listing's largest page. */
    static final int PAGE_SIZE = 60;
    /** Answers that say the listing is not there for this token, version or route; retrying will not change them. */
    private static final Set<Integer> NOT_LISTED = Set.of(400, 403, 404);

    private final IntercomClient client;
    private final RecordFactory records;
    private final EmittedKeys keys;
    private final long watermark;
    private final AtomicLong retractions;
    /** Shared by the listings of one reader: set once Intercom refused the listing. */
    private final AtomicBoolean refused;
    private final ApiVersion version;

    private int page = 1;
    private long newest;
    private boolean done;
    /** Read down to the watermark or the listing's end: only then is {@link #newest} the next watermark. */
    private boolean complete;
    private long requests;

    /**
     * @param watermark the newest deleted_at read before (unix seconds), 0 for none
     * @param refused   set once Intercom refused the listing; a listing created after reads nothing
     */
    DeletedConversationsSweep(IntercomClient client, RecordFactory records, long watermark, AtomicLong retractions,
                              AtomicBoolean refused, ApiVersion version) {
        this.client = client;
        this.records = records;
        this.keys = records.emitted();
        this.watermark = watermark;
        this.newest = watermark;
        this.retractions = retractions;
        this.refused = refused;
        this.version = version;
        this.done = refused.get();
    }

    /**
     * The listings of one conversations reader, from a watermark, or null when the configured API
     * version ({@code intercom.api.version}) has no listing (before 2.16). The listings share
     * whether Intercom refused it.
     */
    static LongFunction<DeletedConversationsSweep> listings(String apiVersion, IntercomClient client,
                                                            RecordFactory records, AtomicLong retractions) {
        ApiVersion version = ApiVersion.of(apiVersion);
        if (!version.listsDeletedConversations()) {
            return null;
        }
        AtomicBoolean refused = new AtomicBoolean();
        return watermark -> new DeletedConversationsSweep(client, records, watermark, retractions, refused, version);
    }

    /**
     * The watermark of the next listing: the newest deleted_at read once the listing reached the
     * old watermark or its end, the old watermark while it has not (running, cut short or refused).
     */
    long watermark() {
        return complete ? newest : watermark;
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
        JsonNode answer;
        try {
            requests++;
            answer = client.get("/conversations/deleted?order=desc&per_page=" + PAGE_SIZE + "&page=" + page,
                    "conversations deleted listing page " + page);
        } catch (IntercomApiException e) {
            if (!NOT_LISTED.contains(e.status())) {
                throw e;
            }
            if (page == 1) {
                refuse(e);
            } else {
                cutShort(e);
            }
            return List.of();
        }
        List<RecordFactory.Group> groups = new ArrayList<>();
        int listed = 0;
        for (JsonNode conversation : JsonPaths.items(answer.get("conversations"), "conversations")) {
            listed++;
            long deletedAt = Timestamps.epochSeconds(conversation.get("deleted_at"));
            if (deletedAt >= 0 && deletedAt <= watermark) {
                finish();
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
            finish();
        }
        page++;
        return groups;
    }

    private void finish() {
        done = true;
        complete = true;
    }

    /**
     * A later page refused after the first was read: likely a listing that shrank or shifted between
     * pages, not a version or plan without it. This listing ends, the watermark stays, and the next
     * listing (after the next pass) reads again from page 1.
     */
    private void cutShort(IntercomApiException e) {
        done = true;
        log.info("conversations: GET /conversations/deleted page {} answered HTTP {}{}; this listing ends without "
                + "moving its watermark ({}) and is read again from page 1 after the next pass", page, e.status(),
                e.errorCode() == null ? "" : " (" + e.errorCode() + ")", watermark);
    }

    /** Intercom will not list deleted conversations for this task: never ask again, never fail for it. */
    private void refuse(IntercomApiException e) {
        done = true;
        if (refused.compareAndSet(false, true)) {
            log.warn("conversations: GET /conversations/deleted answered HTTP {}{} under intercom.api.version={}; "
                    + "the listing is not read again until the task restarts, and deleted conversations are "
                    + "retracted by the reconciliation sweep instead", e.status(),
                    e.errorCode() == null ? "" : " (" + e.errorCode() + ")", version);
        }
    }
}
