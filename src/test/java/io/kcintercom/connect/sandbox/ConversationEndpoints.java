package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.Model.ContactRef;
import io.kcintercom.connect.sandbox.Model.Conversation;
import io.kcintercom.connect.sandbox.Model.TagLink;
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
