package io.kcintercom.connect.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The {@code error.list} body Intercom sends with failures, read leniently: a body that is missing
 * or not JSON (a proxy's HTML page) gives an empty one, never an exception.
 */
record ErrorBody(String code, String message, String requestId) {
    static final ErrorBody NONE = new ErrorBody(null, null, null);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    static ErrorBody read(Response response) {
        try {
            ResponseBody body = response.body();
            String text = body == null ? "" : body.string();
            JsonNode root = text.isBlank() ? null : MAPPER.readTree(text);
            if (root == null) {
                return NONE;
            }
            JsonNode first = root.path("errors").path(0);
            return new ErrorBody(textOrNull(first.get("code")), textOrNull(first.get("message")),
                    textOrNull(root.get("request_id")));
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    /** The code, message and request id, appended to a failure text: ", code x: message, request_id y". */
    String describe() {
        StringBuilder s = new StringBuilder();
        if (code != null) {
            s.append(", code ").append(code);
        }
        if (message != null) {
            s.append(": ").append(message);
        }
        if (requestId != null) {
            s.append(", request_id ").append(requestId);
        }
        return s.toString();
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
