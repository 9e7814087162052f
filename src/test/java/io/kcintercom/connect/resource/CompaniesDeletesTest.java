package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.kcintercom.connect.resource.CompaniesReaderTest.company;
import static io.kcintercom.connect.resource.CompaniesReaderTest.scrollPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Deleted companies (issue 16): at the end of a pass whose scroll read to its end, each company
 * the store holds that the scroll did not return is asked for; a 404 retracts it (its row's
 * tombstone and its state entry dropped, in the pass's last batch), an answer keeps it. Without a
 * store, or after a scroll that did not end, nothing is asked and nothing retracted.
 */
class CompaniesDeletesTest extends ReaderTestSupport {
    private static final String STATE = "state";

    private final KeyStore store = new KeyStore(STATE, List.of(Resource.COMPANIES));

    private CompaniesReader reader(EmittedKeys keys) {
        RecordFactory records = new RecordFactory(PREFIX, List.of(Tables.COMPANIES), BadObjects.skipping(), keys);
        return closeLater(new CompaniesReader(client, records, null, 0, CompaniesReaderTest.POLL_MS,
                CompaniesReaderTest.SETTINGS, clock::get));
    }

    /** A whole scroll in one page, then its end. */
    private static void stubScroll(ObjectNode... companies) {
        wm.stubFor(get(urlPathEqualTo(CompaniesReaderTest.SCROLL)).withQueryParam("scroll_param", absent())
                .willReturn(okJson(scrollPage("s1", companies).toString())));
        wm.stubFor(get(urlPathEqualTo(CompaniesReaderTest.SCROLL)).withQueryParam("scroll_param", equalTo("s1"))
                .willReturn(okJson(scrollPage("s2").toString())));
    }

    private static void stubCompany(String id, ResponseDefinitionBuilder response) {
        wm.stubFor(get(urlPathEqualTo("/companies/" + id)).willReturn(response));
    }

    private static ResponseDefinitionBuilder notFound() {
        return aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                .withBody(errorBody("company_not_found", "Company Not Found"));
    }

    /** Before the stubs of the next pass: a fresh request journal, the clock at the pass's time. */
    private void nextPass(CompaniesReader reader) {
        wm.resetAll();
        advanceToNextPass(reader);
    }

    private Set<String> stored() {
        Set<String> ids = new TreeSet<>();
        store.forEachParent(Resource.COMPANIES, ids::add);
        return ids;
    }

    private static List<SourceRecord> states(List<SourceRecord> records) {
        return records.stream().filter(r -> r.topic().equals(STATE)).toList();
    }

    /** Requests for one company: GET /companies/{id}, not the scroll. */
    private static int companyLookups() {
        return count(getRequestedFor(urlPathMatching("/companies/(?!scroll$)[^/]+")));
    }

    @Test
    void aStoredCompanyThatTheScrollNoLongerReturnsAndThatAnswers404IsRetractedInThePassesLastBatch() {
        CompaniesReader reader = reader(store);
        stubScroll(company("A", T - 9000), company("B", T - 8000), company("C", T - 7000));
        List<SourceRecord> first = drainPass(reader);
        assertEquals(List.of("A", "B", "C"), ids(first, Tables.COMPANIES));
        assertEquals(3, states(first).size(), "one state record per company");
        assertEquals(Set.of("A", "B", "C"), stored());

        nextPass(reader);
        stubScroll(company("A", T - 9000), company("C", T + 100));
        stubCompany("B", notFound());
        List<SourceRecord> second = drainPass(reader);

        assertEquals(List.of("C", "B"), ids(second, Tables.COMPANIES), "C changed; B's tombstone");
        SourceRecord tombstone = onTopic(second, Tables.COMPANIES).get(1);
        assertNull(tombstone.value());
        List<SourceRecord> states = states(second);
        assertEquals(2, states.size(), "C's state at its new updated_at, and B's entry dropped");
        assertEquals("#intercom-state-key#companies/C#", ((Struct) states.get(0).key()).get("id"));
        assertEquals("#intercom-state#companies/C;@=" + (T + 100) + "#", ((Struct) states.get(0).value()).get("state"),
                "C's state: its updated_at");
        assertEquals("#intercom-state-key#companies/B#", ((Struct) states.get(1).key()).get("id"));
        assertNull(states.get(1).value(), "B's state entry is a tombstone");
        assertEquals(Set.of("A", "C"), stored());
        assertEquals(1, companyLookups(), "only B was asked for");
        assertEquals(Map.of("updated_at", T + 100 - CompaniesReader.WATERMARK_MARGIN_SECONDS), lastOffset(second),
                "the pass's last record, B's state tombstone, carries the new watermark");
        for (SourceRecord record : second.subList(0, second.size() - 1)) {
            assertEquals(Map.of("updated_at", T - 7000 - CompaniesReader.WATERMARK_MARGIN_SECONDS),
                    record.sourceOffset());
        }
    }

    @Test
    void aStoredCompanyMissingFromTheScrollThatStillAnswersIsKept() {
        CompaniesReader reader = reader(store);
        stubScroll(company("A", T - 9000), company("B", T - 8000), company("C", T - 7000));
        drainPass(reader);

        nextPass(reader);
        stubScroll(company("A", T - 9000));
        stubCompany("B", notFound());
        stubCompany("C", okJson(company("C", T - 7000).toString()));
        List<SourceRecord> second = drainPass(reader);

        List<SourceRecord> rows = onTopic(second, Tables.COMPANIES);
        assertEquals(List.of("B"), ids(second, Tables.COMPANIES), "B only: " + second);
        assertNull(rows.get(0).value());
        assertEquals(Set.of("A", "C"), stored(), "C still answers: kept");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/companies/C"))));

        // The next pass asks for C again (it may still be missing from the scroll), never for B.
        nextPass(reader);
        stubScroll(company("A", T - 9000));
        stubCompany("C", okJson(company("C", T - 7000).toString()));
        assertEquals(List.of(), drainPass(reader));
        assertEquals(0, count(getRequestedFor(urlPathEqualTo("/companies/B"))));
        assertEquals(1, count(getRequestedFor(urlPathEqualTo("/companies/C"))));
    }

    @Test
    void aCompanyThatKeepsFailingIsLeftForTheNextPassNotRetractedNorFailingThePass() {
        CompaniesReader reader = reader(store);
        stubScroll(company("A", T - 9000), company("B", T - 8000));
        drainPass(reader);

        nextPass(reader);
        stubScroll(company("A", T - 9000));
        stubCompany("B", aResponse().withStatus(503));
        List<SourceRecord> second = drainPass(reader);

        assertEquals(List.of(), ids(second, Tables.COMPANIES));
        assertEquals(Set.of("A", "B"), stored());
        assertTrue(reader.nextDueMs() > 0, "the pass ended");
    }

    @Test
    void withoutAStoreNoCompanyIsAskedForNorRetracted() {
        CompaniesReader reader = reader(EmittedKeys.NONE);
        stubScroll(company("A", T - 9000), company("B", T - 8000));
        drainPass(reader);

        nextPass(reader);
        stubScroll(company("A", T - 9000));
        List<SourceRecord> second = drainPass(reader);

        assertEquals(List.of(), second);
        assertEquals(0, companyLookups());
    }

}
