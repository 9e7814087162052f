package io.kcintercom.connect.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.config.Template;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.Malformation;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.testutil.LogCapture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * No personal data in errors: a full sync of the sample workspace on an in-process worker, through
 * 5xx answers, truncated and empty bodies, connection resets, follow-ups answered 404 and malformed
 * objects, beside a connector whose token Intercom refuses and one failing on a malformed object
 * (their tasks FAILED). Every log line at INFO and above, of
 * the worker, the connector and the HTTP client, and every status the REST API reports (the failed
 * task's trace among them) is searched for the workspace's personal values: emails, names, phones,
 * company names and websites, custom attribute values, note and message bodies. Ids, table and
 * column names may appear; values only at DEBUG.
 */
class PersonalDataIntegrationTest {
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(120);
    private static final int MALFORMED = 2;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** The fields whose text is a person's or a customer's data, wherever they are nested. */
    private static final Set<String> PERSONAL_FIELDS = Set.of("email", "name", "phone", "body", "subject",
            "website", "job_title");
    /** Lists of workspace vocabulary (tag, segment and plan names), not personal data. */
    private static final Set<String> NOT_PERSONAL = Set.of("tags", "segments", "plan", "teams");

    @Test
    void noPersonalValueInLogsOrStatusTracesOfASyncWithFaultsAndAFailedTask() throws Exception {
        SampleWorkspace.Sizes sizes = SampleWorkspace.Sizes.builder()
                .users(60).leads(20).companies(25).admins(4).teams(2).tags(8).segments(3).conversations(30)
                .maxPartsPerConversation(6).notesPerContact(2).heavyContactEvery(0).build();
        Instant generatedAt = Instant.now().minus(Duration.ofHours(1));
        SampleWorkspace ws = SampleWorkspace.generate(19, sizes, generatedAt);
        // The same workspace again for the connector failing on a malformed user: a fake malforms
        // the workspace it serves, and the other fakes' objects must stay as they are.
        SampleWorkspace sameWs = SampleWorkspace.generate(19, sizes, generatedAt);
        Set<String> personal = personalValues(ws);
        assertTrue(personal.size() > 200, "the workspace's personal values: " + personal.size());

        LogCapture logs = LogCapture.start(Level.INFO);
        List<String> statuses = new ArrayList<>();
        ConnectCluster cluster = null;
        // A search index a minute behind: contacts deleted now are still listed, and their
        // follow-ups (notes, segments, events) answer 404.
        // Two objects of each of users, leads, companies and conversations malformed: skipped and
        // logged at WARN by id and column.
        FakeIntercom.Options options = FakeIntercom.Options.builder().token("it-pii-" + System.nanoTime())
                .latencyMs(2, 8).searchIndexLagMs(60_000).malformed(MALFORMED, Malformation.WRONG_TYPE).build();
        try (FakeIntercom fake = FakeIntercom.start(ws, options);
             FakeIntercom refusing = FakeIntercom.start(ws, FakeIntercom.Options.builder()
                     .token("it-pii-other-" + System.nanoTime()).build());
             FakeIntercom malformed = FakeIntercom.start(sameWs, FakeIntercom.Options.builder()
                     .token("it-pii-malformed-" + System.nanoTime()).malformed(1, Malformation.UNPARSEABLE).build())) {
            cluster = new ConnectCluster("intercom-pii", Map.of());
            List<String> users = ws.contactIds("user");
            ws.deleteContact(users.get(3));
            ws.deleteContact(ws.contactIds("lead").get(1));
            injectFaults(fake);

            cluster.connect().configureConnector("pii-sync", config(fake.baseUrl(), fake.options().token(), "pii."));
            cluster.connect().configureConnector("pii-refused",
                    config(refusing.baseUrl(), "it-pii-wrong-token-" + System.nanoTime(), "refused."));
            // A malformed user fails this one's task: its trace names the object, never its values.
            Map<String, String> failOnBadObjects = config(malformed.baseUrl(), malformed.options().token(), "bad.");
            failOnBadObjects.put("intercom.tables", Tables.USERS);
            failOnBadObjects.put("intercom.bad.objects", "fail");
            cluster.connect().configureConnector("pii-bad-object", failOnBadObjects);

            Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, Template.ALL.tables());
            for (String table : List.of(Tables.USERS, Tables.LEADS, Tables.COMPANIES, Tables.CONVERSATIONS,
                    Tables.ADMINS)) {
                Set<String> want = expected.get(table);
                cluster.awaitRows("pii." + table, SYNC_TIMEOUT, rows -> {
                    Set<String> missing = new TreeSet<>(want);
                    rows.forEach(r -> missing.remove(ExpectedRows.keyOf(table, r.key())));
                    return missing.size() <= MALFORMED;
                });
            }
            JsonNode refused = awaitFailedTask(cluster, "pii-refused");
            JsonNode badObject = awaitFailedTask(cluster, "pii-bad-object");
            statuses.add(refused.toString());
            statuses.add(badObject.toString());
            statuses.add(status(cluster, "pii-sync").toString());

            // The faults were met: retries, skipped follow-ups, and the personal values did flow
            // through the connector (they are in the topics), so their absence below means something.
            assertFalse(logs.lines().stream().filter(l -> l.contains("retry")).toList().isEmpty(), "no retry logged");
            assertFalse(logs.lines().stream().filter(l -> l.contains("was not found when reading")).toList()
                    .isEmpty(), "no skipped follow-up logged");
            String usersTopic = cluster.readAll("pii." + Tables.USERS).toString();
            long emailsInTopic = ws.contacts("user").stream()
                    .filter(c -> usersTopic.contains(c.get("email").asText())).count();
            assertTrue(emailsInTopic >= ws.contacts("user").size() - MALFORMED,
                    "the users' emails are in their topic, but for the malformed ones: " + emailsInTopic);
            assertTrue(refused.toString().contains("intercom.access.token"), "the trace names the key: " + refused);
            assertTrue(badObject.toString().contains("intercom.bad.objects"), "the trace names the key: " + badObject);
            assertFalse(logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("the object is skipped"))
                    .toList().isEmpty(), "no skipped malformed object logged");
        } finally {
            logs.stop();
            if (cluster != null) {
                cluster.close();
            }
        }

        List<String> lines = logs.lines().stream().filter(PersonalDataIntegrationTest::infoOrAbove).toList();
        assertTrue(lines.size() > 100, "the capture saw the worker's lines: " + lines.size());
        List<String> leaks = new ArrayList<>();
        for (String text : concat(lines, statuses)) {
            for (String value : personal) {
                if (text.contains(value)) {
                    leaks.add("'" + value + "' in: " + text.substring(0, Math.min(text.length(), 600)));
                }
            }
        }
        assertEquals(List.of(), leaks.stream().limit(20).toList(), leaks.size() + " personal value(s) in logs or statuses");
    }

    /** Faults on every kind of request, a few each, so the sync heals and completes. */
    private static void injectFaults(FakeIntercom fake) {
        fake.failNext("POST /contacts/search", 2, Fault.TRUNCATED_JSON_200);
        fake.failNext("POST /conversations/search", 1, Fault.TRUNCATED_JSON_200);
        fake.failNext("GET /conversations/{id}", 2, Fault.TRUNCATED_JSON_200);
        fake.failNext("GET /contacts/{id}/notes", 2, Fault.HTTP_500);
        fake.failNext("GET /segments", 1, Fault.EMPTY_BODY_200);
        fake.failNext("GET /companies/scroll", 1, Fault.TRUNCATED_JSON_200);
        fake.failNext("GET /admins", 1, Fault.HTTP_503);
        fake.failNext("GET /events", 1, Fault.CONNECTION_RESET);
    }

    private static Map<String, String> config(String apiUrl, String token, String prefix) {
        Map<String, String> config = SampleConnector.config(token, apiUrl, prefix);
        config.put("tasks.max", "3");
        // Without the live check, so the refused token reaches the task and fails it.
        config.put("intercom.token.check", "false");
        config.put("intercom.template", "all");
        config.put("search.delay.ms", "1000");
        config.put("retry.backoff.ms", "50");
        config.put("max.in.flight.requests", "4");
        return config;
    }

    private static JsonNode awaitFailedTask(ConnectCluster cluster, String name) throws Exception {
        long deadline = System.currentTimeMillis() + SYNC_TIMEOUT.toMillis();
        JsonNode status = null;
        while (System.currentTimeMillis() < deadline) {
            status = status(cluster, name);
            for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText()) && !task.path("trace").asText().isEmpty()) {
                    return status;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no failed task for " + name + ": " + status);
    }

    private static JsonNode status(ConnectCluster cluster, String name) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.connect()
                .endpointForResource("connectors/" + name + "/status"))).timeout(Duration.ofSeconds(30)).GET().build();
        return MAPPER.readTree(HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    private static boolean infoOrAbove(String line) {
        return line.startsWith("INFO ") || line.startsWith("WARN ") || line.startsWith("ERROR ")
                || line.startsWith("FATAL ") || line.startsWith("WARNING ") || line.startsWith("SEVERE ");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ---------------------------------------------------------------------------------------------
    // The workspace's personal values

    /**
     * Every personal value of the workspace's contacts, notes, companies, conversations, parts and
     * admins, as served and as text without its HTML. Values shorter than 5 characters, numbers and
     * single words (a plan, a tier, a city: words any log may hold) are left out.
     */
    static Set<String> personalValues(SampleWorkspace ws) {
        Set<String> values = new TreeSet<>();
        for (String role : List.of("user", "lead")) {
            for (JsonNode contact : ws.contacts(role)) {
                collect(contact, false, values);
                ws.notes(contact.get("id").asText()).forEach(note -> collect(note, false, values));
            }
        }
        ws.companies().forEach(company -> collect(company, false, values));
        ws.admins().forEach(admin -> collect(admin, false, values));
        for (JsonNode conversation : ws.conversations()) {
            collect(conversation, false, values);
            ws.parts(conversation.get("id").asText()).forEach(part -> collect(part, false, values));
        }
        return values;
    }

    private static void collect(JsonNode node, boolean personal, Set<String> values) {
        if (node.isTextual()) {
            if (personal) {
                add(node.textValue(), values);
                add(node.textValue().replaceAll("<[^>]*>", "").replace("&amp;", "&"), values);
            }
            return;
        }
        if (node.isArray()) {
            node.forEach(item -> collect(item, personal, values));
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (NOT_PERSONAL.contains(field.getKey())) {
                continue;
            }
            collect(field.getValue(), personal || PERSONAL_FIELDS.contains(field.getKey())
                    || field.getKey().equals("custom_attributes"), values);
        }
    }

    private static void add(String value, Set<String> values) {
        String v = value.strip();
        if (v.length() >= 5 && !v.matches("[0-9.+-]+") && !v.matches("\\p{L}+")) {
            values.add(v);
        }
    }
}
