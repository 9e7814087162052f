package io.kcintercom.connect.faults;

import static io.kcintercom.connect.faults.Harness.assertExactlyOnce;
import static io.kcintercom.connect.faults.Harness.expected;
import static io.kcintercom.connect.faults.Harness.failAfter;
import static io.kcintercom.connect.faults.Harness.props;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.resource.CompaniesReader;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Read timeouts (the fake answers after request.timeout.ms) and connection resets (the fake closes
 * the connection before answering): retried, then the sync completes with every row exactly once.
 */
class TimeoutAndResetFaultsTest {
    private static final int TIMEOUT_MS = 1_000;
    private static final Fault SLOWER_THAN_TIMEOUT = Fault.delay(TIMEOUT_MS + 600);

    @Test
    void readTimeoutsOnASearchPageAFollowUpAndAReferenceListAreRetriedThenSucceed() {
        SampleWorkspace ws = Harness.workspace(408, s -> { });
        try (FakeIntercom fake = Harness.fake(ws); LogCapture logs = new LogCapture()) {
            fake.failNext("POST /contacts/search", 1, SLOWER_THAN_TIMEOUT);
            failAfter(fake, "GET /conversations/{id}", 2, 1, SLOWER_THAN_TIMEOUT);
            fake.failNext("GET /segments", 1, SLOWER_THAN_TIMEOUT);
            List<Resource> resources = List.of(Resource.USERS, Resource.CONVERSATIONS, Resource.SEGMENTS);
            List<String> tables = List.of(Tables.USERS, Tables.USERS_TAGS, Tables.CONVERSATIONS,
                    Tables.CONVERSATION_PARTS, Tables.SEGMENTS);
            Map<String, Set<String>> expected = expected(ws, tables);
            Map<String, String> props = props(fake, resources, tables);
            props.put("request.timeout.ms", String.valueOf(TIMEOUT_MS));

            long started = System.nanoTime();
            try (Harness.TaskRun run = new Harness.TaskRun(props)) {
                List<SourceRecord> records = run.pollUntilComplete(expected, Duration.ofSeconds(15));
                assertExactlyOnce(expected, records);
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            List<LogCapture.Line> timeouts = logs.containing("SocketTimeoutException");
            assertEquals(3, timeouts.size(), "one retried timeout per fault: " + timeouts);
            // The three resources read on threads of their own, so their timeouts may overlap.
            assertTrue(elapsedMs >= TIMEOUT_MS, "each timeout waited request.timeout.ms: " + elapsedMs + " ms");
            assertTrue(elapsedMs < 3L * TIMEOUT_MS + 4_000, "and no longer: " + elapsedMs + " ms");
            assertEquals(2, fake.requestCount("POST /contacts/search"));
            assertEquals(ws.conversations().size() + 1, fake.requestCount("GET /conversations/{id}"));
            assertEquals(2, fake.requestCount("GET /segments"));
        }
    }

    @Test
    void connectionResetsAreRetriedThenSucceedOnEveryKindOfRequest() {
        SampleWorkspace ws = Harness.workspace(104, s -> s.companies(30));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10)); LogCapture logs = new LogCapture()) {
            List<String> endpoints = List.of("POST /contacts/search", "GET /contacts/{id}/notes",
                    "POST /conversations/search", "GET /conversations/{id}", "GET /admins", "GET /tags");
            endpoints.forEach(endpoint -> fake.failNext(endpoint, 2, Fault.CONNECTION_RESET));
            fake.failNext("GET /companies/scroll", 2, Fault.CONNECTION_RESET); // the scroll start (pages: below)
            List<Resource> resources = List.of(Resource.LEADS, Resource.CONVERSATIONS, Resource.COMPANIES,
                    Resource.ADMINS, Resource.TAGS);
            List<String> tables = List.of(Tables.LEADS, Tables.NOTES, Tables.CONVERSATIONS, Tables.CONVERSATION_PARTS,
                    Tables.COMPANIES, Tables.ADMINS, Tables.TAGS);
            Map<String, Set<String>> expected = expected(ws, tables);

            try (Harness.TaskRun run = new Harness.TaskRun(props(fake, resources, tables))) {
                List<SourceRecord> records = run.pollUntilComplete(expected, Duration.ofSeconds(15));
                assertExactlyOnce(expected, records);
            }
            // OkHttp itself retries some resets on a fresh connection; the client retries the others.
            assertTrue(logs.containing("IOException").size() >= 1, "resets seen: " + logs.containing("retry"));
            for (String endpoint : endpoints) {
                assertTrue(fake.requestCount(endpoint) >= 3, endpoint + " was retried past its two resets");
            }
            assertTrue(fake.requestCount("GET /companies/scroll") >= 2 + 1 + 2 + 1, "scroll retried past resets: "
                    + fake.requestCounts());
        }
    }

    /**
     * Connection resets on a scroll page, read through the reader with short scroll waits: asking
     * for the page again or starting the scroll over (after the server's scroll expired) are both
     * fine, as long as every company arrives once.
     */
    @Test
    void connectionResetsOnAScrollPageLoseNoCompany() {
        SampleWorkspace ws = Harness.workspace(105, s -> s.companies(40));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10).scrollExpiryMs(500))) {
            failAfter(fake, "GET /companies/scroll", 1, 2, Fault.CONNECTION_RESET); // the second page
            IntercomClient client = Harness.client(fake.baseUrl(), fake.options().token(), TIMEOUT_MS);
            CompaniesReader reader = new CompaniesReader(client,
                    new RecordFactory(Harness.PREFIX, List.of(Tables.COMPANIES)), null, 0, 86_400_000,
                    new CompaniesReader.ScrollSettings(200, 20, 5, 5_000), System::currentTimeMillis);
            try {
                List<SourceRecord> out = Harness.drainPass(reader, Duration.ofSeconds(10));
                assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            } finally {
                reader.close();
                client.close();
            }
            assertTrue(fake.requestCount("GET /companies/scroll") >= 1 + 2 + 4, fake.requestCounts().toString());
        }
    }

    /**
     * A scroll page whose answer arrives after the read timeout: the server has already moved the
     * scroll past that page, so sending the same scroll_param again returns the next page and the
     * timed-out page's companies are never read. The scroll must start over instead. (The scroll is
     * long and a little slow, so the late answer lands while it is still being read.) Read through
     * the reader with short scroll waits, so that a fixed reader that restarts the scroll does not
     * wait out the default minute of scroll_exists.
     */
    @Test
    void aReadTimeoutOnAScrollPageLosesNoCompany() {
        SampleWorkspace ws = Harness.workspace(409, s -> s.companies(200));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10).latencyMs(40, 60).scrollExpiryMs(800))) {
            // A client of its own with a 400 ms timeout (the config's minimum is 1 s), to keep this short.
            failAfter(fake, "GET /companies/scroll", 1, 1, Fault.delay(1_000)); // the second page
            IntercomClient client = Harness.client(fake.baseUrl(), fake.options().token(), 400);
            CompaniesReader reader = new CompaniesReader(client,
                    new RecordFactory(Harness.PREFIX, List.of(Tables.COMPANIES)), null, 0, 86_400_000,
                    new CompaniesReader.ScrollSettings(200, 20, 5, 5_000), System::currentTimeMillis);
            try {
                List<SourceRecord> out = Harness.drainPass(reader, Duration.ofSeconds(15));
                assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            } finally {
                reader.close();
                client.close();
            }
        }
    }
}
