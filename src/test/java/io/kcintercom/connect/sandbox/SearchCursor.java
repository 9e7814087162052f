package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The {@code starting_after} cursor of the search endpoints. Like the real one it is stateless: base64 of
 * {@code [sortValueMillis, lastId, page]}, where page is the number of the page it leads to. It points
 * after a position in the sort order rather than at an offset, so it survives a server restart, and rows
 * that change between two page requests can be skipped or seen twice, as with the real API.
 */
record SearchCursor(long sortValueMillis, String lastId, int page) {

    String encode() {
        ArrayNode a = Json.array().add(sortValueMillis).add(lastId).add(page);
        return Base64.getEncoder().encodeToString(a.toString().getBytes(StandardCharsets.UTF_8));
    }

    static SearchCursor decode(String token) {
        try {
            JsonNode a = Json.MAPPER.readTree(Base64.getDecoder().decode(token));
            if (a != null && a.isArray() && a.size() == 3 && a.get(0).isIntegralNumber() && a.get(1).isTextual()
                    && a.get(2).isIntegralNumber() && a.get(2).asInt() >= 2) {
                return new SearchCursor(a.get(0).asLong(), a.get(1).asText(), a.get(2).asInt());
            }
        } catch (IllegalArgumentException | java.io.IOException e) {
            // falls through to the same answer as a well-formed but meaningless cursor
        }
        throw ApiError.invalid("starting_after is not a valid cursor");
    }
}
