package io.kcintercom.connect.resource;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.kcintercom.connect.resource.CompaniesReaderTest.company;
import static io.kcintercom.connect.resource.CompaniesReaderTest.scrollPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.state.ParentState;
import io.kcintercom.connect.state.StateRecords;
import io.kcintercom.connect.table.Tables;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 19: a companies pass with more changed companies than the hold limit streams them, every
 * record before its last carrying the old watermark. On an exactly-once worker it is killed after
 * some batches committed; the next task reads the state topic back (what committed) and the stored
 * offset (the old watermark). Its pass must send only the companies not committed: none twice,
 * none missing. Under at-least-once the store may be ahead of the rows, so it is not trusted and
 * the companies are sent again.
 */
class CompaniesExactRestartTest extends ReaderTestSupport {
    private static final String STATE = "state";
    private static final int COMPANIES = CompaniesReader.HOLD_LIMIT + 1_500;
    private static final int PAGE = 500;
    /**
     * Batches of the first task that committed before the kill. The scroller holds at most the hold
     * limit, so the first batch is handed out mid-pass; the next may be the whole rest of it.
     */
    private static final int COMMITTED_BATCHES = 1;
    private static final int BATCH = 2_000;

    private CompaniesReader reader(KeyStore store, Map<String, ?> offset) {
        RecordFactory records = new RecordFactory(PREFIX, List.of(Tables.COMPANIES), BadObjects.skipping(), store);
        return new CompaniesReader(client, records, offset, 0, CompaniesReaderTest.POLL_MS,
                CompaniesReaderTest.SETTINGS, clock::get);
    }

    /** The whole workspace in pages of {@link #PAGE}: c00000, c00001, ... */
    private static void stubScroll() {
        int pages = (COMPANIES + PAGE - 1) / PAGE;
        for (int page = 0; page <= pages; page++) {
            List<ObjectNode> companies = new ArrayList<>();
            for (int i = page * PAGE; i < Math.min(COMPANIES, (page + 1) * PAGE); i++) {
                companies.add(company(String.format("c%05d", i), T - 100_000 + i));
            }
            String body = scrollPage("p" + (page + 1), companies.toArray(ObjectNode[]::new)).toString();
            wm.stubFor(get(urlPathEqualTo(CompaniesReaderTest.SCROLL))
                    .withQueryParam("scroll_param", page == 0 ? absent() : equalTo("p" + page))
                    .willReturn(okJson(body)));
        }
    }

    /** The first task's batches until the kill: {@link #COMMITTED_BATCHES} poll() results, as one transaction each. */
    private List<SourceRecord> committedBeforeTheKill(KeyStore store) {
        List<SourceRecord> committed = new ArrayList<>();
        try (CompaniesReader first = reader(store, null)) {
            int batches = 0;
            long deadline = System.currentTimeMillis() + 30_000;
            while (batches < COMMITTED_BATCHES) {
                assertTrue(System.currentTimeMillis() < deadline, "the pass did not stream");
                List<SourceRecord> batch = first.poll(BATCH);
                if (!batch.isEmpty()) {
                    committed.addAll(batch);
                    batches++;
                }
            }
            assertEquals(0L, first.nextDueMs(), "killed in the middle of the pass");
        }
        return committed;
    }

    /** The state topic as the next task reads it back: the committed state records, in order. */
    private static KeyStore reloaded(List<SourceRecord> committed, boolean exact) {
        KeyStore store = new KeyStore(STATE, List.of(Resource.COMPANIES), exact);
        for (SourceRecord record : committed) {
            if (record.topic().equals(STATE)) {
                StateRecords.Entry entry = StateRecords.parse(bytes(record.key()), bytes(record.value()));
                store.load(entry.resource(), entry.parentId(), entry.state());
            }
        }
        return store;
    }

