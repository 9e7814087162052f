package io.kcintercom.connect.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.config.Region;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenCheckTest {
    private static final String TOKEN = "tok-SECRET-1234567890";
    private WireMockServer us;
    private WireMockServer eu;

    @BeforeEach
    void start() {
        us = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        eu = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        us.start();
        eu.start();
    }

    @AfterEach
    void stop() {
        us.stop();
        eu.stop();
    }

    private static String me(String region) {
        return "{\"type\":\"admin\",\"id\":\"1\",\"app\":{\"type\":\"app\",\"id_code\":\"abc\",\"region\":\"" + region
                + "\"}}";
    }

    private TokenCheck check() {
        return new TokenCheck(Duration.ofSeconds(3), Map.of(Region.US, us.baseUrl(), Region.EU, eu.baseUrl()));
    }

    @Test
    void acceptedTokenInItsRegionHasNoProblem() {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("US"))));
        assertEquals(Optional.empty(), check().problem(TOKEN, Region.US, null, "2.11"));
        us.verify(getRequestedFor(urlEqualTo("/me")).withHeader("Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer " + TOKEN)));
    }

    @Test
    void aTokenOfAnotherRegionIsReportedAsWrongRegion() {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        eu.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("EU"))));
        String problem = check().problem(TOKEN, Region.US, null, "2.11").orElseThrow().message();
        assertTrue(problem.startsWith("wrong region"), problem);
        assertTrue(problem.contains("intercom.region=eu"), problem);
        assertFalse(problem.contains(TOKEN));
    }

    @Test
    void aWorkspaceReportingAnotherRegionIsWrongRegion() {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("EU"))));
        String problem = check().problem(TOKEN, Region.US, null, "2.11").orElseThrow().message();
        assertTrue(problem.startsWith("wrong region"), problem);
    }

    @Test
    void aRefusedTokenIsReportedAsRefusedWithoutTheToken() {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        eu.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        String problem = check().problem(TOKEN, Region.US, null, "2.11").orElseThrow().message();
        assertTrue(problem.startsWith("refused"), problem);
        assertFalse(problem.contains(TOKEN));
    }

    @Test
    void withAnApiUrlOverrideOnlyThatHostIsAskedAndItsRegionIsNotJudged() {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("AU"))));
        assertEquals(Optional.empty(), check().problem(TOKEN, Region.US, us.baseUrl(), "2.11"));
        eu.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("US"))));
        us.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        assertTrue(check().problem(TOKEN, Region.US, us.baseUrl(), "2.11").orElseThrow().message()
                .startsWith("refused"));
        assertEquals(0, eu.findAll(getRequestedFor(urlEqualTo("/me"))).size(), "no probing of other hosts");
    }

    @Test
    void aClosedPortIsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String problem = check().problem(TOKEN, Region.US, "http://127.0.0.1:" + port, "2.11").orElseThrow()
                .message();
        assertTrue(problem.startsWith("unreachable"), problem);
    }

    @Test
    void connectorValidateReportsTheTokenProblemOnTheTokenKey() {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        Map<String, String> props = new HashMap<>();
        props.put(IntercomSourceConnectorConfig.ACCESS_TOKEN, TOKEN);
        props.put(IntercomSourceConnectorConfig.API_URL, us.baseUrl());
        props.put(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, "true");
        Config result = new IntercomSourceConnector().validate(props);
        for (ConfigValue value : result.configValues()) {
            List<String> errors = value.errorMessages();
            if (value.name().equals(IntercomSourceConnectorConfig.ACCESS_TOKEN)) {
                assertEquals(1, errors.size(), errors.toString());
                assertTrue(errors.get(0).startsWith("refused"), errors.get(0));
                assertFalse(errors.get(0).contains(TOKEN));
            } else {
                assertTrue(errors.isEmpty(), value.name() + ": " + errors);
            }
        }
        props.put(IntercomSourceConnectorConfig.TOKEN_CHECK, "false");
        int before = us.findAll(getRequestedFor(urlEqualTo("/me"))).size();
        new IntercomSourceConnector().validate(props);
        assertEquals(before, us.findAll(getRequestedFor(urlEqualTo("/me"))).size(), "no live check when off");
    }

    // ---------------------------------------------------------------------------------------------
    // Each problem on the key to fix, with nothing of the answer reflected

    @Test
    void eachOutcomeNamesTheKeyToFix() {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        eu.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        TokenCheck.Problem refused = check().problem(TOKEN, Region.US, null, "2.11").orElseThrow();
        assertEquals(IntercomSourceConnectorConfig.ACCESS_TOKEN, refused.key());
        assertTrue(refused.message().contains(IntercomSourceConnectorConfig.ACCESS_TOKEN), refused.message());

        us.stubFor(get("/me").willReturn(aResponse().withStatus(403)));
        TokenCheck.Problem forbidden = check().problem(TOKEN, Region.US, us.baseUrl(), "2.11").orElseThrow();
        assertEquals(IntercomSourceConnectorConfig.ACCESS_TOKEN, forbidden.key());
        assertTrue(forbidden.message().contains("permission"), forbidden.message());

        eu.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("EU"))));
        us.stubFor(get("/me").willReturn(aResponse().withStatus(401)));
        TokenCheck.Problem region = check().problem(TOKEN, Region.US, null, "2.11").orElseThrow();
        assertEquals(IntercomSourceConnectorConfig.REGION, region.key());

        us.stubFor(get("/me").willReturn(aResponse().withStatus(500)));
        TokenCheck.Problem unreachable = check().problem(TOKEN, Region.US, us.baseUrl(), "2.11").orElseThrow();
        assertEquals(IntercomSourceConnectorConfig.API_URL, unreachable.key());
        assertTrue(unreachable.message().contains(IntercomSourceConnectorConfig.API_URL), unreachable.message());
    }

    @Test
    void noBodyNoStatusNoExceptionIsReflected() {
        String body = "<html>internal admin console SECRET-BODY</html>";
        List<String> messages = new java.util.ArrayList<>();
        for (int status : new int[] {200, 404, 500, 503}) {
            us.stubFor(get("/me").willReturn(aResponse().withStatus(status).withBody(body)));
            messages.add(check().problem(TOKEN, Region.US, us.baseUrl(), "2.11").orElseThrow().message());
        }
        us.stubFor(get("/me").willReturn(aResponse().withStatus(403).withBody(body)));
        String forbidden = check().problem(TOKEN, Region.US, us.baseUrl(), "2.11").orElseThrow().message();
        assertFalse(forbidden.contains("SECRET"), forbidden);
        assertEquals(1, Set.copyOf(messages).size(), "a foreign host's answers all look alike: " + messages);
        for (String message : messages) {
            assertFalse(message.contains("SECRET") || message.contains("html"), message);
            assertFalse(message.matches("(?s).*\\b(200|404|500|503)\\b.*"), message);
            assertFalse(message.contains("Exception"), message);
        }
    }

    @Test
    void redirectsAreNeverFollowed() {
        eu.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("US"))));
        for (int status : new int[] {301, 302, 307, 308}) {
            us.stubFor(get("/me").willReturn(aResponse().withStatus(status)
                    .withHeader("Location", eu.baseUrl() + "/me")));
            TokenCheck.Problem problem = check().problem(TOKEN, Region.US, us.baseUrl(), "2.11").orElseThrow();
            assertEquals(IntercomSourceConnectorConfig.API_URL, problem.key(), problem.message());
            assertFalse(problem.message().contains(String.valueOf(eu.port())), problem.message());
        }
        assertEquals(0, eu.findAll(getRequestedFor(urlEqualTo("/me"))).size(), "the redirect target was requested");
    }

    @Test
    void aTokenAnHttpHeaderCannotCarryIsReportedOnTheTokenWithoutARequest() {
        TokenCheck.Problem problem = check().problem(TOKEN + "\n", Region.US, us.baseUrl(), "2.11").orElseThrow();
        assertEquals(IntercomSourceConnectorConfig.ACCESS_TOKEN, problem.key());
        assertFalse(problem.message().contains(TOKEN));
        TokenCheck.Problem version = check().problem(TOKEN, Region.US, us.baseUrl(), "2.11\u00e9").orElseThrow();
        assertEquals(IntercomSourceConnectorConfig.API_VERSION, version.key());
        assertEquals(0, us.findAll(getRequestedFor(urlEqualTo("/me"))).size());
    }

    @Test
    void checksShareOneConnectionPool() throws Exception {
        us.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(me("US"))));
        TokenCheck first = check();
        TokenCheck second = check();
        assertSame(pool(first), pool(second), "one pool for every check of the worker");
        assertSame(pool(first), pool(new TokenCheck(Duration.ofSeconds(5))));
    }

    private static Object pool(TokenCheck check) throws Exception {
        java.lang.reflect.Field http = TokenCheck.class.getDeclaredField("http");
        http.setAccessible(true);
        return ((okhttp3.OkHttpClient) http.get(check)).connectionPool();
    }
}
