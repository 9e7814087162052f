package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Timestamps;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.DataException;

/**
 * Intercom's search protocol for one resource, without state: the request body of a page of a
 * pass, and what an answer holds (its objects with their ordering keys, the next page's cursor).
 * The counterpart of kafka-connect-jdbc's {@code TimestampIncrementingCriteria}.
 *
 * <p>A pass from W asks for {@code updated_at > W OR updated_at = W}, which on contact search
 * before API 2.17 means "from the start of W's day" and on exact-second search (conversations;
 * contacts from 2.17) "from W", ANDed with the base
 * filter, sorted by {@code updated_at} ascending ({@link NewestFirstPass}: descending),
 * {@value #PAGE_SIZE} a page.
 */
final class SearchQuery {
    static final int PAGE_SIZE = 150;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String resourceId;
    private final String itemsKey;
    private final JsonNode baseFilter;

    /** One object of an answer, with the (updated_at, id) it is ordered by. */
    record Hit(String id, long updatedAt, JsonNode object) {
    }

    /** An object of an answer without a usable ordering key: it has no place in the pass and is skipped. */
    record Unusable(JsonNode object, String column, String reason) {
    }

    /**
     * One answer: its objects in the order received, those without a usable id or updated_at apart,
     * and the cursor of the next page, null when this page is the last.
     */
    record Page(List<Hit> hits, List<Unusable> unusable, String nextCursor) {
        Page(List<Hit> hits, String nextCursor) {
            this(hits, List.of(), nextCursor);
        }

        /** Whether the objects come newest first (updated_at never grows from one to the next). */
        boolean newestFirst() {
            for (int i = 1; i < hits.size(); i++) {
                if (hits.get(i).updatedAt() > hits.get(i - 1).updatedAt()) {
                    return false;
                }
            }
            return true;
        }

        /** The newest updated_at on the page; {@link Long#MIN_VALUE} when it is empty. */
        long maxUpdatedAt() {
            long max = Long.MIN_VALUE;
            for (Hit hit : hits) {
                max = Math.max(max, hit.updatedAt());
            }
            return max;
        }
    }

    /**
     * @param itemsKey   the answer's array of objects ("data", "conversations")
     * @param baseFilter a query clause ANDed with the updated_at condition (e.g. the role), or null
     */
    SearchQuery(String resourceId, String itemsKey, JsonNode baseFilter) {
        this.resourceId = resourceId;
        this.itemsKey = itemsKey;
        this.baseFilter = baseFilter;
    }

    /** The body asking for the page at {@code cursor} (null: the first) of a pass from {@code passFrom}. */
    JsonNode body(long passFrom, String cursor) {
        return body(passFrom, false, cursor);
    }

    /**
     * The same, newest first when {@code newestFirst}: sorted by {@code updated_at} "descending",
     * the only spelling 2.16 accepts besides "ascending" ("desc" is a 400 there).
     */
    JsonNode body(long passFrom, boolean newestFirst, String cursor) {
        List<JsonNode> clauses = new ArrayList<>();
        if (baseFilter != null) {
            clauses.add(baseFilter);
        }
        if (passFrom > 0) {
            ArrayNode either = NODES.arrayNode()
                    .add(condition("updated_at", ">", passFrom))
                    .add(condition("updated_at", "=", passFrom));
            clauses.add(NODES.objectNode().put("operator", "OR").set("value", either));
        }
        JsonNode query;
        if (clauses.isEmpty()) {
            // Intercom requires a query: match every object.
            query = condition("updated_at", ">", 0);
        } else if (clauses.size() == 1) {
            query = clauses.get(0);
        } else {
            ArrayNode all = NODES.arrayNode();
            clauses.forEach(all::add);
            query = NODES.objectNode().put("operator", "AND").set("value", all);
        }
        ObjectNode body = NODES.objectNode();
        body.set("query", query);
        ObjectNode pagination = body.putObject("pagination").put("per_page", PAGE_SIZE);
        if (cursor != null) {
            pagination.put("starting_after", cursor);
        }
        body.putObject("sort").put("field", "updated_at").put("order", newestFirst ? "descending" : "ascending");
        return body;
    }

    /**
     * Reads the answer to the page at {@code pageCursor}. A page is the last when it names no next
     * cursor, names its own again, or holds no object at all. An object without a usable id or
     * updated_at is set apart as unusable: one bad object must not stop the resource.
     *
     * @param context where the pass stands, for the message of a malformed answer
     * @throws DataException when the answer has no array of objects
     */
    Page read(JsonNode answer, String pageCursor, String context) {
        JsonNode items = answer.get(itemsKey);
        if (items == null || !items.isArray()) {
            throw new DataException(resourceId + ": search response has no '" + itemsKey + "' array at " + context);
        }
        List<Hit> hits = new ArrayList<>(items.size());
        List<Unusable> unusable = new ArrayList<>();
        for (JsonNode item : items) {
            String id = item.isObject() ? JsonPaths.text(item, "id") : null;
            long updatedAt = item.isObject() ? Timestamps.epochSeconds(item.get("updated_at")) : Timestamps.NONE;
            if (id == null || id.isBlank()) {
                unusable.add(new Unusable(item, "id", "is missing: the search result has no usable id"));
            } else if (updatedAt < 0) {
                unusable.add(new Unusable(item, "updated_at", "is missing or not a timestamp: the search result "
                        + "cannot be ordered"));
            } else {
                hits.add(new Hit(id, updatedAt, item));
            }
        }
        String next = nextCursor(answer);
        boolean last = next == null || next.equals(pageCursor) || items.isEmpty();
        return new Page(hits, unusable, last ? null : next);
    }

    /**
     * The number of objects the query matches, from the answer's {@code total_count}; -1 when the
     * answer has none. Only for progress: the pass never relies on it.
     */
    static long totalCount(JsonNode answer) {
        JsonNode total = answer.get("total_count");
        return total != null && total.canConvertToLong() && total.asLong() >= 0 ? total.asLong() : -1;
    }

    /** The cursor of the next page, from {@code pages.next.starting_after}; null on the last page. */
    static String nextCursor(JsonNode answer) {
        JsonNode next = JsonPaths.at(answer, "pages.next");
        if (next == null || !next.isObject()) {
            return null;
        }
        JsonNode after = next.get("starting_after");
        return after == null || after.isNull() || after.asText().isEmpty() ? null : after.asText();
    }

    /** The role filter of a contacts resource: {@code role = user} or {@code role = lead}. */
    static ObjectNode roleOf(Resource resource) {
        return condition("role", "=", resource == Resource.USERS ? "user" : "lead");
    }

    static ObjectNode condition(String field, String operator, long value) {
        return NODES.objectNode().put("field", field).put("operator", operator).put("value", value);
    }

    static ObjectNode condition(String field, String operator, String value) {
        return NODES.objectNode().put("field", field).put("operator", operator).put("value", value);
    }
}
