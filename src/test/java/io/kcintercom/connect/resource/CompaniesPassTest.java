package io.kcintercom.connect.resource;

import static io.kcintercom.connect.resource.CompaniesReaderTest.company;
import static io.kcintercom.connect.resource.CompaniesReaderTest.scrollPage;
import static io.kcintercom.connect.resource.CompanyScrollTest.error;
import static io.kcintercom.connect.resource.CompanyScrollTest.next;
import static io.kcintercom.connect.resource.CompanyScrollTest.ok;
import static io.kcintercom.connect.resource.CompanyScrollTest.start;
import static io.kcintercom.connect.resource.CompanyScrollTest.stub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link CompaniesPass}: the scroll on its own thread, the changed companies held or streamed, and
 * how the pass's end is read from the reader's thread.
 */
class CompaniesPassTest extends ReaderTestSupport {

    CompaniesPass pass(IntercomClient client, int holdLimit) {
        CompanyScroll scroll = new CompanyScroll(client, CompanyScrollTest.SETTINGS, new CompanyScroll.Counters());
        return new CompaniesPass(scroll, new CompanyChanges(-1, NOW_MS, Map.of()), holdLimit,
                new CompaniesVanished(client, io.kcintercom.connect.state.EmittedKeys.NONE));
    }

    /** Takes until the pass's last companies, as the reader does; fails after 10 s. */
    static List<String> takeToTheEnd(CompaniesPass pass, int max) {
        List<String> ids = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            CompaniesPass.Taken taken = pass.take(max, 100);
            taken.companies().forEach(c -> ids.add(c.get("id").asText()));
            if (taken.last()) {
                return ids;
            }
            if (System.currentTimeMillis() > deadline) {
                return fail("not complete after 10 s: " + ids.size() + " companies");
            }
        }
    }

    @Test
    void aScrollThatReadEveryCompanyHandsThemOutTogetherAtItsEnd() {
        stub(start(), ok(scrollPage("s1", company("A", T), company("B", T))));
        stub(next("s1"), ok(scrollPage("s2")));
        CompaniesPass pass = pass(client, 10);

        assertEquals(List.of("A", "B"), takeToTheEnd(pass, 100));
    }

    /** However the reader's calls fall between the scroller's writes, a failed scroll is never complete. */
    @Test
    void aScrollThatFailedNeverReadsAsCompleteEvenWithEverythingTaken() {
        stub(start(), ok(scrollPage("s1", company("A", T), company("B", T))));
        stub(next("s1"), error(403, "forbidden", "denied"));
        CompaniesPass pass = pass(client, 10);

        List<JsonNode> taken = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 5_000;
        while (true) {
            try {
                CompaniesPass.Taken t = pass.take(100, 100);
                if (t.last()) {
                    fail("a pass whose scroll failed read as complete, with " + taken.size() + " companies");
                }
                taken.addAll(t.companies());
            } catch (IntercomApiException e) {
                break;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("the failure never showed");
            }
        }
        for (int i = 0; i < 3; i++) {
            assertThrows(IntercomApiException.class, () -> pass.take(100, 0), "the failure stays");
        }
    }

    /**
     * Kafka blocks the reader for seven times the scroll's expiry before it takes anything. The
     * changed companies fit the hold limit, so the scroll never waits for the reader: it is read
     * once, to its end, with no restart.
     */
    @Test
    void aReaderBlockedLongerThanTheScrollsExpiryDoesNotStopTheScroll() throws Exception {
        SampleWorkspace ws = workspace(60);
        try (FakeIntercom fake = fake(ws); IntercomClient fakeClient = client(fake)) {
            CompaniesPass pass = pass(fakeClient, 100);
            Thread.sleep(2_100); // Kafka is blocked; the scroll expires 300 ms after its last use
            List<String> ids = takeToTheEnd(pass, 10);

            assertEquals(60, new HashSet<>(ids).size());
            assertEquals(60, ids.size());
            assertEquals(1 + 29 + 1, fake.requestCount("GET /companies/scroll"), "one scroll: start, pages, end");
        }
    }

    /**
     * More changed companies than the hold limit, and a reader blocked twice for several expiries
     * each: the scroller waits for room, its scroll expires, and it starts over, skipping what it
     * returned. Each wait still moves the scroll on, so the pass ends with every company once.
     */
    @Test
    void aStreamingPassBlockedByKafkaRestartsItsScrollOnlyAfterEachBlockAndEnds() throws Exception {
        SampleWorkspace ws = workspace(60);
        try (FakeIntercom fake = fake(ws); IntercomClient fakeClient = client(fake)) {
            CompaniesPass pass = pass(fakeClient, 5);
            List<String> ids = new ArrayList<>();
            for (int block = 0; block < 2; block++) {
                Thread.sleep(1_200); // Kafka is blocked
                pass.take(3, 100).companies().forEach(c -> ids.add(c.get("id").asText()));
            }
            ids.addAll(takeToTheEnd(pass, 3));

            Set<String> unique = new HashSet<>(ids);
            assertEquals(60, unique.size(), "every company");
            assertEquals(60, ids.size(), "once");
            long requests = fake.requestCount("GET /companies/scroll");
            assertTrue(requests <= 3 * 31, "at most a restart per block: " + requests + " scroll requests");
        }
    }

    private static SampleWorkspace workspace(int companies) {
        return SampleWorkspace.generate(77, SampleWorkspace.Sizes.builder().users(2).leads(1).companies(companies)
                .admins(1).teams(1).tags(1).segments(1).conversations(1).build());
    }

    private static FakeIntercom fake(SampleWorkspace ws) {
        return FakeIntercom.start(ws, FakeIntercom.Options.builder().rateLimitPer10s(0).scrollPageSize(2)
                .scrollExpiryMs(300).build());
    }

    private static IntercomClient client(FakeIntercom fake) {
        return new IntercomClient(new IntercomClient.Settings(fake.baseUrl(), fake.options().token(), "2.11", 5000,
                10, 2000));
    }
}
