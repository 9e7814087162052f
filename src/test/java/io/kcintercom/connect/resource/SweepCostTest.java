package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.Malformation;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * What a sweep costs on the sample workspace: after the users were emitted, a sweep that finds
 * nothing changed makes one search request per 150 users (0.7 per 100 ids at 1,000 users), plus
 * the full lists of contacts whose inline tags or companies the API truncates (none here). A sweep
 * gated by counts (between full ones, intercom.reconcile.full.interval.ms) makes one search page
 * per resource and per segment and role, and what it misses the next full sweep finds.
 */
class SweepCostTest {
    @Test
    void anUnchangedWorkspaceCostsAboutIdsOver150Requests() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(181, SampleWorkspace.Sizes.builder()
                .users(1_000).leads(0).companies(10).admins(1).teams(1).tags(6).segments(1).conversations(0)
                .build());
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().build());
             IntercomClient client = new IntercomClient(new IntercomClient.Settings(fake.baseUrl(),
                     fake.options().token(), "2.11", 5000, 10, 2000));
             FollowUps followUps = new FollowUps(8, "cost")) {
            KeyStore store = new KeyStore("state", List.of(Resource.USERS));
            RecordFactory records = new RecordFactory("cost.", List.of(Tables.USERS, Tables.USERS_TAGS,
                    Tables.USERS_COMPANIES), BadObjects.skipping(), store);
            SearchQuery query = new SearchQuery("users", "data", SearchReader.condition("role", "=", "user"));
            ContactGroups groups = new ContactGroups(Resource.USERS, client, records, followUps);

            SearchSweep first = new SearchSweep(Resource.USERS, client, "/contacts/search", query, records, groups,
                    null, new AtomicLong());
            SearchSweepTest.run(first); // every user unknown: emitted in full, as a first sync would
            assertEquals(1_000, store.size(Resource.USERS));

            long before = fake.requestCounts().values().stream().mapToLong(Long::longValue).sum();
            SearchSweep sweep = new SearchSweep(Resource.USERS, client, "/contacts/search", query, records, groups,
                    null, new AtomicLong());
            assertEquals(List.of(), SearchSweepTest.run(sweep), "nothing changed, nothing emitted");
            long requests = fake.requestCounts().values().stream().mapToLong(Long::longValue).sum() - before;

            assertEquals(requests, sweep.requests(), "the sweep counts every request it makes");
            long pages = (1_000 + 149) / 150;
            System.out.printf("sweep of 1,000 users: %d requests (%d search pages), %.2f per 100 ids; by endpoint %s%n",
                    requests, pages, requests / 10.0, Map.copyOf(fake.requestCounts()));
            // This workspace has no contact with more than 10 tags or companies: no full list is needed.
            assertEquals(pages, requests, "one search request per 150 users");
        }
    }

    @Test
    void aGatedSweepCostsAPagePerResourceAndSegmentAndWhatItMissesTheNextFullSweepFinds() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(182, SampleWorkspace.Sizes.builder()
                .users(400).leads(160).companies(10).admins(1).teams(1).tags(6).segments(4).conversations(200)
                .build());
        try (Sweeps sweeps = new Sweeps(ws, "gated")) {
            FakeIntercom fake = sweeps.fake;
            // every object unknown: emitted in full, as a first sync would; the full listing counts what the
            // store never holds (nothing here), so the gated sweeps after it can stop
            sweeps.all(true);
            assertEquals(400, sweeps.store.size(Resource.USERS));

            fake.resetCounters();
            assertEquals(List.of(), sweeps.all(false), "nothing changed, nothing emitted");
            long segments = ws.segments().size();
            assertEquals(2 * (1 + segments), fake.requestCount("POST /contacts/search"),
                    "per role: one listing page, one page per segment");
            assertEquals(2, fake.requestCount("GET /segments"));
            assertEquals(1, fake.requestCount("POST /conversations/search"));
            assertEquals(2 * (2 + segments) + 1, fake.totalRequests(), "nothing else: " + fake.requestCounts());

            // Tagging does not move updated_at: with the counts unchanged only a full sweep sees it (the
            // contacts updated last are listed last, past the first page).
            List<String> newestFirst = ws.contactIdsNewestFirst("user");
            String tagged = newestFirst.get(0);
            String tag = ws.tags().stream().map(t -> t.get("id").asText())
                    .filter(id -> ws.contactTags(tagged).stream().noneMatch(t -> t.get("id").asText().equals(id)))
                    .findFirst().orElseThrow();
            ws.tagContact(tagged, tag);
            String untagged = newestFirst.stream().skip(1).filter(id -> !ws.contactTags(id).isEmpty())
                    .findFirst().orElseThrow();
            String removedTag = ws.contactTags(untagged).get(0).get("id").asText();
            ws.untagContact(untagged, removedTag);
            assertEquals(List.of(), sweeps.all(false), "missed by the gated sweep");
            List<SourceRecord> full = sweeps.all(true);
            List<String> tagRows = full.stream().filter(r -> r.topic().equals("gated." + Tables.USERS_TAGS))
                    .map(r -> ReaderTestSupport.keyField(r, "users_pk") + "/" + ReaderTestSupport.keyField(r, "id")
                            + (r.value() == null ? " tombstone" : " row")).toList();
            assertEquals(Set.of(tagged, untagged), tagRows.stream().map(row -> row.substring(0, row.indexOf('/')))
                    .collect(Collectors.toSet()), "the next full sweep re-sends the two contacts' tags: " + tagRows);
            assertTrue(tagRows.contains(tagged + "/" + tag + " row"), "the tag added: " + tagRows);
            assertTrue(tagRows.contains(untagged + "/" + removedTag + " tombstone"), "the tag removed: " + tagRows);

            // A deleted contact changes the count: the gated sweep lists users in full and retracts it.
            String deleted = newestFirst.get(2);
            ws.deleteContact(deleted);
            fake.resetCounters();
            List<SourceRecord> gated = sweeps.all(false);
            assertEquals(List.of(deleted), gated.stream().filter(r -> r.topic().equals("gated." + Tables.USERS)
                    && r.value() == null).map(r -> ReaderTestSupport.keyField(r, "id")).toList());
            assertEquals((399 + 149) / 150 + 1 + 2 * segments, fake.requestCount("POST /contacts/search"),
                    "the users listed in full, the leads' first page, a page per segment per role");
        }
    }

    /**
     * Issue 17 follow-up: objects Intercom counts that the store never holds (rows that cannot be
     * built, an object without an id) neither make every gated sweep list in full nor hide as many
     * deletions: the full listing counts them, the gated sweep adds them to the stored ones.
     */
    @Test
    void objectsTheStoreNeverHoldsLeaveTheGatedSweepAtAPagePerResourceAndSegmentAndDeletionsStillFound()
            throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(183, SampleWorkspace.Sizes.builder()
                .users(400).leads(160).companies(10).admins(1).teams(1).tags(6).segments(4).conversations(200)
                .build());
        List<String> newestFirst = ws.contactIdsNewestFirst("user");
        List<String> segmented = newestFirst.stream().filter(id -> !ws.contactSegments(id).isEmpty()).toList();
        ws.malformContact(segmented.get(0), Malformation.UNPARSEABLE);
        ws.malformContact(segmented.get(1), Malformation.MISSING_ID);
        ws.malformConversation(ws.conversations().get(0).get("id").asText(), Malformation.UNPARSEABLE);
        try (Sweeps sweeps = new Sweeps(ws, "never")) {
            FakeIntercom fake = sweeps.fake;
            sweeps.all(true);
            assertEquals(398, sweeps.store.size(Resource.USERS), "the two malformed users are never stored");
            assertEquals(2, sweeps.learned.get(Resource.USERS).objects());
            assertEquals(1, sweeps.learned.get(Resource.CONVERSATIONS).objects());

            fake.resetCounters();
            assertEquals(List.of(), sweeps.all(false));
            long segments = ws.segments().size();
            assertEquals(2 * (1 + segments), fake.requestCount("POST /contacts/search"),
                    "per role: one listing page, one page per segment, as without the malformed users");
            assertEquals(1, fake.requestCount("POST /conversations/search"));

            // As many stored users deleted as the store never holds: the stored count alone would match.
            List<String> deleted = segmented.subList(2, 4);
            deleted.forEach(ws::deleteContact);
            fake.resetCounters();
            List<SourceRecord> gated = sweeps.all(false);
            assertEquals(Set.copyOf(deleted), gated.stream().filter(r -> r.topic().equals("never." + Tables.USERS)
                    && r.value() == null).map(r -> ReaderTestSupport.keyField(r, "id")).collect(Collectors.toSet()));
            assertTrue(fake.requestCount("POST /contacts/search") > 2 * (1 + segments), "the users listed in full");
        }
    }

    private static final List<Resource> SWEPT = List.of(Resource.USERS, Resource.LEADS, Resource.CONVERSATIONS);

    /**
     * The fake serving the workspace and what the sweeps of {@link #SWEPT} share over it: the store,
     * the record factory (topics prefixed by the name) and what each resource's listings learn the
     * store never holds. Closed together, the fake last.
     */
    private static final class Sweeps implements AutoCloseable {
        final FakeIntercom fake;
        final IntercomClient client;
        final FollowUps followUps;
        final KeyStore store = new KeyStore("state", SWEPT);
        final RecordFactory records;
        final Map<Resource, NeverStored> learned = Map.of(Resource.USERS, new NeverStored(), Resource.LEADS,
                new NeverStored(), Resource.CONVERSATIONS, new NeverStored());

        Sweeps(SampleWorkspace ws, String name) {
            fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().rateLimitPer10s(0).build());
            client = new IntercomClient(new IntercomClient.Settings(fake.baseUrl(), fake.options().token(), "2.11",
                    5000, 10, 2000));
            followUps = new FollowUps(8, name);
            records = new RecordFactory(name + ".", List.of(Tables.USERS, Tables.USERS_TAGS, Tables.USERS_SEGMENTS,
                    Tables.LEADS, Tables.LEADS_SEGMENTS, Tables.CONVERSATIONS, Tables.CONVERSATIONS_TAGS),
                    BadObjects.skipping(), store);
        }

        /** A sweep of users, leads (each with its segments) and conversations, full or gated by counts. */
        List<SourceRecord> all(boolean full) {
            List<SourceRecord> out = new ArrayList<>();
            for (Resource resource : SWEPT) {
                boolean contacts = resource != Resource.CONVERSATIONS;
                SearchQuery query = contacts ? new SearchQuery(resource.id(), "data", SearchReader.condition("role",
                        "=", resource == Resource.USERS ? "user" : "lead"))
                        : new SearchQuery(resource.id(), "conversations", null);
                GroupBuilder groups = contacts ? new ContactGroups(resource, client, records, followUps)
                        : new ConversationGroups(client, records, followUps);
                SweepStep segments = contacts
                        ? new SegmentSweep(resource, client, records, records.emitted(), false,
                                full ? SegmentSweep.NEVER_GATED : 0, learned.get(resource)) : null;
                SearchSweep sweep = new SearchSweep(resource, client,
                        contacts ? "/contacts/search" : "/conversations/search", query, records, groups, segments,
                        new AtomicLong()).learningInto(learned.get(resource));
                out.addAll(SearchSweepTest.run(full ? sweep : sweep.countGated(0)));
            }
            return out;
        }

        @Override
        public void close() {
            followUps.close();
            client.close();
            fake.close();
        }
    }
}
