package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** Builds the groups of records of one search page's objects (doing their follow-up requests). */
public interface GroupBuilder {
    /** Starts the objects' follow-up requests and returns without waiting for them. */
    PendingGroups start(List<JsonNode> objects);

    /**
     * The group of a search result that has no usable id or updated_at: the object skipped (see
     * {@link RecordFactory.Group#skip}), so the group holds at most its errors-topic record.
     *
     * @param context where the pass stands: ids and positions only
     */
    RecordFactory.Group unusable(SearchQuery.Unusable object, String context);

    /** Counters for metrics (objects that vanished, truncated conversations). */
    default Map<String, LongSupplier> counters() {
        return Map.of();
    }
}
