package io.kcintercom.connect.it;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.kcintercom.connect.IntercomSourceConnector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A first-time user's typos sent to a real worker's REST API, with the live token check on and off:
 * creating or updating the connector answers 400 listing every field error, the validate endpoint
 * answers 200 with the error count, and the answer lists only keys a user can set.
 */
class ConfigErrorsIntegrationTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PLUGIN = IntercomSourceConnector.class.getSimpleName();
    private static final String TOKEN = "it-SECRET-config-errors-31c7";
    /** The typos of the first-hour report, each on its own key. */
    private static final Map<String, String> TYPOS = Map.of(
            "intercom.template", "Basics",
            "intercom.tables", "users,userz",
            "intercom.since", "last week",
            "poll.interval.ms", "-5");

    private static ConnectCluster cluster;
    private static WireMockServer intercom;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() {
        intercom = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        intercom.start();
        intercom.stubFor(get("/me").willReturn(aResponse().withStatus(200)
                .withBody("{\"type\":\"admin\",\"id\":\"1\",\"app\":{\"type\":\"app\",\"id_code\":\"abc\"}}")));
        cluster = new ConnectCluster("intercom-config-errors", Map.of());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (intercom != null) {
            intercom.stop();
        }
    }

    private static Map<String, String> config(String name, boolean tokenCheck) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", name);
        config.put("connector.class", IntercomSourceConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("intercom.access.token", TOKEN);
        config.put("intercom.api.url", intercom.baseUrl());
        config.put("intercom.api.url.allow.custom", "true");
        config.put("intercom.token.check", String.valueOf(tokenCheck));
        return config;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void typosAreA400ListingEveryFieldErrorOnPutAndPost(boolean tokenCheck) throws Exception {
        String name = "typos-" + tokenCheck;
        Map<String, String> config = config(name, tokenCheck);
        config.putAll(TYPOS);
        int meCallsBefore = meCalls();

        Answer put = send("PUT", "connectors/" + name + "/config", config);
        Answer post = send("POST", "connectors", Map.of("name", name, "config", config));

        for (Answer answer : List.of(put, post)) {
            assertEquals(400, answer.status, answer.body.toString());
            String message = answer.body.path("message").asText();
            assertTrue(message.contains("contains the following " + TYPOS.size() + " error(s)"), message);
            for (Map.Entry<String, String> typo : TYPOS.entrySet()) {
                assertTrue(message.contains(typo.getKey()) && message.contains(typo.getValue()),
                        "the message names " + typo + ": " + message);
            }
            assertFalse(message.contains(TOKEN), message);
        }
        assertEquals(tokenCheck ? 2 : 0, meCalls() - meCallsBefore,
                "the token check runs beside the typos when on, and only then");
        assertTrue(cluster.connect().connectors().stream().noneMatch(name::equals), "nothing was created");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void validateAnswers200WithOneErrorPerTypoAndNoInternalKey(boolean tokenCheck) throws Exception {
        Map<String, String> config = config("validate-" + tokenCheck, tokenCheck);
        config.putAll(TYPOS);

        Answer answer = send("PUT", "connector-plugins/" + PLUGIN + "/config/validate", config);

        assertEquals(200, answer.status, answer.body.toString());
        assertEquals(TYPOS.size(), answer.body.path("error_count").asInt(), answer.body.toString());
        Map<String, List<String>> errors = errors(answer.body);
        assertEquals(TYPOS.keySet(), errors.keySet(), errors.toString());
        errors.forEach((key, messages) -> assertEquals(1, messages.size(), key + ": " + messages));
        for (JsonNode entry : answer.body.path("configs")) {
            JsonNode definition = entry.path("definition");
            String key = definition.path("name").asText();
            assertFalse(key.startsWith("task."), "internal key in the validate answer: " + key);
            if (key.startsWith("intercom.")) {
                assertFalse(definition.path("group").asText("").isBlank(), key + " has no group");
                assertFalse(definition.path("documentation").asText("").isBlank(), key + " has no documentation");
            }
        }
    }

    @Test
    void aMissingTokenIsOneError() throws Exception {
        Map<String, String> config = config("no-token", true);
        config.remove("intercom.access.token");

        Answer validate = send("PUT", "connector-plugins/" + PLUGIN + "/config/validate", config);
        Answer put = send("PUT", "connectors/no-token/config", config);

        assertEquals(200, validate.status, validate.body.toString());
        assertEquals(1, validate.body.path("error_count").asInt(), validate.body.toString());
        assertEquals(Set.of("intercom.access.token"), errors(validate.body).keySet());
        assertEquals(400, put.status, put.body.toString());
        assertTrue(put.body.path("message").asText().contains("contains the following 1 error(s)"),
                put.body.toString());
    }

    @Test
    void aRefusedTokenIsListedWithTheTyposOnItsKey() throws Exception {
        WireMockServer refusing = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        refusing.start();
        try {
            refusing.stubFor(get("/me").willReturn(aResponse().withStatus(401).withBody("SECRET-BODY")));
            Map<String, String> config = config("refused", true);
            config.put("intercom.api.url", refusing.baseUrl());
            config.putAll(TYPOS);

            Answer validate = send("PUT", "connector-plugins/" + PLUGIN + "/config/validate", config);
            Answer post = send("POST", "connectors", Map.of("name", "refused", "config", config));

            Map<String, List<String>> errors = errors(validate.body);
            assertEquals(TYPOS.size() + 1, errors.size(), errors.toString());
            assertTrue(errors.get("intercom.access.token").get(0).startsWith("refused"), errors.toString());
            assertEquals(400, post.status, post.body.toString());
            String message = post.body.path("message").asText();
            assertTrue(message.contains("contains the following " + (TYPOS.size() + 1) + " error(s)"), message);
            assertFalse(message.contains("SECRET"), "neither the token nor the body: " + message);
        } finally {
            refusing.stop();
        }
    }

    /** Whoever can reach the REST API cannot make the worker request a host of their choosing. */
    @Test
    void aHostOtherThanIntercomsIsA400WithoutTheOptInAndIsNeverRequested() throws Exception {
        int before = allRequests();
        Map<String, String> config = config("custom-host", true);
        config.remove("intercom.api.url.allow.custom");

        Answer validate = send("PUT", "connector-plugins/" + PLUGIN + "/config/validate", config);
        Answer put = send("PUT", "connectors/custom-host/config", config);

        assertEquals(Set.of("intercom.api.url"), errors(validate.body).keySet(), validate.body.toString());
        assertEquals(400, put.status, put.body.toString());
        String message = put.body.path("message").asText();
        assertTrue(message.contains("contains the following 1 error(s)"), message);
        assertTrue(message.contains("intercom.api.url.allow.custom=true"), "names the opt-in: " + message);

        config.put("intercom.api.url.allow.custom", "true");
        config.put("intercom.api.url", intercom.baseUrl() + "/__admin/mappings");
        Answer withPath = send("PUT", "connectors/custom-host/config", config);
        assertEquals(400, withPath.status, withPath.body.toString());
        assertTrue(withPath.body.path("message").asText().contains("must not contain a path"), withPath.body.toString());

        assertEquals(before, allRequests(), "no request reached the refused host");
        assertTrue(cluster.connect().connectors().stream().noneMatch("custom-host"::equals), "nothing was created");
    }

    @Test
    void aRedirectFromMeIsA400NamingNeitherTheTargetNorItsPath() throws Exception {
        WireMockServer redirecting = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        redirecting.start();
        try {
            redirecting.stubFor(get("/me").willReturn(aResponse().withStatus(302)
                    .withHeader("Location", "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
                    .withBody("SECRET-BODY")));
            Map<String, String> config = config("redirected", true);
            config.put("intercom.api.url", redirecting.baseUrl());

            Answer put = send("PUT", "connectors/redirected/config", config);

            assertEquals(400, put.status, put.body.toString());
            String message = put.body.path("message").asText();
            assertTrue(message.contains("intercom.api.url") && message.contains("unreachable"), message);
            for (String leak : List.of("169.254", "meta-data", "security-credentials", "SECRET")) {
                assertFalse(message.contains(leak), leak + " in " + message);
            }
            assertFalse(message.matches("(?s).*\\b302\\b.*"), "the status in " + message);
            assertEquals(1, redirecting.findAll(getRequestedFor(urlEqualTo("/me"))).size(), "one GET /me, not followed");
        } finally {
            redirecting.stop();
        }
    }

    @Test
    void aValidConfigPassesTheLiveCheck() throws Exception {
        int before = meCalls();
        Answer validate = send("PUT", "connector-plugins/" + PLUGIN + "/config/validate", config("valid", true));
        assertEquals(200, validate.status, validate.body.toString());
        assertEquals(0, validate.body.path("error_count").asInt(), validate.body.toString());
        assertEquals(1, meCalls() - before, "one GET /me");
    }

    private static int allRequests() {
        return intercom.findAll(anyRequestedFor(anyUrl())).size();
    }

    private static int meCalls() {
        return intercom.findAll(getRequestedFor(urlEqualTo("/me"))).size();
    }

    private static Map<String, List<String>> errors(JsonNode validateAnswer) {
        Map<String, List<String>> errors = new TreeMap<>();
        for (JsonNode entry : validateAnswer.path("configs")) {
            List<String> messages = MAPPER.convertValue(entry.path("value").path("errors"),
                    MAPPER.getTypeFactory().constructCollectionType(List.class, String.class));
            if (messages != null && !messages.isEmpty()) {
                errors.put(entry.path("value").path("name").asText(), messages);
            }
        }
        return errors;
    }

    private record Answer(int status, JsonNode body) {
    }

    private static Answer send(String method, String resource, Object body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.connect().endpointForResource(resource)))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), MAPPER.readTree(response.body()));
    }
}
