package io.kcintercom.connect.faults;

import static io.kcintercom.connect.faults.Harness.assertExactlyOnce;
import static io.kcintercom.connect.faults.Harness.expected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.resource.BadObjects;
import io.kcintercom.connect.resource.CompaniesReader;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.table.Tables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deleted companies on the sample workspace (issue 16): a sync, companies deleted in Intercom, and
 * the next pass retracts exactly them, asking Intercom for nothing but the companies its scroll
 * no longer returned, through a 500 on the way. The reader is driven directly with a store of
 * emitted keys in memory, as a task holds it once the state topic is read.
 */
class CompanyDeletesFaultsTest {
    private static final String STATE = "state";
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private CompaniesReader reader(FakeIntercom fake, KeyStore store) {
        IntercomClient client = Harness.client(fake.baseUrl(), fake.options().token(), 5_000);
        closeables.add(client);
        RecordFactory records = new RecordFactory(Harness.PREFIX, List.of(Tables.COMPANIES), BadObjects.skipping(),
                store);
        // Poll interval 0: each drain is one whole pass.
        CompaniesReader reader = new CompaniesReader(client, records, null, 0, 0,
                new CompaniesReader.ScrollSettings(100, 40, 5, 10_000), System::currentTimeMillis);
        closeables.add(reader);
        return reader;
    }

    private static List<SourceRecord> rows(List<SourceRecord> records) {
        return records.stream().filter(r -> r.topic().startsWith(Harness.PREFIX)).toList();
    }

    @Test
    void theNextPassRetractsTheDeletedCompaniesAndOnlyThem() {
        SampleWorkspace ws = Harness.workspace(416, s -> s.companies(40));
        try (FakeIntercom fake = Harness.fake(ws, o -> o.scrollPageSize(10))) {
            KeyStore store = new KeyStore(STATE, List.of(Resource.COMPANIES));
            CompaniesReader reader = reader(fake, store);
            List<SourceRecord> all = new ArrayList<>(rows(Harness.drainPass(reader, Duration.ofSeconds(10))));
            assertExactlyOnce(expected(ws, List.of(Tables.COMPANIES)), all);
            assertEquals(40, store.size(Resource.COMPANIES));
            assertEquals(0, fake.requestCount("GET /companies/{id}"), "nothing to confirm after a first sync");

            String first = ws.companies().get(0).get("id").asText();
            String last = ws.companies().get(39).get("id").asText();
            ws.deleteCompany(first);
            ws.deleteCompany(last);
            fake.failNext("GET /companies/{id}", 1, Fault.HTTP_500);
            List<SourceRecord> second = Harness.drainPass(reader, Duration.ofSeconds(10));

            List<SourceRecord> secondRows = rows(second);
            assertEquals(Set.of(first, last), Set.copyOf(Harness.ids(secondRows, Tables.COMPANIES)),
                    "the two deleted companies' tombstones, and no unchanged company again");
            secondRows.forEach(r -> assertNull(r.value()));
            assertEquals(2, second.stream().filter(r -> r.topic().equals(STATE) && r.value() == null).count(),
                    "their state entries dropped");
            assertEquals(38, store.size(Resource.COMPANIES));
            assertEquals(3, fake.requestCount("GET /companies/{id}"), "the two candidates, one of them retried");
            all.addAll(secondRows);
            assertEquals(Map.of(Tables.COMPANIES, expected(ws, List.of(Tables.COMPANIES)).get(Tables.COMPANIES)),
                    Harness.compacted(all), "the compacted topic equals the workspace");

            // A third pass finds nothing missing: nothing asked, nothing emitted.
            List<SourceRecord> third = Harness.drainPass(reader, Duration.ofSeconds(10));
            assertTrue(third.isEmpty(), "third pass: " + third);
            assertEquals(3, fake.requestCount("GET /companies/{id}"));
        }
    }
}
