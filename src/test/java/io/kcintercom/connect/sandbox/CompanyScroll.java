package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.Model.Company;
import java.util.List;
import java.util.UUID;

/**
 * GET /companies/scroll with the real API's constraints: one open scroll per workspace (a second one is a 400
 * scroll_exists), a scroll_param unused for the expiry time is gone (404), the end is a page with empty data,
 * after which the scroll is closed. A scroll reads a snapshot taken when it opens, in id order.
 * Faults on demand: another client holding the workspace's scroll for a while, and pages that come
 * without their data array (the scroll moves past them all the same).
 */
final class CompanyScroll {

    private final SampleWorkspace ws;
    private final long expiryMs;
    private final int pageSize;
    private OpenScroll open;
    /** Until then (workspace clock), another client holds the workspace's scroll and keeps it alive. */
    private long heldElsewhereUntilMillis;
    private int pagesWithoutData;

    private static final class OpenScroll {
        final String param = UUID.randomUUID().toString();
        final List<Company> snapshot;
        int position;
        long lastUsedMillis;

        OpenScroll(List<Company> snapshot) {
            this.snapshot = snapshot;
        }
    }

    CompanyScroll(SampleWorkspace ws, FakeIntercom.Options options) {
        this.ws = ws;
        this.expiryMs = options.scrollExpiryMs();
        this.pageSize = options.scrollPageSize();
    }

    void register(Routes routes) {
        routes.add("GET", "/companies/scroll", r -> page(r.param("scroll_param")));
    }

    synchronized void holdElsewhere(long millis) {
        heldElsewhereUntilMillis = ws.clock().millis() + millis;
    }

    synchronized void pagesWithoutData(int pages) {
        pagesWithoutData += pages;
    }

    synchronized JsonNode page(String scrollParam) {
        long now = ws.clock().millis();
        boolean heldElsewhere = now < heldElsewhereUntilMillis;
        if (open != null && now - open.lastUsedMillis > expiryMs) {
            open = null;
        }
        if (scrollParam == null || scrollParam.isBlank()) {
            if (open != null || heldElsewhere) {
                throw new ApiError(400, "scroll_exists", "scroll already exists for this workspace");
            }
            open = new OpenScroll(ws.companyRecords());
        } else if (open == null || !open.param.equals(scrollParam)) {
            throw ApiError.notFound("scroll parameter not found");
        }
        OpenScroll scroll = open;
        scroll.lastUsedMillis = now;
        int from = Math.min(scroll.position, scroll.snapshot.size());
        int to = Math.min(from + pageSize, scroll.snapshot.size());
        scroll.position = to;
        if (from == to) {
            open = null;
        }
        ArrayNode data = Json.array();
        scroll.snapshot.subList(from, to).forEach(c -> data.add(ws.companyJson(c)));
        ObjectNode o = Json.typed("list");
        if (from < to && pagesWithoutData > 0) {
            pagesWithoutData--;
        } else {
            o.set("data", data);
        }
        o.putNull("pages");
        o.putNull("total_count");
        o.put("scroll_param", scroll.param);
        return o;
    }
}
