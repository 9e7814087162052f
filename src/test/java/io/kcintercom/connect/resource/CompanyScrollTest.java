package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.kcintercom.connect.resource.CompaniesReaderTest.company;
import static io.kcintercom.connect.resource.CompaniesReaderTest.scrollPage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link CompanyScroll} on its own, on the test's thread: the protocol of the scroll (open, next
 * page, the end, scroll_exists waited out, a lost scroll read again without returning a company
 * twice) without a pass, a queue or a thread around it.
 */
class CompanyScrollTest extends ReaderTestSupport {
    static final String SCROLL = CompanyScroll.PATH;
    static final CompaniesReader.ScrollSettings SETTINGS = new CompaniesReader.ScrollSettings(50, 5, 2, 2000);

    CompanyScroll scroll() {
        return new CompanyScroll(client, SETTINGS, new CompanyScroll.Counters());
    }

    /** Every company the scroll returns, in order, until it reports its end. */
    static List<String> readAll(CompanyScroll scroll) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            List<JsonNode> page = scroll.next();
            if (page.isEmpty()) {
                return ids;
            }
            page.forEach(c -> ids.add(c.get("id").asText()));
        }
        throw new AssertionError("no end after 100 pages: " + ids);
    }

    @Test
    void readsPagesInOrderUntilTheEmptyPage() {
        stub(start(), ok(scrollPage("s1", company("A", T), company("B", T))));
        stub(next("s1"), ok(scrollPage("s2", company("C", T))));
        stub(next("s2"), ok(scrollPage("s3")));
        CompanyScroll scroll = scroll();

        assertEquals(List.of("A", "B", "C"), readAll(scroll));
        assertEquals(List.of(), scroll.next(), "the end is for good");
        assertEquals(3, count(getRequestedFor(urlPathEqualTo(SCROLL))));
        assertEquals(3, scroll.returnedCount());
    }

    @Test
    void scrollExistsIsWaitedOutOnTheCallersThread() {
        wm.stubFor(start().inScenario("lock").whenScenarioStateIs(STARTED).willSetStateTo("free")
                .willReturn(error(400, "scroll_exists", "scroll already exists for this workspace")));
        wm.stubFor(start().inScenario("lock").whenScenarioStateIs("free")
                .willReturn(ok(scrollPage("s1", company("A", T)))));
        stub(next("s1"), ok(scrollPage("s2")));

        assertEquals(List.of("A"), readAll(scroll()));
        assertEquals(2, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", absent())));
    }

    @Test
    void aLostScrollIsReadAgainFromItsStartAndReturnsOnlyWhatItHadNotReturned() {
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs(STARTED).willSetStateTo("opened")
                .willReturn(ok(scrollPage("s1", company("A", T), company("B", T)))));
        wm.stubFor(next("s1").inScenario("scroll").whenScenarioStateIs("opened").willSetStateTo("lost")
                .willReturn(error(500, "server_error", "Please restart the scroll operation.")));
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs("lost")
                .willReturn(ok(scrollPage("r1", company("A", T), company("B", T)))));
        stub(next("r1"), ok(scrollPage("r2", company("C", T))));
        stub(next("r2"), ok(scrollPage("r3")));
        CompanyScroll scroll = scroll();

        assertEquals(List.of("A", "B", "C"), readAll(scroll));
        assertEquals(2, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", absent())));
    }

    @Test
    void aPageWithoutADataArrayIsNotTheEndTheScrollIsReadAgain() {
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs(STARTED).willSetStateTo("opened")
                .willReturn(ok(scrollPage("s1", company("A", T), company("B", T)))));
        ObjectNode noData = JSON.createObjectNode().put("type", "list").put("scroll_param", "s2");
        wm.stubFor(next("s1").inScenario("scroll").whenScenarioStateIs("opened").willSetStateTo("reopen")
                .willReturn(ok(noData)));
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs("reopen")
                .willReturn(ok(scrollPage("r1", company("A", T), company("B", T)))));
        stub(next("r1"), ok(scrollPage("r2", company("C", T))));
        stub(next("r2"), ok(scrollPage("r3")));

        assertEquals(List.of("A", "B", "C"), readAll(scroll()), "C comes after the page without data");
        assertEquals(0, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param",
                equalTo("s2"))), "the unreadable page's scroll_param is not followed");
    }

    @Test
    void aTopLevelCompaniesArrayIsReadLikeData() {
        ObjectNode first = JSON.createObjectNode().put("type", "list").put("scroll_param", "s1");
        first.putArray("companies").add(company("A", T)).add(company("B", T));
        stub(start(), ok(first));
        ObjectNode end = JSON.createObjectNode().put("type", "list").put("scroll_param", "s2");
        end.putArray("companies");
        stub(next("s1"), ok(end));

        assertEquals(List.of("A", "B"), readAll(scroll()));
    }

    @Test
    void a404AtTheEndIsTakenAsTheEndOnceARestartedScrollFindsNothingNewBeforeIt() {
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs(STARTED).willSetStateTo("second")
                .willReturn(ok(scrollPage("s1", company("A", T), company("B", T)))));
        stub(next("s1"), ok(scrollPage("s2", company("C", T))));
        stub(next("s2"), error(404, "not_found", "scroll parameter not found"));
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs("second")
                .willReturn(ok(scrollPage("r1", company("A", T), company("B", T)))));
        stub(next("r1"), ok(scrollPage("r2", company("C", T))));
        stub(next("r2"), error(404, "not_found", "scroll parameter not found"));

        assertEquals(List.of("A", "B", "C"), readAll(scroll()));
        assertEquals(2, count(getRequestedFor(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", absent())),
                "read once more to tell the end from a lost scroll");
    }

    /**
     * A restarted scroll that read again as far as the first one got, then got a 404 too late for
     * the scroll to be alive (here after 400 ms, with an idle limit of 200 ms): an expiry, not the end.
     */
    @Test
    void a404ThatCameAfterTheIdleLimitIsAnExpiryNotTheEnd() {
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs(STARTED).willSetStateTo("second")
                .willReturn(ok(scrollPage("s1", company("A", T), company("B", T)))));
        stub(next("s1"), error(404, "not_found", "scroll parameter not found"));
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs("second").willSetStateTo("third")
                .willReturn(ok(scrollPage("r1", company("A", T), company("B", T)))));
        stub(next("r1"), error(404, "not_found", "scroll parameter not found").withFixedDelay(400));
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs("third")
                .willReturn(ok(scrollPage("q1", company("A", T), company("B", T)))));
        stub(next("q1"), ok(scrollPage("q2", company("C", T))));
        stub(next("q2"), ok(scrollPage("q3")));
        CompanyScroll scroll = new CompanyScroll(client, new CompaniesReader.ScrollSettings(50, 5, 2, 200), new CompanyScroll.Counters());

        assertEquals(List.of("A", "B", "C"), readAll(scroll), "C is read after the expired scroll");
    }

    /**
     * The scroll is lost (a 500) on its first page four times in a row after its first companies,
     * twice more than maxRestarts: the restarts back off and go on, the scroll is never given up.
     */
    @Test
    void scrollsLostInARowWithoutProgressBackOffAndNeverGiveUp() {
        int fruitless = SETTINGS.maxRestarts() + 2;
        for (int k = 0; k <= fruitless; k++) {
            wm.stubFor(start().inScenario("scroll").whenScenarioStateIs(k == 0 ? STARTED : "open-" + k)
                    .willSetStateTo("open-" + (k + 1)).willReturn(ok(scrollPage("p" + k, company("A", T)))));
            stub(next("p" + k), error(500, "server_error", "Please restart the scroll operation."));
        }
        wm.stubFor(start().inScenario("scroll").whenScenarioStateIs("open-" + (fruitless + 1))
                .willReturn(ok(scrollPage("f1", company("A", T)))));
        stub(next("f1"), ok(scrollPage("f2", company("B", T))));
        stub(next("f2"), ok(scrollPage("f3")));
        CompanyScroll.Counters counters = new CompanyScroll.Counters();

        assertEquals(List.of("A", "B"), readAll(new CompanyScroll(client, SETTINGS, counters)));
        assertEquals(fruitless + 1, counters.restarts.get());
    }

    // ---------------------------------------------------------------- fixtures

    static MappingBuilder start() {
        return get(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", absent());
    }

    static MappingBuilder next(String param) {
        return get(urlPathEqualTo(SCROLL)).withQueryParam("scroll_param", equalTo(param));
    }

    static void stub(MappingBuilder request, ResponseDefinitionBuilder response) {
        wm.stubFor(request.willReturn(response));
    }

    static ResponseDefinitionBuilder ok(JsonNode body) {
        return okJson(body.toString());
    }

    static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(errorBody(code, message));
    }
}
