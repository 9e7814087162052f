package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The connector under {@code intercom.api.version} 2.16 and 2.17 (the default) produces the same
 * rows as under 2.11 on the sample workspace's fake, which serves what 2.16 changes on the
 * endpoints the connector reads: a follow-up of a lead merged away answers 410 {@code contact_merged}
 * instead of 404, and contact search refuses a sort order other than "ascending" or "descending"
 * (on every version, so the connector's spelling is checked either way); and what 2.17 changes:
 * contact search matches the exact UTC second instead of the workspace's day. The README's "API
 * versions" section lists what else they change and why it does not touch the rows.
 */
class ApiVersionsSyncTest {
    private static final Instant GENERATED_AT = Instant.parse("2026-12-03T06:00:00Z");
    /** Leads merged into users just before the sync: search still lists them (index lag), GET says gone. */
    private static final int MERGED = 3;

    @Test
    void aFullSyncUnder216EmitsTheSameRowsAsUnder211() throws Exception {
        Sync old = fullSync("2.11");
        Sync recent = fullSync("2.16");
        assertEquals("2.11", old.versionSeen());
        assertEquals("2.16", recent.versionSeen());
        assertEquals(404, old.mergedLeadStatus(), "2.11: a merged-away contact's follow-up is not found");
        assertEquals(410, recent.mergedLeadStatus(), "2.16: it is gone (the difference the rows must not show)");
        assertTrue(old.records().size() > 1_000, "a full sync of every table: " + old.records().size());
        assertEquals(old.records(), recent.records(), "every record (topic, key, value) the same");
    }

    @Test
    void aFullSyncUnder217EmitsTheSameRowsAsUnder211() throws Exception {
        Sync old = fullSync("2.11");
        Sync exact = fullSync("2.17");
        assertEquals("2.17", exact.versionSeen());
        assertEquals(410, exact.mergedLeadStatus(), "2.17: a merged-away contact is gone, as on 2.16");
        assertTrue(old.records().size() > 1_000, "a full sync of every table: " + old.records().size());
        assertEquals(old.records(), exact.records(), "every record (topic, key, value) the same");
    }

    /** What one full sync of every table emitted, in a comparable form, and what the fake saw. */
    private record Sync(TreeSet<String> records, String versionSeen, int mergedLeadStatus) {
    }

    private static Sync fullSync(String version) throws Exception {
        AtomicLong nowMs = new AtomicLong(GENERATED_AT.toEpochMilli() + 3_600_000);
        SampleWorkspace ws = SampleWorkspace.generate(216, SampleWorkspace.Sizes.builder().users(150).leads(60)
                .companies(40).conversations(60).notesPerContact(2).heavyContactEvery(25).build(), GENERATED_AT);
        ws.useClock(nowMs::get);
        List<String> leads = ws.contactIds("lead");
        List<String> users = ws.contactIds("user");
        for (int i = 0; i < MERGED; i++) {
            ws.mergeLead(leads.get(i * 7), users.get(i * 11));
        }
        List<String> tables = List.copyOf(Tables.all().keySet());
        TreeSet<String> records = new TreeSet<>();
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token("versions-token")
                .rateLimitPer10s(0).workspaceTimeZone("UTC").searchIndexLagMs(600_000).build());
             IntercomClient client = new IntercomClient(new IntercomClient.Settings(fake.baseUrl(), "versions-token",
                     version, 5_000, 20, 10_000));
             FollowUps followUps = new FollowUps(4, "versions-" + version)) {
            IntercomSourceConnectorConfig config = config(fake, version, tables);
            assertEquals(version, config.apiVersion());
            for (Resource resource : Resource.values()) {
                try (ResourceReader reader = Readers.create(resource, config, client,
                        new RecordFactory("versions.", tables), followUps, null, nowMs::get)) {
                    for (SourceRecord r : drainPass(reader)) {
                        records.add(r.topic() + " | " + r.key() + " | " + r.value());
                    }
                }
            }
            return new Sync(records, fake.lastApiVersionSeen(), status(fake, version, leads.get(0)));
        }
    }

    private static IntercomSourceConnectorConfig config(FakeIntercom fake, String version, List<String> tables) {
        Map<String, String> props = new HashMap<>();
        props.put("intercom.access.token", "versions-token");
        props.put("intercom.api.url", fake.baseUrl());
        props.put("intercom.api.url.allow.custom", "true");
        props.put("intercom.api.version", version);
        props.put("intercom.tables", String.join(",", tables));
        props.put("intercom.token.check", "false");
        props.put("topic.prefix", "versions.");
        return new IntercomSourceConnectorConfig(props);
    }

    /** The status of a merged lead's notes follow-up under the version, asked directly. */
    private static int status(FakeIntercom fake, String version, String leadId) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/contacts/" + leadId + "/notes"))
                .header("Authorization", "Bearer versions-token").header("Accept", "application/json")
                .header("Intercom-Version", version).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static List<SourceRecord> drainPass(ResourceReader reader) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        do {
            List<SourceRecord> batch = reader.poll(10_000);
            out.addAll(batch);
            if (batch.isEmpty()) {
                Thread.sleep(1);
            }
            assertTrue(System.nanoTime() < deadline, reader.resource().id() + ": the pass did not end in 60 s");
        } while (reader.nextDueMs() == 0);
        return out;
    }
}
