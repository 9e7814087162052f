package io.kcintercom.connect.it;

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
 * Deletes the API reveals, on the in-process worker: after a full sync the
 * workspace deletes a user and a conversation (each re-read through a change the search index
 * still shows, while its follow-ups already answer 404). The compacted view
 * of every topic (last record per key, tombstones removing the key) then equals the workspace:
 * the rows only a 404ing follow-up would list (segments, event summaries, parts) are retracted
 * from the keys the state topic stored for the deleted objects (issue 16).
 */
class DeletesIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    /** The search index lags this far behind writes, so a change made just before a delete is still listed. */
    private static final long SEARCH_INDEX_LAG_MS = 6_000;
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster("intercom-deletes", Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theCompactedTopicsEqualTheWorkspaceAfterDeletesAndALeadTurnedUser() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(161, SampleWorkspace.Sizes.builder()
                .users(40).leads(15).companies(6).admins(2).teams(1).tags(6).segments(3).conversations(12)
                .build());
        FakeIntercom.Options options = FakeIntercom.Options.builder().searchIndexLagMs(SEARCH_INDEX_LAG_MS).build();
        try (FakeIntercom fake = FakeIntercom.start(ws, options)) {
            String prefix = "deletes.";
            List<String> tables = Template.ALL.tables();
            cluster.connect().configureConnector("intercom-deletes", config(fake, prefix));
            cluster.awaitCompacted(prefix, () -> ExpectedRows.forWorkspace(ws, tables), TIMEOUT, "the full sync");

            String deletedUser = ws.contactIds("user").stream()
                    .filter(id -> !ws.contactSegments(id).isEmpty() && !ws.contactTags(id).isEmpty())
                    .findFirst().orElseThrow();
            String deletedConversation = ws.conversations().get(5).get("id").asText();

            ws.updateContact(deletedUser);
            ws.updateConversation(deletedConversation);
            // Search lists the changed versions from SEARCH_INDEX_LAG_MS on, for as long as this
            // sleep, while GET and the follow-ups answer 404 from the delete on.
            Thread.sleep(3_000);
            ws.deleteContact(deletedUser);
            ws.deleteConversation(deletedConversation);

            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, tables);
            Map<String, Set<String>> compacted = cluster.awaitCompacted(prefix, () -> expected, TIMEOUT,
                    "the deletes");

            assertTrue(!compacted.get(Tables.USERS).contains(deletedUser), "the deleted user is gone");
            assertTrue(!compacted.get(Tables.CONVERSATIONS).contains(deletedConversation),
                    "the deleted conversation is gone");
            assertTrue(fake.requestCount("GET /conversations/{id}") > ws.conversations().size() + 1,
                    "the deleted conversation was re-read");
            cluster.connect().deleteConnector("intercom-deletes");
        }
    }

    private static Map<String, String> config(FakeIntercom fake, String prefix) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "2");
        config.put("intercom.template", "all");
        config.put("poll.interval.ms", "500");
        // Idle passes keep their 500 ms: the changed versions are searchable for only 3 s before the deletes.
        config.put("poll.interval.max.ms", "500");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        return config;
    }
}
