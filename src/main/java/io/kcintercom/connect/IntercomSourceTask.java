package io.kcintercom.connect;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.metrics.ResourceHealth;
import io.kcintercom.connect.metrics.TaskMetrics;
import io.kcintercom.connect.resource.BadObjects;
import io.kcintercom.connect.resource.FollowUps;
import io.kcintercom.connect.resource.Offsets;
import io.kcintercom.connect.resource.Readers;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import io.kcintercom.connect.resource.Workspace;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.state.StateTopic;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the resources the connector assigned to this task. Each resource is read on a thread of
 * its own ({@link ReaderLoop}); poll() only takes what they produced, so it returns promptly
 * whatever Intercom's latency, rate limit or outages.
 */
public class IntercomSourceTask extends SourceTask {
    private static final Logger log = LoggerFactory.getLogger(IntercomSourceTask.class);
    /** Longest wait inside poll() for records to arrive. */
    static final long POLL_WAIT_MS = 500;
    /** The resources whose objects have child rows, or vanish: the ones the state topic keeps. */
    private static final Set<Resource> STATEFUL = EnumSet.of(Resource.USERS, Resource.LEADS, Resource.COMPANIES,
            Resource.CONVERSATIONS);

    private IntercomClient client;
    private FollowUps followUps;
    private ReaderLoop loop;
    private TaskMetrics metrics;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props);
        client = new IntercomClient(new IntercomClient.Settings(config.baseUrl(), config.accessToken().value(),
                config.apiVersion(), config.requestTimeoutMs(), config.retryBackoffMs(), config.retryMaxTimeMs(),
                config.rateLimitShare(), config.rateLimiterScope()));
        followUps = new FollowUps(config.maxInFlightRequests(), "intercom-follow-up");
        metrics = new TaskMetrics(props.getOrDefault("name", "intercom"), config.taskId(), config.topicPrefix());
        client.observe(metrics);
        BadObjects badObjects = BadObjects.from(config);
        List<Resource> resources = config.taskResources();
        String stateTopic = config.stateTopic(props.getOrDefault("name", "intercom"));
        EmittedKeys emitted = StateTopic.open(config.stateKafkaSettings(), context, stateTopic, resources,
                IntercomSourceConnectorConfig.STATE_KAFKA_BOOTSTRAP_SERVERS);
        metrics.ignoreTopic(stateTopic);
        RecordFactory records = new RecordFactory(config.topicPrefix(), config.tables(), badObjects, emitted);

        Map<Resource, Map<String, Object>> offsets = Offsets.stored(context.offsetStorageReader(), resources);
        // One GET /me for all the task's resources, asked by the first to read (see Workspace).
        Workspace workspace = Workspace.of(client);
        List<ReaderLoop.Slot> slots = new ArrayList<>();
        for (Resource resource : resources) {
            Map<String, Object> stored = offsets.get(resource);
            ResourceWorker.ReaderFactory factory = offset -> Readers.createBound(resource, config, client, records,
                    followUps, offset == null ? stored : offset, workspace, System::currentTimeMillis);
            ReaderLoop.Slot slot = new ReaderLoop.Slot(factory.create(null), factory,
                    new ResourceHealth(resource.id(), System::currentTimeMillis));
            metrics.register(resource, slot.reader()::get, slot.health());
            metrics.registerBadObjects(resource, () -> badObjects.count(resource));
            if (STATEFUL.contains(resource)) {
                metrics.registerState(resource, () -> emitted.enabled() ? emitted.size(resource) : -1,
                        () -> emitted instanceof KeyStore store ? store.retractions(resource) : 0);
            }
            slots.add(slot);
            log.info("Reading {} from {}", resource.id(), stored == null ? "the beginning" : "offset " + stored
                    + " (unless it was written for another workspace or fewer tables)");
        }
        loop = new ReaderLoop("intercom-reader", slots, config.batchMaxRecords(), client.sleeper()::sleep,
                System::currentTimeMillis, metrics::recordsEmitted, new ResourceWorker.Supervision(
                        config.retryBackoffMs(), config.retryBackoffMaxMs(), config.outageMaxMs()));
        loop.start();
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        List<SourceRecord> batch = loop.poll(POLL_WAIT_MS);
        metrics.polled(batch == null ? 0 : batch.size());
        return batch;
    }

    @Override
    public void stop() {
        if (client != null) {
            client.close();
        }
        if (loop != null) {
            loop.close();
        }
        if (followUps != null) {
            followUps.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
