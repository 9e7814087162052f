package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.fail;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Readers as the task builds them ({@link Readers#create}) on the sample-workspace fake, under one
 * simulated clock that the workspace, the fake and the readers share: what the request-count tests
 * need, and closes it all in reverse order. Its {@code name} is the token and the topic prefix stem.
 */
final class FakeReaders implements AutoCloseable {
    /** The simulated clock (epoch ms). */
    final AtomicLong nowMs;
    private final String name;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    FakeReaders(String name, long nowMs) {
        this.name = name;
        this.nowMs = new AtomicLong(nowMs);
    }

    /** The topic prefix of the readers' records. */
    String prefix() {
        return name + ".";
    }

    /** A generated workspace whose changes are stamped by the simulated clock. */
    SampleWorkspace workspace(long seed, SampleWorkspace.Sizes sizes, Instant generatedAt) {
        SampleWorkspace ws = SampleWorkspace.generate(seed, sizes, generatedAt);
        ws.useClock(nowMs::get);
        return ws;
    }

    /** The fake serving {@code ws}: no rate limit, the workspace's day in UTC. */
    FakeIntercom fake(SampleWorkspace ws) {
        FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token(name + "-token")
                .rateLimitPer10s(0).workspaceTimeZone("UTC").build());
        closeables.add(fake);
        return fake;
    }

    /** The config of a task of {@code resource} against {@code fake}, for the test to add to. */
    Map<String, String> props(FakeIntercom fake, Resource resource, List<String> tables) {
        Map<String, String> props = new HashMap<>();
        props.put("intercom.access.token", name + "-token");
        props.put("intercom.api.url", fake.baseUrl());
        props.put("intercom.api.url.allow.custom", "true");
        props.put("intercom.tables", String.join(",", tables));
        props.put("intercom.token.check", "false");
        props.put("task.resources", resource.id());
        props.put("topic.prefix", prefix());
        return props;
    }

    /** The reader of {@code resource} from {@code offset} (null: none), its client on the config's API version. */
    ResourceReader reader(Resource resource, FakeIntercom fake, Map<String, String> props, RecordFactory records,
                          Map<String, ?> offset) {
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props);
        IntercomClient client = new IntercomClient(new IntercomClient.Settings(fake.baseUrl(), name + "-token",
                config.apiVersion(), 5_000, 20, 10_000));
        closeables.add(client);
        FollowUps followUps = new FollowUps(4, name + "-" + resource.id());
        closeables.add(followUps);
        ResourceReader reader = Readers.create(resource, config, client, records, followUps, offset, nowMs::get);
        closeables.add(reader);
        return reader;
    }

    /** Moves the clock to when the reader's next pass is due. */
    ResourceReader due(ResourceReader reader) {
        nowMs.accumulateAndGet(reader.nextDueMs(), Math::max);
        return reader;
    }

    /** Polls until the reader waits for its next pass: what the pass (and any work it made due) emitted. */
    static List<SourceRecord> drainPass(ResourceReader reader) {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            out.addAll(reader.poll(10_000));
            if (reader.nextDueMs() > 0) {
                return out;
            }
        }
        return fail("the pass did not end; got " + out.size() + " records");
    }

    /** Polls until nothing is due at the current time: the passes, and the sweeps and backfill they made due. */
    List<SourceRecord> drainDue(ResourceReader reader) {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            out.addAll(reader.poll(10_000));
            if (reader.nextDueMs() > nowMs.get()) {
                return out;
            }
        }
        return fail("the reader did not settle; got " + out.size() + " records");
    }

    /** The key ids of the records {@code table} got, in order. */
    List<String> ids(List<SourceRecord> records, String table) {
        return records.stream().filter(r -> r.topic().equals(prefix() + table))
                .map(r -> String.valueOf(((Struct) r.key()).get("id"))).toList();
    }

    @Override
    public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }
}
