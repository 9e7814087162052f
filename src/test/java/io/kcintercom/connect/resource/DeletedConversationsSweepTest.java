package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.table.Tables;
import io.kcintercom.connect.testutil.LogCapture;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** {@link DeletedConversationsSweep}: pages newest first down to the watermark, removing what the store knows. */
class DeletedConversationsSweepTest extends ReaderTestSupport {
    static final String PATH = "/conversations/deleted";

    final SweepTestKeys keys = new SweepTestKeys();
    final AtomicLong retractions = new AtomicLong();

    RecordFactory records() {
        return new RecordFactory(PREFIX, List.of(Tables.CONVERSATIONS), BadObjects.skipping(), keys);
    }

    /** The listings of one reader under API 2.16. */
    LongFunction<DeletedConversationsSweep> listings() {
        return DeletedConversationsSweep.listings("2.16", client, records(), retractions);
    }

    /** A page of the listing: id, deleted_at pairs; the next page's URL when {@code more}. */
    static ObjectNode page(int page, boolean more, Object... idsAndTimes) {
        ObjectNode body = JSON.createObjectNode().put("type", "conversations.list");
        ArrayNode items = body.putArray("conversations");
        for (int i = 0; i < idsAndTimes.length; i += 2) {
            items.addObject().put("type", "conversation").put("id", (String) idsAndTimes[i])
                    .put("metrics_retained", false).put("deleted_at", (Long) idsAndTimes[i + 1]);
        }
        ObjectNode pages = body.putObject("pages").put("type", "pages").put("page", page).put("per_page", 60);
        if (more) {
            pages.put("next", "https://api.intercom.io/conversations/deleted?page=" + (page + 1));
        } else {
            pages.putNull("next");
        }
        return body;
    }

    static void stubPage(int page, ObjectNode body) {
        wm.stubFor(get(urlPathEqualTo(PATH)).withQueryParam("page", equalTo(String.valueOf(page)))
                .withQueryParam("order", equalTo("desc")).withQueryParam("per_page", equalTo("60"))
                .willReturn(okJson(body.toString())));
    }

    static List<String> removed(DeletedConversationsSweep sweep) {
        List<SourceRecord> out = SearchSweepTest.run(sweep);
        return SearchSweepTest.tombstoneIds(out, Tables.CONVERSATIONS);
    }

    @Test
    void theFirstListingReadsEveryPageAndRemovesOnlyWhatTheStoreKnows() {
        keys.put(Resource.CONVERSATIONS, "c1").put(Resource.CONVERSATIONS, "c3");
        stubPage(1, page(1, true, "c1", T - 10L, "never-emitted", T - 20L));
        stubPage(2, page(2, false, "c3", T - 30L));
        DeletedConversationsSweep sweep = listings().apply(0);

        assertEquals(List.of("c1", "c3"), removed(sweep));
        assertEquals(2, sweep.requests());
        assertEquals(T - 10, sweep.watermark(), "the newest deletion read");
        assertEquals(2, retractions.get());
    }

