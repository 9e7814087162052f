package io.kcintercom.connect.resource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where an incremental search stands: every object up to and including {@code (updatedAt, id)}
 * in (updated_at, id) order has been emitted. {@code passFrom} and {@code cursor} say how to
 * resume the pass that emitted it without re-reading its earlier pages: the search anchored at
 * {@code passFrom}, continued from {@code cursor}. Without a cursor (or when the cursor no longer
 * works) a new pass starts from {@code updatedAt}; the (updatedAt, id) filter drops what was
 * already emitted, so either way nothing is missed and nothing is emitted twice.
 *
 * @param updatedAt unix seconds of the last emitted object
 * @param id        id of the last emitted object ("" before the first)
 * @param passFrom  the updated_at the current pass's query started from
 * @param cursor    the search cursor to resume the pass with, or null
 * @param sweptAt   when the last reconciliation sweep completed (unix seconds), 0 before the first
 *                  ({@link SearchReader}); a restart does not sweep again before it is due
 * @param fullSweptAt when the last sweep that listed everything completed (unix seconds), 0 before
 *                  the first or in an offset written before it was kept: the next sweep is then full
 *                  ({@link SweepCadence})
 * @param deletedThrough the newest {@code deleted_at} read from Intercom's deleted conversations
 *                  listing (unix seconds), 0 before the first ({@link DeletedConversationsSweep})
 * @param events    how far the event summary backfill of users and leads has got ({@link EventSummaryBackfill})
 * @param since     the lower bound the resource was first read from ({@code intercom.since} when it
 *                  started, unix seconds; 0: everything), kept so that sweeps and the backfill read
 *                  the same scope as the first sync even when the config changes later; an offset
 *                  written before it was kept reads 0, what its sweeps listed until then
 */
