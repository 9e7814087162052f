package io.kcintercom.connect;

import io.kcintercom.connect.client.TokenCheck;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.config.Region;
import java.time.Duration;
import io.kcintercom.connect.resource.OffsetAlterations;
import io.kcintercom.connect.resource.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
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
    private static final Duration TOKEN_CHECK_TIMEOUT = Duration.ofSeconds(5);
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
     * Besides each key's own validator, checks the token live ({@code GET /me}) once the connection
     * keys are valid, and reports "refused", "wrong region" or "unreachable" on the token key.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config result = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new HashMap<>();
        result.configValues().forEach(v -> values.put(v.name(), v));
        List<String> connectionKeys = List.of(IntercomSourceConnectorConfig.ACCESS_TOKEN,
                IntercomSourceConnectorConfig.REGION, IntercomSourceConnectorConfig.API_URL,
                IntercomSourceConnectorConfig.API_VERSION);
        boolean connectionValid = connectionKeys.stream()
                .allMatch(k -> values.get(k) != null && values.get(k).errorMessages().isEmpty());
        if (connectionValid && tokenCheckEnabled(values)) {
            IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(connectorConfigs);
            String override = config.getString(IntercomSourceConnectorConfig.API_URL).trim();
            new TokenCheck(TOKEN_CHECK_TIMEOUT).problem(config.accessToken().value(),
                            Region.fromConfig(config.getString(IntercomSourceConnectorConfig.REGION)),
                            override.isEmpty() ? null : config.baseUrl(), config.apiVersion())
                    .ifPresent(values.get(IntercomSourceConnectorConfig.ACCESS_TOKEN)::addErrorMessage);
        }
        return result;
    }

    private static boolean tokenCheckEnabled(Map<String, ConfigValue> values) {
        ConfigValue check = values.get(IntercomSourceConnectorConfig.TOKEN_CHECK);
        return check == null || !Boolean.FALSE.equals(check.value());
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
