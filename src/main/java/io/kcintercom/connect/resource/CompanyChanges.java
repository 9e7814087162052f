package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Timestamps;
import java.util.HashMap;
import java.util.Map;

/**
 * The policy of one companies pass: which of the scrolled companies changed since the previous
 * pass, and the watermark the pass leaves for the next one. The scroll API has no updated_at
 * filter, so every pass sees every company and this decides, one company at a time.
 *
 * <p>A company is emitted when its updated_at is after the watermark, unless the previous pass
 * already emitted it with that same updated_at (companies above the watermark are remembered by
 * id, so the margin below the watermark costs no duplicates), or the store of emitted keys holds
 * it at that same updated_at: under exactly-once the store is what committed, so a pass restarted
 * after a crash skips the companies its first attempt committed, however many that streamed.
 *
 * <p>The watermark comes from Intercom's own times, never from the worker's clock, which may run
 * ahead of Intercom's: a company changed after the pass read it must be above the watermark, so
 * the watermark must not pass Intercom's time at the pass's start. Two lower bounds of that time,
 * less a margin, and the higher one is taken: the Date header of the scroll's opening; and the
 * newest updated_at the pass saw (Intercom's time at the end is at least that) less the pass's
 * duration (a difference of two readings of the worker's clock, which its skew does not change).
 */
final class CompanyChanges {
    /** An updated_at this far past the worker's clock is not taken for Intercom's time (bad data). */
    private static final long IMPLAUSIBLY_AHEAD_SECONDS = 86_400;

    private final long threshold;
    private final long startMs;
    private final Map<String, Long> emittedByPreviousPass;
    private final EmittedKeys keys;
    /** Companies above the old watermark, each emitted by this pass or the previous one. */
    private final Map<String, Long> aboveThreshold = new HashMap<>();
    private long newestUpdatedAt = -1;

    /**
     * @param threshold             the watermark left by the previous pass (unix seconds), or -1 for all
     * @param startMs               when this pass started, on the worker's clock
     * @param emittedByPreviousPass what {@link #emittedAbove} of the previous pass returned
     * @param keys                  the store of emitted keys, whose versions are the updated_at emitted
     */
    CompanyChanges(long threshold, long startMs, Map<String, Long> emittedByPreviousPass, EmittedKeys keys) {
        this.threshold = threshold;
        this.startMs = startMs;
        this.emittedByPreviousPass = emittedByPreviousPass;
        this.keys = keys;
    }

    CompanyChanges(long threshold, long startMs, Map<String, Long> emittedByPreviousPass) {
        this(threshold, startMs, emittedByPreviousPass, EmittedKeys.NONE);
    }

    /** The version a company's group stores: its updated_at, or null when it has none. */
    static String version(JsonNode company) {
        long updatedAt = Timestamps.epochSeconds(company.get("updated_at"));
        return updatedAt == Timestamps.NONE ? null : Long.toString(updatedAt);
    }

    /** Whether to emit this company; called once per company of the pass. */
    boolean changed(JsonNode company) {
        String id = JsonPaths.text(company, "id");
        long updatedAt = Timestamps.epochSeconds(company.get("updated_at"));
        if (updatedAt > newestUpdatedAt && updatedAt < startMs / 1000 + IMPLAUSIBLY_AHEAD_SECONDS) {
            newestUpdatedAt = updatedAt;
        }
        if (updatedAt <= threshold && threshold >= 0) {
            return false;
        }
        aboveThreshold.put(id, updatedAt);
        Long previous = emittedByPreviousPass.get(id);
        // Emitted by the previous pass and unchanged since: skipped.
        if (previous != null && previous == updatedAt) {
            return false;
        }
        // Committed at this updated_at before a restart (the store answers only when it is exact).
        return id == null || !Long.toString(updatedAt).equals(keys.version(Resource.COMPANIES, id));
    }

    /**
     * The watermark once the pass has seen every company, at {@code endMs} on the worker's clock.
     *
     * @param openedAtServerMs Intercom's time when the pass's scroll opened (Date header), or -1
     */
    long nextWatermark(long endMs, long openedAtServerMs) {
        long watermark = threshold;
        if (newestUpdatedAt >= 0) {
            long durationSeconds = (Math.max(0, endMs - startMs) + 999) / 1000;
            watermark = Math.max(watermark,
                    newestUpdatedAt - durationSeconds - CompaniesReader.WATERMARK_MARGIN_SECONDS);
        }
        if (openedAtServerMs >= 0) {
            watermark = Math.max(watermark, openedAtServerMs / 1000 - CompaniesReader.WATERMARK_MARGIN_SECONDS);
        }
        return watermark;
    }

    /** The companies emitted (by this pass or the one before) with an updated_at above {@code watermark}. */
    Map<String, Long> emittedAbove(long watermark) {
        Map<String, Long> above = new HashMap<>();
        aboveThreshold.forEach((id, updatedAt) -> {
            if (updatedAt > watermark) {
                above.put(id, updatedAt);
            }
        });
        return above;
    }
}
