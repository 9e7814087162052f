package io.kcintercom.connect.resource;

import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the task does with an API object it cannot turn into a row ({@code intercom.bad.objects}):
 * skip it (count it per resource, log its id and column at WARN, and write its raw JSON to
 * {@code errors.topic} when one is named), or fail the task naming the object. Lives as long as the
 * task, so the counts survive a resource's restart after a transient failure.
 */
public final class BadObjects {
    private static final Logger log = LoggerFactory.getLogger(BadObjects.class);

    /** The choices of {@code intercom.bad.objects}. */
    public enum Policy {
        SKIP, FAIL;

        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Policy fromConfig(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** One object that could not be converted: where it is and why, never its content. */
    record BadObject(Resource resource, String context, String table, String id, String column, String reason) {
        /** Ids, table and column names only: fit for logs, task traces and record headers. */
        String describe() {
            return resource.id() + ": " + context + ": the " + table + " row" + (id == null ? "" : " " + id)
                    + " cannot be built, column '" + column + "' " + reason;
        }
    }

    /**
     * The task fails on a bad object because the config says so. A {@link ConfigException}: only a
     * person can change the key or the data, so the supervisor does not retry it.
     */
    static final class BadObjectFailure extends ConfigException {
        BadObjectFailure(String message) {
            super(message);
        }
    }

    private final Policy policy;
    private final String errorsTopic;
    private final Map<Resource, AtomicLong> counts = new EnumMap<>(Resource.class);

    /**
     * @param errorsTopic where the raw JSON of skipped objects goes; null or blank for nowhere
     */
    public BadObjects(Policy policy, String errorsTopic) {
        this.policy = policy;
        this.errorsTopic = errorsTopic == null || errorsTopic.isBlank() ? null : errorsTopic.trim();
        for (Resource resource : Resource.values()) {
            counts.put(resource, new AtomicLong());
        }
    }

    /** The default: skip, count and log, no errors topic. */
    public static BadObjects skipping() {
        return new BadObjects(Policy.SKIP, null);
    }

    public static BadObjects from(IntercomSourceConnectorConfig config) {
        return new BadObjects(config.badObjects(), config.errorsTopic());
    }

    /** The errors topic, or null when skipped objects are only counted and logged. */
    public String errorsTopic() {
        return errorsTopic;
    }

    /** Objects of the resource skipped since the task started. */
    public long count(Resource resource) {
        return counts.get(resource).get();
    }

    /**
     * Handles a bad object: fails the task under {@code fail}, else counts and logs it.
     *
     * @throws BadObjectFailure when the policy is {@code fail}
     */
    void handle(BadObject bad) {
        if (policy == Policy.FAIL) {
            throw new BadObjectFailure(bad.describe() + ". " + IntercomSourceConnectorConfig.BAD_OBJECTS
                    + "=fail stops the task on an object it cannot convert; set " + IntercomSourceConnectorConfig.BAD_OBJECTS
                    + "=skip to skip such objects (counted in bad-objects-total, kept in "
                    + IntercomSourceConnectorConfig.ERRORS_TOPIC + " when set)");
        }
        counts.get(bad.resource()).incrementAndGet();
        log.warn("{}; the object is skipped{}", bad.describe(),
                errorsTopic == null ? " (set " + IntercomSourceConnectorConfig.ERRORS_TOPIC + " to keep its JSON)"
                        : " and its JSON written to " + errorsTopic);
    }
}
