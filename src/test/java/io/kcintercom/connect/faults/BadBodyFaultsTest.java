package io.kcintercom.connect.faults;

import static io.kcintercom.connect.faults.Harness.assertExactlyOnce;
import static io.kcintercom.connect.faults.Harness.expected;
import static io.kcintercom.connect.faults.Harness.failAfter;
import static io.kcintercom.connect.faults.Harness.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.RetriesExhaustedException;
import io.kcintercom.connect.resource.Offsets;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A 200 whose body is cut off mid-JSON, or empty (Intercom sends both now and then): retried a
 * bounded number of times, then the sync completes; when the bodies never become readable, the
 * task fails after a bounded number of attempts with a message naming the resource and where in
 * it the reader was.
 */
class BadBodyFaultsTest {
    /** The client's bound on attempts at an unreadable body. */
    private static final int MAX_ATTEMPTS = 5;

    @Test
    void truncatedAndEmptyBodiesAreRetriedThenTheSyncCompletes() {
        SampleWorkspace ws = Harness.workspace(200, s -> s.companies(30));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10)); LogCapture logs = new LogCapture()) {
            Map<String, Integer> normal = new LinkedHashMap<>();
            // The first sync's page and the event summary backfill's page (issue 17).
            normal.put("POST /contacts/search", 2);
            normal.put("GET /events", ws.contactIds("user").size());
            normal.put("POST /conversations/search", 1);
            normal.put("GET /conversations/{id}", ws.conversations().size());
            normal.put("GET /admins", 1);
            normal.put("GET /tags", 1);
            normal.put("GET /companies/scroll", 4); // start, two pages, the empty end
            normal.keySet().forEach(endpoint -> {
                fake.failNext(endpoint, 1, Fault.TRUNCATED_JSON_200);
                fake.failNext(endpoint, 1, Fault.EMPTY_BODY_200);
            });
            List<Resource> resources = List.of(Resource.USERS, Resource.CONVERSATIONS, Resource.COMPANIES,
                    Resource.ADMINS, Resource.TAGS);
            List<String> tables = List.of(Tables.USERS, Tables.EVENTS_SUMMARY, Tables.CONVERSATIONS,
                    Tables.CONVERSATION_PARTS, Tables.COMPANIES, Tables.ADMINS, Tables.TAGS);
            Map<String, Set<String>> expected = expected(ws, tables);

            try (Harness.TaskRun run = new Harness.TaskRun(props(fake, resources, tables))) {
                List<SourceRecord> records = run.pollUntilComplete(expected, Duration.ofSeconds(15));
                assertExactlyOnce(expected, records);
            }
            normal.forEach((endpoint, n) -> assertEquals(n + 2, fake.requestCount(endpoint),
                    "requests to " + endpoint + ": two unreadable answers, each retried once"));
            assertEquals(normal.size(), logs.containing("not valid JSON").size(), "truncated bodies retried");
            assertEquals(normal.size(), logs.containing("with an empty body").size(), "empty bodies retried");
        }
    }

    /**
     * @param restarts 0 when the client's own bound applies (exactly 5 attempts); otherwise the
     *                 reader may start over (a scroll) and bounds its attempts itself
     * @param resumed  whether the task starts from a stored offset in the middle of the resource,
     *                 which the message must then name
     */
    record Case(String name, Resource resource, List<String> tables, String endpoint, int okFirst, Fault fault,
                Consumer<SampleWorkspace.Sizes.Builder> sizes, Consumer<FakeIntercom.Options.Builder> options,
                List<String> mustName, int restarts, boolean resumed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> neverReadable() {
        return Stream.of(
                new Case("users: second search page, truncated", Resource.USERS, List.of(Tables.USERS),
                        "POST /contacts/search", 1, Fault.TRUNCATED_JSON_200, s -> s.users(160), o -> { },
                        List.of("\\(users pass from ", "position updated_at=\\d+, id=\\w+", "cursor \\S+",
                                "not valid JSON"), 0, false),
                new Case("leads: resumed from a stored position, empty", Resource.LEADS, List.of(Tables.LEADS),
                        "POST /contacts/search", 0, Fault.EMPTY_BODY_200, s -> s.leads(6), o -> { },
                        List.of("\\(leads pass from \\d+, position updated_at=\\d+, id=\\w+, first page\\)",
                                "empty body"), 0, true),
                new Case("conversations: parts of the last, empty", Resource.CONVERSATIONS,
                        List.of(Tables.CONVERSATIONS, Tables.CONVERSATION_PARTS), "GET /conversations/{id}", 9,
                        Fault.EMPTY_BODY_200, s -> s.conversations(10), o -> { },
                        List.of("\\(conversations conversation \\w+ parts\\)", "empty body"), 0, false),
                new Case("companies: second scroll page, truncated", Resource.COMPANIES, List.of(Tables.COMPANIES),
                        "GET /companies/scroll", 1, Fault.TRUNCATED_JSON_200, s -> s.companies(30),
                        o -> o.scrollPageSize(10).scrollExpiryMs(500),
                        List.of("\\(companies scroll (page|start)\\)", "not valid JSON"),
                        2, false),
                new Case("tags: the refresh, empty", Resource.TAGS, List.of(Tables.TAGS), "GET /tags", 0,
                        Fault.EMPTY_BODY_200, s -> { }, o -> { }, List.of("\\(tags refresh\\)", "empty body"), 0, false)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("neverReadable")
    void bodiesThatStayUnreadableAreWaitedOutNamingResourceAndPositionThenTheSyncCompletes(Case c)
            throws Exception {
        SampleWorkspace ws = Harness.workspace(201, c.sizes());
        try (FakeIntercom fake = Harness.fake(ws, c.options())) {
            // More unreadable answers than the client's bound on attempts, twice over: the resource
            // gives the request up, waits, and starts again from its position until Intercom heals.
            int faults = 2 * MAX_ATTEMPTS + 1;
            failAfter(fake, c.endpoint(), c.okFirst(), faults, c.fault());
            Map<String, String> props = props(fake, List.of(c.resource()), c.tables());
            props.put("max.in.flight.requests", "1");
            props.put("retry.max.time.ms", "60000"); // the bound on attempts, not the time budget, ends a try
            props.put("retry.backoff.max.ms", "1000");
            Map<Map<String, String>, Map<String, Object>> stored = new HashMap<>();
            String storedPosition = null;
            Map<String, Set<String>> expected = expected(ws, c.tables());
            if (c.resumed()) {
                // What the worker's offset store holds after an earlier run stopped after the 3rd lead.
                List<JsonNode> leads = ws.contacts("lead").stream()
                        .sorted(Comparator.comparingLong((JsonNode l) -> l.get("updated_at").asLong())
                                .thenComparing(l -> l.get("id").asText())).toList();
                JsonNode third = leads.get(2);
                long updatedAt = third.get("updated_at").asLong();
                Map<String, Object> offset = new HashMap<>();
                offset.put("updated_at", updatedAt);
                offset.put("id", third.get("id").asText());
                offset.put("pass_from", updatedAt);
                offset.put("cursor", null);
                stored.put(Offsets.partition(c.resource()), offset);
                storedPosition = "position updated_at=" + updatedAt + ", id=" + third.get("id").asText();
                Set<String> rest = new java.util.HashSet<>();
                leads.stream().skip(3).forEach(l -> rest.add(l.get("id").asText()));
                expected = Map.of(Tables.LEADS, rest);
            }
            try (LogCapture logs = new LogCapture();
                 Harness.TaskRun run = new Harness.TaskRun(props, stored)) {
                List<SourceRecord> records = run.pollUntilComplete(expected, Duration.ofSeconds(30));
                assertExactlyOnce(expected, records);
                List<String> retries = logs.containing("; retry ").stream().map(LogCapture.Line::message).toList();
                // A scroll page is never asked for again (the scroll starts over instead): only
                // requests that can be repeated leave a retry line naming resource and position.
                List<String> mustName = c.restarts() == 0 ? c.mustName() : List.of();
                assertTrue(c.restarts() > 0 || retries.size() >= 2 * (MAX_ATTEMPTS - 1),
                        "each unreadable answer retried: " + retries);
                for (String part : mustName) {
                    assertTrue(retries.stream().anyMatch(m -> Pattern.compile(part).matcher(m).find()),
                            "'" + part + "' not in: " + retries);
                }
                if (storedPosition != null) {
                    String position = storedPosition;
                    assertTrue(retries.stream().anyMatch(m -> m.contains(position)),
                            "the stored position, " + position + ": " + retries);
                }
                assertTrue(logs.lines().stream().noneMatch(l -> l.message().contains(fake.options().token())));
                assertTrue(logs.at(org.apache.logging.log4j.Level.WARN).stream()
                                .filter(l -> l.message().contains("Intercom is failing")).count() <= 2,
                        "a WARN when an outage starts (again after an answer healed it), not one per retry: " + logs.at(org.apache.logging.log4j.Level.WARN));
            }
            long attempts = fake.requestCount(c.endpoint()) - c.okFirst();
            assertTrue(attempts > faults, "every unreadable answer was waited out: " + attempts);
        }
    }
}
