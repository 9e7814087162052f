package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reconciliation sweep on the in-process worker with exactly-once delivery (issue 16): after a
 * full sync the workspace removes what no {@code updated_at} reveals (a contact's tag and company,
 * a conversation's tag, segment memberships), deletes a contact and a conversation, converts a lead
 * and merges another;
 * once a sweep has run, the compacted view of every topic equals the workspace. On API 2.16, between
 * two sweeps, the deleted conversations listing retracts a deleted conversation by itself.
 */
class SweepIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster("intercom-sweep", Map.of("exactly.once.source.support", "enabled"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static SampleWorkspace workspace(long seed) {
        return SampleWorkspace.generate(seed, SampleWorkspace.Sizes.builder()
                .users(40).leads(15).companies(6).admins(2).teams(1).tags(6).segments(3).conversations(12)
                .build());
    }

    @Test
    void afterASweepTheCompactedTopicsEqualTheWorkspace() throws Exception {
        SampleWorkspace ws = workspace(171);
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().build())) {
            String name = "intercom-sweep";
            String prefix = "sweep.";
            List<String> tables = Template.ALL.tables();
            cluster.connect().configureConnector(name, config(fake, prefix, "2.11", "3000"));
            cluster.awaitCompacted(prefix, () -> ExpectedRows.forWorkspace(ws, tables), TIMEOUT, "the full sync");

            List<String> users = ws.contactIds("user");
            String untagged = users.stream().filter(id -> !ws.contactTags(id).isEmpty()).findFirst().orElseThrow();
            ws.untagContact(untagged, ws.contactTags(untagged).get(0).get("id").asText());
            String detached = users.stream().filter(id -> !id.equals(untagged) && !ws.contactCompanies(id).isEmpty())
                    .findFirst().orElseThrow();
            ws.detachCompany(detached, ws.contactCompanies(detached).get(0).get("id").asText());
            String deleted = users.stream().filter(id -> !id.equals(untagged) && !id.equals(detached))
                    .findFirst().orElseThrow();
            ws.deleteContact(deleted);
            // Segment membership moves without updated_at moving: one user leaves a segment, another joins one.
            String leaver = users.stream().filter(id -> !List.of(untagged, detached, deleted).contains(id)
                    && !ws.contactSegments(id).isEmpty()).findFirst().orElseThrow();
            ws.moveSegmentMembership(leaver, ws.contactSegments(leaver).get(0).get("id").asText(), false);
            String userSegment = ws.segments().stream().filter(seg -> "user".equals(seg.path("person_type").asText()))
                    .map(seg -> seg.get("id").asText()).findFirst().orElseThrow();
            String joiner = users.stream().filter(id -> !List.of(untagged, detached, deleted, leaver).contains(id)
                    && ws.contactSegments(id).stream().noneMatch(seg -> seg.get("id").asText().equals(userSegment)))
                    .findFirst().orElseThrow();
            ws.moveSegmentMembership(joiner, userSegment, true);
            List<String> leads = ws.contactIds("lead");
            ws.convertLead(leads.get(0));
            ws.mergeLead(leads.get(1), users.get(users.size() - 1));
            String deletedConversation = ws.conversations().get(3).get("id").asText();
            ws.deleteConversation(deletedConversation);
            String untaggedConversation = ws.conversations().stream()
                    .filter(c -> c.path("tags").path("tags").size() > 0).map(c -> c.get("id").asText())
                    .findFirst().orElseThrow();
            ws.untagConversation(untaggedConversation,
                    ws.conversations().stream().filter(c -> c.get("id").asText().equals(untaggedConversation))
                            .findFirst().orElseThrow().path("tags").path("tags").get(0).get("id").asText());

            Map<String, Set<String>> compacted = cluster.awaitCompacted(prefix,
                    () -> ExpectedRows.forWorkspace(ws, tables), TIMEOUT, "the removals");

            assertTrue(!compacted.get(Tables.USERS).contains(deleted), "the deleted user is gone");
            assertTrue(!compacted.get(Tables.LEADS).contains(leads.get(0)), "the converted lead left leads");
            assertTrue(compacted.get(Tables.USERS).contains(leads.get(0)), "and is a user");
            assertTrue(!compacted.get(Tables.LEADS).contains(leads.get(1)), "the merged lead is gone");
            long sweeps = TaskWatch.healthLong(name, "users", "sweeps-total");
            long requests = TaskWatch.healthLong(name, "users", "sweep-requests-total");
            assertTrue(sweeps >= 1, "a users sweep ran");
            // 40 users, 150 a page: one contact search request per sweep, no truncated inline list in this
            // workspace; then the segment sweep: GET /segments and a page per segment.
            long perSweep = 1 + 1 + ws.segments().size();
            // A sweep in progress has counted its requests so far, not itself yet.
            assertTrue(requests >= sweeps * perSweep && requests < (sweeps + 1) * perSweep,
                    "users sweeps: " + sweeps + ", their requests: " + requests + ", per sweep: " + perSweep);
            cluster.connect().deleteConnector(name);
        }
    }

    @Test
    void onApi216TheDeletedListingRetractsADeletedConversationBetweenSweeps() throws Exception {
        SampleWorkspace ws = workspace(172);
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().build())) {
            String name = "intercom-sweep-216";
            String prefix = "sweep216.";
            List<String> tables = Template.ALL.tables();
            // One sweep after the first sync (segment membership comes from it), the next an hour away.
            cluster.connect().configureConnector(name, config(fake, prefix, "2.16", "3600000"));
            cluster.awaitCompacted(prefix, () -> ExpectedRows.forWorkspace(ws, tables), TIMEOUT, "the full sync");

            long deadline = System.currentTimeMillis() + TIMEOUT.toMillis();
            while (TaskWatch.healthLong(name, "conversations", "sweeps-total") < 1
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            String deletedConversation = ws.conversations().get(5).get("id").asText();
            ws.deleteConversation(deletedConversation);

            cluster.awaitCompacted(prefix, () -> ExpectedRows.forWorkspace(ws, tables), TIMEOUT, "the delete");
            assertEquals(1, TaskWatch.healthLong(name, "conversations", "sweeps-total"),
                    "only the sweep after the first sync: the listing retracted the delete");
            assertTrue(fake.requestCount("GET /conversations/deleted") >= 2, "the listing is read every pass");
            cluster.connect().deleteConnector(name);
        }
    }

    private static Map<String, String> config(FakeIntercom fake, String prefix, String apiVersion,
                                              String reconcileIntervalMs) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "2");
        config.put("intercom.template", "all");
        config.put("intercom.api.version", apiVersion);
        config.put("intercom.reconcile.interval.ms", reconcileIntervalMs);
        // Every sweep lists in full: a segment member swapped for another, or a delete met by a conversion the
        // passes have not emitted yet, leaves the counts a gated sweep compares as they were (SweepCostTest).
        config.put("intercom.reconcile.full.interval.ms", "0");
        config.put("state.kafka.bootstrap.servers", cluster.connect().kafka().bootstrapServers());
        config.put("poll.interval.ms", "500");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        return config;
    }
}
