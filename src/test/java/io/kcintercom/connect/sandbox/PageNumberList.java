package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeMap;

/**
 * The legacy page-number pagination (?page=&per_page=) of sub-resources such as a contact's companies and
 * notes: pages.next is an absolute URL string, or null on the last page.
 */
final class PageNumberList {

    private final ArrayNode data = Json.array();
    private final ObjectNode pages;
    private final int totalCount;

    private PageNumberList(ArrayNode data, ObjectNode pages, int totalCount) {
        this.data.addAll(data);
        this.pages = pages;
        this.totalCount = totalCount;
    }

    static PageNumberList of(List<? extends JsonNode> all, ApiRequest request, int defaultPerPage) {
        int perPage = request.intParam("per_page", defaultPerPage, SearchRequest.MAX_PER_PAGE);
        int page = request.intParam("page", 1, Integer.MAX_VALUE - 1);
        int totalPages = (all.size() + perPage - 1) / perPage;
        long from = (long) (page - 1) * perPage;
        ArrayNode data = Json.array();
        all.stream().skip(from).limit(perPage).forEach(data::add);
        ObjectNode pages = Json.typed("pages");
        if (page < totalPages) {
            pages.put("next", request.baseUrl() + request.path() + "?" + filters(request) + "page=" + (page + 1)
                    + "&per_page=" + perPage);
        } else {
            pages.putNull("next");
        }
        pages.put("page", page);
        pages.put("per_page", perPage);
        pages.put("total_pages", totalPages);
        return new PageNumberList(data, pages, all.size());
    }

    /** The request's other query parameters (filters such as tag_id), which the next page keeps. */
    private static String filters(ApiRequest request) {
        StringBuilder kept = new StringBuilder();
        new TreeMap<>(request.query()).forEach((name, value) -> {
            if (!name.equals("page") && !name.equals("per_page")) {
                kept.append(encode(name)).append('=').append(encode(value)).append('&');
            }
        });
        return kept.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The contact-companies example puts total_count after pages. */
    ObjectNode pagesThenTotal() {
        ObjectNode o = Json.typed("list");
        o.set("data", data);
        o.set("pages", pages);
        o.put("total_count", totalCount);
        return o;
    }

    /** The contact-notes example puts total_count before pages. */
    ObjectNode totalThenPages() {
        ObjectNode o = Json.typed("list");
        o.set("data", data);
        o.put("total_count", totalCount);
        o.set("pages", pages);
        return o;
    }
}
