package io.kcintercom.connect;

import io.kcintercom.connect.client.TokenCheck;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.config.Region;
import io.kcintercom.connect.resource.OffsetAlterations;
import io.kcintercom.connect.resource.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.util.ConnectorUtils;

/**
 * Streams an Intercom workspace into Kafka, one topic per table. The work is split by resource
 * (users, leads, companies, admins, tags, segments, conversations): each resource is read by
 * exactly one task, so its offsets have one writer and the companies scroll, which Intercom allows
 * once per workspace, is never opened twice by this connector.
 */
public class IntercomSourceConnector extends SourceConnector {
    /** One check, and so one HTTP client, for every validation on the worker. */
    private static final TokenCheck TOKEN_CHECK = new TokenCheck(Duration.ofSeconds(5));
    private static final List<String> CONNECTION_KEYS = List.of(IntercomSourceConnectorConfig.ACCESS_TOKEN,
            IntercomSourceConnectorConfig.REGION, IntercomSourceConnectorConfig.API_URL,
            IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, IntercomSourceConnectorConfig.API_VERSION);
    private Map<String, String> props;
    private IntercomSourceConnectorConfig config;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = Map.copyOf(props);
        this.config = new IntercomSourceConnectorConfig(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return IntercomSourceTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Resource> resources = new ArrayList<>(config.resources());
        if (resources.isEmpty()) {
            throw new ConnectException("No table selected: set intercom.template or intercom.tables");
        }
        int groups = Math.min(Math.max(1, maxTasks), resources.size());
        List<Map<String, String>> taskConfigs = new ArrayList<>(groups);
        for (List<Resource> group : ConnectorUtils.groupPartitions(resources, groups)) {
            Map<String, String> taskProps = new HashMap<>(props);
            taskProps.put(IntercomSourceConnectorConfig.TASK_RESOURCES,
                    String.join(",", group.stream().map(Resource::id).toList()));
            taskProps.put(IntercomSourceConnectorConfig.TASK_ID, String.valueOf(taskConfigs.size()));
            taskConfigs.add(taskProps);
        }
        return taskConfigs;
    }

    @Override
    public void stop() {
    }

    /**
     * Every key's own validator, then the check of the API URL's host against its opt-in, then the
     * live token check ({@code GET /me}) when it is on and the connection keys are valid, so it never
     * reaches a host the config check refused. Never throws:
     * whatever mix of keys is wrong, the answer lists each problem once, on the key to fix, and
     * Connect turns it into a 400 on create and update.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        List<ConfigValue> checked = new ArrayList<>();
        Map<String, ConfigValue> values = new HashMap<>();
        for (ConfigValue value : super.validate(connectorConfigs).configValues()) {
            ConfigValue kept = keepOnlyTheCause(value);
            checked.add(kept);
            values.put(kept.name(), kept);
        }
        checkApiHost(values);
        checkPollIntervalMax(connectorConfigs, values);
        if (tokenCheckEnabled(values) && CONNECTION_KEYS.stream().allMatch(k -> isValid(values.get(k)))) {
            String apiUrl = ((String) values.get(IntercomSourceConnectorConfig.API_URL).value()).trim();
            TOKEN_CHECK.problem(((Password) values.get(IntercomSourceConnectorConfig.ACCESS_TOKEN).value()).value(),
                            Region.fromConfig((String) values.get(IntercomSourceConnectorConfig.REGION).value()),
                            apiUrl.isEmpty() ? null : apiUrl.replaceAll("/+$", ""),
                            ((String) values.get(IntercomSourceConnectorConfig.API_VERSION).value()).trim())
                    .ifPresent(problem -> values.get(problem.key()).addErrorMessage(problem.message()));
        }
        return new Config(checked);
    }

    /**
     * A value that is missing or does not parse is null, and Kafka then also runs the key's
     * validator on that null ("Value must be non-null"): the first message is the cause, the
     * others repeat it.
     */
    private static ConfigValue keepOnlyTheCause(ConfigValue value) {
        if (value.value() != null || value.errorMessages().size() <= 1) {
            return value;
        }
        ConfigValue kept = new ConfigValue(value.name(), null, value.recommendedValues(),
                new ArrayList<>(value.errorMessages().subList(0, 1)));
        kept.visible(value.visible());
        return kept;
    }

    /** A host other than Intercom's without the opt-in is an error on the URL, so the token check skips it. */
    private static void checkApiHost(Map<String, ConfigValue> values) {
        ConfigValue apiUrl = values.get(IntercomSourceConnectorConfig.API_URL);
        ConfigValue allowCustom = values.get(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM);
        if (isValid(apiUrl) && isValid(allowCustom)) {
            try {
                IntercomSourceConnectorConfig.checkApiHost((String) apiUrl.value(), (Boolean) allowCustom.value());
            } catch (ConfigException e) {
                apiUrl.addErrorMessage(e.getMessage());
            }
        }
    }

    /** A poll.interval.max.ms set below poll.interval.ms is an error on the maximum, naming both keys. */
    private static void checkPollIntervalMax(Map<String, String> props, Map<String, ConfigValue> values) {
        ConfigValue interval = values.get(IntercomSourceConnectorConfig.POLL_INTERVAL_MS);
        ConfigValue max = values.get(IntercomSourceConnectorConfig.POLL_INTERVAL_MAX_MS);
        if (isValid(interval) && isValid(max) && props.get(IntercomSourceConnectorConfig.POLL_INTERVAL_MAX_MS) != null) {
            try {
                IntercomSourceConnectorConfig.checkPollIntervalMax((Long) interval.value(), (Long) max.value());
            } catch (ConfigException e) {
                max.addErrorMessage(e.getMessage());
            }
        }
    }

    private static boolean isValid(ConfigValue value) {
        return value != null && value.value() != null && value.errorMessages().isEmpty();
    }

    private static boolean tokenCheckEnabled(Map<String, ConfigValue> values) {
        ConfigValue check = values.get(IntercomSourceConnectorConfig.TOKEN_CHECK);
        return isValid(check) && Boolean.TRUE.equals(check.value());
    }

    @Override
    public ConfigDef config() {
        return IntercomSourceConnectorConfig.CONFIG_DEF;
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        // Every record's offset names one exact position, and a group of records for one object is
        // never split across batches, so a transaction per batch is exact.
        return ExactlyOnceSupport.SUPPORTED;
    }

    /**
     * Checks offsets written through the REST API with the position types the tasks read them with,
     * and rewrites them so the worker stores them where the tasks look ({@link OffsetAlterations}).
     */
    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        OffsetAlterations.prepare(offsets);
        return true;
    }
}
