package io.kcintercom.connect.config;

import io.kcintercom.connect.resource.BadObjects;
import io.kcintercom.connect.resource.Resource;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.types.Password;

/**
 * Every configuration key of the connector and its tasks. Users see {@link #CONFIG_DEF}; a task
 * parses {@link #TASK_CONFIG_DEF}, which adds the keys the connector sets on each task.
 */
public final class IntercomSourceConnectorConfig extends AbstractConfig {

    public static final String ACCESS_TOKEN = "intercom.access.token";
    public static final String REGION = "intercom.region";
    public static final String API_URL = "intercom.api.url";
    public static final String API_URL_ALLOW_CUSTOM = "intercom.api.url.allow.custom";
    public static final String API_VERSION = "intercom.api.version";
    public static final String TOKEN_CHECK = "intercom.token.check";
    public static final String TEMPLATE = "intercom.template";
    public static final String TABLES = "intercom.tables";
    public static final String SINCE = "intercom.since";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";
    public static final String POLL_INTERVAL_MAX_MS = "poll.interval.max.ms";
    /** {@link #POLL_INTERVAL_MAX_MS}'s default, unless {@link #POLL_INTERVAL_MS} is set higher. */
    static final long DEFAULT_POLL_INTERVAL_MAX_MS = 300_000L;
    public static final String COMPANIES_POLL_INTERVAL_MS = "companies.poll.interval.ms";
    public static final String RECONCILE_INTERVAL_MS = "intercom.reconcile.interval.ms";
    public static final String RECONCILE_FULL_INTERVAL_MS = "intercom.reconcile.full.interval.ms";
    public static final String RECONCILE_GATE_MIN_OBJECTS = "intercom.reconcile.gate.min.objects";
    public static final String REFRESH_INTERVAL_MS = "refresh.interval.ms";
    public static final String BATCH_MAX_RECORDS = "batch.max.records";
    public static final String MAX_IN_FLIGHT_REQUESTS = "max.in.flight.requests";
    public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
    public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
    public static final String RETRY_MAX_TIME_MS = "retry.max.time.ms";
    public static final String SEARCH_DELAY_MS = "search.delay.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "retry.backoff.max.ms";
    public static final String OUTAGE_MAX_MS = "outage.max.ms";
    public static final String BAD_OBJECTS = "intercom.bad.objects";
    public static final String ERRORS_TOPIC = "errors.topic";
    public static final String RATE_LIMIT_SHARE = "intercom.rate.limit.share";
    public static final String STATE_TOPIC = "state.topic";
    /** Prefix of the Kafka client settings of the state topic's consumer and admin (security settings pass through). */
    public static final String STATE_KAFKA_PREFIX = "state.kafka.";
    public static final String STATE_KAFKA_BOOTSTRAP_SERVERS = STATE_KAFKA_PREFIX + "bootstrap.servers";
    /** The state topic's name when {@link #STATE_TOPIC} is blank: {@code <prefix><connector name>}. */
    public static final String STATE_TOPIC_DEFAULT_PREFIX = "__intercom-state.";
    /**
     * Which tasks share a rate limiter: "worker" (the default: every task of the JVM with the same
     * token) or "task" (each task its own, as if each ran on a worker of its own; for tests that run
     * several workers in one JVM). Not for users: set on the connector, it reaches every task.
     */
    public static final String RATE_LIMIT_SCOPE = "intercom.rate.limit.scope";
    /** Set by the connector on each task: the resources that task owns. Not for users. */
    public static final String TASK_RESOURCES = "task.resources";
    /** Set by the connector on each task: its number, for metrics. Not for users. */
    public static final String TASK_ID = "task.id";

