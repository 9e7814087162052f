package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.Model.Contact;
import io.kcintercom.connect.sandbox.Model.TagLink;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/** POST /contacts/search, GET /contacts/{id} and its sub-resources, and GET /events (summaries). */
final class ContactEndpoints {

    private static final int DEFAULT_PER_PAGE = 50;
    private static final int COMPANIES_PER_PAGE = 15;
    private static final int NOTES_PER_PAGE = 50;

    private final SampleWorkspace ws;
    private final long searchIndexLagMs;
    private final SearchQuery<Contact> searchable;

    ContactEndpoints(SampleWorkspace ws, FakeIntercom.Options options) {
        this.ws = ws;
        this.searchIndexLagMs = options.searchIndexLagMs();
        this.searchable = new SearchQuery<Contact>(SearchQuery.DateMatching.WORKSPACE_DAY, options.workspaceTimeZone())
                .text("id", Contact::id)
                .text("role", Contact::role)
                .text("email", Contact::email)
                .text("external_id", Contact::externalId)
                .text("name", Contact::name)
                .timestamp("created_at", Contact::createdAt)
                .timestamp("updated_at", Contact::updatedAt)
                .optionalTimestamp("signed_up_at", Contact::signedUpAt)
                .optionalTimestamp("last_seen_at", Contact::lastSeenAt)
                .contains("tag_id", c -> c.tags().stream().map(TagLink::tagId).toList())
                .contains("segment_id", Contact::segmentIds);
    }

    void register(Routes routes) {
        routes.add("POST", "/contacts/search", this::search)
                .add("GET", "/contacts/{id}", r -> ws.onWire(ws.contactJson(contact(r))))
                .add("GET", "/contacts/{id}/tags", this::tags)
                .add("GET", "/contacts/{id}/segments", this::segments)
                .add("GET", "/contacts/{id}/companies", this::companies)
                .add("GET", "/contacts/{id}/notes", this::notes)
                .add("GET", "/events", this::eventSummary);
    }

    private JsonNode search(ApiRequest r) {
        SearchRequest request = SearchRequest.parse(r.body(), DEFAULT_PER_PAGE);
        // The request's version chooses how dates match: 2.17 made contact search exact-second, in UTC.
        SearchQuery.DateMatching dates = r.versionAtLeast(2, 17)
                ? SearchQuery.DateMatching.UTC_SECOND : SearchQuery.DateMatching.WORKSPACE_DAY;
        Predicate<Contact> filter = searchable.compile(request.query(), dates);
        ToLongFunction<Contact> sortKey = searchable.sortKey(request.sortField());
        if (sortKey == null) {
            throw ApiError.invalid("cannot sort contacts by " + request.sortField());
        }
        SearchIndex.View<Contact> view =
                ws.contactIndex().view(request.sortField(), sortKey, ws.clock().millis(), searchIndexLagMs);
        SearchEngine.Page<Contact> page =
                SearchEngine.page(view, searchable.cacheKey(request.query(), dates), filter, sortKey, Contact::id,
                        request);
        ArrayNode data = Json.array();
        page.items().forEach(c -> data.add(ws.onWire(ContactJson.contact(c, ws.appId(), false))));
        ObjectNode o = Json.typed("list");
        o.set("data", data);
        o.put("total_count", page.totalCount());
        o.set("pages", page.pagesNode(sortKey, Contact::id));
        return o;
    }

    private JsonNode tags(ApiRequest r) {
        return list(ws.tagsJson(contact(r)));
    }

    private JsonNode segments(ApiRequest r) {
        return list(ws.segmentsJson(contact(r)));
    }

    private JsonNode companies(ApiRequest r) {
        return PageNumberList.of(ws.companiesJson(contact(r)), r, COMPANIES_PER_PAGE).pagesThenTotal();
    }

    private JsonNode notes(ApiRequest r) {
        return PageNumberList.of(ws.notesJson(contact(r)), r, NOTES_PER_PAGE).totalThenPages();
    }

    /** The unpaginated {type:"list", data:[…]} of a contact's tags and segments. */
    private static JsonNode list(List<JsonNode> items) {
        ArrayNode data = Json.array();
        data.addAll(items);
        return Json.typed("list").set("data", data);
    }

    /** Only the summary form (type=user&summary=true) is implemented; listing single events is not. */
    private JsonNode eventSummary(ApiRequest r) {
        if (r.param("type") == null) {
            throw new ApiError(400, "parameter_not_found", "type parameter is required");
        }
        if (!"user".equals(r.param("type"))) {
            throw ApiError.invalid("type must be user");
        }
        if (!"true".equals(r.param("summary"))) {
            throw ApiError.invalid("this fake only serves event summaries: add summary=true");
        }
        Contact c;
        if (r.param("intercom_user_id") != null) {
            c = ws.contactRecord(r.param("intercom_user_id"));
        } else if (r.param("user_id") != null) {
            c = findLive(x -> r.param("user_id").equals(x.externalId()));
        } else if (r.param("email") != null) {
            c = findLive(x -> r.param("email").equals(x.email()));
        } else {
            throw new ApiError(400, "parameter_not_found", "one of user_id, intercom_user_id or email is required");
        }
        if (c == null) {
            throw ApiError.notFound("User Not Found");
        }
        return ContactJson.eventSummary(c);
    }

    private Contact findLive(Predicate<Contact> p) {
        return ws.liveContacts().filter(p).findFirst().orElse(null);
    }

    private Contact contact(ApiRequest r) {
        Contact c = ws.contactRecord(r.id());
        if (c == null) {
            String canonical = ws.canonicalOfMerged(r.id());
            if (canonical != null && r.versionAtLeast(2, 16)) {
                // From 2.16 a merged-away id is Gone, with a Link to the contact it was merged into.
                throw new ApiError(410, "contact_merged", "Contact has been merged",
                        Map.of("Link", "</contacts/" + canonical + ">; rel=\"canonical\""));
            }
            throw ApiError.notFound("User Not Found");
        }
        return c;
    }
}
