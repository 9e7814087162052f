package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.logging.LogContext;
import io.kcintercom.connect.metrics.PassProgress;
import io.kcintercom.connect.metrics.ResourceHealth;
import io.kcintercom.connect.metrics.TaskMetrics;
import io.kcintercom.connect.table.Tables;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * A search pass reports its progress: the total_count of its first page as the objects it expects,
 * the objects of its pages as they are read, the answers it cost, on the resource's MBean. A
 * companies pass, whose scroll answers carry no total, counts the companies scrolled.
 */
class SearchProgressTest extends ReaderTestSupport {
    private static final String PATH = ConversationsSearchReaderTest.PATH;

    private TaskMetrics metrics;

    @AfterEach
    void closeMetrics() {
        if (metrics != null) {
            metrics.close();
        }
        MDC.clear();
    }

    private SearchReader reader(SearchPosition start) {
        ConversationGroups groups = new ConversationGroups(client, records(Tables.CONVERSATIONS), followUps(2));
        return new SearchReader(Resource.CONVERSATIONS, client, PATH, "conversations", null, groups, start,
                ConversationsSearchReaderTest.POLL_MS, ConversationsSearchReaderTest.DELAY_MS, clock::get);
    }

    private static ObjectNode page(String next, long totalCount, ObjectNode... conversations) {
        return searchPage("conversations", next, conversations).put("total_count", totalCount);
    }

    private static ObjectNode conversation(int id) {
        return ConversationsSearchReaderTest.conversation(String.valueOf(id), T - 5000 + id);
    }

    @Test
    void aPassExpectsItsTotalCountAndCountsItsObjectsUpToIt() throws Exception {
        stubSearchPage(PATH, null, page("c2", 5, conversation(1), conversation(2)));
        stubSearchPage(PATH, "c2", page("c3", 5, conversation(3), conversation(4)));
        stubSearchPage(PATH, "c3", page(null, 5, conversation(5)));
        SearchReader reader = reader(SearchPosition.initial(0));
        ResourceHealth health = new ResourceHealth(Resource.CONVERSATIONS.id(), clock::get);
        metrics = new TaskMetrics("search-progress-test", "0", PREFIX);
        client.observe(metrics);
        metrics.register(Resource.CONVERSATIONS, () -> reader, health);
        reader.reportProgressTo(health.progress());
        // The resource's thread carries its log context, by which answers are attributed to it.
        LogContext.enterResource(Map.of(), Resource.CONVERSATIONS.id());
        PassProgress progress = health.progress();
        assertEquals(-1L, attribute("pass-expected-objects"));
        assertEquals(0L, attribute("pass-done-objects"));

        List<Long> done = new ArrayList<>();
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 100 && (out.size() < 5 || reader.nextDueMs() == 0); i++) {
            out.addAll(reader.poll(10_000));
            if (progress.running()) {
                assertEquals(5, progress.expectedObjects(), "the first page's total_count");
            }
            done.add(progress.doneObjects());
        }

        assertEquals(5, out.size());
        assertFalse(progress.running(), "the pass ended");
        for (int i = 1; i < done.size(); i++) {
            assertTrue(done.get(i) >= done.get(i - 1), "done never goes down: " + done);
        }
        assertTrue(done.contains(2L) && done.contains(4L), "done grows page by page: " + done);
        assertEquals(5L, attribute("pass-expected-objects"));
        assertEquals(5L, attribute("pass-done-objects"));
        assertEquals(3L, attribute("pass-requests"), "one answer per page");
        assertEquals(3L, attribute("requests-per-minute"));
        assertEquals(-1L, attribute("pass-eta-seconds"), "no ETA once the pass ended");
    }

    @Test
    void aPassWhoseAnswersCarryNoTotalExpectsNothingKnown() {
        ObjectNode first = page(null, 0, conversation(1), conversation(2));
        first.remove("total_count");
        stubSearchPage(PATH, null, first);
        SearchReader reader = reader(SearchPosition.initial(0));
        PassProgress progress = new PassProgress(clock::get);
        reader.reportProgressTo(progress);

        assertEquals(2, drainPass(reader).size());

        assertEquals(-1, progress.expectedObjects());
        assertEquals(2, progress.doneObjects());
    }

    @Test
    void aPassResumedAtItsCursorByANewTaskDoesNotClaimATotal() {
        stubSearchPage(PATH, "c2", page(null, 5, conversation(3), conversation(4)));
        SearchReader reader = reader(new SearchPosition(T - 5000 + 2, "2", 0, "c2"));
        PassProgress progress = new PassProgress(clock::get);
        reader.reportProgressTo(progress);

        assertEquals(2, drainPass(reader).size());

        assertEquals(-1, progress.expectedObjects(), "the objects before the cursor were counted elsewhere");
        assertEquals(2, progress.doneObjects());
    }

    @Test
    void aCompaniesPassCountsTheCompaniesScrolledWithNoTotal() {
        String scroll = CompaniesReaderTest.SCROLL;
        wm.stubFor(get(urlPathEqualTo(scroll)).withQueryParam("scroll_param", absent()).willReturn(okJson(
                CompaniesReaderTest.scrollPage("s1", CompaniesReaderTest.company("A", T - 9000),
                        CompaniesReaderTest.company("B", T - 8000)).toString())));
        wm.stubFor(get(urlPathEqualTo(scroll)).withQueryParam("scroll_param", equalTo("s1")).willReturn(okJson(
                CompaniesReaderTest.scrollPage("s2", CompaniesReaderTest.company("C", T - 7000)).toString())));
        wm.stubFor(get(urlPathEqualTo(scroll)).withQueryParam("scroll_param", equalTo("s2")).willReturn(okJson(
                CompaniesReaderTest.scrollPage("s3").toString())));
        CompaniesReader reader = closeLater(new CompaniesReader(client, records(Tables.COMPANIES), null, 0,
                CompaniesReaderTest.POLL_MS, CompaniesReaderTest.SETTINGS, clock::get));
        PassProgress progress = new PassProgress(clock::get);
        reader.reportProgressTo(progress);

        assertEquals(3, drainPass(reader).size());

        assertFalse(progress.running());
        assertEquals(-1, progress.expectedObjects(), "a scroll's answers carry no total_count");
        assertEquals(3, progress.doneObjects());
    }

    private Object attribute(String name) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName(TaskMetrics.JMX_PREFIX
                + ":type=" + TaskMetrics.GROUP + ",connector=search-progress-test,task=0,resource=conversations"),
                name);
    }
}
