package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The body of POST /contacts/search and /conversations/search:
 * {@code {"query":…, "pagination":{"per_page":N, "starting_after":cursor}, "sort":{"field":…, "order":…}}}.
 */
record SearchRequest(JsonNode query, int perPage, SearchCursor after, String sortField, boolean ascending) {

    static final int MAX_PER_PAGE = 150;

    /**
     * Without a sort the fake orders by updated_at descending, the Preview spec's documented default order;
     * the stable specs do not document one.
     */
    static SearchRequest parse(byte[] body, int defaultPerPage) {
        JsonNode root;
        try {
            root = body.length == 0 ? null : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw ApiError.invalid("the request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalid("the request body must be a JSON object");
        }
        if (!root.has("query")) {
            throw new ApiError(400, "parameter_not_found", "query parameter is required");
        }
        JsonNode pagination = root.path("pagination");
        int perPage = pagination.has("per_page") ? perPage(pagination.get("per_page")) : defaultPerPage;
        JsonNode startingAfter = pagination.get("starting_after");
        SearchCursor after = startingAfter == null || startingAfter.isNull() ? null
                : SearchCursor.decode(startingAfter.asText());

        JsonNode sort = root.get("sort");
        String field = "updated_at";
        boolean ascending = false;
        if (sort != null && !sort.isNull()) {
            field = sort.path("field").asText("updated_at");
            String order = sort.path("order").asText("descending");
            if (!order.equals("ascending") && !order.equals("descending")) {
                throw new ApiError(400, "invalid_sort_order", "sort order must be ascending or descending, not " + order);
            }
            ascending = order.equals("ascending");
        }
        return new SearchRequest(root.get("query"), perPage, after, field, ascending);
    }

    private static int perPage(JsonNode v) {
        int n;
        if (v.isIntegralNumber()) {
            n = v.asInt();
        } else if (v.isTextual() && v.asText().matches("\\d{1,9}")) {
            n = Integer.parseInt(v.asText());
        } else {
            throw ApiError.invalid("per_page must be an integer");
        }
        if (n < 1 || n > MAX_PER_PAGE) {
            throw ApiError.invalid("per_page must be between 1 and " + MAX_PER_PAGE);
        }
        return n;
    }
}
