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
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CompaniesPass}: the scroll on its own thread, and how its end is read from the reader's thread. */
class CompaniesPassTest extends ReaderTestSupport {

    CompaniesPass pass() {
        CompanyScroll scroll = new CompanyScroll(client, CompanyScrollTest.SETTINGS);
        return new CompaniesPass(scroll, new CompanyChanges(-1, NOW_MS, Map.of()), 2_000);
    }

    @Test
    void aScrollThatReadEveryCompanyCompletesOnceItsCompaniesAreTaken() {
        stub(start(), ok(scrollPage("s1", company("A", T), company("B", T))));
        stub(next("s1"), ok(scrollPage("s2")));
        CompaniesPass pass = pass();

        List<String> ids = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 5_000;
        while (!pass.completed()) {
            pass.take(100, Integer.MAX_VALUE).forEach(c -> ids.add(c.get("id").asText()));
            if (System.currentTimeMillis() > deadline) {
                fail("not complete after 5 s: " + ids);
            }
        }
        assertEquals(List.of("A", "B"), ids);
    }

    /** However the reader's calls fall between the scroller's writes, a failed scroll is never complete. */
    @Test
    void aScrollThatFailedNeverReadsAsCompleteEvenWithEverythingTaken() {
        stub(start(), ok(scrollPage("s1", company("A", T), company("B", T))));
        stub(next("s1"), error(403, "forbidden", "denied"));
        CompaniesPass pass = pass();

        List<JsonNode> taken = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 5_000;
        while (true) {
            taken.addAll(pass.take(100, Integer.MAX_VALUE));
            try {
                if (pass.completed()) {
                    fail("a pass whose scroll failed read as complete, with " + taken.size() + " companies");
                }
            } catch (IntercomApiException e) {
                break;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("the failure never showed");
            }
        }
        assertEquals(2, taken.size());
        for (int i = 0; i < 3; i++) {
            assertThrows(IntercomApiException.class, pass::completed, "the failure stays");
        }
    }
}
