package io.kcintercom.connect.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.FakeIntercom.Options;
import io.kcintercom.connect.sandbox.SampleWorkspace.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the semantics of the fake that a connector's correctness depends on. */
class FakeIntercomTest {

    private static final Instant GENERATED_AT = Instant.parse("2026-03-10T15:00:00Z");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String ALL_CONTACTS = or(filter("role", "=", "user"), filter("role", "=", "lead"));

    private static SampleWorkspace ws;

    @BeforeAll
    static void generate() {
        ws = SampleWorkspace.generate(11, sizes(), GENERATED_AT);
    }

    private static Sizes sizes() {
        return Sizes.builder().users(150).leads(50).companies(25).conversations(25)
                .includeTruncatedConversation(true).build();
    }

    // ---- contact search --------------------------------------------------------------------------------

    @Test
    void contactSearchMatchesWholeDaysInTheWorkspaceTimeZone() throws Exception {
        List<JsonNode> contacts = allContacts(ws);
        Map<LocalDate, List<Long>> byDay = contacts.stream().map(c -> c.get("updated_at").asLong())
                .collect(Collectors.groupingBy(t -> day(t, NEW_YORK), TreeMap::new, Collectors.toList()));
        // A day with several distinct update times, so "> first of the day" has something to leave out.
        LocalDate day = byDay.entrySet().stream().filter(e -> new HashSet<>(e.getValue()).size() >= 2)
                .map(Map.Entry::getKey).findFirst().orElseThrow();
        long first = byDay.get(day).stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = byDay.get(day).stream().mapToLong(Long::longValue).max().orElseThrow();
        long dayStart = day.atStartOfDay(NEW_YORK).toEpochSecond();
        long nextDayStart = day.plusDays(1).atStartOfDay(NEW_YORK).toEpochSecond();

        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            Set<String> after = idSet(searchAll(fake, filter("updated_at", ">", first), 150, "ascending"));
            assertEquals(expectedIds(contacts, t -> t >= nextDayStart), after);
            assertFalse(after.contains(idWithUpdatedAt(contacts, last)), "> excludes the rest of that day");

            assertEquals(expectedIds(contacts, t -> t >= dayStart && t < nextDayStart),
                    idSet(searchAll(fake, filter("updated_at", "=", first), 150, "ascending")));
            assertEquals(expectedIds(contacts, t -> t < dayStart),
                    idSet(searchAll(fake, filter("updated_at", "<", String.valueOf(last)), 150, "ascending")),
                    "< ends at the start of the value's day; numeric strings are accepted");

            for (String op : List.of(">=", "<=", "!=")) {
                Reply r = post(fake, "/contacts/search", searchBody(filter("updated_at", op, first), 50, null, "ascending"));
                assertEquals(400, r.status(), op + " on a date is rejected");
            }
        }

