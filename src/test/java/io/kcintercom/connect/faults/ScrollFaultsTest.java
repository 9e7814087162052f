package io.kcintercom.connect.faults;

import static io.kcintercom.connect.faults.Harness.assertExactlyOnce;
import static io.kcintercom.connect.faults.Harness.expected;
import static io.kcintercom.connect.faults.Harness.failAfter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.resource.CompaniesReader;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Tables;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The companies scroll, which Intercom allows once per workspace and expires a minute after its
 * last use (shortened here): a scroll held by another app is waited out, logged once; a slow
 * consumer does not hold up the scroll; a scroll lost mid-way (a 404, an expiry, a 500) restarts,
 * is never taken for its end, and no company is emitted twice in that pass. The reader is driven directly, with short scroll waits
 * (through a task they are a minute).
 */
class ScrollFaultsTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private CompaniesReader reader(FakeIntercom fake, long scrollExistsWaitMs) {
        return reader(fake, new CompaniesReader.ScrollSettings(scrollExistsWaitMs, 40, 5, 10_000));
    }

    private CompaniesReader reader(FakeIntercom fake, CompaniesReader.ScrollSettings settings) {
        IntercomClient client = Harness.client(fake.baseUrl(), fake.options().token(), 5_000);
        closeables.add(client);
        CompaniesReader reader = new CompaniesReader(client, new RecordFactory(Harness.PREFIX, List.of(Tables.COMPANIES)),
                null, 0, 86_400_000, settings, System::currentTimeMillis);
        closeables.add(reader);
        return reader;
    }

    @Test
    void aScrollHeldByAnotherAppIsWaitedOutLoggedOnceThenTheScrollSucceeds() throws Exception {
        SampleWorkspace ws = Harness.workspace(400, s -> s.companies(30));
        long expiryMs = 1_000;
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10).scrollExpiryMs(expiryMs));
             LogCapture logs = new LogCapture()) {
            // Another app of the workspace opens a scroll and leaves it.
            HttpResponse<String> other = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/companies/scroll"))
                            .header("Authorization", "Bearer " + fake.options().token()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, other.statusCode());
            long otherScrollAt = System.nanoTime();

            List<SourceRecord> out = Harness.drainPass(reader(fake, 250), Duration.ofSeconds(10));

            long waitedMs = (System.nanoTime() - otherScrollAt) / 1_000_000;
            assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            assertTrue(waitedMs >= expiryMs - 100, "opened before the other scroll expired: " + waitedMs + " ms");
            long attempts = fake.requestCount("GET /companies/scroll") - 1 - 4; // the other app's; ours: 3 pages + end
            assertTrue(attempts >= 3, "scroll_exists answers waited out: " + attempts);
            List<LogCapture.Line> waits = logs.containing("another scroll is open");
            assertEquals(1, waits.size(), "logged once however many attempts: " + logs.lines());
            assertEquals(Level.INFO, waits.get(0).level());
        }
    }

    /**
     * Another client keeps the workspace's scroll for 2 s, four times as long as the 5 attempts
     * 100 ms apart after which the pass used to fail the task. The pass waits it out: one INFO when
     * the wait starts, one WARN once it lasts longer than those attempts, every wait counted.
     */
    @Test
    void aScrollHeldElsewhereLongerThanTheAttemptsIsWaitedOutNeverFailingThePass() throws Exception {
        SampleWorkspace ws = Harness.workspace(404, s -> s.companies(30));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10));
             LogCapture logs = new LogCapture()) {
            fake.holdScrollElsewhere(2_000);
            CompaniesReader reader = reader(fake, new CompaniesReader.ScrollSettings(100, 5, 5, 10_000));
            List<SourceRecord> out = Harness.drainPass(reader, Duration.ofSeconds(10));

            assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            assertEquals(1, logs.containing("another scroll is open").size(), logs.lines().toString());
            List<LogCapture.Line> warns = logs.containing("still held by another client");
            assertEquals(1, warns.size(), logs.lines().toString());
            assertEquals(Level.WARN, warns.get(0).level());
            long waits = reader.counters().get("scroll-lock-waits").getAsLong();
            assertTrue(waits >= 10, "scroll_exists answers counted: " + waits);
        }
    }

    /** The first page comes without its data array: not the end of the scroll, which is read again. */
    @Test
    void aScrollPageWithoutDataIsReadAgainNotTakenForTheEnd() {
        SampleWorkspace ws = Harness.workspace(405, s -> s.companies(30));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10).scrollExpiryMs(300))) {
            fake.scrollPagesWithoutData(1);
            List<SourceRecord> out = Harness.drainPass(reader(fake, 100), Duration.ofSeconds(10));

            assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
        }
    }

    /**
     * Kafka is slow: nothing is taken for a second, more than three times the scroll's expiry, in
     * the middle of a pass of 30 pages. The changed companies are held on the scroller's side, so
     * the scroll is read once to its end while Kafka waits: no restart, no duplicate. (The scroll
     * used to be drained by the loop Kafka blocks: it expired and started over, and after 6 such
     * restarts the task failed.)
     */
    @Test
    void aSlowConsumerNeitherStallsNorRestartsTheScroll() throws Exception {
        SampleWorkspace ws = Harness.workspace(401, s -> s.companies(60));
        // Expiry and stall are wide apart so that a loaded machine's scheduling delays between two
        // pages (the scroller's own pace) stay far below the expiry, while the stall is far above it.
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(2).scrollExpiryMs(1_000));
             LogCapture logs = new LogCapture()) {
            CompaniesReader reader = reader(fake, 100);
            List<SourceRecord> out = new ArrayList<>(reader.poll(1));
            Thread.sleep(3_000);
            out.addAll(Harness.drainPass(reader, Duration.ofSeconds(10)));

            assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            assertEquals(List.of(), logs.containing("the scroll was lost"), "no restart");
            assertEquals(31, fake.requestCount("GET /companies/scroll"), "the start, 29 pages, the end");
        }
    }

    /**
     * The scroll expires while a page is slow to come (1 s expiry, a 2 s delay) after 100 of
     * 120 companies; the restarted scroll expires again before it gets back to an unseen company,
     * and the next one is lost to a 500. The pass must read on until the scroll really ends: it
     * used to take the second expiry for the end and complete with 100 companies.
     */
    @Test
    void aScrollThatExpiresAgainBeforeReachingAnUnseenCompanyIsNotTakenForTheEnd() {
        SampleWorkspace ws = Harness.workspace(403, s -> s.companies(120));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10).scrollExpiryMs(1_000));
             LogCapture logs = new LogCapture()) {
            String scroll = "GET /companies/scroll";
            fake.failNext(scroll, 10, Fault.delay(0)); // the start and pages 2-10: 100 companies
            fake.failNext(scroll, 1, Fault.delay(2_000)); // page 11 arrives after the expiry: 404
            fake.failNext(scroll, 5, Fault.delay(0)); // the restart, pages 2-5
            fake.failNext(scroll, 1, Fault.delay(2_000)); // page 6: 404, nothing new since the restart
            fake.failNext(scroll, 3, Fault.delay(0)); // the next restart, pages 2-3
            fake.failNext(scroll, 1, Fault.HTTP_500); // page 4: "please restart the scroll"
            List<SourceRecord> out = Harness.drainPass(reader(fake, 100), Duration.ofSeconds(15));

            assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            assertEquals(3, logs.containing("the scroll was lost").size(), logs.lines().toString());
        }
    }

    @Test
    void aScrollParamAnswered404MidScrollRestartsTheScrollWithoutDuplicates() {
        SampleWorkspace ws = Harness.workspace(402, s -> s.companies(40));
        // The injected 404 leaves the server's scroll open: the restart waits for it to expire.
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10).scrollExpiryMs(400));
             LogCapture logs = new LogCapture()) {
            failAfter(fake, "GET /companies/scroll", 2, 1, Fault.status(404)); // the third page
            List<SourceRecord> out = Harness.drainPass(reader(fake, 100), Duration.ofSeconds(10));

            assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), out);
            assertEquals(1, logs.containing("the scroll was lost").size(), logs.lines().toString());
        }
    }
}
