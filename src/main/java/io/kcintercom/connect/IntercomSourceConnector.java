package io.kcintercom.connect;

import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.resource.OffsetShapes;
import io.kcintercom.connect.resource.Resource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
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
            taskConfigs.add(taskProps);
        }
        return taskConfigs;
    }

    @Override
    public void stop() {
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

    @Override
    public boolean alterOffsets(Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        OffsetShapes.validate(offsets);
        return true;
    }
}