    @Test
    void aLaterListingStopsAtTheWatermark() {
        keys.put(Resource.CONVERSATIONS, "new").put(Resource.CONVERSATIONS, "old");
        stubPage(1, page(1, true, "new", T - 5L, "old", T - 10L));
        DeletedConversationsSweep sweep = listings().apply(T - 10);

        assertEquals(List.of("new"), removed(sweep), "deletions at or below the watermark were read before");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo(PATH))), "no second page once the watermark is reached");
        assertEquals(T - 5, sweep.watermark());
    }

    @Test
    void nothingNewKeepsTheWatermark() {
        stubPage(1, page(1, false));
        DeletedConversationsSweep sweep = listings().apply(T - 10);

        assertEquals(List.of(), removed(sweep));
        assertEquals(T - 10, sweep.watermark());
    }

    @Test
    void versionsBefore216HaveNoListing() {
        assertNull(DeletedConversationsSweep.listings("2.11", client, records(), retractions));
        assertNull(DeletedConversationsSweep.listings("2.15", client, records(), retractions));
        assertTrue(DeletedConversationsSweep.listings("2.17", client, records(), retractions) != null);
        assertTrue(DeletedConversationsSweep.listings("Preview", client, records(), retractions) != null);
    }

    /**
     * A version, plan or proxy without the listing: one WARN naming the status and the config key,
     * nothing thrown, and no later listing of the reader asks again.
     */
    @Test
    void aRefusedListingIsLoggedOnceAndNotReadAgain() {
        for (int status : List.of(400, 403, 404)) {
            wm.resetAll();
            wm.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(status)
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"type\":\"error.list\",\"errors\":[{\"code\":\"intercom_version_invalid\","
                            + "\"message\":\"Requested resource is not available in current API version.\"}]}")));
            keys.put(Resource.CONVERSATIONS, "c1");
            LongFunction<DeletedConversationsSweep> listings = listings();
            LogCapture logs = LogCapture.start();
            List<String> warnedFirst;
            try {
                DeletedConversationsSweep first = listings.apply(T - 10);
                assertEquals(List.of(), removed(first), "HTTP " + status + ": nothing removed, nothing thrown");
                assertEquals(T - 10, first.watermark(), "the watermark stays");
                warnedFirst = warnings(logs);
                for (int pass = 0; pass < 3; pass++) {
                    DeletedConversationsSweep later = listings.apply(T - 10);
                    assertTrue(later.done(), "a later pass's listing has nothing to do");
                    assertEquals(List.of(), removed(later));
                }
            } finally {
                logs.stop();
            }
            assertEquals(1, count(getRequestedFor(urlPathEqualTo(PATH))), "HTTP " + status + ": asked once");
            // (the capture sees an event once per logger config it passes, hence a set)
            assertEquals(1, Set.copyOf(warnedFirst).size(), "HTTP " + status + ": a WARN: " + warnedFirst);
            assertEquals(warnedFirst, warnings(logs), "HTTP " + status + ": no WARN from the later listings");
            String warning = warnedFirst.get(0);
            assertTrue(warning.contains("HTTP " + status) && warning.contains("intercom.api.version=2.16")
                    && warning.contains("intercom_version_invalid"), warning);
            assertTrue(!warning.contains("not available in current"), "no message text from the body");
        }
    }

    private static List<String> warnings(LogCapture logs) {
        return logs.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("/conversations/deleted")).toList();
    }

    /** The conversations reader on 2.16 behind something that refuses the listing: passes go on, asked once. */
    @Test
    void aConversationsReaderKeepsReadingWhenTheListingIsRefused() {
        wm.stubFor(post(urlPathEqualTo("/conversations/search"))
                .willReturn(okJson(searchPage("conversations", null).toString())));
        wm.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(400)));
        RecordFactory records = records();
        SearchReader reader = new SearchReader(Resource.CONVERSATIONS, client, "/conversations/search",
                "conversations", null, new ConversationGroups(client, records, followUps(2)),
                SearchPosition.initial(0), 60_000, 0, clock::get).sweeping(records, Reconciliation.every(0, 0), "2.16");

        for (int pass = 0; pass < 4; pass++) {
            drainPass(reader);
            advanceToNextPass(reader);
        }

        assertEquals(4, count(postRequestedFor(urlPathEqualTo("/conversations/search"))), "a pass each time");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo(PATH))), "the listing asked once");
    }

    /**
     * Page 2 refused after page 1 was read (a listing that shifted between pages): not a version
     * without the listing. The watermark stays, no WARN, and the next listing reads again from page 1,
     * retracting page 2's deletions once it answers.
     */
    @Test
    void aLaterPageRefusedLeavesTheWatermarkAndTheNextListingReadsAgain() {
        keys.put(Resource.CONVERSATIONS, "c1").put(Resource.CONVERSATIONS, "c3");
        stubPage(1, page(1, true, "c1", T - 10L, "c2", T - 20L));
        wm.stubFor(get(urlPathEqualTo(PATH)).withQueryParam("page", equalTo("2"))
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"type\":\"error.list\",\"errors\":[{\"code\":\"not_found\"}]}")));
        LongFunction<DeletedConversationsSweep> listings = listings();
        LogCapture logs = LogCapture.start();
        DeletedConversationsSweep first;
        List<String> firstRemoved;
        try {
            first = listings.apply(T - 100);
            firstRemoved = removed(first);
        } finally {
            logs.stop();
        }
        assertEquals(List.of("c1"), firstRemoved, "page 1's deletions are retracted, nothing thrown");
        assertEquals(T - 100, first.watermark(), "not moved past the deletions of page 2, never read");
        assertEquals(List.of(), warnings(logs), "no WARN: the listing is not switched off");
        List<String> lines = logs.lines().stream().filter(l -> l.contains("/conversations/deleted page 2")).toList();
        assertTrue(!lines.isEmpty() && lines.stream().allMatch(l -> l.startsWith("INFO") && l.contains("HTTP 404")
                && l.contains("(not_found)")), "one INFO naming the page and the status: " + lines);
        keys.removeParent(Resource.CONVERSATIONS, "c1");

        stubPage(2, page(2, false, "c3", T - 30L, "c4", T - 40L));
        DeletedConversationsSweep next = listings.apply(first.watermark());
        assertTrue(!next.done(), "the next pass's listing reads");
        assertEquals(List.of("c3"), removed(next), "page 2's deletions retracted once it answers");
        assertEquals(T - 10, next.watermark(), "the newest deletion, once the listing reached its end");
        assertEquals(2, count(getRequestedFor(urlPathEqualTo(PATH)).withQueryParam("page", equalTo("1"))),
                "page 1 read again");
        assertEquals(2, retractions.get());
    }

    /** A server error is thrown (waited out by the client, then the resource restarts): no watermark moves meanwhile. */
    @Test
    void aListingThatFailsMidwayKeepsItsWatermarkUntilItCompletes() {
        keys.put(Resource.CONVERSATIONS, "c3");
        stubPage(1, page(1, true, "c1", T - 10L));
        wm.stubFor(get(urlPathEqualTo(PATH)).withQueryParam("page", equalTo("2"))
                .willReturn(aResponse().withStatus(503)));
        DeletedConversationsSweep sweep = listings().apply(T - 100);

        sweep.step();
        assertEquals(T - 100, sweep.watermark(), "page 1 read, the listing not yet at its end");
        assertThrows(RuntimeException.class, sweep::step);
        assertTrue(!sweep.done());
        assertEquals(T - 100, sweep.watermark(), "a listing that failed midway does not move the watermark");

        stubPage(2, page(2, false, "c3", T - 30L));
        assertEquals(List.of("c3"), removed(sweep), "the same listing goes on from page 2");
        assertEquals(T - 10, sweep.watermark());
    }

    @Test
    void aRestartedTaskAsksAgain() {
        wm.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(404)));
        listings().apply(0).step();
        wm.resetAll();
        stubPage(1, page(1, false));
        DeletedConversationsSweep fresh = listings().apply(0);
        removed(fresh);
        assertEquals(1, count(getRequestedFor(urlPathEqualTo(PATH))), "a new factory (a restarted task) asks again");
    }

    @Test
    void aRefusedTokenStillFailsTheTask() {
        wm.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(401)));
        DeletedConversationsSweep sweep = listings().apply(0);
        IntercomApiException e = assertThrows(IntercomApiException.class, sweep::step);
        assertEquals(401, e.status());
    }
}
