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

/** Reads a list endpoint to its end, whatever pagination shape it uses. */
final class SubLists {
    /** A runaway guard: no sub-list of one object has this many pages. */
    private static final int MAX_PAGES = 1_000;

    private SubLists() {
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