    /**
     * The keys a user sets: what the connector's config() returns, so the REST API's validate
     * answer and the generated reference list exactly these.
     */
    public static final ConfigDef CONFIG_DEF = ConfigDefinitions.build();
    /**
     * {@link #CONFIG_DEF} plus the keys the connector writes into each task's config. Kept out of
     * the public def because Connect lists every key of config() in the validate answer, where
     * these would show with no group and no documentation.
     */
    public static final ConfigDef TASK_CONFIG_DEF = new ConfigDef(CONFIG_DEF)
            .defineInternal(TASK_RESOURCES, Type.LIST, "", Importance.LOW)
            .defineInternal(TASK_ID, Type.STRING, "0", Importance.LOW)
            .defineInternal(RATE_LIMIT_SCOPE, Type.STRING, "worker",
                    ConfigDef.ValidString.in("worker", "task"), Importance.LOW,
                    "Which tasks of a JVM share a rate limiter: worker (all) or task (each its own).");

    private final List<String> tables;
    private final Set<Resource> resources;

    /** Parses a connector's or a task's config; a connector's leaves the task keys at their defaults. */
    public IntercomSourceConnectorConfig(Map<String, String> props) {
        super(TASK_CONFIG_DEF, props);
        ConfigValidators.checkHost(getString(API_URL), getBoolean(API_URL_ALLOW_CUSTOM));
        checkPollIntervalMax(pollIntervalMs(), explicitPollIntervalMaxMs());
        this.tables = resolveTables();
        this.resources = Resource.forTables(tables);
    }

