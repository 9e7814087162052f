package io.kcintercom.connect.faults;

import static io.kcintercom.connect.faults.Harness.failAfter;
import static io.kcintercom.connect.faults.Harness.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 401 and 403: the task fails at once with a message a user can act on, which never contains the
 * token, and nothing is retried. One case per resource, with the fault on a request in the middle
 * of the sync where the resource makes several (a second search page, a follow-up, a scroll page).
 * Admins, tags and segments share one reader; each case covers a different one of them.
 */
class AuthFaultsTest {

    /** Where the fault hits: a resource, its tables, and the n-th request to one endpoint. */
    record Case(String name, Resource resource, List<String> tables, String endpoint, int okFirst,
                Consumer<SampleWorkspace.Sizes.Builder> sizes, Consumer<FakeIntercom.Options.Builder> options) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> midSync401() {
        return Stream.of(
                new Case("users: second search page", Resource.USERS, List.of(Tables.USERS),
                        "POST /contacts/search", 1, s -> s.users(160), o -> { }),
                // Heavy leads carry 12 notes each: every lead has a notes call (none is skipped as empty).
                new Case("leads: last notes follow-up", Resource.LEADS, List.of(Tables.LEADS, Tables.NOTES),
                        "GET /contacts/{id}/notes", 5, s -> s.leads(6).heavyContactEvery(1), o -> { }),
                new Case("conversations: last parts follow-up", Resource.CONVERSATIONS,
                        List.of(Tables.CONVERSATIONS, Tables.CONVERSATION_PARTS), "GET /conversations/{id}", 9,
                        s -> s.conversations(10), o -> { }),
                new Case("companies: second scroll page", Resource.COMPANIES, List.of(Tables.COMPANIES),
                        "GET /companies/scroll", 1, s -> s.companies(30), o -> o.scrollPageSize(10)),
                new Case("admins: teams after admins", Resource.ADMINS, List.of(Tables.ADMINS), "GET /teams", 0,
                        s -> { }, o -> { })
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("midSync401")
    void a401MidSyncFailsTheTaskSayingTheTokenWasRefusedWithoutRetrying(Case c) throws Exception {
        SampleWorkspace ws = Harness.workspace(601, c.sizes());
        try (FakeIntercom fake = Harness.fake(ws, c.options())) {
            String token = fake.options().token();
            // Every request to the endpoint from the (okFirst+1)-th on is refused, as after a revocation.
            failAfter(fake, c.endpoint(), c.okFirst(), 1_000, Fault.HTTP_401);
            Map<String, String> props = props(fake, List.of(c.resource()), c.tables());
            // Follow-ups one at a time, and the fault on the page's last one: a follow-up the executor
            // had already started when the fault came would make the count below racy.
            props.put("max.in.flight.requests", "1");

            RuntimeException failure;
            try (Harness.TaskRun run = new Harness.TaskRun(props)) {
                failure = run.pollUntilFailure(Duration.ofSeconds(10));
                long atFailure = fake.requestCount(c.endpoint());
                long totalAtFailure = fake.totalRequests();
                Thread.sleep(150);
                assertEquals(c.okFirst() + 1, atFailure,
                        "one refused request to " + c.endpoint() + " after " + c.okFirst() + " good ones, no retry");
                assertEquals(atFailure, fake.requestCount(c.endpoint()), "no retry after the failure");
                assertEquals(totalAtFailure, fake.totalRequests(), "the task stopped calling Intercom");
                if (c.resource() == Resource.USERS) {
                    // Mid-sync indeed: the first page's contacts were delivered before the refusal.
                    assertTrue(run.records.size() >= 100, "rows of the first page: " + run.records.size());
                }
            }
            assertInstanceOf(ConnectException.class, failure);
            String message = failure.getMessage();
            assertTrue(message.contains("refused the access token") && message.contains("HTTP 401"), message);
            assertTrue(message.contains("intercom.access.token"), "names the setting to fix: " + message);
            assertFalse(message.contains(token), "the token leaked into: " + message);
            assertFalse(message.contains("Bearer"), message);
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains(token), "token in a cause: " + t);
            }
        }
    }

    static Stream<Arguments> forbidden403() {
        return Stream.of(
                new Case("conversations: API plan restricted", Resource.CONVERSATIONS,
                        List.of(Tables.CONVERSATIONS), "POST /conversations/search", 0, s -> { }, o -> { }),
                new Case("users", Resource.USERS, List.of(Tables.USERS), "POST /contacts/search", 0,
                        s -> { }, o -> { }),
                new Case("leads: last event-summary follow-up", Resource.LEADS,
                        List.of(Tables.LEADS, Tables.EVENTS_SUMMARY), "GET /events", 5,
                        s -> s.leads(6), o -> { }),
                new Case("companies", Resource.COMPANIES, List.of(Tables.COMPANIES), "GET /companies/scroll", 0,
                        s -> { }, o -> { }),
                new Case("tags", Resource.TAGS, List.of(Tables.TAGS), "GET /tags", 0, s -> { }, o -> { })
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forbidden403")
    void a403FailsTheTaskNamingTheMissingScopeOrPlan(Case c) throws Exception {
        SampleWorkspace ws = Harness.workspace(603, c.sizes());
        try (FakeIntercom fake = Harness.fake(ws, c.options())) {
            String token = fake.options().token();
            failAfter(fake, c.endpoint(), c.okFirst(), 1_000, Fault.status(403));
            Map<String, String> props = props(fake, List.of(c.resource()), c.tables());
            props.put("max.in.flight.requests", "1");

            RuntimeException failure;
            try (Harness.TaskRun run = new Harness.TaskRun(props)) {
                failure = run.pollUntilFailure(Duration.ofSeconds(10));
                Thread.sleep(50);
                assertEquals(c.okFirst() + 1, fake.requestCount(c.endpoint()), "a 403 is not retried");
            }
            assertInstanceOf(ConnectException.class, failure);
            String message = failure.getMessage();
            assertTrue(message.contains("HTTP 403"), message);
            assertTrue(message.contains("lacks the scope"), "names the missing scope: " + message);
            assertTrue(message.contains(c.resource().id()), "names the resource: " + message);
            if (c.resource() == Resource.CONVERSATIONS) {
                assertTrue(message.contains("API plan restricted"), "names the plan restriction: " + message);
            }
            assertFalse(message.contains(token), "the token leaked into: " + message);
        }
    }
}
