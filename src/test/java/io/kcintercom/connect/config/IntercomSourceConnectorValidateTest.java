package io.kcintercom.connect.config;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.ACCESS_TOKEN;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.API_URL;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.POLL_INTERVAL_MS;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.SINCE;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.TABLES;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.TEMPLATE;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.TOKEN_CHECK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.kcintercom.connect.IntercomSourceConnector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * validate() on the typos a first-time user makes, with the live token check on (against a
 * WireMock /me) and off: it never throws, and reports every problem once, on its own key.
 */
class IntercomSourceConnectorValidateTest {
    private static final String TOKEN = "tok-SECRET-validate-4242";
    private static final String ME = "{\"type\":\"admin\",\"id\":\"1\",\"app\":{\"type\":\"app\",\"id_code\":\"abc\"}}";
    /** The four typos of the first-hour report, each on its own key. */
    private static final Map<String, String> TYPOS = Map.of(
            TEMPLATE, "Basics",
            TABLES, "users,userz",
            SINCE, "last week",
            POLL_INTERVAL_MS, "-5");

    private WireMockServer intercom;

    @BeforeEach
    void start() {
        intercom = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        intercom.start();
        intercom.stubFor(get("/me").willReturn(aResponse().withStatus(200).withBody(ME)));
    }

    @AfterEach
    void stop() {
        intercom.stop();
    }

    private Map<String, String> props(boolean tokenCheck) {
        Map<String, String> props = new HashMap<>();
        props.put(ACCESS_TOKEN, TOKEN);
        props.put(API_URL, intercom.baseUrl());
        props.put(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, "true");
        props.put(TOKEN_CHECK, String.valueOf(tokenCheck));
        return props;
    }

