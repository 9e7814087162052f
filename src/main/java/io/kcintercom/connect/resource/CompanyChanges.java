package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.table.JsonPaths;
import java.util.HashMap;
import java.util.Map;

/**
 * The policy of one companies pass: which of the scrolled companies changed since the previous
 * pass, and the watermark the pass leaves for the next one. The scroll API has no updated_at
 * filter, so every pass sees every company and this decides, one company at a time.
 *
 * <p>A company is emitted when its updated_at is after the watermark, unless the previous pass
 * already emitted it with that same updated_at (companies updated close to the watermark are
 * compared by id, so the margin below the watermark costs no duplicates).
 */
final class CompanyChanges {
    private final long threshold;
    private final long startSeconds;
    private final Map<String, Long> emittedByPreviousPass;
    private final Map<String, Long> emittedNearStart = new HashMap<>();

    /**
     * @param threshold             the watermark left by the previous pass (unix seconds), or -1 for all
     * @param startMs               when this pass started
     * @param emittedByPreviousPass what {@link #emittedNearWatermark()} of the previous pass returned
     */
    CompanyChanges(long threshold, long startMs, Map<String, Long> emittedByPreviousPass) {
        this.threshold = threshold;
        this.startSeconds = startMs / 1000;
        this.emittedByPreviousPass = emittedByPreviousPass;
    }

    /** Whether to emit this company; called once per company of the pass. */
    boolean changed(JsonNode company) {
        String id = JsonPaths.text(company, "id");
        long updatedAt = SearchReader.epochSeconds(company.get("updated_at"));
        if (updatedAt <= threshold && threshold >= 0) {
            return false;
        }
        Long previous = emittedByPreviousPass.get(id);
        if (previous != null && previous == updatedAt) {
            return false; // emitted by the previous pass, unchanged since
        }
        if (updatedAt > startSeconds - CompaniesReader.WATERMARK_MARGIN_SECONDS) {
            emittedNearStart.put(id, updatedAt);
        }
        return true;
    }

    /** The watermark once the pass has seen every company. */
    long nextWatermark() {
        return Math.max(threshold, startSeconds - CompaniesReader.WATERMARK_MARGIN_SECONDS);
    }

    /** The companies emitted with an updated_at above the next watermark, for the next pass. */
    Map<String, Long> emittedNearWatermark() {
        return emittedNearStart;
    }
}
