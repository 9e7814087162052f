package io.kcintercom.connect.client;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.apache.kafka.connect.errors.DataException;

/** Reads a response into an {@link Attempt}: the JSON of a 2xx, or what kind of failure it is. */
final class ResponseReader {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ResponseReader() {
    }

    /** Throws the IOException of a body that breaks off while it is read, like one that never came. */
    static Attempt read(Response response) throws IOException {
        int status = response.code();
        if (status >= 200 && status < 300) {
            return parse(status, bodyBytes(response.body()));
        }
        if (status >= 300 && status < 400) {
            return new Attempt.Redirect(status, targetHost(response));
        }
        return new Attempt.ErrorStatus(status, ErrorBody.read(response));
    }

    /** Parsed from the bytes, not through a String: Jackson's UTF-8 parser is the faster one. */
    static Attempt parse(int status, byte[] body) {
        if (isBlank(body)) {
            return new Attempt.UnreadableBody("HTTP " + status + " with an empty body", null);
        }
        try {
            return new Attempt.Parsed(MAPPER.readTree(body));
        } catch (JsonProcessingException e) {
            // Not the parser's message: it quotes the token it stumbled on, which may be part of a
            // contact's email or a message body. Where and how the JSON breaks is enough.
            String description = "HTTP " + status + " with a body that is not valid JSON (" + where(e) + ")";
            return new Attempt.UnreadableBody(description, new DataException(description));
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from a byte array", e);
        }
    }

    /** How and where the JSON breaks: "it ends before the JSON is complete at byte 4096". */
    private static String where(JsonProcessingException e) {
        String what = e instanceof JsonEOFException ? "it ends before the JSON is complete" : "invalid JSON";
        JsonLocation at = e.getLocation();
        if (at != null && at.getByteOffset() >= 0) {
            return what + " at byte " + at.getByteOffset();
        }
        return at != null && at.getCharOffset() >= 0 ? what + " at character " + at.getCharOffset() : what;
    }

    /** Only the host of a redirect's target: its path and query may carry anything. */
    private static String targetHost(Response response) {
        String location = response.header("Location");
        HttpUrl target = location == null ? null : response.request().url().resolve(location);
        return target == null ? "(no Location header)" : target.host();
    }

    private static byte[] bodyBytes(ResponseBody body) throws IOException {
        return body == null ? new byte[0] : body.bytes();
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
