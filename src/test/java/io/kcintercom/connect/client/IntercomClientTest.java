package io.kcintercom.connect.client;

import io.kcintercom.connect.testutil.LogCapture;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import okhttp3.HttpUrl;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP client against a local WireMock server: headers, the retry policy, the rate-limit wait,
 * error mapping, next-page URL resolution, and that the access token never leaks into an
 * exception message or a log line.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class IntercomClientTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ADMINS_JSON = "{\"type\":\"admin.list\",\"admins\":[]}";
    /** Every token used and every exception text seen, checked against each other at the end. */
    private static final List<String> TOKENS = new CopyOnWriteArrayList<>();
    private static final List<String> EXCEPTION_TEXTS = new CopyOnWriteArrayList<>();

    private WireMockServer server;
    private String baseUrl;
    /** A fresh token per test, so each test gets its own shared rate limiter. */
    private String token;
    private final List<IntercomClient> clients = new ArrayList<>();
    private final List<WireMockServer> otherServers = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        baseUrl = "http://127.0.0.1:" + server.port();
        token = "secret-token-" + UUID.randomUUID();
        TOKENS.add(token);
    }

    @AfterEach
    void stopServer() {
        clients.forEach(IntercomClient::close);
        otherServers.forEach(WireMockServer::stop);
        server.stop();
    }

    @AfterAll
    static void noTokenInAnyExceptionMessage() {
        for (String text : EXCEPTION_TEXTS) {
            for (String t : TOKENS) {
                assertFalse(text.contains(t), "the access token leaked into an exception: " + text);
                assertFalse(text.contains(t.substring("secret-token-".length())),
                        "part of the access token leaked into an exception: " + text);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Headers

    @Test
    void sendsBearerTokenVersionAndAcceptHeaders() {
        server.stubFor(get(urlEqualTo("/admins")).willReturn(okJson(ADMINS_JSON)));

        JsonNode body = client().get("/admins", "admins list");

        assertEquals("admin.list", body.path("type").asText());
        server.verify(1, getRequestedFor(urlEqualTo("/admins"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("Intercom-Version", equalTo("2.11"))
                .withHeader("Accept", equalTo("application/json")));
    }

    @Test
    void postSendsJsonBodyWithTheSameHeaders() throws Exception {
        server.stubFor(post(urlEqualTo("/contacts/search")).willReturn(okJson("{\"type\":\"list\",\"data\":[]}")));
        JsonNode query = MAPPER.readTree("{\"query\":{\"field\":\"updated_at\",\"operator\":\">\",\"value\":1},"
                + "\"pagination\":{\"per_page\":150}}");

        JsonNode body = client("2.14").post("/contacts/search", query, "users search");

        assertEquals("list", body.path("type").asText());
        server.verify(1, postRequestedFor(urlEqualTo("/contacts/search"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("Intercom-Version", equalTo("2.14"))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(equalToJson(query.toString())));
    }

    // ---------------------------------------------------------------------------------------------
    // Rate limit

    @Test
    void a429IsWaitedOutUntilTheResetThenSucceeds() {
        // 2 to 3 s ahead: a cold JVM's first request can take most of a second, and a reset already
        // past when the 429 arrives is waited out for a full 10-second window.
        long resetEpochSeconds = System.currentTimeMillis() / 1000 + 3;
        server.stubFor(get(urlEqualTo("/admins")).inScenario("rate")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(errorResponse(429, "2.14-error-429.json")
                        .withHeader("X-RateLimit-Reset", String.valueOf(resetEpochSeconds)))
                .willSetStateTo("after 429"));
        server.stubFor(get(urlEqualTo("/admins")).inScenario("rate")
                .whenScenarioStateIs("after 429")
                .willReturn(okJson(ADMINS_JSON)));
        IntercomClient client = client();

        JsonNode body = client.get("/admins", "admins list");

        assertEquals("admin.list", body.path("type").asText());
        List<ServeEvent> events = eventsInOrder(server);
        assertEquals(2, events.size());
        long secondAt = events.get(1).getRequest().getLoggedDate().getTime();
        assertTrue(secondAt >= resetEpochSeconds * 1000,
                "the retry must wait for X-RateLimit-Reset: sent at " + secondAt + ", reset at "
                        + resetEpochSeconds * 1000);
        assertEquals(1, client.rateLimitedCount());
        assertEquals(0, client.retryCount(), "a 429 is a wait, not a retry of the error budget");
        assertTrue(client.limiter().waits() >= 1);
        assertEquals(0, client.limiter().inFlight(), "every request released its place in the limiter");
    }

    @Test
    void rateLimitHeadersOnSuccessPaceTheNextRequestUntilTheReset() {
        long resetEpochSeconds = (System.currentTimeMillis() + 1_500) / 1000; // 0.5 to 1.5 s ahead
        server.stubFor(get(urlEqualTo("/tags")).willReturn(okJson("{\"type\":\"list\",\"data\":[]}")
                .withHeader("X-RateLimit-Limit", "100")
                .withHeader("X-RateLimit-Remaining", "0")
                .withHeader("X-RateLimit-Reset", String.valueOf(resetEpochSeconds))));
        IntercomClient client = client();

        client.get("/tags", "tags list");
        client.get("/tags", "tags list");

        List<ServeEvent> events = eventsInOrder(server);
        assertEquals(2, events.size());
        assertTrue(events.get(1).getRequest().getLoggedDate().getTime() >= resetEpochSeconds * 1000,
                "with 0 remaining the next request must wait for the window to reset");
        assertEquals(0, client.rateLimitedCount(), "pacing avoids the 429 altogether");
    }

    // ---------------------------------------------------------------------------------------------
    // Retries

    @Test
    void serverErrorBurstIsRetriedUntilSuccess() {
        String path = "/conversations/367";
        chain(path, aResponse().withStatus(500).withBody("{\"type\":\"error.list\",\"errors\":[{\"code\":"
                        + "\"server_error\",\"message\":\"Server Error\"}]}"),
                aResponse().withStatus(502).withBody("<html>Bad Gateway</html>"),
                aResponse().withStatus(503),
                okJson("{\"type\":\"conversation\",\"id\":\"367\"}"));
        IntercomClient client = client();

        JsonNode body = client.get(path, "conversations conversation 367 parts");

        assertEquals("367", body.path("id").asText());
        server.verify(4, getRequestedFor(urlEqualTo(path)));
        assertEquals(3, client.retryCount());
        assertEquals(4, client.requestCount());
        assertEquals(0, client.limiter().inFlight(), "every request released its place in the limiter");
    }

    @Test
    void serverErrorsUntilTheTimeBudgetEndsFailWithRetriesExhausted() {
        server.stubFor(get(urlEqualTo("/segments")).willReturn(aResponse().withStatus(503)));
        IntercomClient client = client("2.11", 10, 250);

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> client.get("/segments", "segments list"));

        record(e);
        assertTrue(e.getMessage().contains("segments list"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
        int requests = server.getAllServeEvents().size();
        assertTrue(requests >= 2 && requests <= 30, "retried within the time budget, got " + requests);
    }

    @Test
    void waitingForTheRateLimitDoesNotSpendTheRetryBudget() {
        long resetEpochSeconds = (System.currentTimeMillis() + 1_500) / 1000; // 0.5 to 1.5 s ahead
        chain("/admins", errorResponse(429, "2.14-error-429.json")
                        .withHeader("X-RateLimit-Limit", "100")
                        .withHeader("X-RateLimit-Remaining", "0")
                        .withHeader("X-RateLimit-Reset", String.valueOf(resetEpochSeconds)),
                aResponse().withStatus(500), okJson(ADMINS_JSON));
        // A retry budget shorter than the rate-limit wait: the 500 after the wait must still be retried.
        IntercomClient client = client("2.11", 10, 300);

        JsonNode body = client.get("/admins", "admins list");

        assertEquals("admin.list", body.path("type").asText());
        assertEquals(3, server.getAllServeEvents().size());
        assertEquals(1, client.retryCount());
    }

    @Test
    void getWithoutRetryDoesNotRetryA500() {
        server.stubFor(get(urlEqualTo("/companies/scroll")).willReturn(aResponse().withStatus(500)));
        IntercomClient client = client();

        IntercomApiException e = assertThrows(IntercomApiException.class,
                () -> client.getWithoutRetry("/companies/scroll", "companies scroll"));

        record(e);
        assertEquals(500, e.status());
        server.verify(1, getRequestedFor(urlEqualTo("/companies/scroll")));
    }

    @Test
    void truncatedJsonBodyIsRetriedABoundedNumberOfTimesThenFails() {
        String context = "users search page starting_after=WzE3MTk0OTI3NzcwMDAsImFiYyJd";
        server.stubFor(post(urlEqualTo("/contacts/search"))
                .willReturn(okJson("{\"type\":\"list\",\"data\":[{\"type\":\"contact\",\"id\":\"66")));
        IntercomClient client = client("2.11", 10, 30_000);

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> client.post("/contacts/search", MAPPER.createObjectNode(), context));

        record(e);
        assertTrue(e.getMessage().contains(context), "names the resource and position: " + e.getMessage());
        assertTrue(e.getMessage().contains("/contacts/search"), e.getMessage());
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        int requests = server.getAllServeEvents().size();
        assertTrue(requests >= 2 && requests <= 5,
                "a bad body is retried, but a bounded number of times even with a large time budget: " + requests);
        assertEquals(0, client.limiter().inFlight(), "every request released its place in the limiter");
    }

    @Test
    void emptyOkBodyIsRetriedABoundedNumberOfTimesThenFails() {
        String context = "conversations conversation 378 parts";
        server.stubFor(get(urlEqualTo("/conversations/378")).willReturn(aResponse().withStatus(200).withBody("")));
        IntercomClient client = client("2.11", 10, 30_000);

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> client.get("/conversations/378", context));

        record(e);
        assertTrue(e.getMessage().contains(context), e.getMessage());
        assertTrue(e.getMessage().contains("empty body"), e.getMessage());
        int requests = server.getAllServeEvents().size();
        assertTrue(requests >= 2 && requests <= 5, "bounded retries, got " + requests);
    }

    @Test
    void aBadBodyFollowedByAGoodOneSucceeds() {
        chain("/tags", aResponse().withStatus(200).withBody("   "), okJson("{\"type\":\"list\",\"data\":[]}"));

        assertEquals("list", client().get("/tags", "tags list").path("type").asText());
        server.verify(2, getRequestedFor(urlEqualTo("/tags")));
    }

    @Test
    void connectionResetIsRetried() {
        chain("/admins", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), okJson(ADMINS_JSON));
        IntercomClient client = client();

        JsonNode body = client.get("/admins", "admins list");

        assertEquals("admin.list", body.path("type").asText());
        assertTrue(server.getAllServeEvents().size() >= 2);
        assertEquals(0, client.limiter().inFlight(), "every request released its place in the limiter");
    }

    @Test
    void connectionResetEveryTimeEndsInRetriesExhaustedWithTheIoCause() {
        server.stubFor(get(urlEqualTo("/admins")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        IntercomClient client = client("2.11", 10, 200);

        RetriesExhaustedException e = assertThrows(RetriesExhaustedException.class,
                () -> client.get("/admins", "admins list"));

        record(e);
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(e.getMessage().contains("admins list"), e.getMessage());
        assertEquals(0, client.limiter().inFlight(), "every request released its place in the limiter");
    }

    // ---------------------------------------------------------------------------------------------
    // Errors that are not retried

    @Test
    void a401FailsAtOnceNamingTheTokenSetting() {
        server.stubFor(get(urlEqualTo("/me")).willReturn(errorResponse(401, "2.11-error-401.json")));
        IntercomClient client = client();

        IntercomAuthException e = assertThrows(IntercomAuthException.class, () -> client.get("/me", "connectivity"));

        record(e);
        assertTrue(e.getMessage().contains("refused the access token"), e.getMessage());
        assertTrue(e.getMessage().contains("intercom.access.token"), e.getMessage());
        assertEquals(401, e.status());
        assertEquals("unauthorized", e.errorCode());
        server.verify(1, getRequestedFor(urlEqualTo("/me")));
        assertEquals(0, client.retryCount());
        assertEquals(0, client.limiter().inFlight(), "every request released its place in the limiter");
    }

    @Test
    void a403NamesScopeAndPlan() {
        server.stubFor(post(urlEqualTo("/conversations/search")).willReturn(errorResponse(403, "2.11-error-403.json")));
        IntercomClient client = client();

        IntercomAuthException e = assertThrows(IntercomAuthException.class,
                () -> client.post("/conversations/search", MAPPER.createObjectNode(), "conversations search"));

        record(e);
        assertTrue(e.getMessage().contains("scope"), e.getMessage());
        assertTrue(e.getMessage().contains("plan"), e.getMessage());
        assertTrue(e.getMessage().contains("api_plan_restricted"), e.getMessage());
        assertEquals(403, e.status());
        server.verify(1, postRequestedFor(urlEqualTo("/conversations/search")));
    }

    @Test
    void a404IsANotFoundApiExceptionWithTheErrorListCode() {
        server.stubFor(get(urlEqualTo("/contacts/667d60a98a68186f43bafdb9/segments"))
                .willReturn(errorResponse(404, "2.11-error-404-contact.json")));
        server.stubFor(get(urlEqualTo("/companies/x")).willReturn(errorResponse(404, "2.11-error-404-company.json")));
        IntercomClient client = client();

        IntercomApiException e = assertThrows(IntercomApiException.class,
                () -> client.get("/contacts/667d60a98a68186f43bafdb9/segments", "users contact 667d segments"));
        record(e);
        assertFalse(e instanceof IntercomAuthException);
        assertTrue(e.isNotFound());
        assertEquals(404, e.status());
        assertEquals("not_found", e.errorCode());
        assertTrue(e.getMessage().contains("User Not Found"), e.getMessage());
        server.verify(1, getRequestedFor(urlEqualTo("/contacts/667d60a98a68186f43bafdb9/segments")));

        IntercomApiException company = assertThrows(IntercomApiException.class,
                () -> client.get("/companies/x", "company x"));
        record(company);
        assertEquals("company_not_found", company.errorCode());
    }

    @Test
    void otherClientErrorsAreNotRetriedAndCarryTheCode() {
        server.stubFor(get(urlPathEqualTo("/companies/scroll")).willReturn(aResponse().withStatus(400)
                .withBody("{\"type\":\"error.list\",\"request_id\":null,\"errors\":[{\"code\":\"scroll_exists\","
                        + "\"message\":\"scroll already exists for this workspace\"}]}")));
        IntercomClient client = client();

        IntercomApiException e = assertThrows(IntercomApiException.class,
                () -> client.get("/companies/scroll", "companies scroll"));
        record(e);
        assertFalse(e.isNotFound());
        assertEquals(400, e.status());
        assertEquals("scroll_exists", e.errorCode());
        assertEquals(1, server.getAllServeEvents().size());
    }

    @Test
    void closingTheClientEndsARateLimitWait() throws Exception {
        server.stubFor(get(urlEqualTo("/admins")).willReturn(aResponse().withStatus(429)
                .withHeader("X-RateLimit-Reset", String.valueOf(System.currentTimeMillis() / 1000 + 30))));
        IntercomClient client = client();
        BackgroundGet call = new BackgroundGet(client, "/admins");
        Thread.sleep(300);
        assertEquals(1, call.done.getCount(), "still waiting for the 30 s reset");
        client.close();
        assertTrue(call.done.await(2, TimeUnit.SECONDS), "close() must end the wait at once");
        assertInstanceOf(ClientStoppedException.class, call.thrown.get());
        record(call.thrown.get());
    }

    @Test
    void closingTheClientCancelsACallBlockedOnASlowServer() throws Exception {
        server.stubFor(get(urlEqualTo("/admins")).willReturn(okJson(ADMINS_JSON).withFixedDelay(15_000)));
        // A request timeout far longer than the test: only the cancel can end the call in time.
        IntercomClient client = track(new IntercomClient(new IntercomClient.Settings(baseUrl, token, "2.11", 60_000,
                20, 5_000)));
        BackgroundGet call = new BackgroundGet(client, "/admins");
        awaitCallInFlight(client);
        long closedAt = System.nanoTime();
        client.close();
        assertTrue(call.done.await(2, TimeUnit.SECONDS), "close() must cancel the call in flight");
        assertTrue(System.nanoTime() - closedAt < TimeUnit.SECONDS.toNanos(2));
        assertInstanceOf(ClientStoppedException.class, call.thrown.get(), "a cancelled call is a stop, not a retry");
        record(call.thrown.get());
        assertEquals(0, client.retryCount());
        assertEquals(1, server.getAllServeEvents().size());
        assertEquals(0, client.callsInFlight());
        assertEquals(0, client.limiter().inFlight(), "the cancelled request released its place in the limiter");
    }

    @Test
    void aCallStartedAfterCloseIsNotSent() {
        server.stubFor(get(urlEqualTo("/admins")).willReturn(okJson(ADMINS_JSON)));
        IntercomClient client = client();
        client.close();

        record(assertThrows(ClientStoppedException.class, () -> client.get("/admins", "admins list")));
        assertEquals(0, server.getAllServeEvents().size());
    }

    @Test
    void aRedirectIsNotFollowedAndFailsNamingOnlyTheTargetHost() {
        WireMockServer other = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        other.start();
        otherServers.add(other);
        other.stubFor(get(urlPathEqualTo("/elsewhere/admins")).willReturn(okJson(ADMINS_JSON)));
        String target = "http://localhost:" + other.port() + "/elsewhere/admins?secret-path-marker=1";
        server.stubFor(get(urlEqualTo("/admins")).willReturn(aResponse().withStatus(301)
                .withHeader("Location", target)));
        IntercomClient client = client();

        IntercomApiException e = assertThrows(IntercomApiException.class, () -> client.get("/admins", "admins list"));

        record(e);
        assertFalse(e instanceof IntercomTransientException);
        assertEquals(301, e.status());
        assertTrue(e.getMessage().contains("redirected"), e.getMessage());
        assertTrue(e.getMessage().contains("localhost"), "names the target host: " + e.getMessage());
        assertTrue(e.getMessage().contains("intercom.api.url"), "names the setting to fix: " + e.getMessage());
        assertFalse(e.getMessage().contains("elsewhere") || e.getMessage().contains("secret-path-marker"),
                "never the target's path or query: " + e.getMessage());
        assertEquals(0, other.getAllServeEvents().size(), "the redirect must not be followed");
        server.verify(1, getRequestedFor(urlEqualTo("/admins")));
        assertEquals(0, client.retryCount());
    }

    @Test
    void aRedirectToHttpsIsNotFollowedEither() {
        server.stubFor(get(urlEqualTo("/tags")).willReturn(aResponse().withStatus(308)
                .withHeader("Location", "https://127.0.0.1:1/tags")));
        IntercomClient client = client();

        IntercomApiException e = assertThrows(IntercomApiException.class, () -> client.get("/tags", "tags list"));

        record(e);
        assertEquals(308, e.status());
        assertTrue(e.getMessage().contains("to host 127.0.0.1"), e.getMessage());
    }

    /** A GET on a thread of its own, as a reader of the task makes it, for close() to end. */
    private static final class BackgroundGet {
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);

        BackgroundGet(IntercomClient client, String path) {
            Thread t = new Thread(() -> {
                try {
                    client.get(path, "admins list");
                } catch (Throwable e) {
                    thrown.set(e);
                } finally {
                    done.countDown();
                }
            });
            t.start();
        }
    }

    private static void awaitCallInFlight(IntercomClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (client.callsInFlight() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, client.callsInFlight(), "the call must be in flight before close()");
        Thread.sleep(200); // and have reached the server, which now holds it
    }

    // ---------------------------------------------------------------------------------------------
    // Next-page URLs

    @Test
    void nextPageUrlOnAnotherHostIsResolvedAgainstTheBaseUrl() {
        WireMockServer other = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        other.start();
        otherServers.add(other);
        other.stubFor(get(urlPathEqualTo("/contacts")).willReturn(okJson("{\"type\":\"list\",\"data\":[]}")));
        server.stubFor(get(urlPathEqualTo("/contacts")).willReturn(okJson("{\"type\":\"list\",\"data\":[]}")));
        server.stubFor(get(urlPathEqualTo("/events")).willReturn(okJson("{\"type\":\"event.summary\",\"events\":[]}")));
        IntercomClient client = client();

        client.get("http://127.0.0.1:" + other.port() + "/contacts?per_page=150&starting_after=abc", "users list");
        client.get("https://api.intercom.io/contacts?page=2", "users list page 2");
        // The next link of Intercom's own events example: another host and a literal space.
        client.get("http://api.intercom.test/events?next page", "events summary");

        assertEquals(0, other.getAllServeEvents().size(), "the token must never go to another host");
        server.verify(1, getRequestedFor(urlEqualTo("/contacts?per_page=150&starting_after=abc"))
                .withHeader("Authorization", equalTo("Bearer " + token)));
        server.verify(1, getRequestedFor(urlEqualTo("/contacts?page=2")));
        List<ServeEvent> events = eventsInOrder(server);
        assertEquals("/events?next%20page", events.get(2).getRequest().getUrl());
    }

    @Test
    void resolveKeepsUrlsOnTheBaseAndRewritesOthers() {
        IntercomClient client = client();
        HttpUrl same = client.resolve(baseUrl + "/contacts/1/companies?page=2");
        assertEquals(baseUrl + "/contacts/1/companies?page=2", same.toString());
        HttpUrl foreign = client.resolve("https://evil.example.com:8443/contacts/1/companies?page=2");
        assertEquals("127.0.0.1", foreign.host());
        assertEquals(server.port(), foreign.port());
        assertEquals("/contacts/1/companies", foreign.encodedPath());
        assertEquals("page=2", foreign.query());
        assertEquals(baseUrl + "/tags", client.resolve("tags").toString());
        // A base URL with a path prefix (a proxy) keeps it for relative paths and foreign links.
        IntercomClient proxied = track(new IntercomClient(new IntercomClient.Settings(baseUrl + "/intercom/",
                token, "2.11", 5_000, 10, 1_000)));
        assertEquals(baseUrl + "/intercom/contacts?page=3",
                proxied.resolve("https://api.intercom.io/contacts?page=3").toString());
        assertEquals(baseUrl + "/intercom/admins", proxied.resolve("/admins").toString());
    }

    @Test
    void settingsToStringHidesTheToken() {
        IntercomClient.Settings settings = new IntercomClient.Settings(baseUrl, token, "2.11", 5_000, 10, 1_000);
        assertFalse(settings.toString().contains(token), settings.toString());
        assertTrue(settings.toString().contains(baseUrl));
        assertFalse(IntercomClient.limiterKey(token, baseUrl).contains(token));
    }

    // ---------------------------------------------------------------------------------------------
    // Logs

    @Test
    void noLogLineEverContainsTheToken() {
        LogCapture capture = LogCapture.start();
        try {
            chain("/admins", aResponse().withStatus(500), aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                    okJson(ADMINS_JSON));
            server.stubFor(get(urlEqualTo("/bad")).willReturn(okJson("{\"broken\":")));
            server.stubFor(get(urlEqualTo("/me")).willReturn(errorResponse(401, "2.11-error-401.json")));
            server.stubFor(get(urlEqualTo("/gone")).willReturn(errorResponse(404, "2.11-error-404-contact.json")));
            long reset = System.currentTimeMillis() / 1000 + 1;
            chain("/limited", errorResponse(429, "2.14-error-429.json")
                    .withHeader("X-RateLimit-Reset", String.valueOf(reset)), okJson(ADMINS_JSON));
            IntercomClient client = client("2.11", 10, 30_000);

            client.get("/admins", "admins list");
            record(assertThrows(RetriesExhaustedException.class, () -> client.get("/bad", "bad body")));
            record(assertThrows(IntercomAuthException.class, () -> client.get("/me", "connectivity")));
            record(assertThrows(IntercomApiException.class, () -> client.get("/gone", "gone")));
            client.get("/limited", "limited");
        } finally {
            capture.stop();
        }
        List<String> lines = capture.lines();
        for (String line : lines) {
            for (String t : TOKENS) {
                assertFalse(line.contains(t), "the access token appeared in the logs: " + line);
            }
        }
        // The capture must have seen the client's own lines, or the check above proves nothing.
        assertFalse(clientLoggerIsNop(), "IntercomClient logs to SLF4J's NOP logger: the test classpath needs an "
                + "SLF4J 2 provider (log4j-slf4j2-impl), or no log line can be checked");
        boolean sawRetryWarning = lines.stream()
                // Retries log at INFO: an outage is logged once at WARN by the resource's health.
                .anyMatch(l -> l.startsWith("INFO " + IntercomClient.class.getName()) && l.contains("retry"));
        assertTrue(sawRetryWarning, "the retry lines of IntercomClient must reach the log capture; captured:\n"
                + String.join("\n", lines.subList(0, Math.min(40, lines.size()))));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("DEBUG " + IntercomClient.class.getName())
                && l.contains("Rate limited")), "the 429 debug line must be captured too; captured:\n"
                + String.join("\n", lines.stream().filter(l -> l.contains("kcintercom")).toList()));
    }

    private static boolean clientLoggerIsNop() {
        try {
            java.lang.reflect.Field field = IntercomClient.class.getDeclaredField("log");
            field.setAccessible(true);
            return field.get(null) instanceof org.slf4j.helpers.NOPLogger;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private IntercomClient client() {
        return client("2.11");
    }

    private IntercomClient client(String version) {
        return client(version, 20, 5_000);
    }

    private IntercomClient client(String version, long backoffMs, long maxTimeMs) {
        return track(new IntercomClient(new IntercomClient.Settings(baseUrl, token, version, 5_000, backoffMs,
                maxTimeMs)));
    }

    private IntercomClient track(IntercomClient client) {
        clients.add(client);
        return client;
    }

    /** Stubs GET {@code path} to answer with each response in turn, the last one from then on. */
    private void chain(String path, ResponseDefinitionBuilder... responses) {
        String scenario = "chain " + path;
        for (int i = 0; i < responses.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "step " + i;
            var mapping = get(urlEqualTo(path)).inScenario(scenario).whenScenarioStateIs(state)
                    .willReturn(responses[i]);
            if (i < responses.length - 1) {
                mapping = mapping.willSetStateTo("step " + (i + 1));
            }
            server.stubFor(mapping);
        }
    }

    private static ResponseDefinitionBuilder errorResponse(int status, String exampleFile) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(example(exampleFile));
    }

    static String example(String file) {
        try (InputStream in = IntercomClientTest.class.getResourceAsStream("/intercom-examples/" + file)) {
            assertNotNull(in, "missing test resource intercom-examples/" + file);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ServeEvent> eventsInOrder(WireMockServer server) {
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
        events.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
        return events;
    }

    /** Keeps the full text of an exception (messages of the whole cause chain and stack). */
    private static void record(Throwable e) {
        StringWriter text = new StringWriter();
        e.printStackTrace(new PrintWriter(text));
        for (String t : TOKENS) {
            assertFalse(text.toString().contains(t), "the access token leaked into an exception: " + text);
        }
        EXCEPTION_TEXTS.add(text.toString());
        EXCEPTION_TEXTS.add(String.valueOf(e.getMessage()));
    }

    @Test
    void a403NamesTheScopeTheEndpointNeeds() {
        assertEquals("\"Read conversations\"", ApiErrors.scopeFor("POST /conversations/search (conversations)"));
        assertEquals("\"Read and list users and companies\"",
                ApiErrors.scopeFor("GET /contacts/1/tags (users contact 1 tags)"));
        assertEquals("\"Read admins\"", ApiErrors.scopeFor("GET /teams (admins refresh)"));
        assertEquals("\"Read tags\"", ApiErrors.scopeFor("GET /tags (tags refresh)"));
    }
}
