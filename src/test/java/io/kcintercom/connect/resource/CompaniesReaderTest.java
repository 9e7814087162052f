package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CompaniesReader}: the scroll to its end, waiting out {@code scroll_exists}, restarting a
 * lost scroll without duplicates, the watermark between passes and the offset of a pass's end.
 */
class CompaniesReaderTest extends ReaderTestSupport {
    static final String SCROLL = "/companies/scroll";
    static final long POLL_MS = 3_600_000;
    static final CompaniesReader.ScrollSettings SETTINGS = new CompaniesReader.ScrollSettings(200, 5, 5, 2000);

    CompaniesReader reader(Map<String, ?> offset) {
        return closeLater(new CompaniesReader(client, records(Tables.COMPANIES), offset, 0, POLL_MS, SETTINGS,
                clock::get));
    }

    @Test
    void scrollsAcrossPagesUntilAnEmptyPageAndEndsWithTheNewWatermark() {
        stubStart(ok(scrollPage("s1", company("A", T - 9000), company("B", T - 8000))));
        stubNext("s1", ok(scrollPage("s2", company("C", T - 7000), company("D", T - 6000))));
        stubNext("s2", ok(scrollPage("s3", company("E", T - 5000))));
        stubNext("s3", ok(scrollPage("s4")));
        CompaniesReader reader = reader(null);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("A", "B", "C", "D", "E"), ids(out, Tables.COMPANIES));
        assertEquals(5, out.size());
        assertEquals(1, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", absent())));
        for (String param : List.of("s1", "s2", "s3")) {
            assertEquals(1, count(getRequestedFor(urlPathEqualTo(SCROLL))
                    .withQueryParam("scroll_param", equalTo(param))));
        }
        assertEquals(0, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param",
                equalTo("s4"))), "an empty page ends the scroll");
        for (SourceRecord record : out.subList(0, 4)) {
            assertEquals(Map.of("updated_at", -1L), record.sourceOffset(), "mid-pass: the old watermark");
        }
        assertEquals(Map.of("updated_at", T - 5000 - CompaniesReader.WATERMARK_MARGIN_SECONDS), lastOffset(out),
                "the newest updated_at seen, less the pass's duration (none on this clock) and the margin");
        assertEquals(Offsets.partition(Resource.COMPANIES), out.get(0).sourcePartition());
        assertEquals("Plan A", valueField(out.get(0), "plan"));
    }

    @Test
    void scrollExistsIsWaitedOutThenTheScrollSucceeds() {
        wm.stubFor(start().inScenario("lock").whenScenarioStateIs(STARTED).willSetStateTo("free")
                .willReturn(error(400, "scroll_exists", "scroll already exists for this workspace")));
        wm.stubFor(start().inScenario("lock").whenScenarioStateIs("free")
                .willReturn(ok(scrollPage("s1", company("A", T - 9000)))));
        stubNext("s1", ok(scrollPage("s2")));
        CompaniesReader reader = reader(null);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("A"), ids(out, Tables.COMPANIES));
        List<LoggedRequest> starts = new ArrayList<>(requests(getRequestedFor(urlPathEqualTo(SCROLL))
                .withQueryParam("scroll_param", absent())));
        assertEquals(2, starts.size(), "refused once, then opened");
        starts.sort(Comparator.comparing(LoggedRequest::getLoggedDate));
        long waited = starts.get(1).getLoggedDate().getTime() - starts.get(0).getLoggedDate().getTime();
        assertTrue(waited >= 190, "waited " + waited + " ms between the attempts (setting: 200 ms)");
    }

    @ParameterizedTest(name = "HTTP {0} mid-scroll")
    @ValueSource(ints = {404, 500})
    void aLostScrollStartsOverAndEmitsNoDuplicate(int status) {
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs(STARTED).willSetStateTo("opened")
                .willReturn(ok(scrollPage("s1", company("A", T - 9000), company("B", T - 8000)))));
        wm.stubFor(next("s1").inScenario("scroll").whenScenarioStateIs("opened").willSetStateTo("lost")
                .willReturn(status == 404
                        ? error(404, "not_found", "scroll parameter not found")
                        : error(500, "server_error", "Request failed due to an internal network error. "
                                + "Please restart the scroll operation.")));
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs("lost").willSetStateTo("reopened")
                .willReturn(ok(scrollPage("r1", company("A", T - 9000), company("B", T - 8000)))));
        stubNext("r1", ok(scrollPage("r2", company("C", T - 7000), company("D", T - 6000))));
        stubNext("r2", ok(scrollPage("r3")));
        CompaniesReader reader = reader(null);

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("A", "B", "C", "D"), ids(out, Tables.COMPANIES));
        assertEquals(2, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", absent())),
                "the scroll was opened again");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param",
                equalTo("s1"))), "the lost scroll_param is not retried");
        assertEquals(Map.of("updated_at", T - 6000 - CompaniesReader.WATERMARK_MARGIN_SECONDS), lastOffset(out));
    }

    @Test
    void theNextPassComesAfterThePollIntervalAndEmitsOnlyCompaniesUpdatedAfterTheWatermark() {
        stubStart(ok(scrollPage("s1", company("A", T - 9000), company("B", T - 30), company("C", T - 5000))));
        stubNext("s1", ok(scrollPage("s2")));
        CompaniesReader reader = reader(null);
        List<SourceRecord> first = drainPass(reader);
        assertEquals(List.of("A", "B", "C"), ids(first, Tables.COMPANIES));
        long watermark = T - 30 - CompaniesReader.WATERMARK_MARGIN_SECONDS; // from B, the newest
        assertEquals(Map.of("updated_at", watermark), lastOffset(first));

        // Not due before companies.poll.interval: no request at all.
        wm.resetAll();
        clock.addAndGet(POLL_MS - 1);
        assertEquals(List.of(), reader.poll(100));
        assertEquals(0, count(getRequestedFor(anyUrl())));

        // Pass 2: A unchanged and old; B unchanged, updated after the watermark but emitted in pass 1;
        // C changed; D new.
        clock.addAndGet(1);
        stubStart(ok(scrollPage("s1", company("A", T - 9000), company("B", T - 30), company("C", T + 100),
                company("D", T + 200))));
        stubNext("s1", ok(scrollPage("s2")));
        List<SourceRecord> second = drainPass(reader);

        assertEquals(List.of("C", "D"), ids(second, Tables.COMPANIES));
        assertEquals(Map.of("updated_at", watermark), second.get(0).sourceOffset());
        assertEquals(Map.of("updated_at", T + 200 - CompaniesReader.WATERMARK_MARGIN_SECONDS), lastOffset(second));
    }

    /**
     * The worker's clock is an hour ahead of Intercom's. The watermark comes from Intercom's times
     * (the newest updated_at seen), so a company Intercom updates after the first pass, at an
     * updated_at well below the worker's clock, is emitted by the next one.
     */
    @Test
    void aWorkerClockAheadOfIntercomsLosesNoCompany() {
        clock.set(NOW_MS + 3_600_000);
        stubStart(ok(scrollPage("s1", company("A", T - 9000), company("B", T - 10))));
        stubNext("s1", ok(scrollPage("s2")));
        CompaniesReader reader = reader(null);
        assertEquals(List.of("A", "B"), ids(drainPass(reader), Tables.COMPANIES));

        wm.resetAll();
        advanceToNextPass(reader);
        stubStart(ok(scrollPage("s1", company("A", T + 5), company("B", T - 10))));
        stubNext("s1", ok(scrollPage("s2")));
        List<SourceRecord> second = drainPass(reader);

        assertEquals(List.of("A"), ids(second, Tables.COMPANIES), "A changed at T + 5 on Intercom's clock");
    }

    @Test
    void aReaderRestartedFromTheWatermarkOffsetSkipsOlderCompanies() {
        long watermark = T - 1000;
        stubStart(ok(scrollPage("s1", company("A", watermark - 1), company("B", watermark),
                company("C", watermark + 1))));
        stubNext("s1", ok(scrollPage("s2")));
        CompaniesReader reader = reader(Map.of("updated_at", (int) watermark)); // as read back from JSON

        List<SourceRecord> out = drainPass(reader);

        assertEquals(List.of("C"), ids(out, Tables.COMPANIES));
    }

    @Test
    void stoppingMidScrollNeverEndsThePassWithANewWatermark() throws Exception {
        stubStart(ok(scrollPage("s1", company("A", T - 9000), company("B", T - 8000))));
        stubNext("s1", ok(scrollPage("s2", company("C", T - 7000))).withTransformers(Gate.NAME));
        stubNext("s2", ok(scrollPage("s3", company("D", T - 6000))));
        stubNext("s3", ok(scrollPage("s4")));
        GATE.close();
        CompaniesReader reader = reader(null);

        List<SourceRecord> out = new ArrayList<>();
        long firstPageDeadline = System.currentTimeMillis() + 5_000;
        while (GATE.waiting() == 0 && System.currentTimeMillis() < firstPageDeadline) {
            out.addAll(reader.poll(100));
        }
        assertEquals(1, GATE.waiting(), "the request for page 2 is in flight");
        out.addAll(reader.poll(100));
        assertEquals(List.of(), ids(out, Tables.COMPANIES), "the pass is held whole until its scroll ends");
        client.close(); // what the task's stop() does first
        GATE.open(); // page 2 arrives after the stop

        long deadline = System.currentTimeMillis() + 5_000;
        boolean stopped = false;
        while (System.currentTimeMillis() < deadline) {
            try {
                out.addAll(reader.poll(100));
            } catch (ClientStoppedException e) {
                stopped = true;
                break;
            }
            if (reader.nextDueMs() > 0) {
                break; // the pass ended
            }
        }
        for (SourceRecord record : out) {
            assertEquals(Map.of("updated_at", -1L), record.sourceOffset(),
                    "no record may carry the new watermark: D was never scrolled");
        }
        assertFalse(ids(out, Tables.COMPANIES).contains("D"), "D was read after the stop");
        assertTrue(stopped, "polls after the stop end in ClientStoppedException, not in the end of the pass");
        assertEquals(0, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param",
                equalTo("s2"))), "no request after the stop");
    }

    /**
     * The worker's clock is an hour ahead; Intercom's Date header says T. The watermark is T less
     * the margin, from the header, not from the worker's clock nor from the companies (older).
     */
    @Test
    void theWatermarkIsTheDateOfTheScrollsOpeningLessTheMargin() {
        clock.set(NOW_MS + 3_600_000);
        String intercomNow = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.Instant.ofEpochSecond(T).atZone(java.time.ZoneOffset.UTC));
        stubStart(ok(scrollPage("s1", company("A", T - 9000))).withHeader("Date", intercomNow));
        stubNext("s1", ok(scrollPage("s2")).withHeader("Date", intercomNow));

        List<SourceRecord> out = drainPass(reader(null));

        assertEquals(Map.of("updated_at", T - CompaniesReader.WATERMARK_MARGIN_SECONDS), lastOffset(out));
    }

    /**
     * While another client holds the scroll, the pass waits for it, but a poll of this reader
     * returns at once with nothing, so the task's other readers, polled in turns, keep their pace.
     */
    @Test
    void whileTheScrollIsHeldElsewhereAPollReturnsAtOnce() {
        wm.stubFor(start().willReturn(error(400, "scroll_exists", "scroll already exists for this workspace")));
        CompaniesReader reader = reader(null);

        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            assertEquals(List.of(), reader.poll(100));
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(tookMs < 250, "poll " + i + " took " + tookMs + " ms");
        }
        assertEquals(0L, reader.nextDueMs(), "the pass is still on");
    }

    // ---------------------------------------------------------------- fixtures

    private static MappingBuilder start() {
        return get(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", absent());
    }

    private static MappingBuilder next(String param) {
        return get(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", equalTo(param));
    }

    private static void stubStart(ResponseDefinitionBuilder response) {
        wm.stubFor(start().willReturn(response));
    }

    private static void stubNext(String param, ResponseDefinitionBuilder response) {
        wm.stubFor(next(param).willReturn(response));
    }

    private static ResponseDefinitionBuilder ok(ObjectNode body) {
        return okJson(body.toString());
    }

    private static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(errorBody(code, message));
    }

    /** A scroll page: {@code pages} and {@code total_count} are null, as the API sends them. */
    static ObjectNode scrollPage(String scrollParam, ObjectNode... companies) {
        ObjectNode page = JSON.createObjectNode().put("type", "list");
        ArrayNode data = page.putArray("data");
        for (ObjectNode company : companies) {
            data.add(company);
        }
        page.putNull("pages").putNull("total_count").put("scroll_param", scrollParam);
        return page;
    }

    static ObjectNode company(String id, long updatedAt) {
        ObjectNode c = JSON.createObjectNode().put("type", "company").put("id", id).put("company_id", "ext-" + id)
                .put("name", "Company " + id).put("created_at", T - 100_000).put("remote_created_at", T - 200_000)
                .put("updated_at", updatedAt).put("session_count", 3).put("monthly_spend", 49.5)
                .put("user_count", 2);
        c.putObject("plan").put("type", "plan").put("id", "p-" + id).put("name", "Plan " + id);
        c.putObject("custom_attributes").put("tier", "gold");
        return c;
    }
}
