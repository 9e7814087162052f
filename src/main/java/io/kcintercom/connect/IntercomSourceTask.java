package io.kcintercom.connect;

import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.resource.FollowUps;
import io.kcintercom.connect.resource.Offsets;
import io.kcintercom.connect.resource.Readers;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the resources the connector assigned to this task. Each poll() gives every reader a turn,
 * starting one further each time, so no resource starves another; when none has work, it waits in
 * short steps (noticing stop()) and returns null.
 */
public class IntercomSourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(IntercomSourceTask.class);
    /** Longest single wait inside poll() when every reader is idle. */
    static final long MAX_IDLE_WAIT_MS = 1_000;

    private IntercomClient client;
    private FollowUps followUps;
    private List<ResourceReader> readers = List.of();
    private int batchMaxRecords;
    private int nextReader;
    private volatile boolean stopping;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props);
        batchMaxRecords = config.batchMaxRecords();
        client = new IntercomClient(new IntercomClient.Settings(config.baseUrl(), config.accessToken().value(),
                config.apiVersion(), config.requestTimeoutMs(), config.retryBackoffMs(), config.retryMaxTimeMs()));
        followUps = new FollowUps(config.maxInFlightRequests(), "intercom-follow-up");
        RecordFactory records = new RecordFactory(config.topicPrefix(), config.tables());

        List<Resource> resources = config.taskResources();
        List<Map<String, String>> partitions = resources.stream().map(Offsets::partition).toList();
        Map<Map<String, String>, Map<String, Object>> offsets = context.offsetStorageReader().offsets(partitions);
        List<ResourceReader> created = new ArrayList<>();
        for (Resource resource : resources) {
            Map<String, Object> offset = offsets == null ? null : offsets.get(Offsets.partition(resource));
            created.add(Readers.create(resource, config, client, records, followUps, offset,
                    System::currentTimeMillis));
            log.info("Reading {} from {}", resource.id(), offset == null ? "the beginning" : "offset " + offset);
        }
        readers = List.copyOf(created);
    }

    @Override
    public List<SourceRecord> poll() {
        if (stopping) {
            return null;
        }
        try {
            List<SourceRecord> batch = new ArrayList<>();
            int n = readers.size();
            for (int turn = 0; turn < n && batch.size() < batchMaxRecords; turn++) {
                ResourceReader reader = readers.get((nextReader + turn) % n);
                batch.addAll(reader.poll(batchMaxRecords - batch.size()));
            }
            nextReader = n == 0 ? 0 : (nextReader + 1) % n;
            if (!batch.isEmpty()) {
                return batch;
            }
            waitForWork();
            return null;
        } catch (ClientStoppedException e) {
            return null;
        }
    }

    private void waitForWork() {
        long now = System.currentTimeMillis();
        long due = readers.stream().mapToLong(ResourceReader::nextDueMs).min().orElse(now + MAX_IDLE_WAIT_MS);
        long wait = Math.min(MAX_IDLE_WAIT_MS, due - now);
        if (wait > 0) {
            client.sleeper().sleep(wait);
        }
    }

    @Override
    public void stop() {
        stopping = true;
        if (client != null) {
            client.close();
        }
        readers.forEach(ResourceReader::close);
        if (followUps != null) {
            followUps.close();
        }
    }

    /** For tests and metrics: the readers of this task. */
    Collection<ResourceReader> readers() {
        return readers;
    }
}
