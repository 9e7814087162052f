package io.kcintercom.connect.faults;

import static io.kcintercom.connect.faults.Harness.BACKOFF_MS;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Bursts of 500, 502 (an HTML gateway page) and 503 on search pages, follow-ups, reference lists
 * and the companies scroll: retried with exponential backoff and jitter, then the sync completes
 * with every row exactly once.
 */
class ServerErrorFaultsTest {
    private static final List<Fault> BURST = List.of(Fault.HTTP_500, Fault.HTTP_502, Fault.HTTP_503);

    @Test
    void serverErrorBurstsOnSearchFollowUpsAndReferenceListsAreRetriedWithJitteredBackoff() {
        SampleWorkspace ws = Harness.workspace(500, s -> { });
        try (FakeIntercom fake = Harness.fake(ws); LogCapture logs = new LogCapture()) {
            // The normal number of requests of each endpoint in one sync, and a burst on each.
            Map<String, Integer> normal = new LinkedHashMap<>();
            // Per role: the first sync's page and the event summary backfill's page (issue 17).
            normal.put("POST /contacts/search", 4);
            normal.put("GET /events", ws.contactIds("user").size() + ws.contactIds("lead").size());
            normal.put("POST /conversations/search", 1);
            normal.put("GET /conversations/{id}", ws.conversations().size());
            normal.put("GET /admins", 1);
            normal.put("GET /teams", 1);
            normal.put("GET /tags", 1);
            normal.put("GET /segments", 1);
            normal.keySet().forEach(endpoint -> BURST.forEach(fault -> fake.failNext(endpoint, 1, fault)));

            List<Resource> resources = List.of(Resource.USERS, Resource.LEADS, Resource.CONVERSATIONS,
                    Resource.ADMINS, Resource.TAGS, Resource.SEGMENTS);
            List<String> tables = List.of(Tables.USERS, Tables.LEADS, Tables.EVENTS_SUMMARY,
                    Tables.CONVERSATIONS, Tables.CONVERSATION_PARTS, Tables.CONVERSATION_PARTS_ATTACHMENTS,
                    Tables.ADMINS, Tables.TAGS, Tables.SEGMENTS);
            Map<String, Set<String>> expected = expected(ws, tables);
            long started = System.nanoTime();
            try (Harness.TaskRun run = new Harness.TaskRun(props(fake, resources, tables))) {
                List<SourceRecord> records = run.pollUntilComplete(expected, Duration.ofSeconds(15));
                assertExactlyOnce(expected, records);
            }
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(elapsedMs < 8_000, "short backoffs should make this quick: " + elapsedMs + " ms");

            normal.forEach((endpoint, n) -> assertEquals(n + BURST.size(), fake.requestCount(endpoint),
                    "requests to " + endpoint + ": each failed one retried once it failed"));
            List<String[]> retries = logs.matches("failed \\(HTTP (\\d{3})[^)]*\\); retry (\\d+) in (\\d+) ms");
            assertEquals(normal.size() * BURST.size(), retries.size(), "one logged retry per injected error");
            Map<String, Integer> perStatus = new HashMap<>();
            Set<Long> firstWaits = new TreeSet<>();
            for (String[] retry : retries) {
                perStatus.merge(retry[1], 1, Integer::sum);
                int attempt = Integer.parseInt(retry[2]);
                long wait = Long.parseLong(retry[3]);
                long backoff = BACKOFF_MS << (attempt - 1);
                assertTrue(wait >= backoff / 2 && wait <= backoff,
                        "retry " + attempt + " waited " + wait + " ms, outside [" + backoff / 2 + ", " + backoff + "]");
                if (attempt == 1) {
                    firstWaits.add(wait);
                }
            }
            assertEquals(Map.of("500", 8, "502", 8, "503", 8), perStatus);
            assertTrue(firstWaits.size() >= 2, "jitter: the first retries all waited the same " + firstWaits);
        }
    }

    @Test
    void serverErrorsOnTheScrollStartAndMidScrollAreRetriedAndTheScrollCompletesWithoutDuplicates() {
        SampleWorkspace ws = Harness.workspace(501, s -> s.companies(40));
        // A lost scroll stays open on the server until it expires (here 300 ms), as Intercom's does.
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10).scrollExpiryMs(300))) {
            BURST.forEach(fault -> fake.failNext("GET /companies/scroll", 1, fault)); // on the scroll start
            failAfter(fake, "GET /companies/scroll", 2, 1, Fault.HTTP_500); // on the third page
            IntercomClient client = Harness.client(fake.baseUrl(), fake.options().token(), 5_000);
            RecordFactory records = new RecordFactory(Harness.PREFIX, List.of(Tables.COMPANIES));
            CompaniesReader reader = new CompaniesReader(client, records, null, 0, 86_400_000,
                    new CompaniesReader.ScrollSettings(100, 20, 5, 5_000), System::currentTimeMillis);
            try {
                List<SourceRecord> out = Harness.drainPass(reader, Duration.ofSeconds(15));
                assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            } finally {
                reader.close();
                client.close();
            }
            // 3 failed starts + start, 2 pages, the 500, (waits on the still-open scroll), restart, 4 pages + end.
            assertTrue(fake.requestCount("GET /companies/scroll") >= 3 + 1 + 2 + 1 + 1 + 5,
                    "scroll requests: " + fake.requestCount("GET /companies/scroll"));
        }
    }

    /**
     * Through the task, with the default scroll settings: a 503 on the scroll start is retried after
     * about retry.backoff.ms, like any other 5xx, not after a share of the minute-long scroll_exists
     * wait (commit 2317507 waited a fixed 15 s here).
     */
    @Test
    void aServerErrorOnTheScrollStartIsRetriedWithTheConfiguredBackoffThroughTheTask() {
        SampleWorkspace ws = Harness.workspace(502, s -> s.companies(20));
        try (FakeIntercom fake = Harness.fake(ws)) {
            fake.failNext("GET /companies/scroll", 1, Fault.HTTP_503);
            List<String> tables = List.of(Tables.COMPANIES);
            Map<String, Set<String>> expected = expected(ws, tables);
            try (Harness.TaskRun run = new Harness.TaskRun(props(fake, List.of(Resource.COMPANIES), tables))) {
                // retry.backoff.ms is 20: the retry should come within milliseconds, not seconds.
                List<SourceRecord> records = run.pollUntilComplete(expected, Duration.ofSeconds(3));
                assertExactlyOnce(expected, records);
            }
        }
    }
}
