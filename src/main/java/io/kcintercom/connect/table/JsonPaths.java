package io.kcintercom.connect.table;

import com.fasterxml.jackson.databind.JsonNode;

/** Small helpers for walking Intercom's loosely typed JSON. */
public final class JsonPaths {
    private JsonPaths() {
    }

    /** The node at a dot path, or null when any step is missing or not an object. */
    public static JsonNode at(JsonNode root, String dotPath) {
        return at(root, dotPath.split("\\."));
    }

    static JsonNode at(JsonNode root, String[] path) {
        JsonNode node = root;
        for (String step : path) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(step);
        }
        return node;
    }

    /** The text of a scalar at a dot path (numbers become their decimal text), or null. */
    public static String text(JsonNode root, String dotPath) {
        JsonNode node = at(root, dotPath);
        if (node == null || node.isNull() || node.isContainerNode()) {
            return null;
        }
        return node.asText();
    }

    /**
     * The items of a list in any of the envelopes Intercom uses: a bare array,
     * {@code {data:[…]}}, or {@code {<key>:[…]}} such as {@code {type:"tag.list", tags:[…]}}.
     */
    public static Iterable<JsonNode> items(JsonNode list, String... keys) {
        if (list == null || list.isNull()) {
            return java.util.List.of();
        }
        if (list.isArray()) {
            return list;
        }
        if (list.isObject()) {
            for (String key : keys) {
                JsonNode candidate = list.get(key);
                if (candidate != null && candidate.isArray()) {
                    return candidate;
                }
            }
            JsonNode data = list.get("data");
            if (data != null && data.isArray()) {
                return data;
            }
        }
        return java.util.List.of();
    }
}
