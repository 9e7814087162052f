package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Locale;

/** Small helpers shared by the renderers and the HTTP layer. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Event summaries use this exact shape, e.g. 2014-01-16T23:12:21.000+00:00. */
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Json() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ObjectNode typed(String type) {
        return NODES.objectNode().put("type", type);
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** Intercom sends references to admins and teams as JSON numbers although their own ids are strings. */
    static ArrayNode intIds(Collection<String> ids) {
        ArrayNode a = NODES.arrayNode();
        ids.forEach(id -> a.add(Long.parseLong(id)));
        return a;
    }

    static String isoMillis(long epochSeconds) {
        return ISO_MILLIS.format(Instant.ofEpochSecond(epochSeconds));
    }

    /** What display_as=plaintext does to our simple generated HTML. */
    static String plainText(String html) {
        if (html == null) {
            return null;
        }
        return html.replaceAll("<[^>]+>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&amp;", "&");
    }
}