    private List<String> resolveTables() {
        List<String> explicit = getList(TABLES);
        List<String> names = new ArrayList<>();
        if (explicit.isEmpty()) {
            names.addAll(Template.fromConfig(getString(TEMPLATE)).tables());
        } else {
            for (String name : explicit) {
                names.add(name.trim().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return List.copyOf(new LinkedHashSet<>(names));
    }

    public Password accessToken() {
        return getPassword(ACCESS_TOKEN);
    }

    /**
     * The check across {@link #API_URL} and {@link #API_URL_ALLOW_CUSTOM}, for validate(), which
     * sees each key's own validation only: throws a {@link org.apache.kafka.common.config.ConfigException}
     * on {@link #API_URL} when it names a host other than Intercom's without the opt-in.
     */
    public static void checkApiHost(String apiUrl, boolean allowCustom) {
        ConfigValidators.checkHost(apiUrl, allowCustom);
    }

    public String baseUrl() {
        String override = getString(API_URL).trim();
        String url = override.isEmpty() ? Region.fromConfig(getString(REGION)).baseUrl() : override;
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public boolean tokenCheck() {
        return getBoolean(TOKEN_CHECK);
    }

    public String apiVersion() {
        return getString(API_VERSION).trim();
    }

    /** The tables to produce, from the explicit list or the template. */
    public List<String> tables() {
        return tables;
    }

    /** The resources that must be read to produce {@link #tables()}. */
    public Set<Resource> resources() {
        return resources;
    }

    /** The resources assigned to this task by the connector. */
    public List<Resource> taskResources() {
        return getList(TASK_RESOURCES).stream().map(Resource::fromId).toList();
    }

    public String taskId() {
        return getString(TASK_ID);
    }

    /** The first sync's lower bound in unix seconds, or 0 for everything. */
    public long sinceEpochSeconds() {
        String since = getString(SINCE).trim();
        return since.isEmpty() ? 0L : parseSince(since).getEpochSecond();
    }

    public String topicPrefix() {
        return getString(TOPIC_PREFIX);
    }

    public long pollIntervalMs() {
        return getLong(POLL_INTERVAL_MS);
    }

    /**
     * The longest wait between idle passes: {@link #POLL_INTERVAL_MAX_MS} when set; otherwise its
     * default, or {@link #POLL_INTERVAL_MS} when that is longer, so a config written before the key
     * existed with a poll interval above 5 minutes keeps working as it did.
     */
    public long pollIntervalMaxMs() {
        Long explicit = explicitPollIntervalMaxMs();
        return explicit != null ? explicit : Math.max(getLong(POLL_INTERVAL_MAX_MS), pollIntervalMs());
    }

    private Long explicitPollIntervalMaxMs() {
        return originals().get(POLL_INTERVAL_MAX_MS) == null ? null : getLong(POLL_INTERVAL_MAX_MS);
    }

    /**
     * The check across {@link #POLL_INTERVAL_MS} and {@link #POLL_INTERVAL_MAX_MS}, for validate(),
     * which sees each key's own validation only: throws a ConfigException on the maximum when it is
     * set ({@code maxMs} not null) below the interval.
     */
    public static void checkPollIntervalMax(long pollIntervalMs, Long maxMs) {
        if (maxMs != null && maxMs < pollIntervalMs) {
            throw new ConfigException(POLL_INTERVAL_MAX_MS, maxMs, "must be at least " + POLL_INTERVAL_MS
                    + " (" + pollIntervalMs + "): it is the longest wait between passes, " + POLL_INTERVAL_MS
                    + " the shortest");
        }
    }

    public long reconcileIntervalMs() {
        return getLong(RECONCILE_INTERVAL_MS);
    }

    public long reconcileFullIntervalMs() {
        return getLong(RECONCILE_FULL_INTERVAL_MS);
    }

    public long reconcileGateMinObjects() {
        return getLong(RECONCILE_GATE_MIN_OBJECTS);
    }

    public long companiesPollIntervalMs() {
        return getLong(COMPANIES_POLL_INTERVAL_MS);
    }

    public long refreshIntervalMs() {
        return getLong(REFRESH_INTERVAL_MS);
    }

    public long searchDelayMs() {
        return getLong(SEARCH_DELAY_MS);
    }

    public int batchMaxRecords() {
        return getInt(BATCH_MAX_RECORDS);
    }

    public int maxInFlightRequests() {
        return getInt(MAX_IN_FLIGHT_REQUESTS);
    }

    public int requestTimeoutMs() {
        return getInt(REQUEST_TIMEOUT_MS);
    }

    public long retryBackoffMs() {
        return getLong(RETRY_BACKOFF_MS);
    }

    public long retryBackoffMaxMs() {
        return getLong(RETRY_BACKOFF_MAX_MS);
    }

    public long outageMaxMs() {
        return getLong(OUTAGE_MAX_MS);
    }

    public BadObjects.Policy badObjects() {
        return BadObjects.Policy.fromConfig(getString(BAD_OBJECTS));
    }

    /** The topic for skipped objects' JSON, or null for none. */
    public String errorsTopic() {
        String topic = getString(ERRORS_TOPIC).trim();
        return topic.isEmpty() ? null : topic;
    }

    public double rateLimitShare() {
        return getDouble(RATE_LIMIT_SHARE);
    }

    /**
     * What tells apart the rate limiters of tasks with the same token in this JVM: nothing (one
     * for all) by default, the connector and task with the "task" scope.
     */
    public String rateLimiterScope() {
        return "task".equals(getString(RATE_LIMIT_SCOPE))
                ? "\ntask " + originalsStrings().getOrDefault("name", "") + "/" + taskId() : "";
    }

    /** The state topic of the connector named {@code connectorName}. */
    public String stateTopic(String connectorName) {
        String topic = getString(STATE_TOPIC).trim();
        return topic.isEmpty() ? STATE_TOPIC_DEFAULT_PREFIX + connectorName : topic;
    }

    /**
     * The Kafka client settings given for the state topic ({@code state.kafka.*} without the
     * prefix); empty when {@link #STATE_KAFKA_BOOTSTRAP_SERVERS} is not set, so the worker's are used.
     */
    public Map<String, Object> stateKafkaSettings() {
        if (getString(STATE_KAFKA_BOOTSTRAP_SERVERS).isBlank()) {
            return Map.of();
        }
        return originalsWithPrefix(STATE_KAFKA_PREFIX);
    }

    public long retryMaxTimeMs() {
        return getLong(RETRY_MAX_TIME_MS);
    }

    static Instant parseSince(String value) {
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notDateTime) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException notInstant) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
        }
    }
}
