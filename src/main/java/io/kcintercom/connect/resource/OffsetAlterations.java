package io.kcintercom.connect.resource;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offsets a user writes through {@code PATCH} or {@code DELETE /connectors/{name}/offsets}
 * (KIP-875), as the worker hands them to the connector's {@code alterOffsets}: each checked by its
 * position type, then rewritten so the worker stores them where the tasks look.
 *
 * <p>The worker writes the map it passed to {@code alterOffsets}, serializing each partition in
 * its own key order. An offset given under the protocol-1 partition is stored under the
 * resource's one-key partition instead, and every resource named gets a null offset under its
 * protocol-1 partition in the key order earlier versions wrote, the only order that reaches what
 * they stored: otherwise a reset would leave the old offset to be resumed from.
 */
public final class OffsetAlterations {
    private static final Logger log = LoggerFactory.getLogger(OffsetAlterations.class);

    private OffsetAlterations() {
    }

    /** Checks the requested offsets (a null offset resets its resource) and rewrites them in place. */
    public static void prepare(Map<Map<String, ?>, Map<String, ?>> offsets) {
        Map<Resource, Map<String, ?>> requested = new EnumMap<>(Resource.class);
        boolean legacyOffsetGiven = false;
        for (Map.Entry<Map<String, ?>, Map<String, ?>> entry : offsets.entrySet()) {
            Resource resource = Offsets.resourceOf(entry.getKey());
            Map<String, ?> offset = entry.getValue();
            if (offset != null) {
                Readers.validate(resource, offset);
            }
            boolean legacy = Offsets.isLegacy(entry.getKey());
            legacyOffsetGiven |= legacy && offset != null;
            // The one-key partition's offset wins over the protocol-1 partition's, as when a task starts.
            if (!legacy || !requested.containsKey(resource)) {
                requested.put(resource, offset);
            }
        }
        Map<Map<String, ?>, Map<String, ?>> rewritten = new LinkedHashMap<>();
        requested.forEach((resource, offset) -> {
            rewritten.put(Offsets.partition(resource), offset);
            rewritten.put(Offsets.legacyPartition(resource), null);
        });
        try {
            // Cleared first: a protocol-1 partition in Connect's key order is equal to ours as a map, and
            // a put would keep Connect's key (and its order).
            offsets.clear();
            offsets.putAll(rewritten);
        } catch (UnsupportedOperationException e) {
            if (legacyOffsetGiven) {
                throw new ConnectException("This worker does not let the connector store an offset given under "
                        + "a partition of earlier versions; write the partition as {\"" + Offsets.RESOURCE
                        + "\": ...}", e);
            }
            log.warn("This worker does not let the connector clear the offsets earlier versions stored for {}; "
                    + "tasks may resume from them", requested.keySet());
        }
    }
}