    private int meCalls() {
        return intercom.findAll(getRequestedFor(urlEqualTo("/me"))).size();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eachTypoIsOneErrorOnItsKey(boolean tokenCheck) {
        for (Map.Entry<String, String> typo : TYPOS.entrySet()) {
            Map<String, String> props = props(tokenCheck);
            props.put(typo.getKey(), typo.getValue());

            Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));

            assertEquals(Set.of(typo.getKey()), errors.keySet(), typo + ": " + errors);
            assertEquals(1, errors.get(typo.getKey()).size(), typo + ": " + errors);
            assertTrue(errors.get(typo.getKey()).get(0).contains(typo.getKey()),
                    "Connect's 400 lists messages without keys, so each names its key: " + errors);
        }
        assertEquals(tokenCheck ? TYPOS.size() : 0, meCalls(),
                "a typo elsewhere does not stop the token check, and the check runs only when on");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void allTyposAtOnceAreAllReported(boolean tokenCheck) {
        Map<String, String> props = props(tokenCheck);
        props.putAll(TYPOS);

        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));

        assertEquals(TYPOS.keySet(), errors.keySet(), errors.toString());
        errors.forEach((key, messages) -> assertEquals(1, messages.size(), key + ": " + messages));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aMissingTokenIsOneErrorAndNoRequest(boolean tokenCheck) {
        Map<String, String> props = props(tokenCheck);
        props.remove(ACCESS_TOKEN);
        props.putAll(TYPOS);

        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));

        assertEquals(List.of("Missing required configuration \"" + ACCESS_TOKEN + "\" which has no default value."),
                errors.get(ACCESS_TOKEN));
        assertEquals(TYPOS.size() + 1, errors.size(), errors.toString());
        assertEquals(0, meCalls(), "no token, no check");
    }

    @Test
    void aBlankTokenIsOneError() {
        Map<String, String> props = props(true);
        props.put(ACCESS_TOKEN, "  ");
        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));
        assertEquals(Set.of(ACCESS_TOKEN), errors.keySet());
        assertEquals(1, errors.get(ACCESS_TOKEN).size(), errors.toString());
        assertEquals(0, meCalls());
    }

    @Test
    void aNumberThatDoesNotParseIsOneError() {
        Map<String, String> props = props(false);
        props.put(POLL_INTERVAL_MS, "30s");
        props.put(IntercomSourceConnectorConfig.BATCH_MAX_RECORDS, "many");
        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));
        assertEquals(Set.of(POLL_INTERVAL_MS, IntercomSourceConnectorConfig.BATCH_MAX_RECORDS), errors.keySet());
        errors.forEach((key, messages) -> {
            assertEquals(1, messages.size(), key + ": " + messages);
            assertTrue(messages.get(0).contains("Not a number"), messages.get(0));
        });
    }

    @Test
    void aRefusedTokenIsReportedBesideTheTyposOnTheTokenKey() {
        intercom.stubFor(get("/me").willReturn(aResponse().withStatus(401)
                .withBody("{\"type\":\"error.list\",\"errors\":[{\"message\":\"SECRET-BODY\"}]}")));
        Map<String, String> props = props(true);
        props.putAll(TYPOS);

        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));

        Set<String> expected = new java.util.HashSet<>(TYPOS.keySet());
        expected.add(ACCESS_TOKEN);
        assertEquals(expected, errors.keySet(), errors.toString());
        String refused = errors.get(ACCESS_TOKEN).get(0);
        assertEquals(1, errors.get(ACCESS_TOKEN).size());
        assertTrue(refused.startsWith("refused") && refused.contains(ACCESS_TOKEN), refused);
        assertFalse(errors.toString().contains("SECRET"), "neither the token nor the body: " + errors);
    }

    @Test
    void anUnreachableApiIsOneErrorOnTheUrlKeyWithoutTheStatusOrBody() {
        intercom.stubFor(get("/me").willReturn(aResponse().withStatus(502).withBody("SECRET-BODY upstream down")));
        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props(true)));
        assertEquals(Set.of(API_URL), errors.keySet(), errors.toString());
        String message = errors.get(API_URL).get(0);
        assertTrue(message.startsWith("unreachable") && message.contains(API_URL), message);
        assertFalse(message.contains("SECRET") || message.contains("502"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1:%d", "127.0.0.1:%d", "http://user@127.0.0.1:%d/ ^"})
    void aUrlTheConfigCheckRefusesIsNeverRequested(String url) {
        Map<String, String> props = props(true);
        props.put(API_URL, String.format(url, intercom.port()));

        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));

        assertEquals(Set.of(API_URL), errors.keySet(), errors.toString());
        assertEquals(1, errors.get(API_URL).size(), errors.toString());
        assertEquals(0, intercom.findAll(anyRequestedFor(anyUrl())).size(), "no request to a refused URL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", ""})
    void aHostOtherThanIntercomsWithoutTheOptInIsOneErrorAndNeverRequested(String allowCustom) {
        Map<String, String> props = props(true);
        if (allowCustom.isEmpty()) {
            props.remove(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM);
        } else {
            props.put(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, allowCustom);
        }

        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));

        assertEquals(Set.of(API_URL), errors.keySet(), errors.toString());
        assertEquals(1, errors.get(API_URL).size(), errors.toString());
        assertTrue(errors.get(API_URL).get(0).contains(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM),
                errors.toString());
        assertEquals(0, intercom.findAll(anyRequestedFor(anyUrl())).size(), "no request to a refused host");
    }

    @Test
    void aPathOrAQueryIsRefusedWithoutARequestEvenWithTheOptIn() {
        for (String suffix : List.of("/admin/shutdown", "/?cmd=", "/#x")) {
            Map<String, String> props = props(true);
            props.put(API_URL, intercom.baseUrl() + suffix);
            Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));
            assertEquals(Set.of(API_URL), errors.keySet(), suffix + ": " + errors);
        }
        assertEquals(0, intercom.findAll(anyRequestedFor(anyUrl())).size(), "no request to a refused URL");
    }

    /** A redirect is not followed, and the field error names neither its target host nor its path. */
    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void aRedirectFromMeIsOneErrorOnTheUrlNamingNoTarget(int status) {
        intercom.stubFor(get("/me").willReturn(aResponse().withStatus(status)
                .withHeader("Location", "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
                .withBody("SECRET-BODY moved")));

        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props(true)));

        assertEquals(Set.of(API_URL), errors.keySet(), errors.toString());
        String message = errors.get(API_URL).get(0);
        assertTrue(message.startsWith("unreachable"), message);
        for (String leak : List.of("169.254", "latest", "meta-data", "security-credentials", "SECRET")) {
            assertFalse(message.contains(leak), leak + " in " + message);
        }
        assertFalse(message.matches("(?s).*\\b" + status + "\\b.*"), "the status in " + message);
        assertEquals(1, meCalls(), "one GET /me, the redirect not followed");
    }

    @Test
    void anotherInvalidConnectionKeyStopsTheCheck() {
        Map<String, String> props = props(true);
        props.put(IntercomSourceConnectorConfig.API_VERSION, " ");
        props.put(IntercomSourceConnectorConfig.REGION, "mars");
        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));
        assertEquals(Set.of(IntercomSourceConnectorConfig.API_VERSION, IntercomSourceConnectorConfig.REGION),
                errors.keySet(), errors.toString());
        assertEquals(0, meCalls(), "the check waits for every connection key to be valid");
    }

    @Test
    void anInvalidTokenCheckSwitchIsOneErrorAndNoRequest() {
        Map<String, String> props = props(true);
        props.put(TOKEN_CHECK, "maybe");
        Map<String, List<String>> errors = errors(new IntercomSourceConnector().validate(props));
        assertEquals(Set.of(TOKEN_CHECK), errors.keySet(), errors.toString());
        assertEquals(1, errors.get(TOKEN_CHECK).size(), errors.toString());
        assertEquals(0, meCalls());
    }

    @Test
    void theAnswerListsOnlyUserKeysEachDocumentedInAGroup() {
        Map<String, String> props = props(false);
        props.put(IntercomSourceConnectorConfig.TASK_RESOURCES, "users");
        props.put(IntercomSourceConnectorConfig.TASK_ID, "3");
        Config result = new IntercomSourceConnector().validate(props);
        for (ConfigValue value : result.configValues()) {
            assertFalse(value.name().startsWith("task."), value.name());
            var key = new IntercomSourceConnector().config().configKeys().get(value.name());
            assertTrue(key != null && key.group != null && key.documentation != null, value.name());
        }
        assertEquals(new IntercomSourceConnector().config().configKeys().keySet(),
                result.configValues().stream().map(ConfigValue::name).collect(java.util.stream.Collectors.toSet()));
    }

    /** The keys with errors and their messages, in key order. */
    private static Map<String, List<String>> errors(Config result) {
        Map<String, List<String>> errors = new TreeMap<>();
        for (ConfigValue value : result.configValues()) {
            if (!value.errorMessages().isEmpty()) {
                errors.put(value.name(), value.errorMessages());
            }
        }
        return errors;
    }
}
