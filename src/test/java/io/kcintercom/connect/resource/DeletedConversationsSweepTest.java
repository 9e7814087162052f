package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
        DeletedConversationsSweep sweep = new DeletedConversationsSweep(client, records(), 0, retractions);

        assertEquals(List.of("c1", "c3"), removed(sweep));
        assertEquals(2, sweep.requests());
        assertEquals(T - 10, sweep.watermark(), "the newest deletion read");
        assertEquals(2, retractions.get());
    }

    @Test
    void aLaterListingStopsAtTheWatermark() {
        keys.put(Resource.CONVERSATIONS, "new").put(Resource.CONVERSATIONS, "old");
        stubPage(1, page(1, true, "new", T - 5L, "old", T - 10L));
        DeletedConversationsSweep sweep = new DeletedConversationsSweep(client, records(), T - 10, retractions);

        assertEquals(List.of("new"), removed(sweep), "deletions at or below the watermark were read before");
        assertEquals(1, count(getRequestedFor(urlPathEqualTo(PATH))), "no second page once the watermark is reached");
        assertEquals(T - 5, sweep.watermark());
    }

    @Test
    void nothingNewKeepsTheWatermark() {
        stubPage(1, page(1, false));
        DeletedConversationsSweep sweep = new DeletedConversationsSweep(client, records(), T - 10, retractions);

        assertEquals(List.of(), removed(sweep));
        assertEquals(T - 10, sweep.watermark());
    }

    @Test
    void theListingExistsFromApi216() {
        assertFalse(DeletedConversationsSweep.available("2.11"));
        assertFalse(DeletedConversationsSweep.available("2.15"));
        assertTrue(DeletedConversationsSweep.available("2.16"));
        assertTrue(DeletedConversationsSweep.available("2.17"));
        assertTrue(DeletedConversationsSweep.available("Unstable"));
        assertFalse(DeletedConversationsSweep.available("1.4"));
    }
}
