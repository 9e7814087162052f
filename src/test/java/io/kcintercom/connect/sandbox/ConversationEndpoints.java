package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.Model.ContactRef;
import io.kcintercom.connect.sandbox.Model.Conversation;
import io.kcintercom.connect.sandbox.Model.TagLink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/** POST /conversations/search and GET /conversations/{id} (the only source of conversation parts). */
final class ConversationEndpoints {

    private static final int DEFAULT_PER_PAGE = 20;

    private final SampleWorkspace ws;
    private final long searchIndexLagMs;
    private final int maxPartsReturned;
    private final SearchQuery<Conversation> searchable;

    ConversationEndpoints(SampleWorkspace ws, FakeIntercom.Options options) {
        this.ws = ws;
        this.searchIndexLagMs = options.searchIndexLagMs();
        this.maxPartsReturned = options.maxPartsReturned();
        this.searchable = new SearchQuery<Conversation>(SearchQuery.DateMatching.EXACT_SECOND, options.workspaceTimeZone())
                .text("id", Conversation::id)
                .timestamp("created_at", Conversation::createdAt)
                .timestamp("updated_at", Conversation::updatedAt)
                .text("state", Conversation::state)
                .bool("open", Conversation::open)
                .bool("read", Conversation::read)
                .text("priority", Conversation::priority)
                .text("source.type", Conversation::sourceType)
                .text("source.delivered_as", Conversation::deliveredAs)
                .number("admin_assignee_id", Conversation::adminAssigneeId)
                .number("team_assignee_id", Conversation::teamAssigneeId)
                .contains("contact_ids", c -> c.contacts().stream().map(ContactRef::id).toList())
                .contains("tag_ids", c -> c.tags().stream().map(TagLink::tagId).toList());
    }

    void register(Routes routes) {
        routes.add("POST", "/conversations/search", this::search)
                .add("GET", "/conversations/deleted", this::deleted) // before {id}, which would match it too
                .add("GET", "/conversations/{id}", this::conversation);
    }

    private JsonNode search(ApiRequest r) {
        SearchRequest request = SearchRequest.parse(r.body(), DEFAULT_PER_PAGE);
        Predicate<Conversation> filter = searchable.compile(request.query());
        ToLongFunction<Conversation> sortKey = searchable.sortKey(request.sortField());
        if (sortKey == null) {
            throw ApiError.invalid("cannot sort conversations by " + request.sortField());
        }
        SearchIndex.View<Conversation> view =
                ws.conversationIndex().view(request.sortField(), sortKey, ws.clock().millis(), searchIndexLagMs);
        SearchEngine.Page<Conversation> page =
                SearchEngine.page(view, searchable.cacheKey(request.query()), filter, sortKey, Conversation::id, request);
        ArrayNode items = Json.array();
        page.items().forEach(c -> items.add(ws.onWire(ConversationJson.conversation(c, ws::tagRecord, null, false))));
        ObjectNode o = Json.typed("conversation.list");
        o.set("pages", page.pagesNode(sortKey, Conversation::id));
        o.put("total_count", page.totalCount());
        o.set("conversations", items);
        return o;
    }

    /**
     * GET /conversations/deleted (API 2.16+; older versions answer 400 intercom_version_invalid):
     * page-number pages of at most 60 deleted ids with their deleted_at, newest deletion first unless
     * order=asc; pages.next is a URL, null on the last page. The list is kept for ever here: how long
     * Intercom keeps it is unknown.
     */
    private JsonNode deleted(ApiRequest r) {
        if (!r.versionAtLeast(2, 16)) {
            throw new ApiError(400, "intercom_version_invalid",
                    "Requested resource is not available in current API version.");
        }
        int perPage = r.intParam("per_page", 20, 60);
        int page = r.intParam("page", 1, Integer.MAX_VALUE - 1);
        String order = r.param("order") == null ? "desc" : r.param("order");
        if (!order.equals("asc") && !order.equals("desc")) {
            throw ApiError.invalid("order must be asc or desc");
        }
        List<SampleWorkspace.DeletedConversation> all = new ArrayList<>(ws.deletedConversations());
        if (order.equals("desc")) {
            Collections.reverse(all);
        }
        int totalPages = (all.size() + perPage - 1) / perPage;
        ArrayNode items = Json.array();
        all.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(d -> items.add(
                Json.typed("conversation").put("id", d.id()).put("metrics_retained", false)
                        .put("deleted_at", d.deletedAt())));
        ObjectNode pages = Json.typed("pages");
        if (page < totalPages) {
            pages.put("next", r.baseUrl() + r.path() + "?per_page=" + perPage + "&order=" + order + "&page="
                    + (page + 1));
        } else {
            pages.putNull("next");
        }
        pages.put("page", page).put("per_page", perPage).put("total_pages", totalPages);
        ObjectNode o = Json.typed("conversations.list");
        o.put("total_count", all.size());
        o.set("pages", pages);
        o.set("conversations", items);
        return o;
    }

    /** At most maxPartsReturned parts: the most recent ones, oldest first; total_count is the real total. */
    private JsonNode conversation(ApiRequest r) {
        Conversation c = ws.conversationRecord(r.id());
        if (c == null) {
            throw ApiError.notFound("Resource Not Found");
        }
        boolean plainText = "plaintext".equals(r.param("display_as"));
        return ws.onWire(ConversationJson.conversation(c, ws::tagRecord, maxPartsReturned, plainText));
    }
}
