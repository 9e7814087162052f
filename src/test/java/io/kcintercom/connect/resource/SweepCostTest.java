package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a sweep costs on the sample workspace: after the users were emitted, a sweep that finds
 * nothing changed makes one search request per 150 users (0.7 per 100 ids at 1,000 users), plus
 * the full lists of contacts whose inline tags or companies the API truncates (none here).
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
}
