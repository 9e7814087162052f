package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The search readers as the task builds them ({@link Readers#create}, the default intervals: 30 s,
 * at most 5 minutes) against the sample-workspace fake, in simulated time: passes that find
 * nothing space out, a change still shows within poll.interval.max.ms plus one pass, and a quiet
 * day costs under 300 search pages per resource.
 */
class IdlePassBackoffTest {
    private static final Instant GENERATED_AT = Instant.parse("2026-12-03T06:00:00Z");
    private static final long INTERVAL_MS = 30_000;
    private static final long MAX_MS = 300_000;

    private final FakeReaders fixture = new FakeReaders("backoff", GENERATED_AT.toEpochMilli() + 3_600_000);
    private final AtomicLong nowMs = fixture.nowMs;

    @AfterEach
    void close() throws Exception {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(value = Resource.class, names = {"USERS", "CONVERSATIONS"})
    void idlePassesBackOffAndAChangeBringsTheIntervalBack(Resource resource) {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        ResourceReader reader = reader(resource, fake);
        assertTrue(drainPass(reader) > 0, "the first sync emits");
        assertEquals(INTERVAL_MS, waitMs(reader), "after a pass that emitted: poll.interval.ms");

        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            assertEquals(0, drainPass(due(reader)), "nothing changed");
            waits.add(waitMs(reader));
        }
        assertEquals(List.of(60_000L, 120_000L, 240_000L, MAX_MS, MAX_MS), waits, "idle passes double to the maximum");

        // A change just after an idle pass: the next pass, at most poll.interval.max.ms later, emits it.
        nowMs.addAndGet(1_000);
        String changed = change(ws, resource);
        long changedAtMs = nowMs.get();
        assertEquals(1, drainPass(due(reader)), "the changed " + resource.id() + " " + changed);
        assertTrue(nowMs.get() - changedAtMs <= MAX_MS, "shown within poll.interval.max.ms of the change");
        assertEquals(INTERVAL_MS, waitMs(reader), "a pass that emitted brings poll.interval.ms back");
        assertEquals(0, drainPass(due(reader)));
        assertEquals(2 * INTERVAL_MS, waitMs(reader), "and the doubling starts over");
    }

    @ParameterizedTest
    @EnumSource(value = Resource.class, names = {"USERS", "CONVERSATIONS"})
    void aDayWithoutChangeCostsUnder300SearchPagesPerResource(Resource resource) {
        SampleWorkspace ws = workspace();
        FakeIntercom fake = fake(ws);
        ResourceReader reader = reader(resource, fake);
        drainPass(reader);
        fake.resetCounters();
        long dayEndMs = nowMs.get() + 86_400_000L;
        int passes = 0;
        while (due(reader) == reader && nowMs.get() < dayEndMs) {
            assertEquals(0, drainPass(reader));
            passes++;
        }
        String search = resource == Resource.USERS ? "POST /contacts/search" : "POST /conversations/search";
        assertTrue(passes <= 290, "passes in a quiet day: " + passes + " (2,880 at a fixed 30 s)");
        assertEquals(passes, fake.requestCount(search), "one search page per idle pass");
        assertEquals(fake.requestCount(search), fake.totalRequests(), "no other request");
    }

    // ---------------------------------------------------------------- fixtures

    private static String change(SampleWorkspace ws, Resource resource) {
        return resource == Resource.USERS ? ws.updateContact(ws.contactIds("user").get(7))
                : ws.updateConversation(ws.conversations().get(7).get("id").asText());
    }

    private long waitMs(ResourceReader reader) {
        return reader.nextDueMs() - nowMs.get();
    }

    private SampleWorkspace workspace() {
        return fixture.workspace(1717, SampleWorkspace.Sizes.builder().users(120).leads(20).conversations(40)
                .maxPartsPerConversation(1).build(), GENERATED_AT);
    }

    private FakeIntercom fake(SampleWorkspace ws) {
        return fixture.fake(ws);
    }

    /** At the default intervals; pinned to 2.11, as the waits measured are the passes' alone. */
    private ResourceReader reader(Resource resource, FakeIntercom fake) {
        List<String> tables = List.of(resource == Resource.USERS ? Tables.USERS : Tables.CONVERSATIONS);
        Map<String, String> props = fixture.props(fake, resource, tables);
        props.put("intercom.api.version", "2.11");
        props.put("search.delay.ms", "0");
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props);
        assertEquals(INTERVAL_MS, config.pollIntervalMs(), "the default");
        assertEquals(MAX_MS, config.pollIntervalMaxMs(), "the default");
        return fixture.reader(resource, fake, props, new RecordFactory(fixture.prefix(), tables), null);
    }

    private ResourceReader due(ResourceReader reader) {
        return fixture.due(reader);
    }

    /** Runs a pass to its end; the number of objects of the reader's table it emitted. */
    private long drainPass(ResourceReader reader) {
        return fixture.ids(FakeReaders.drainPass(reader), reader.resource().id()).stream().distinct().count();
    }
}
