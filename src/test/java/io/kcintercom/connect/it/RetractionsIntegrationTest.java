package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Retractions on re-read (issue 16), on the in-process worker with exactly-once source support:
 * after a full sync the workspace takes tags off a contact and a conversation and bumps them; the
 * connector's tasks restart (their store of emitted keys reloaded from the state topic) and the
 * workspace does it again. The compacted view of every topic then equals the workspace: no extra
 * row, no missing row.
 */
class RetractionsIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String CONNECTOR = "intercom-retractions";
    private static final List<String> TABLES = List.of(Tables.USERS, Tables.USERS_TAGS, Tables.USERS_COMPANIES,
            Tables.CONVERSATIONS, Tables.CONVERSATIONS_TAGS);
    private static ConnectCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new ConnectCluster(CONNECTOR, Map.of("exactly.once.source.support", "enabled",
                "producer.transaction.timeout.ms", "5000"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void removedTagsAreRetractedBeforeAndAfterTheTasksRestart() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(1616, SampleWorkspace.Sizes.builder()
                .users(30).leads(0).companies(4).admins(2).teams(1).tags(6).segments(2).conversations(10)
                .build());
        try (FakeIntercom fake = FakeIntercom.start(ws)) {
            String prefix = "retract.";
            cluster.connect().configureConnector(CONNECTOR, config(fake, prefix));
            awaitCompacted(ws, prefix, "the full sync");
            assertTrue(cluster.topicExists("__intercom-state." + CONNECTOR), "the state topic was created");

            List<String> taggedUsers = ws.contactIds("user").stream()
                    .filter(id -> !ws.contactTags(id).isEmpty()).toList();
            List<String> taggedConversations = ws.conversations().stream()
                    .filter(c -> !c.path("tags").path("tags").isEmpty()).map(c -> c.get("id").asText()).toList();
            assertTrue(taggedUsers.size() >= 2 && taggedConversations.size() >= 2,
                    "the sample has tagged users and conversations");

            untagAndBump(ws, taggedUsers.get(0), taggedConversations.get(0));
            String detached = ws.contactIds("user").stream().filter(id -> !ws.contactCompanies(id).isEmpty())
                    .findFirst().orElseThrow();
            ws.detachCompany(detached, ws.contactCompanies(detached).get(0).get("id").asText());
            ws.updateContact(detached);
            awaitCompacted(ws, prefix, "a tag and a company removed");

            cluster.connect().restartConnectorAndTasks(CONNECTOR, false, true, false);
            untagAndBump(ws, taggedUsers.get(1), taggedConversations.get(1));
            awaitCompacted(ws, prefix, "tags removed after the tasks restarted");
            cluster.connect().deleteConnector(CONNECTOR);
        }
    }

    private static void untagAndBump(SampleWorkspace ws, String user, String conversation) {
        ws.untagContact(user, ws.contactTags(user).get(0).get("id").asText());
        ws.updateContact(user);
        String tag = ws.conversations().stream().filter(c -> c.get("id").asText().equals(conversation))
                .findFirst().orElseThrow().path("tags").path("tags").get(0).get("id").asText();
        ws.untagConversation(conversation, tag);
        ws.updateConversation(conversation);
    }

    /** Waits until every table's compacted view equals the workspace; fails naming the differences. */
    private static void awaitCompacted(SampleWorkspace ws, String prefix, String what) throws InterruptedException {
        cluster.awaitCompacted(prefix, () -> ExpectedRows.forWorkspace(ws, TABLES), TIMEOUT, what);
    }

    private static Map<String, String> config(FakeIntercom fake, String prefix) {
        Map<String, String> config = SampleConnector.config(fake, prefix);
        config.put("tasks.max", "2");
        config.put("intercom.tables", String.join(",", TABLES));
        config.put("poll.interval.ms", "500");
        config.put("poll.interval.max.ms", "500"); // no idle backoff: the changes come seconds after the sync
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        return config;
    }
}
