package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An object's sub-lists: the entries Intercom inlines in the object (at most 10 of a contact's tags
 * or companies) and the list endpoint that has them all, read to its end whatever pagination shape
 * it uses.
 */
final class SubLists {
    /** A runaway guard: no sub-list of one object has this many pages. */
    private static final int MAX_PAGES = 1_000;

    private SubLists() {
    }

    /** True when an inline list holds only some of its entries: {@code has_more}, or a larger {@code total_count}. */
    static boolean isTruncated(JsonNode inline) {
        if (inline == null || !inline.isObject()) {
            return false;
        }
        JsonNode hasMore = inline.get("has_more");
        if (hasMore != null && hasMore.asBoolean(false)) {
            return true;
        }
        JsonNode total = inline.get("total_count");
        return total != null && total.canConvertToInt() && total.asInt() > itemsOf(inline).size();
    }

    /** The entries of a list in any of Intercom's envelopes (see {@link JsonPaths#items}). */
    static List<JsonNode> itemsOf(JsonNode list, String... itemKeys) {
        List<JsonNode> items = new ArrayList<>();
        JsonPaths.items(list, itemKeys).forEach(items::add);
        return items;
    }

    /** The endpoint of an inline list: the {@code url} it names, else {@code fallbackUrl}. */
    static String listUrl(JsonNode inline, String fallbackUrl) {
        String url = JsonPaths.text(inline, "url");
        return url == null || url.isBlank() ? fallbackUrl : url;
    }

    /**
     * All items of a list, following {@code pages.next} whether it is a URL string or a
     * {@code {starting_after}} object, and stopping when it is absent, null or repeats.
     */
    static List<JsonNode> fetchAll(IntercomClient client, String firstUrl, String context, String... itemKeys) {
        List<JsonNode> items = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String url = firstUrl;
        for (int page = 0; url != null && page < MAX_PAGES && seen.add(url); page++) {
            JsonNode body = client.get(url, context);
            for (JsonNode item : JsonPaths.items(body, itemKeys)) {
                items.add(item);
            }
            url = nextUrl(firstUrl, JsonPaths.at(body, "pages.next"));
        }
        return items;
    }

    private static String nextUrl(String firstUrl, JsonNode next) {
        if (next == null || next.isNull()) {
            return null;
        }
        if (next.isTextual()) {
            return next.asText().isBlank() ? null : next.asText();
        }
        if (next.isObject()) {
            String after = JsonPaths.text(next, "starting_after");
            if (after != null && !after.isBlank()) {
                return withParam(firstUrl, "starting_after", after);
            }
            String page = JsonPaths.text(next, "page");
            if (page != null) {
                return withParam(firstUrl, "page", page);
            }
        }
        return null;
    }

    static String withParam(String url, String name, String value) {
        String base = url.replaceAll("([?&])" + name + "=[^&]*&?", "$1").replaceAll("[?&]$", "");
        return base + (base.contains("?") ? "&" : "?") + name + "=" + encode(value);
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