    /** The record's key or value as a converter would write it: the framed state text is in it verbatim. */
    private static byte[] bytes(Object struct) {
        return struct == null ? null : struct.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aStreamingPassRestartedAfterAKillOnAnExactlyOnceWorkerSendsNoCompanyTwiceAndMissesNone() {
        stubScroll();
        List<SourceRecord> committed = committedBeforeTheKill(new KeyStore(STATE, List.of(Resource.COMPANIES), true));
        List<String> firstIds = ids(committed, Tables.COMPANIES);
        assertEquals(BATCH, firstIds.size(), "the first batch, streamed");
        assertEquals(firstIds.size(), committed.stream().filter(r -> r.topic().equals(STATE)).count(),
                "a state record per company");
        Map<String, ?> storedOffset = committed.get(committed.size() - 1).sourceOffset();
        assertEquals(Map.of("updated_at", -1L), storedOffset, "mid-pass: the old watermark");

        KeyStore store = reloaded(committed, true);
        assertEquals(firstIds.size(), store.size(Resource.COMPANIES));
        String sample = firstIds.get(17);
        assertEquals(Long.toString(T - 100_000 + Integer.parseInt(sample.substring(1))),
                store.version(Resource.COMPANIES, sample), "the updated_at emitted, read back from the state text");
        List<SourceRecord> second;
        try (CompaniesReader restarted = reader(store, storedOffset)) {
            second = drainPass(restarted);
        }

        Map<String, Integer> sent = new HashMap<>();
        firstIds.forEach(id -> sent.merge(id, 1, Integer::sum));
        ids(second, Tables.COMPANIES).forEach(id -> sent.merge(id, 1, Integer::sum));
        Set<String> twice = new HashSet<>();
        sent.forEach((id, n) -> {
            if (n > 1) {
                twice.add(id);
            }
        });
        assertEquals(Set.of(), twice, "companies sent twice");
        assertEquals(COMPANIES, sent.size(), "every company sent");
        assertEquals(Map.of("updated_at", T - 100_000 + COMPANIES - 1 - CompaniesReader.WATERMARK_MARGIN_SECONDS),
                lastOffset(second), "the pass ends with its new watermark");
    }

    @Test
    void underAtLeastOnceTheStoreIsNotTrustedAndTheCommittedCompaniesAreSentAgain() {
        stubScroll();
        List<SourceRecord> committed = committedBeforeTheKill(new KeyStore(STATE, List.of(Resource.COMPANIES)));
        KeyStore store = reloaded(committed, false);
        assertNull(store.version(Resource.COMPANIES, ids(committed, Tables.COMPANIES).get(0)));

        List<SourceRecord> second;
        try (CompaniesReader restarted = reader(store, committed.get(committed.size() - 1).sourceOffset())) {
            second = drainPass(restarted);
        }

        assertEquals(COMPANIES, ids(second, Tables.COMPANIES).size(), "a state record may be ahead of its row");
    }

    /**
     * Offsets reset through the REST API (or a new workspace, or a topic.prefix change followed by a
     * reset): the reader starts without an offset and must fill the topics again, whatever the
     * state topic remembers; the pass after that may skip by the store again.
     */
    @Test
    void aPassWithoutAStoredOffsetSendsEveryCompanyWhateverTheStoreHolds() {
        stubScroll();
        KeyStore store = new KeyStore(STATE, List.of(Resource.COMPANIES), true);
        List<SourceRecord> first;
        try (CompaniesReader reader = reader(store, null)) {
            first = drainPass(reader);
        }
        assertEquals(COMPANIES, ids(first, Tables.COMPANIES).size());
        assertEquals(COMPANIES, store.size(Resource.COMPANIES));

        List<SourceRecord> afterReset;
        try (CompaniesReader reader = reader(store, null)) {
            afterReset = drainPass(reader);
        }
        assertEquals(COMPANIES, ids(afterReset, Tables.COMPANIES).size(), "offsets reset: everything again");

        List<SourceRecord> resumed;
        try (CompaniesReader reader = reader(store, Map.of("updated_at", -1L))) {
            resumed = drainPass(reader);
        }
        assertEquals(List.of(), ids(resumed, Tables.COMPANIES), "resumed: everything committed at its updated_at");
    }

    @Test
    void theVersionEndsTheStateTextAndAnIdWithAnAtSignStaysApart() {
        ParentState state = new ParentState("c@1", Map.of(), "1700000000");
        String text = state.toTopicText();
        assertEquals("c%401;@=1700000000", text);
        assertEquals(state, ParentState.parse(text));
        assertNull(ParentState.parse("c%401").version());
        assertEquals("c@1", ParentState.parse("c%401").parentId());
        ParentState withChildren = new ParentState("u1", Map.of(Tables.USERS_TAGS,
                new java.util.TreeSet<>(Set.of("t1", "t2"))), "7");
        assertEquals("u1;users_tags=t1,t2;@=7", withChildren.toTopicText());
        assertEquals(withChildren, ParentState.parse(withChildren.toTopicText()));
    }
}