public record SearchPosition(long updatedAt, String id, long passFrom, String cursor, long sweptAt,
                             long fullSweptAt, long deletedThrough, EventsBackfill events, long since) {
    static final String UPDATED_AT = "updated_at";
    static final String ID = "id";
    static final String PASS_FROM = "pass_from";
    static final String CURSOR = "cursor";
    static final String SWEPT_AT = "swept_at";
    static final String FULL_SWEPT_AT = "full_swept_at";
    static final String DELETED_THROUGH = "deleted_through";
    static final String EVENTS_FROM = "events_from";
    static final String EVENTS_FROM_ID = "events_from_id";
    static final String EVENTS_DONE_AT = "events_done_at";
    static final String SINCE = "since";

    /**
     * The event summary backfill's progress: summaries were read for every contact up to and
     * including {@code (from, fromId)} in (updated_at, id) order; {@code doneAt} (unix seconds) is
     * when the backfill completed, 0 while it has not. An offset without these fields (a new
     * connector, or one written before the backfill existed) means "not done, from the start": an
     * upgraded connector reads every summary once more (one request per contact, what its first
     * sync spent on them), since its older offsets cannot tell which contacts it reached.
     */
    public record EventsBackfill(long from, String fromId, long doneAt) {
        public static final EventsBackfill NOT_STARTED = new EventsBackfill(0L, "", 0L);

        public boolean done() {
            return doneAt > 0;
        }

        /** Whether the summary of the contact at (updatedAt, id) was already read. */
        public boolean covers(long objectUpdatedAt, String objectId) {
            return objectUpdatedAt < from || (objectUpdatedAt == from && objectId.compareTo(fromId) <= 0);
        }
    }

    /** A position without a sweep, a deleted listing or a backfill read yet, of a resource read from the beginning. */
    public SearchPosition(long updatedAt, String id, long passFrom, String cursor) {
        this(updatedAt, id, passFrom, cursor, 0L, 0L, 0L, EventsBackfill.NOT_STARTED, 0L);
    }

    public static SearchPosition initial(long since) {
        return new SearchPosition(since, "", since, null, 0L, 0L, 0L, EventsBackfill.NOT_STARTED, Math.max(0L, since));
    }

    /** The position an offset map holds; {@code initial(since)} without one. */
    public static SearchPosition fromMap(Map<String, ?> offset, long since) {
        if (offset == null || offset.isEmpty()) {
            return initial(since);
        }
        long updatedAt = OffsetFields.longValue(offset, UPDATED_AT, since);
        String id = OffsetFields.stringValue(offset, ID);
        long passFrom = OffsetFields.longValue(offset, PASS_FROM, updatedAt);
        String cursor = OffsetFields.stringValue(offset, CURSOR);
        return new SearchPosition(updatedAt, id == null ? "" : id, Math.min(passFrom, updatedAt),
                cursor == null || cursor.isBlank() ? null : cursor, OffsetFields.longValue(offset, SWEPT_AT, 0L),
                OffsetFields.longValue(offset, FULL_SWEPT_AT, 0L), OffsetFields.longValue(offset, DELETED_THROUGH, 0L),
                eventsOf(offset), OffsetFields.longValue(offset, SINCE, 0L));
    }

    private static EventsBackfill eventsOf(Map<String, ?> offset) {
        String fromId = OffsetFields.stringValue(offset, EVENTS_FROM_ID);
        return new EventsBackfill(OffsetFields.longValue(offset, EVENTS_FROM, 0L), fromId == null ? "" : fromId,
                OffsetFields.longValue(offset, EVENTS_DONE_AT, 0L));
    }

    /** The same as {@link #fromMap}, under the name its first callers use. */
    public static SearchPosition fromOffset(Map<String, ?> offset, long since) {
        return fromMap(offset, since);
    }

    /**
     * Checks an offset a user writes: {@code updated_at} required; {@code id}, {@code pass_from},
     * {@code cursor}, {@code swept_at}, {@code full_swept_at}, {@code deleted_through}, {@code events_from},
     * {@code events_from_id}, {@code events_done_at}, {@code since} optional.
     */
    static void validate(Resource resource, Map<String, ?> offset) {
        OffsetFields.allowOnly(resource, offset, Set.of(UPDATED_AT, ID, PASS_FROM, CURSOR, SWEPT_AT, FULL_SWEPT_AT,
                        DELETED_THROUGH, EVENTS_FROM, EVENTS_FROM_ID, EVENTS_DONE_AT, SINCE))
                .requireSeconds(UPDATED_AT, true).requireSeconds(PASS_FROM, false).requireSeconds(SINCE, false)
                .requireSeconds(SWEPT_AT, false).requireSeconds(FULL_SWEPT_AT, false)
                .requireSeconds(DELETED_THROUGH, false)
                .requireSeconds(EVENTS_FROM, false).requireSeconds(EVENTS_DONE_AT, false)
                .requireString(ID).requireString(CURSOR).requireString(EVENTS_FROM_ID);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(UPDATED_AT, updatedAt);
        map.put(ID, id);
        map.put(PASS_FROM, passFrom);
        map.put(CURSOR, cursor);
        // Written once they mean something, so positions before any sweep keep their four fields.
        if (sweptAt > 0) {
            map.put(SWEPT_AT, sweptAt);
        }
        if (fullSweptAt > 0) {
            map.put(FULL_SWEPT_AT, fullSweptAt);
        }
        if (deletedThrough > 0) {
            map.put(DELETED_THROUGH, deletedThrough);
        }
        if (events.from() > 0 || !events.fromId().isEmpty()) {
            map.put(EVENTS_FROM, events.from());
            map.put(EVENTS_FROM_ID, events.fromId());
        }
        if (events.done()) {
            map.put(EVENTS_DONE_AT, events.doneAt());
        }
        if (since > 0) {
            map.put(SINCE, since);
        }
        return map;
    }

    /** This position carrying the reconciliation's state (the positions a pass makes know none of it). */
    SearchPosition withReconciliation(long sweptAtSeconds, long fullSweptAtSeconds, long deletedThroughSeconds,
                                      long sinceSeconds) {
        return sweptAtSeconds == sweptAt && fullSweptAtSeconds == fullSweptAt && deletedThroughSeconds == deletedThrough
                && sinceSeconds == since ? this : new SearchPosition(updatedAt, id, passFrom, cursor, sweptAtSeconds,
                fullSweptAtSeconds, deletedThroughSeconds, events, sinceSeconds);
    }

    /** This position carrying the event summary backfill's progress (the positions a pass makes know none of it). */
    SearchPosition withEvents(EventsBackfill backfill) {
        return backfill.equals(events) ? this
                : new SearchPosition(updatedAt, id, passFrom, cursor, sweptAt, fullSweptAt, deletedThrough, backfill,
                since);
    }

    /** Whether an object at (updatedAt, id) was already emitted. */
    public boolean covers(long objectUpdatedAt, String objectId) {
        return objectUpdatedAt < updatedAt || (objectUpdatedAt == updatedAt && objectId.compareTo(id) <= 0);
    }

    @Override
    public String toString() {
        return "updated_at=" + updatedAt + ", id=" + (id.isEmpty() ? "-" : id);
    }
}
