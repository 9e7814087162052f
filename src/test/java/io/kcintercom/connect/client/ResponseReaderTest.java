package io.kcintercom.connect.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;

/** Reading a response into an {@link Attempt}, from responses built in memory. */
class ResponseReaderTest {

    @Test
    void aJsonBodyIsParsed() throws Exception {
        Attempt.Parsed parsed = assertInstanceOf(Attempt.Parsed.class,
                ResponseReader.read(response(200, "{\"type\":\"list\",\"data\":[]}", null)));
        assertEquals("list", parsed.body().path("type").asText());
    }

    @Test
    void anEmptyOrBlankBodyIsUnreadable() throws Exception {
        for (String body : new String[] {"", " \n\t\r "}) {
            Attempt.UnreadableBody bad = assertInstanceOf(Attempt.UnreadableBody.class,
                    ResponseReader.read(response(200, body, null)));
            assertEquals("HTTP 200 with an empty body", bad.failure());
            assertNull(bad.cause());
        }
    }

    @Test
    void aTruncatedBodyIsUnreadableWithTheParserError() throws Exception {
        Attempt.UnreadableBody bad = assertInstanceOf(Attempt.UnreadableBody.class,
                ResponseReader.read(response(200, "{\"type\":\"list\",\"data\":[{\"id\":\"66", null)));
        assertTrue(bad.failure().startsWith("HTTP 200 with a body that is not valid JSON ("), bad.failure());
        assertNotNull(bad.cause());
    }

    /** The parser's own message quotes what it read; neither the description nor the cause may. */
    @Test
    void anUnreadableBodyIsDescribedByPositionWithoutItsContent() throws Exception {
        String[] bodies = {
            "{\"type\":\"contact\",\"email\":\"jonas.schmidt.4@example.org\",\"name\":\"Jonas Schmidt",
            "{\"type\":\"contact\",\"name\":Jonas-Schmidt-Unquoted,\"phone\":\"+4915112345678\"}",
            "{\"type\":\"contact\",\"custom_attributes\":{\"plan\":\"platinum-secret\" \"x\":1}}",
        };
        for (String body : bodies) {
            Attempt.UnreadableBody bad = assertInstanceOf(Attempt.UnreadableBody.class,
                    ResponseReader.read(response(200, body, null)));
            assertTrue(bad.failure().matches("HTTP 200 with a body that is not valid JSON \\(.* at byte \\d+\\)"),
                    bad.failure());
            assertNotNull(bad.cause());
            for (String text : new String[] {bad.failure(), bad.cause().toString()}) {
                for (String value : new String[] {"jonas", "Jonas", "Schmidt", "4915112345678", "platinum"}) {
                    assertFalse(text.contains(value), value + " in " + text);
                }
            }
        }
    }

    @Test
    void anErrorStatusCarriesTheErrorList() throws Exception {
        Attempt.ErrorStatus error = assertInstanceOf(Attempt.ErrorStatus.class, ResponseReader.read(response(404,
                "{\"type\":\"error.list\",\"request_id\":\"r-1\",\"errors\":[{\"code\":\"not_found\","
                        + "\"message\":\"User Not Found\"}]}", null)));
        assertEquals(404, error.status());
        assertEquals("not_found", error.error().code());
        assertEquals(", code not_found: User Not Found, request_id r-1", error.error().describe());
    }

    @Test
    void anErrorBodyThatIsNotJsonIsReadAsEmpty() throws Exception {
        Attempt.ErrorStatus error = assertInstanceOf(Attempt.ErrorStatus.class,
                ResponseReader.read(response(502, "<html>Bad Gateway</html>", null)));
        assertEquals(ErrorBody.NONE, error.error());
        assertEquals("", error.error().describe());
    }

    @Test
    void aRedirectKeepsOnlyTheTargetHost() throws Exception {
        Attempt.Redirect absolute = assertInstanceOf(Attempt.Redirect.class, ResponseReader.read(
                response(302, "", "https://login.example.com/sso?next=/contacts&token=x")));
        assertEquals(302, absolute.status());
        assertEquals("login.example.com", absolute.targetHost());

        Attempt.Redirect relative = assertInstanceOf(Attempt.Redirect.class,
                ResponseReader.read(response(301, "", "/v2/contacts")));
        assertEquals("api.intercom.test", relative.targetHost(), "a relative Location stays on the request's host");

        Attempt.Redirect none = assertInstanceOf(Attempt.Redirect.class, ResponseReader.read(response(307, "", null)));
        assertEquals("(no Location header)", none.targetHost());
    }

    private static Response response(int status, String body, String location) {
        Response.Builder builder = new Response.Builder()
                .request(new Request.Builder().url("https://api.intercom.test/contacts").build())
                .protocol(Protocol.HTTP_1_1)
                .code(status)
                .message("status " + status)
                .body(ResponseBody.create(body.getBytes(StandardCharsets.UTF_8),
                        MediaType.get("application/json")));
        if (location != null) {
            builder.header("Location", location);
        }
        return builder.build();
    }
}