        // The same query in another workspace time zone gives that zone's day.
        long probe = contacts.stream().mapToLong(c -> c.get("updated_at").asLong())
                .filter(t -> !dayMembers(contacts, t, NEW_YORK).equals(dayMembers(contacts, t, ZoneOffset.UTC)))
                .findFirst().orElseThrow();
        try (FakeIntercom utc = FakeIntercom.start(ws, Options.builder().workspaceTimeZone("UTC").build())) {
            assertEquals(dayMembers(contacts, probe, ZoneOffset.UTC),
                    idSet(searchAll(utc, filter("updated_at", "=", probe), 150, "ascending")));
            assertEquals("UTC", get(utc, "/me").json().at("/app/timezone").asText());
        }
    }

    @Test
    void contactSearchFrom217MatchesTheExactUtcSecond() throws Exception {
        List<JsonNode> contacts = allContacts(ws);
        // A New York day with several distinct update times: where the day rule and the second rule differ.
        Map<LocalDate, List<Long>> byDay = contacts.stream().map(c -> c.get("updated_at").asLong())
                .collect(Collectors.groupingBy(t -> day(t, NEW_YORK), TreeMap::new, Collectors.toList()));
        List<Long> times = byDay.values().stream().filter(ts -> new HashSet<>(ts).size() >= 3).findFirst()
                .orElseThrow().stream().distinct().sorted().toList();
        long first = times.get(0);
        long middle = times.get(1);
        long last = times.get(times.size() - 1);

        try (FakeIntercom fake = FakeIntercom.start(ws, Options.builder().workspaceTimeZone("America/New_York")
                .build())) {
            for (String version : List.of("2.17", "2.18", "Preview", "Unstable")) {
                assertEquals(expectedIds(contacts, t -> t == middle), idSet(searchAll(fake,
                        filter("updated_at", "=", middle), 150, "ascending", "/contacts/search", "data", version)),
                        version + ": = is that second only, not its day");
                assertEquals(expectedIds(contacts, t -> t > first), idSet(searchAll(fake,
                        filter("updated_at", ">", first), 150, "ascending", "/contacts/search", "data", version)),
                        version + ": > is strict and keeps the rest of the day");
                assertEquals(expectedIds(contacts, t -> t < last), idSet(searchAll(fake,
                        filter("updated_at", "<", String.valueOf(last)), 150, "ascending", "/contacts/search", "data",
                        version)), version + ": < is strict; numeric strings are accepted");
                assertEquals(expectedIds(contacts, t -> t >= middle), idSet(searchAll(fake,
                        filter("updated_at", ">=", middle), 150, "ascending", "/contacts/search", "data", version)));
                assertEquals(expectedIds(contacts, t -> t <= middle), idSet(searchAll(fake,
                        filter("updated_at", "<=", middle), 150, "ascending", "/contacts/search", "data", version)));
                assertEquals(expectedIds(contacts, t -> t >= middle),
                        idSet(searchAll(fake, or(filter("updated_at", ">", middle), filter("updated_at", "=", middle)),
                                150, "descending", "/contacts/search", "data", version)),
                        version + ": the connector's '> W OR = W' starts at W's second, not at W's day");
            }
            // A value the API returned finds that contact again, on the other standard timestamps too.
            JsonNode seen = contacts.stream().filter(c -> c.hasNonNull("last_seen_at")).findFirst().orElseThrow();
            long lastSeen = seen.get("last_seen_at").asLong();
            assertEquals(expectedIds(contacts, "last_seen_at", t -> t == lastSeen),
                    idSet(searchAll(fake, filter("last_seen_at", "=", lastSeen), 150, "ascending", "/contacts/search",
                            "data", "2.17")));
            assertTrue(idSet(searchAll(fake, filter("last_seen_at", "=", lastSeen), 150, "ascending",
                    "/contacts/search", "data", "2.17")).contains(seen.get("id").asText()));
            assertEquals(expectedIds(contacts, "last_seen_at", t -> t < lastSeen), idSet(searchAll(fake,
                    filter("last_seen_at", "<", lastSeen), 150, "ascending", "/contacts/search", "data", "2.17")),
                    "a contact never seen matches no comparison");
        }
    }

    @Test
    void theVersionOfEachRequestChoosesTheDateMatching() throws Exception {
        List<JsonNode> contacts = allContacts(ws);
        long probe = contacts.stream().mapToLong(c -> c.get("updated_at").asLong())
                .filter(t -> dayMembers(contacts, t, NEW_YORK).size() > expectedIds(contacts, u -> u == t).size())
                .findFirst().orElseThrow();
        String body = searchBody(filter("updated_at", "=", probe), 150, null, "ascending");
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.builder().workspaceTimeZone("America/New_York")
                .build())) {
            // Alternating on one fake: the total_count of one version's query is not served to the other.
            for (int round = 0; round < 2; round++) {
                for (String version : List.of("2.11", "2.16", "2.17")) {
                    Reply r = send(fake, "POST", "/contacts/search", body, "sample-token", version);
                    assertEquals(200, r.status());
                    Set<String> expected = version.equals("2.17") ? expectedIds(contacts, t -> t == probe)
                            : dayMembers(contacts, probe, NEW_YORK);
                    assertEquals(expected, idSet(list(r.json().get("data"))), version);
                    assertEquals(expected.size(), r.json().get("total_count").asInt(), version + " total_count");
                }
            }
            for (String op : List.of(">=", "<=")) {
                String rejected = searchBody(filter("updated_at", op, probe), 50, null, "ascending");
                assertEquals(400, send(fake, "POST", "/contacts/search", rejected, "sample-token", "2.16").status(),
                        "2.16: " + op + " on a date is still rejected");
                assertEquals(200, send(fake, "POST", "/contacts/search", rejected, "sample-token", "2.17").status(),
                        "2.17: " + op + " is accepted");
            }
        }
    }

    @Test
    void cursorPagingReturnsEveryContactExactlyOnce() throws Exception {
        List<JsonNode> contacts = allContacts(ws);
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            List<JsonNode> ascending = searchAll(fake, ALL_CONTACTS, 7, "ascending");
            List<String> ids = ids(ascending);
            assertEquals(contacts.size(), ids.size());
            assertEquals(ids.size(), new HashSet<>(ids).size(), "no contact twice");
            assertEquals(idSet(contacts), new HashSet<>(ids), "no contact missing");
            List<Long> times = ascending.stream().map(c -> c.get("updated_at").asLong()).toList();
            for (int i = 1; i < times.size(); i++) {
                assertTrue(times.get(i - 1) <= times.get(i), "sorted by updated_at");
            }
            assertTrue(new HashSet<>(times).size() < times.size(), "the data has same-second ties to page through");

            List<JsonNode> descending = searchAll(fake, ALL_CONTACTS, 150, "descending");
            assertEquals(ids.size(), descending.size());
            assertEquals(new HashSet<>(ids), idSet(descending));
            assertTrue(descending.get(0).get("updated_at").asLong() >= descending.get(descending.size() - 1).get("updated_at").asLong());
        }
    }

    @Test
    void statelessCursorWorksAfterServerRestart() throws Exception {
        String cursor;
        String lastIdOfPageOne;
        try (FakeIntercom before = FakeIntercom.start(ws, Options.defaults())) {
            Reply page1 = post(before, "/contacts/search", searchBody(ALL_CONTACTS, 5, null, "ascending"));
            cursor = page1.json().at("/pages/next/starting_after").asText();
            lastIdOfPageOne = page1.json().at("/data/4/id").asText();
            long sortMillis = page1.json().at("/data/4/updated_at").asLong() * 1000;
            JsonNode decoded = MAPPER.readTree(Base64.getDecoder().decode(cursor));
            assertEquals(List.of(sortMillis, lastIdOfPageOne, 2L),
                    List.of(decoded.get(0).asLong(), decoded.get(1).asText(), decoded.get(2).asLong()),
                    "the cursor is base64 of [sortValueMillis, lastId, page]");
        }
        try (FakeIntercom after = FakeIntercom.start(ws, Options.defaults())) {
            Reply page2 = post(after, "/contacts/search", searchBody(ALL_CONTACTS, 5, cursor, "ascending"));
            assertEquals(200, page2.status());
            assertEquals(2, page2.json().at("/pages/page").asInt());
            List<String> uninterrupted = ids(searchAll(after, ALL_CONTACTS, 5, "ascending"));
            assertEquals(uninterrupted.subList(5, 10), ids(list(page2.json().get("data"))));

            Reply garbage = post(after, "/contacts/search", searchBody(ALL_CONTACTS, 5, "not-a-cursor", "ascending"));
            assertEquals(400, garbage.status());
            Reply shortOrder = post(after, "/contacts/search", searchBody(ALL_CONTACTS, 5, null, "desc"));
            assertEquals("invalid_sort_order", shortOrder.json().at("/errors/0/code").asText());
        }
    }

    // ---- authentication and rate limiting ----------------------------------------------------------------

    @Test
    void wrongOrMissingTokenIs401WithoutRateLimitHeaders() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            for (String token : new String[] {"wrong-token", null}) {
                Reply r = send(fake, "GET", "/me", null, token);
                assertEquals(401, r.status());
                assertEquals("error.list", r.json().get("type").asText());
                assertEquals("unauthorized", r.json().at("/errors/0/code").asText());
                assertEquals("Access Token Invalid", r.json().at("/errors/0/message").asText());
                assertTrue(r.headers().firstValue("X-RateLimit-Limit").isEmpty());
            }
            Reply me = get(fake, "/me");
            assertEquals(200, me.status());
            assertEquals("US", me.json().at("/app/region").asText());
            assertEquals("America/New_York", me.json().at("/app/timezone").asText());
            assertEquals("2.11", fake.lastApiVersionSeen());
        }
    }

    @Test
    void meNamesTheWorkspacesAppUntilTheTokenIsMovedToAnother() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            assertFalse(ws.appId().isBlank());
            assertEquals(ws.appId(), get(fake, "/me").json().at("/app/id_code").asText());
            fake.moveTokenToApp("prodapp1");
            assertEquals("prodapp1", get(fake, "/me").json().at("/app/id_code").asText());
            assertEquals(200, get(fake, "/tags").status(), "the same data is served");
            fake.moveTokenToApp(null);
            assertEquals(ws.appId(), get(fake, "/me").json().at("/app/id_code").asText());
        }
    }

    @Test
    void rateLimitHeadersOnEveryResponseAnd429PastTheLimit() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.builder().rateLimitPer10s(5).build())) {
            long now = Instant.now().getEpochSecond();
            for (int i = 1; i <= 5; i++) {
                Reply r = get(fake, "/tags");
                assertEquals(200, r.status());
                assertEquals("5", r.headers().firstValue("X-RateLimit-Limit").orElseThrow());
                assertEquals(String.valueOf(5 - i), r.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
                long reset = Long.parseLong(r.headers().firstValue("X-RateLimit-Reset").orElseThrow());
                assertTrue(reset >= now && reset <= now + 11, "reset is the window's end in unix seconds");
            }
            Reply limited = get(fake, "/tags");
            assertEquals(429, limited.status());
            assertEquals("rate_limit_exceeded", limited.json().at("/errors/0/code").asText());
            assertEquals("0", limited.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
            assertEquals(1, fake.rateLimited429s());
            assertEquals(6L, fake.requestCounts().get("GET /tags"));
        }
    }

    @Test
    void requestsRunConcurrently() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.builder().latencyMs(150, 150).build())) {
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(HTTP.sendAsync(request(fake, "GET", "/tags", null, "sample-token"), HttpResponse.BodyHandlers.ofString()));
            }
            for (var call : calls) {
                assertEquals(200, call.get().statusCode());
            }
            assertTrue(fake.peakConcurrentRequests() >= 4, "peak was " + fake.peakConcurrentRequests());
        }
    }

    // ---- contact sub-resources -------------------------------------------------------------------------------

    @Test
    void heavyContactsHaveTruncatedInlineListsAndPagedSubResources() throws Exception {
        JsonNode heavy = ws.contacts("user").stream().filter(c -> c.at("/notes/total_count").asInt() > 50)
                .findFirst().orElseThrow();
        String id = heavy.get("id").asText();
        for (String list : List.of("tags", "companies", "notes")) {
            assertTrue(heavy.at("/" + list + "/has_more").asBoolean(), list);
            assertEquals(10, heavy.at("/" + list + "/data").size(), list + " inline list is cut at 10");
            assertEquals("/contacts/" + id + "/" + list, heavy.at("/" + list + "/url").asText());
        }
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            JsonNode tags = get(fake, "/contacts/" + id + "/tags").json();
            assertEquals(heavy.at("/tags/total_count").asInt(), tags.get("data").size());
            assertTrue(tags.at("/data/0/applied_at").isIntegralNumber());

            List<JsonNode> companies = new ArrayList<>();
            String next = fake.baseUrl() + "/contacts/" + id + "/companies";
            while (next != null) {
                JsonNode page = get(fake, next.substring(fake.baseUrl().length())).json();
                assertEquals(15, page.at("/pages/per_page").asInt());
                companies.addAll(list(page.get("data")));
                next = page.at("/pages/next").isNull() ? null : page.at("/pages/next").asText();
            }
            assertEquals(ids(ws.contactCompanies(id)), ids(companies));

            JsonNode notes = get(fake, "/contacts/" + id + "/notes").json();
            assertEquals(heavy.at("/notes/total_count").asInt(), notes.get("total_count").asInt());
            assertEquals(50, notes.get("data").size());
            assertTrue(notes.at("/pages/next").asText().endsWith("/contacts/" + id + "/notes?page=2&per_page=50"));
            assertEquals("admin", notes.at("/data/0/author/type").asText());

            JsonNode events = get(fake, "/events?type=user&summary=true&intercom_user_id=" + id).json();
            assertEquals("event.summary", events.get("type").asText());
            assertEquals(400, get(fake, "/events?intercom_user_id=" + id).status());
        }
    }

    // ---- companies scroll ----------------------------------------------------------------------------------

    @Test
    void oneScrollPerWorkspaceReadsAllCompaniesInIdOrder() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.builder().scrollPageSize(10).build())) {
            Reply first = get(fake, "/companies/scroll");
            assertEquals(200, first.status());
            assertTrue(first.json().get("pages").isNull());
            assertTrue(first.json().get("total_count").isNull());

            Reply second = get(fake, "/companies/scroll");
            assertEquals(400, second.status());
            assertEquals("scroll_exists", second.json().at("/errors/0/code").asText());
            assertEquals("scroll already exists for this workspace", second.json().at("/errors/0/message").asText());

            List<String> ids = new ArrayList<>(ids(list(first.json().get("data"))));
            String param = first.json().get("scroll_param").asText();
            while (true) {
                Reply page = get(fake, "/companies/scroll?scroll_param=" + param);
                assertEquals(200, page.status());
                if (page.json().get("data").isEmpty()) {
                    break;
                }
                ids.addAll(ids(list(page.json().get("data"))));
            }
            assertEquals(ids(ws.companies()), ids);
            assertEquals(ids.stream().sorted().toList(), ids, "scroll order is by id");
            assertEquals(200, get(fake, "/companies/scroll").status(), "after the empty page a new scroll may open");
        }
    }

    @Test
    void idleScrollParamExpiresWith404() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.builder().scrollExpiryMs(100).build())) {
            String param = get(fake, "/companies/scroll").json().get("scroll_param").asText();
            Thread.sleep(250);
            Reply stale = get(fake, "/companies/scroll?scroll_param=" + param);
            assertEquals(404, stale.status());
            assertEquals("not_found", stale.json().at("/errors/0/code").asText());
            assertEquals("scroll parameter not found", stale.json().at("/errors/0/message").asText());
            assertEquals(200, get(fake, "/companies/scroll").status(), "an expired scroll no longer blocks a new one");
        }
    }

    // ---- conversations -------------------------------------------------------------------------------------

    @Test
    void conversationReturnsTheMostRecent500PartsWithTheRealTotal() throws Exception {
        JsonNode longOne = ws.conversations().stream()
                .filter(c -> c.at("/statistics/count_conversation_parts").asInt() > 500).findFirst().orElseThrow();
        String id = longOne.get("id").asText();
        List<JsonNode> allParts = ws.parts(id);
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            Reply r = get(fake, "/conversations/" + id);
            assertEquals(200, r.status());
            JsonNode partList = r.json().get("conversation_parts");
            assertEquals("conversation_part.list", partList.get("type").asText());
            assertEquals(allParts.size(), partList.get("total_count").asInt());
            assertEquals(500, partList.get("conversation_parts").size());
            assertEquals(ids(allParts.subList(allParts.size() - 500, allParts.size())),
                    ids(list(partList.get("conversation_parts"))), "the most recent 500, oldest first");

            Reply search = post(fake, "/conversations/search", searchBody(filter("id", "=", id), 20, null, "ascending"));
            assertFalse(search.json().at("/conversations/0").has("conversation_parts"), "search items carry no parts");
            assertEquals(404, get(fake, "/conversations/999999999").status());
        }
    }

    @Test
    void conversationSearchComparesExactSeconds() throws Exception {
        long t = ws.conversations().get(3).get("updated_at").asLong();
        List<JsonNode> all = ws.conversations();
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            Set<String> after = idSet(searchAll(fake, filter("updated_at", ">", t), 150, "ascending", "/conversations/search", "conversations"));
            assertEquals(expectedIds(all, u -> u > t), after);
            Set<String> same = idSet(searchAll(fake, filter("updated_at", "=", t), 150, "ascending", "/conversations/search", "conversations"));
            assertEquals(expectedIds(all, u -> u == t), same);
        }
    }

    // ---- search index lag, deletes, faults -----------------------------------------------------------------

    @Test
    void searchLagsBehindDirectReadsAndDeletedContactsAre404() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(5, Sizes.builder().users(20).leads(5).build(), GENERATED_AT);
        TestClock clock = new TestClock(Instant.parse("2026-04-01T12:00:00Z"));
        mutable.useClock(clock);
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.builder().searchIndexLagMs(300).build())) {
            String id = mutable.contactIds("user").get(0);
            long before = mutable.contact(id).get("updated_at").asLong();
            mutable.updateContact(id);
            long after = get(fake, "/contacts/" + id).json().get("updated_at").asLong();
            assertTrue(after > before, "GET by id sees the update at once");
            assertEquals(before, searchById(fake, id).get(0).get("updated_at").asLong(), "search still has the old version");
            String added = mutable.addContact("lead");
            assertTrue(searchById(fake, added).isEmpty(), "a new contact is not searchable yet");

            clock.advanceMillis(299);
            assertEquals(before, searchById(fake, id).get(0).get("updated_at").asLong());
            clock.advanceMillis(1);
            assertEquals(after, searchById(fake, id).get(0).get("updated_at").asLong());
            assertEquals(1, searchById(fake, added).size());

            mutable.deleteContact(id);
            assertEquals(404, get(fake, "/contacts/" + id).status());
            Reply tags = get(fake, "/contacts/" + id + "/tags");
            assertEquals(404, tags.status());
            assertEquals("not_found", tags.json().at("/errors/0/code").asText());
        }
    }

    @Test
    void aConvertedLeadIsAUserWithItsIdAndAMergedLeadIsGone404Before216And410From216() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(6, Sizes.builder().users(5).leads(4).conversations(3).build(),
                GENERATED_AT);
        TestClock clock = new TestClock(Instant.parse("2026-04-01T12:00:00Z"));
        mutable.useClock(clock);
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.builder().searchIndexLagMs(300).build())) {
            String converted = mutable.contactIds("lead").get(0);
            String mergedLead = mutable.contactIds("lead").get(1);
            String survivor = mutable.contactIds("user").get(0);
            mutable.convertLead(converted);
            JsonNode user = get(fake, "/contacts/" + converted).json();
            assertEquals("user", user.get("role").asText());
            assertEquals(clock.instant().getEpochSecond(), user.get("updated_at").asLong(), "updated_at moved");
            assertTrue(mutable.contactIds("user").contains(converted) && !mutable.contactIds("lead").contains(converted));
            assertThrows(IllegalArgumentException.class, () -> mutable.convertLead(survivor), "no user-to-lead");

            mutable.mergeLead(mergedLead, survivor);
            assertEquals(404, get(fake, "/contacts/" + mergedLead).status(), "2.11 answers 404");
            Reply gone = send(fake, "GET", "/contacts/" + mergedLead + "/segments", null, "sample-token", "2.16");
            assertEquals(410, gone.status(), "2.16 answers 410");
            assertEquals("contact_merged", gone.json().at("/errors/0/code").asText());
            assertEquals(404, send(fake, "GET", "/contacts/unknown", null, "sample-token", "2.16").status(),
                    "an id never merged is still 404");
            assertFalse(mutable.contactIds("lead").contains(mergedLead));

            String conversation = mutable.conversations().get(0).get("id").asText();
            mutable.deleteConversation(conversation);
            assertEquals(404, get(fake, "/conversations/" + conversation).status());
            assertFalse(mutable.conversations().stream().anyMatch(c -> c.get("id").asText().equals(conversation)));
            clock.advanceMillis(300);
            assertTrue(searchById(fake, mergedLead).isEmpty(), "search drops the merged lead");
            assertEquals("user", searchById(fake, converted).get(0).get("role").asText(), "and finds the converted one");
        }
    }

    @Test
    void deletedConversationsAreListedFromApi216NewestFirstInPagesOfAtMost60() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(7, Sizes.builder().users(5).leads(1).conversations(5).build(),
                GENERATED_AT);
        TestClock clock = new TestClock(Instant.parse("2026-04-01T12:00:00Z"));
        mutable.useClock(clock);
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.defaults())) {
            List<String> ids = mutable.conversations().stream().map(c -> c.get("id").asText()).toList();
            for (String id : ids.subList(0, 3)) {
                mutable.deleteConversation(id);
                clock.advanceMillis(1_000);
            }
            Reply old = get(fake, "/conversations/deleted");
            assertEquals(400, old.status(), "2.11 has no such endpoint");
            assertEquals("intercom_version_invalid", old.json().at("/errors/0/code").asText());

            Reply first = send(fake, "GET", "/conversations/deleted?per_page=2", null, "sample-token", "2.16");
            assertEquals(200, first.status());
            assertEquals("conversations.list", first.json().get("type").asText());
            assertEquals(3, first.json().get("total_count").asInt());
            assertEquals(List.of(ids.get(2), ids.get(1)), list(first.json().get("conversations")).stream()
                    .map(c -> c.get("id").asText()).toList(), "newest deletion first");
            assertEquals(clock.instant().getEpochSecond() - 1,
                    first.json().at("/conversations/0/deleted_at").asLong());
            String next = first.json().at("/pages/next").asText();
            Reply second = send(fake, "GET", next.substring(fake.baseUrl().length()), null, "sample-token", "2.16");
            assertEquals(List.of(ids.get(0)), list(second.json().get("conversations")).stream()
                    .map(c -> c.get("id").asText()).toList());
            assertTrue(second.json().at("/pages/next").isNull());
            assertEquals(400, send(fake, "GET", "/conversations/deleted?per_page=61", null, "sample-token", "2.16")
                    .status(), "at most 60 per page");
            assertEquals(404, get(fake, "/conversations/" + ids.get(0)).status(), "the {id} route is unchanged");
        }
    }

    // ---- removals: links that go without the parent's updated_at moving, and deletes ------------------------

    @Test
    void untagDetachDropAndRemoveNoteEmptyTheListsWithoutMovingUpdatedAt() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(8, Sizes.builder().users(40).leads(5).build(), GENERATED_AT);
        TestClock clock = new TestClock(Instant.parse("2026-04-01T12:00:00Z"));
        mutable.useClock(clock);
        JsonNode before = mutable.contacts("user").stream().filter(c -> c.at("/tags/total_count").asInt() > 0
                        && c.at("/companies/total_count").asInt() > 0 && c.at("/notes/total_count").asInt() > 0
                        && c.at("/social_profiles/data").size() > 0 && !c.at("/tags/has_more").asBoolean())
                .findFirst().orElseThrow();
        String id = before.get("id").asText();
        long updatedAt = before.get("updated_at").asLong();
        String tag = before.at("/tags/data/0/id").asText();
        String company = before.at("/companies/data/0/id").asText();
        String note = before.at("/notes/data/0/id").asText();
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.builder().searchIndexLagMs(300).build())) {
            mutable.untagContact(id, tag);
            assertFalse(ids(list(get(fake, "/contacts/" + id).json().at("/tags/data"))).contains(tag), "inline");
            assertFalse(ids(list(get(fake, "/contacts/" + id + "/tags").json().get("data"))).contains(tag));
            assertThrows(java.util.NoSuchElementException.class, () -> mutable.untagContact(id, tag));
            mutable.tagContact(id, tag);
            assertTrue(ids(list(get(fake, "/contacts/" + id + "/tags").json().get("data"))).contains(tag),
                    "tagging again puts it back");
            mutable.untagContact(id, tag);

            mutable.detachCompany(id, company);
            assertFalse(ids(list(get(fake, "/contacts/" + id).json().at("/companies/data"))).contains(company));
            assertFalse(ids(pageNumberAll(fake, "/contacts/" + id + "/companies")).contains(company));
            assertEquals(200, get(fake, "/companies/" + company).status(), "the company itself stays");

            JsonNode profile = before.at("/social_profiles/data/0");
            assertEquals(profile.get("name").asText(), mutable.dropSocialProfile(id));
            assertFalse(list(get(fake, "/contacts/" + id).json().at("/social_profiles/data")).contains(profile));

            mutable.removeNote(id, note);
            assertFalse(ids(list(get(fake, "/contacts/" + id).json().at("/notes/data"))).contains(note));
            assertFalse(ids(pageNumberAll(fake, "/contacts/" + id + "/notes")).contains(note));
            assertEquals(before.at("/notes/total_count").asInt() - 1,
                    get(fake, "/contacts/" + id).json().at("/notes/total_count").asInt());

            JsonNode after = get(fake, "/contacts/" + id).json();
            assertEquals(updatedAt, after.get("updated_at").asLong(), "no removal moves updated_at");
            assertEquals(before.at("/custom_attributes/profile_revision"), after.at("/custom_attributes/profile_revision"));
            clock.advanceMillis(300);
            assertEquals(updatedAt, searchById(fake, id).get(0).get("updated_at").asLong(), "search agrees");
            assertTrue(searchAll(fake, filter("tag_id", "=", tag), 150, "ascending").stream()
                    .noneMatch(c -> c.get("id").asText().equals(id)), "searching by the tag no longer finds it");
        }
    }

    @Test
    void segmentMembershipMovesWithoutUpdatedAtAndSearchBySegmentAgreesWithTheSegmentsList() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(9, Sizes.builder().users(40).leads(20).build(), GENERATED_AT);
        TestClock clock = new TestClock(Instant.parse("2026-04-01T12:00:00Z"));
        mutable.useClock(clock);
        String userSegment = mutable.segments().stream().filter(s -> s.get("person_type").asText().equals("user"))
                .findFirst().orElseThrow().get("id").asText();
        String leadSegment = mutable.segments().stream().filter(s -> s.get("person_type").asText().equals("contact"))
                .findFirst().orElseThrow().get("id").asText();
        String joiner = mutable.contactIds("user").stream()
                .filter(c -> !ids(mutable.contactSegments(c)).contains(userSegment)).findFirst().orElseThrow();
        String leaver = mutable.contactIds("user").stream()
                .filter(c -> ids(mutable.contactSegments(c)).contains(userSegment)).findFirst().orElseThrow();
        long joinerUpdatedAt = mutable.contact(joiner).get("updated_at").asLong();
        long leaverUpdatedAt = mutable.contact(leaver).get("updated_at").asLong();
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.builder().searchIndexLagMs(300).build())) {
            mutable.moveSegmentMembership(joiner, userSegment, true);
            mutable.moveSegmentMembership(leaver, userSegment, false);
            assertTrue(ids(list(get(fake, "/contacts/" + joiner + "/segments").json().get("data"))).contains(userSegment));
            assertFalse(ids(list(get(fake, "/contacts/" + leaver + "/segments").json().get("data"))).contains(userSegment));
            assertEquals(joinerUpdatedAt, get(fake, "/contacts/" + joiner).json().get("updated_at").asLong());
            assertEquals(leaverUpdatedAt, get(fake, "/contacts/" + leaver).json().get("updated_at").asLong());
            assertThrows(IllegalArgumentException.class, () -> mutable.moveSegmentMembership(joiner, leadSegment, true),
                    "a user joins only user segments");

            clock.advanceMillis(300);
            for (String segment : List.of(userSegment, leadSegment)) {
                Set<String> members = new HashSet<>();
                for (String role : List.of("user", "lead")) {
                    mutable.contactIds(role).stream().filter(c -> ids(mutable.contactSegments(c)).contains(segment))
                            .forEach(members::add);
                }
                assertFalse(members.isEmpty(), segment);
                assertEquals(members, idSet(searchAll(fake, filter("segment_id", "=", segment), 7, "ascending")),
                        "search on segment_id lists exactly the contacts whose segments name it");
            }
            Set<String> usersIn = idSet(searchAll(fake,
                    and(filter("segment_id", "=", userSegment), filter("role", "=", "user")), 150, "ascending"));
            assertTrue(usersIn.contains(joiner) && !usersIn.contains(leaver));
            assertTrue(searchAll(fake, and(filter("segment_id", "=", userSegment), filter("role", "=", "lead")), 150,
                    "ascending").isEmpty(), "combined with role in an AND");
        }
    }

    @Test
    void anUntaggedConversationKeepsItsUpdatedAt() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(10, Sizes.builder().users(10).leads(2).conversations(30)
                .build(), GENERATED_AT);
        TestClock clock = new TestClock(Instant.parse("2026-04-01T12:00:00Z"));
        mutable.useClock(clock);
        JsonNode before = mutable.conversations().stream().filter(c -> c.at("/tags/tags").size() > 0)
                .findFirst().orElseThrow();
        String id = before.get("id").asText();
        String tag = before.at("/tags/tags/0/id").asText();
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.builder().searchIndexLagMs(300).build())) {
            mutable.untagConversation(id, tag);
            JsonNode after = get(fake, "/conversations/" + id).json();
            assertFalse(ids(list(after.at("/tags/tags"))).contains(tag));
            assertEquals(before.get("updated_at").asLong(), after.get("updated_at").asLong(), "updated_at stays");
            clock.advanceMillis(300);
            assertTrue(searchAll(fake, filter("tag_ids", "=", tag), 150, "ascending", "/conversations/search",
                    "conversations").stream().noneMatch(c -> c.get("id").asText().equals(id)));
            assertThrows(java.util.NoSuchElementException.class, () -> mutable.untagConversation(id, tag));
        }
    }

    @Test
    void aDeletedCompanyIsGoneFromTheScrollTheListsItsGetAndEveryContact() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(12, Sizes.builder().users(40).leads(10).companies(20)
                .build(), GENERATED_AT);
        String contact = mutable.contactIds("user").stream().filter(c -> !mutable.contactCompanies(c).isEmpty())
                .findFirst().orElseThrow();
        String company = mutable.contactCompanies(contact).get(0).get("id").asText();
        String companyId = mutable.contactCompanies(contact).get(0).get("company_id").asText();
        List<String> holders = new ArrayList<>();
        for (String role : List.of("user", "lead")) {
            mutable.contactIds(role).stream().filter(c -> ids(mutable.contactCompanies(c)).contains(company))
                    .forEach(holders::add);
        }
        Map<String, Long> updatedAt = holders.stream()
                .collect(Collectors.toMap(c -> c, c -> mutable.contact(c).get("updated_at").asLong()));
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.builder().scrollPageSize(7).build())) {
            assertEquals(company, get(fake, "/companies/" + company).json().get("id").asText());
            assertEquals(List.of(company), ids(pageNumberAll(fake, "/companies?company_id=" + companyId)));
            assertTrue(ids(pageNumberAll(fake, "/companies?per_page=4")).contains(company));
            assertTrue(ids(pageNumberAll(fake, "/companies/list?per_page=4", "POST")).contains(company),
                    "it has users, so the list has it");

            mutable.deleteCompany(company);
            Reply gone = get(fake, "/companies/" + company);
            assertEquals(404, gone.status());
            assertEquals("company_not_found", gone.json().at("/errors/0/code").asText());
            assertEquals(404, get(fake, "/companies?company_id=" + companyId).status());
            List<String> listed = ids(pageNumberAll(fake, "/companies?per_page=4"));
            assertEquals(ids(mutable.companies()), listed, "GET /companies lists every other company");
            assertFalse(ids(pageNumberAll(fake, "/companies/list?per_page=4", "POST")).contains(company));
            assertFalse(scrollAll(fake).contains(company));
            assertEquals(ids(mutable.companies()), scrollAll(fake));
            for (String holder : holders) {
                JsonNode c = get(fake, "/contacts/" + holder).json();
                assertFalse(ids(list(c.at("/companies/data"))).contains(company), holder);
                assertFalse(ids(pageNumberAll(fake, "/contacts/" + holder + "/companies")).contains(company));
                assertEquals(updatedAt.get(holder), c.get("updated_at").asLong(), "the contact's updated_at stays");
            }
        }
    }

    @Test
    void theCompaniesListLeavesOutCompaniesWithoutUsersAndSortsByLastRequest() throws Exception {
        SampleWorkspace sample = SampleWorkspace.generate(14, Sizes.builder().users(20).leads(5).companies(30).build(),
                GENERATED_AT);
        String userless = sample.addCompany();
        try (FakeIntercom fake = FakeIntercom.start(sample, Options.defaults())) {
            List<JsonNode> listed = pageNumberAll(fake, "/companies/list?per_page=6", "POST");
            Set<String> withUsers = sample.companies().stream().filter(c -> c.get("user_count").asInt() > 0)
                    .map(c -> c.get("id").asText()).collect(Collectors.toSet());
            assertFalse(withUsers.contains(userless), "a new company has no users yet");
            assertEquals(withUsers, idSet(listed));
            List<Long> lastRequest = listed.stream().map(c -> c.path("last_request_at").asLong(Long.MIN_VALUE)).toList();
            for (int i = 1; i < lastRequest.size(); i++) {
                assertTrue(lastRequest.get(i - 1) >= lastRequest.get(i), "most recently requested first");
            }
            assertEquals(400, post(fake, "/companies/list?page=201&per_page=50", "").status(),
                    "no company past the 10,000th: the scroll is the way beyond");
            String tag = sample.companies().stream().filter(c -> c.at("/tags/tags").size() > 0).findFirst().orElseThrow()
                    .at("/tags/tags/0/id").asText();
            Set<String> tagged = sample.companies().stream()
                    .filter(c -> ids(list(c.at("/tags/tags"))).contains(tag)).map(c -> c.get("id").asText())
                    .collect(Collectors.toSet());
            assertEquals(tagged, idSet(pageNumberAll(fake, "/companies?per_page=1&tag_id=" + tag)),
                    "the next pages keep the filter");
        }
    }

    @Test
    void aDeletedContactIs404EverywhereAndAMergedLeadIs410WithALinkToItsUserFrom216() throws Exception {
        SampleWorkspace mutable = SampleWorkspace.generate(13, Sizes.builder().users(10).leads(5).build(), GENERATED_AT);
        TestClock clock = new TestClock(Instant.parse("2026-04-01T12:00:00Z"));
        mutable.useClock(clock);
        String deleted = mutable.contactIds("user").get(1);
        String lead = mutable.contactIds("lead").get(0);
        String survivor = mutable.contactIds("user").get(0);
        List<String> followUps = List.of("", "/tags", "/segments", "/companies", "/notes");
        try (FakeIntercom fake = FakeIntercom.start(mutable, Options.builder().searchIndexLagMs(300).build())) {
            mutable.deleteContact(deleted);
            mutable.mergeLead(lead, survivor);
            for (String version : List.of("2.11", "2.16")) {
                for (String sub : followUps) {
                    Reply r = send(fake, "GET", "/contacts/" + deleted + sub, null, "sample-token", version);
                    assertEquals(404, r.status(), version + sub);
                    assertEquals("not_found", r.json().at("/errors/0/code").asText());
                    assertTrue(r.headers().firstValue("Link").isEmpty());
                }
                assertEquals(404, send(fake, "GET", "/events?type=user&summary=true&intercom_user_id=" + deleted,
                        null, "sample-token", version).status());
            }
            for (String sub : followUps) {
                assertEquals(404, get(fake, "/contacts/" + lead + sub).status(), "2.11: a merged lead is 404" + sub);
                Reply r = send(fake, "GET", "/contacts/" + lead + sub, null, "sample-token", "2.16");
                assertEquals(410, r.status(), sub);
                assertEquals("contact_merged", r.json().at("/errors/0/code").asText());
                assertEquals("</contacts/" + survivor + ">; rel=\"canonical\"", r.headers().firstValue("Link")
                        .orElseThrow(), "the Link names the user it was merged into");
            }
            clock.advanceMillis(300);
            Set<String> everyone = idSet(searchAll(fake, ALL_CONTACTS, 150, "ascending"));
            assertFalse(everyone.contains(deleted) || everyone.contains(lead), "search has neither");
            assertTrue(everyone.contains(survivor));
        }
    }

    @Test
    void injectedFaultsHitOnlyTheirEndpointAndAreCounted() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            fake.failNext("GET /me", 1, Fault.HTTP_500);
            fake.failNext("GET /tags", 1, Fault.EMPTY_BODY_200);
            fake.failNext("GET /admins", 1, Fault.HTTP_503);
            assertEquals(200, get(fake, "/teams").status());
            assertEquals(500, get(fake, "/me").status());
            assertEquals(200, get(fake, "/me").status());
            Reply empty = get(fake, "/tags");
            assertEquals(200, empty.status());
            assertEquals(null, empty.json());
            assertEquals(503, sendRaw(fake, "/admins").statusCode());

            fake.failNext("GET /segments", 1, Fault.CONNECTION_RESET);
            assertEquals(-1, rawGetFirstByte(fake, "/segments"), "the connection closes without a response");
            assertThrows(IllegalArgumentException.class, () -> fake.failNext("GET /nope", 1, Fault.HTTP_500));

            Map<String, Long> counts = fake.requestCounts();
            assertEquals(2L, counts.get("GET /me"));
            assertEquals(1L, counts.get("GET /segments"));
            assertEquals(6L, fake.totalRequests());
            fake.resetCounters();
            assertEquals(0, fake.totalRequests());
        }
    }

    @Test
    void timedOutagesHitTheirEndpointsUntilTheyEnd() throws Exception {
        try (FakeIntercom fake = FakeIntercom.start(ws, Options.defaults())) {
            fake.outage("GET /admins", Fault.HTTP_503, 400);
            assertTrue(fake.outageRunning());
            assertEquals(503, sendRaw(fake, "/admins").statusCode());
            assertEquals(503, sendRaw(fake, "/admins").statusCode(), "every request while it lasts");
            assertEquals(200, get(fake, "/tags").status(), "other endpoints answer");
            Thread.sleep(450);
            assertEquals(0, fake.outagesPending());
            assertEquals(200, get(fake, "/admins").status(), "over after its duration");

            // Of every endpoint, after two more requests: a 500 whose error.list has no errors array.
            fake.outageAfter(FakeIntercom.ALL_ENDPOINTS, Fault.statusWithoutErrors(500), 2, 60_000);
            assertFalse(fake.outageRunning(), "waiting for its requests");
            assertEquals(200, get(fake, "/tags").status());
            assertEquals(200, get(fake, "/teams").status());
            Reply failed = get(fake, "/me");
            assertEquals(500, failed.status());
            assertEquals("error.list", failed.json().path("type").asText());
            assertFalse(failed.json().has("errors"), "no errors array: " + failed.json());
            assertEquals(500, get(fake, "/segments").status());
            assertTrue(fake.outageRunning());
            fake.clearFaults();
            assertEquals(200, get(fake, "/me").status(), "clearFaults ends it");
            assertThrows(IllegalArgumentException.class, () -> fake.outage("GET /nope", Fault.HTTP_500, 10));
        }
    }

    // ---- determinism -----------------------------------------------------------------------------------------

    @Test
    void sameSeedGivesIdenticalJson() throws Exception {
        Sizes small = sizes().toBuilder().users(60).leads(20).conversations(10).build();
        SampleWorkspace a = SampleWorkspace.generate(99, small, GENERATED_AT);
        SampleWorkspace b = SampleWorkspace.generate(99, small, GENERATED_AT);
        SampleWorkspace other = SampleWorkspace.generate(100, small, GENERATED_AT);
        assertEquals(dump(a), dump(b));
        assertNotEquals(dump(a), dump(other));
        try (FakeIntercom fa = FakeIntercom.start(a, Options.defaults());
             FakeIntercom fb = FakeIntercom.start(b, Options.defaults())) {
            String body = searchBody(ALL_CONTACTS, 150, null, "descending");
            assertEquals(post(fa, "/contacts/search", body).json(), post(fb, "/contacts/search", body).json());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    // ---- malformed objects --------------------------------------------------------------------------------

    @Test
    void malformedObjectsAreServedOnTheWireWhileTheAccessorsStayWellFormed() throws Exception {
        SampleWorkspace own = SampleWorkspace.generate(11, sizes(), GENERATED_AT);
        List<String> picked = own.malformSome(2, Malformation.UNPARSEABLE);
        assertEquals(8, picked.size(), "2 each of users, leads, conversations and companies");
        String user = own.contactIds("user").get(0);
        own.malformContact(user, Malformation.MISSING_ID);
        String conversation = own.conversations().get(0).get("id").asText();
        own.malformConversation(conversation, Malformation.WRONG_TYPE);
        try (FakeIntercom fake = FakeIntercom.start(own, Options.defaults())) {
            List<JsonNode> users = searchAll(fake, filter("role", "=", "user"), 150, "ascending");
            assertEquals(1, users.stream().filter(c -> !c.has("id")).count(), "one user without an id");
            assertEquals(List.of(picked.get(0), picked.get(1)), users.stream()
                    .filter(c -> "not-a-date".equals(c.path("created_at").asText())).map(c -> c.get("id").asText())
                    .sorted(Ids.ORDER).toList());
            assertEquals(200, get(fake, "/contacts/" + picked.get(0)).status());
            assertEquals("not-a-date", get(fake, "/contacts/" + picked.get(0)).json().get("created_at").asText());
            assertTrue(get(fake, "/conversations/" + conversation).json().get("created_at").isObject());
            long badCompanies = list(get(fake, "/companies/scroll").json().get("data")).stream()
                    .filter(c -> "not-a-date".equals(c.path("created_at").asText())).count();
            assertTrue(badCompanies >= 1, "the first scroll page holds a malformed company");
        }
        assertTrue(own.contacts("user").stream().allMatch(c -> c.has("id") && c.get("created_at").isNumber()),
                "the accessors tests compute expected rows from are well formed");
        assertTrue(own.companies().stream().allMatch(c -> c.get("created_at").isNumber()));
        assertTrue(own.conversations().stream().allMatch(c -> c.get("created_at").isNumber()));
    }

    @Test
    void theMalformedOptionMalformsSomeOfEachKindAtStart() throws Exception {
        SampleWorkspace own = SampleWorkspace.generate(11, sizes(), GENERATED_AT);
        try (FakeIntercom fake = FakeIntercom.start(own, Options.builder().malformed(1, Malformation.ISO_TIMESTAMP)
                .build())) {
            List<JsonNode> users = searchAll(fake, filter("role", "=", "user"), 150, "ascending");
            assertEquals(1, users.stream().filter(c -> c.get("created_at").isTextual()).count());
        }
    }

    private record Reply(int status, HttpHeaders headers, JsonNode json) {
    }

    /** Lets a test step through the search index lag without sleeping. */
    private static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advanceMillis(long ms) {
            now = now.plusMillis(ms);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("not needed");
        }
    }

    private static String dump(SampleWorkspace w) throws IOException {
        List<JsonNode> everything = new ArrayList<>();
        for (JsonNode c : allContacts(w)) {
            String id = c.get("id").asText();
            everything.add(c);
            everything.addAll(w.notes(id));
            everything.addAll(w.eventSummaries(id));
            everything.addAll(w.contactTags(id));
            everything.addAll(w.contactCompanies(id));
            everything.addAll(w.contactSegments(id));
        }
        Stream.of(w.companies(), w.admins(), w.teams(), w.tags(), w.segments(), w.conversations()).forEach(everything::addAll);
        w.conversations().forEach(c -> everything.addAll(w.parts(c.get("id").asText())));
        return MAPPER.writeValueAsString(everything);
    }

    private static List<JsonNode> allContacts(SampleWorkspace w) {
        List<JsonNode> all = new ArrayList<>(w.contacts("user"));
        all.addAll(w.contacts("lead"));
        return all;
    }

    private static List<JsonNode> searchById(FakeIntercom fake, String id) throws Exception {
        return searchAll(fake, filter("id", "=", id), 50, "ascending");
    }

    private static List<JsonNode> searchAll(FakeIntercom fake, String query, int perPage, String order) throws Exception {
        return searchAll(fake, query, perPage, order, "/contacts/search", "data");
    }

    private static List<JsonNode> searchAll(FakeIntercom fake, String query, int perPage, String order, String path,
                                            String itemsKey) throws Exception {
        return searchAll(fake, query, perPage, order, path, itemsKey, "2.11");
    }

    /** Follows pages.next to the end under the API version, checking the page envelope on the way. */
    private static List<JsonNode> searchAll(FakeIntercom fake, String query, int perPage, String order, String path,
                                            String itemsKey, String version) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        for (int page = 1; ; page++) {
            Reply r = send(fake, "POST", path, searchBody(query, perPage, cursor, order), "sample-token", version);
            assertEquals(200, r.status(), () -> String.valueOf(r.json()));
            JsonNode pages = r.json().get("pages");
            int total = r.json().get("total_count").asInt();
            assertEquals(page, pages.get("page").asInt());
            assertEquals(perPage, pages.get("per_page").asInt());
            assertEquals((total + perPage - 1) / perPage, pages.get("total_pages").asInt());
            items.addAll(list(r.json().get(itemsKey)));
            if (!pages.has("next")) {
                assertEquals(total, items.size(), "nothing changed while paging, so all matches were seen");
                return items;
            }
            assertEquals(perPage, r.json().get(itemsKey).size(), "only the last page is short");
            cursor = pages.at("/next/starting_after").asText();
        }
    }

    private static String searchBody(String query, int perPage, String cursor, String order) throws IOException {
        ObjectNode body = MAPPER.createObjectNode();
        body.set("query", MAPPER.readTree(query));
        ObjectNode pagination = body.putObject("pagination").put("per_page", perPage);
        if (cursor != null) {
            pagination.put("starting_after", cursor);
        }
        body.putObject("sort").put("field", "updated_at").put("order", order);
        return body.toString();
    }

    private static String filter(String field, String operator, Object value) {
        ObjectNode f = MAPPER.createObjectNode().put("field", field).put("operator", operator);
        f.set("value", MAPPER.valueToTree(value));
        return f.toString();
    }

    private static String and(String... filters) {
        return or(filters).replaceFirst("\"OR\"", "\"AND\"");
    }

    private static List<JsonNode> pageNumberAll(FakeIntercom fake, String path) throws Exception {
        return pageNumberAll(fake, path, "GET");
    }

    /** Follows a page-number list's pages.next URLs to the end. */
    private static List<JsonNode> pageNumberAll(FakeIntercom fake, String path, String method) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        String next = path;
        int total = -1;
        while (next != null) {
            Reply page = send(fake, method, next, method.equals("POST") ? "" : null, "sample-token");
            assertEquals(200, page.status(), () -> String.valueOf(page.json()));
            total = page.json().get("total_count").asInt();
            items.addAll(list(page.json().get("data")));
            JsonNode n = page.json().at("/pages/next");
            next = n.isNull() || n.isMissingNode() ? null : n.asText().substring(fake.baseUrl().length());
        }
        assertEquals(total, items.size(), "the pages hold total_count items");
        return items;
    }

    /** Ids of a whole companies scroll, from opening it to its empty page. */
    private static List<String> scrollAll(FakeIntercom fake) throws Exception {
        List<String> ids = new ArrayList<>();
        String param = null;
        while (true) {
            Reply page = get(fake, "/companies/scroll" + (param == null ? "" : "?scroll_param=" + param));
            assertEquals(200, page.status());
            if (page.json().get("data").isEmpty()) {
                return ids;
            }
            ids.addAll(ids(list(page.json().get("data"))));
            param = page.json().get("scroll_param").asText();
        }
    }

    private static String or(String... filters) {
        try {
            ObjectNode o = MAPPER.createObjectNode().put("operator", "OR");
            ArrayNode value = o.putArray("value");
            for (String f : filters) {
                value.add(MAPPER.readTree(f));
            }
            return o.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Reply get(FakeIntercom fake, String path) throws Exception {
        return send(fake, "GET", path, null, "sample-token");
    }

    private static Reply post(FakeIntercom fake, String path, String body) throws Exception {
        return send(fake, "POST", path, body, "sample-token");
    }

    private static Reply send(FakeIntercom fake, String method, String path, String body, String token) throws Exception {
        return send(fake, method, path, body, token, "2.11");
    }

    private static Reply send(FakeIntercom fake, String method, String path, String body, String token,
                              String version) throws Exception {
        HttpResponse<String> r = HTTP.send(request(fake, method, path, body, token, version),
                HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? null : MAPPER.readTree(r.body());
        return new Reply(r.statusCode(), r.headers(), json);
    }

    private static HttpResponse<String> sendRaw(FakeIntercom fake, String path) throws Exception {
        return HTTP.send(request(fake, "GET", path, null, "sample-token"), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(FakeIntercom fake, String method, String path, String body, String token) {
        return request(fake, method, path, body, token, "2.11");
    }

    private static HttpRequest request(FakeIntercom fake, String method, String path, String body, String token,
                                       String version) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
                .header("Accept", "application/json").header("Intercom-Version", version);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** A plain socket, because HTTP clients may retry an idempotent GET on a dropped connection. */
    private static int rawGetFirstByte(FakeIntercom fake, String path) throws IOException {
        try (Socket s = new Socket("127.0.0.1", fake.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sample-token\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return in.read();
        }
    }

    private static List<JsonNode> list(JsonNode array) {
        assertNotNull(array);
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    private static List<String> ids(List<JsonNode> items) {
        return items.stream().map(n -> n.get("id").asText()).toList();
    }

    private static Set<String> idSet(List<JsonNode> items) {
        return new HashSet<>(ids(items));
    }

    private static Set<String> expectedIds(List<JsonNode> items, LongPredicate updatedAt) {
        return items.stream().filter(c -> updatedAt.test(c.get("updated_at").asLong()))
                .map(c -> c.get("id").asText()).collect(Collectors.toSet());
    }

    private static Set<String> expectedIds(List<JsonNode> items, String field, LongPredicate value) {
        return items.stream().filter(c -> c.hasNonNull(field) && value.test(c.get(field).asLong()))
                .map(c -> c.get("id").asText()).collect(Collectors.toSet());
    }

    private static String idWithUpdatedAt(List<JsonNode> items, long updatedAt) {
        return items.stream().filter(c -> c.get("updated_at").asLong() == updatedAt).findFirst().orElseThrow()
                .get("id").asText();
    }

    /** Ids of the contacts updated on the same calendar day as t in the zone. */
    private static Set<String> dayMembers(List<JsonNode> items, long t, ZoneId zone) {
        LocalDate d = day(t, zone);
        return expectedIds(items, u -> day(u, zone).equals(d));
    }

    private static LocalDate day(long epochSeconds, ZoneId zone) {
        return Instant.ofEpochSecond(epochSeconds).atZone(zone).toLocalDate();
    }
}
