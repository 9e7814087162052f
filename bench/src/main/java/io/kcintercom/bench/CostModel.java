package io.kcintercom.bench;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.resource.BadObjects;
import io.kcintercom.connect.resource.FollowUps;
import io.kcintercom.connect.resource.Readers;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import io.kcintercom.connect.resource.SegmentSweep;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * Issue 17's cost model: requests per endpoint for a first sync, a day of 30k contact changes and a
 * day without change at 2M contacts / 300k conversations / 50k companies, from the real code path.
 *
 * <p>The connector's readers (built by {@code Readers.create}, as the task builds them, template
 * {@code all}) run against the sample-workspace fake at three sizes, with no latency and no rate
 * limit: a first sync, an idle pass of each search resource, and a pass after 10 % of the contacts
 * and conversations changed. Each endpoint's count is fitted, least squares, to what drives it
 * (contacts, contacts with notes, conversations, companies, changes...), and the fit extrapolated
 * to the target workspace with the review's assumptions (5 % of contacts with notes, none with more
 * than 10 tags or companies, 3,000 conversation changes a day, 0.5 s a request). Passes per day
 * follow from the connector's default intervals, read from its ConfigDef, and on a day without
 * change from the waits a reader chose after idle passes (measured: the backoff up to
 * poll.interval.max.ms).
 *
 * <p>Segment membership is read by {@code SegmentSweep} at the end of the first sync and at each
 * reconciliation sweep: it is run for both roles after the first sync, its requests fitted to the
 * memberships (contact-segment pairs) and extrapolated to {@value #TARGET_SEGMENTS} segments.
 *
 * <p>The readers keep a store of emitted keys (in memory, as the task's state topic would load it), so
 * the reconciliation sweeps run as they do on a worker: a day later the sweep gated by counts, a
 * {@code intercom.reconcile.full.interval.ms} later the full one; each measured as what the search
 * resources requested beyond an idle pass. The sample workspace is far below
 * {@code intercom.reconcile.gate.min.objects}, under which sweeps are never gated, so the model sets
 * it to 0, as a 2M-contact workspace is far above it.
 *
 * <p>Run: {@code bench/cost-model} (a minute; writes the "Cost model" section of RESULTS.md).
 */
public final class CostModel {
    static final long[][] SIZES = {{600, 200, 150, 100}, {1_200, 400, 300, 200}, {2_400, 800, 600, 400}};
    static final double LATENCY_S = 0.5;
    static final double RATE_PER_MIN = 10_000;
    static final double TARGET_CONTACTS = 2_000_000;
    static final double TARGET_CONVERSATIONS = 300_000;
    static final double TARGET_COMPANIES = 50_000;
    static final double TARGET_NOTES_SHARE = 0.05;
    static final double DAY_CONTACT_CHANGES = 30_000;
    static final double DAY_CONVERSATION_CHANGES = 3_000;
    /** The review's segment count; the sample workspace has {@link #SAMPLE_SEGMENTS}. */
    static final int TARGET_SEGMENTS = 20;
    static final int SAMPLE_SEGMENTS = 6;
    static final String SWEEP_SEARCH = "segment sweep: POST /contacts/search (segment_id)";
    static final String SWEEP_LIST = "segment sweep: GET /segments";
    static final String GATED = "gated sweep: ";
    static final String FULL = "full sweep: ";
    /**
     * Companies a scroll page holds: 100 by Intercom's 2.3 docs (the 2026-12 facts note, Q6: LIKELY;
     * no page size is documented since, and the scroll takes no per_page), where the fake's default is 50.
     */
    static final int SCROLL_PAGE_SIZE = 100;
    static final Instant GENERATED_AT = Instant.parse("2026-12-03T04:00:00Z");

    /** What an endpoint's request count grows with. */
    enum Driver {
        CONTACTS, CONTACTS_WITH_NOTES, TRUNCATED_TAGS, TRUNCATED_COMPANIES, CONVERSATIONS, COMPANIES, MEMBERSHIPS, ONE
    }

    /** One measured run: the drivers' values and the requests per endpoint. */
    record Sample(Map<Driver, Long> drivers, Map<String, Long> requests) {
    }

    /** A least-squares line through the samples. */
    record Fit(double intercept, double slope, double r2, int points) {
        double at(double x) {
            return Math.max(0, intercept + slope * x);
        }

        static Fit of(List<double[]> xy) {
            int n = xy.size();
            double mx = xy.stream().mapToDouble(p -> p[0]).average().orElse(0);
            double my = xy.stream().mapToDouble(p -> p[1]).average().orElse(0);
            double sxx = 0;
            double sxy = 0;
            double syy = 0;
            for (double[] p : xy) {
                sxx += (p[0] - mx) * (p[0] - mx);
                sxy += (p[0] - mx) * (p[1] - my);
                syy += (p[1] - my) * (p[1] - my);
            }
            double slope = sxx == 0 ? 0 : sxy / sxx;
            double intercept = sxx == 0 ? my : my - slope * mx;
            double r2 = syy == 0 ? 1 : sxy * sxy / (sxx * syy);
            return new Fit(intercept, slope, r2, n);
        }
    }

    private final AtomicLong nowMs = new AtomicLong(GENERATED_AT.toEpochMilli() + 3_600_000);
    /** The waits a search reader chose after successive idle passes (poll.interval.max.ms's backoff). */
    private final List<Long> idleWaitsMs = new ArrayList<>();
    private final IntercomSourceConnectorConfig defaults = new IntercomSourceConnectorConfig(Map.of(
            "intercom.access.token", "cost-model", "intercom.tables", "users"));

    public static void main(String[] args) throws Exception {
        Path results = Path.of(args.length > 0 ? args[0] : "bench/RESULTS.md");
        String section = new CostModel().run();
        System.out.println(section);
        CostReport.replaceSection(results, section);
    }

    String run() throws Exception {
        List<Sample> firstSync = new ArrayList<>();
        List<Sample> idle = new ArrayList<>();
        List<Sample> changes = new ArrayList<>();
        List<Sample> sweeps = new ArrayList<>();
        List<Sample> gatedSweeps = new ArrayList<>();
        List<Sample> fullSweeps = new ArrayList<>();
        for (long[] size : SIZES) {
            measure(size, firstSync, idle, changes, sweeps, gatedSweeps, fullSweeps);
        }
        return CostReport.render(this, firstSync, idle, changes, sweeps, gatedSweeps, fullSweeps);
    }

    IntercomSourceConnectorConfig defaults() {
        return defaults;
    }

    List<Long> idleWaitsMs() {
        return idleWaitsMs;
    }

    private void measure(long[] size, List<Sample> firstSync, List<Sample> idle, List<Sample> changes,
                         List<Sample> sweeps, List<Sample> gatedSweeps, List<Sample> fullSweeps) throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(17, SampleWorkspace.Sizes.builder().users((int) size[0])
                .leads((int) size[1]).conversations((int) size[2]).companies((int) size[3]).build(), GENERATED_AT);
        ws.useClock(nowMs::get);
        List<String> tables = new ArrayList<>();
        for (Resource r : Resource.values()) {
            tables.addAll(r.tables());
        }
        tables = List.copyOf(new LinkedHashSet<>(tables));
        try (FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token("cost-model")
                .rateLimitPer10s(0).workspaceTimeZone("UTC").scrollPageSize(SCROLL_PAGE_SIZE).build());
             IntercomClient client = new IntercomClient(new IntercomClient.Settings(fake.baseUrl(), "cost-model",
                     defaults.apiVersion(), 10_000, 20, 10_000));
             FollowUps followUps = new FollowUps(8, "cost-model")) {
            Map<Resource, ResourceReader> readers = new EnumMap<>(Resource.class);
            RecordFactory records = new RecordFactory("cost.", tables, BadObjects.skipping(),
                    new KeyStore("cost-state", List.of(Resource.values())));
            for (Resource r : Resource.values()) {
                readers.put(r, Readers.create(r, new IntercomSourceConnectorConfig(config(fake, tables)), client,
                        records, followUps, null, nowMs::get));
            }
            List<String> contactIds = new ArrayList<>(ws.contactIds("user"));
            contactIds.addAll(ws.contactIds("lead"));
            Map<Driver, Long> drivers = drivers(ws, contactIds, size[2], size[3]);

            fake.resetCounters();
            for (ResourceReader reader : readers.values()) {
                drain(reader);
            }
            Map<String, Long> first = new TreeMap<>(fake.requestCounts());

            // The segment sweep of both roles; its requests do not depend on the store's content.
            fake.resetCounters();
            for (Resource role : List.of(Resource.USERS, Resource.LEADS)) {
                SegmentSweep sweep = new SegmentSweep(role, client, new RecordFactory("cost.", tables),
                        EmittedKeys.NONE);
                while (!sweep.done()) {
                    sweep.step();
                }
            }
            sweeps.add(new Sample(drivers, Map.of(SWEEP_SEARCH, fake.requestCount("POST /contacts/search"),
                    SWEEP_LIST, fake.requestCount("GET /segments"))));
            // drain() runs a reader until nothing is due, which takes in the segment sweep at the end of
            // the first sync (and the event summary backfill, which the first sync's figures keep): the
            // sweep is modelled on its own, by memberships, so its requests leave the first sync's.
            first.merge("POST /contacts/search", -fake.requestCount("POST /contacts/search"), Long::sum);
            first.merge("GET /segments", -fake.requestCount("GET /segments"), Long::sum);
            firstSync.add(new Sample(drivers, first));

            List<Resource> searches = List.of(Resource.USERS, Resource.LEADS, Resource.CONVERSATIONS);
            nowMs.addAndGet(60_000);
            fake.resetCounters();
            for (Resource r : searches) {
                drain(due(readers.get(r)));
            }
            Map<String, Long> idlePass = new TreeMap<>(fake.requestCounts());
            idle.add(new Sample(drivers, idlePass));
            if (idleWaitsMs.isEmpty()) {
                measureIdleWaits(readers.get(Resource.USERS));
            }

            // A day later the sweep gated by counts, a full interval later the full one: what the search
            // resources request beyond an idle pass.
            gatedSweeps.add(new Sample(drivers, sweepDay(fake, readers, searches, defaults.reconcileIntervalMs(),
                    idlePass, GATED)));
            fullSweeps.add(new Sample(drivers, sweepDay(fake, readers, searches, defaults.reconcileFullIntervalMs(),
                    idlePass, FULL)));

            // 10 % of the contacts and conversations change, one every 2 s, then a pass of each.
            List<String> changed = new ArrayList<>();
            for (int i = 0; i < contactIds.size(); i += 10) {
                nowMs.addAndGet(2_000);
                changed.add(ws.updateContact(contactIds.get(i)));
            }
            List<String> conversations = ws.conversations().stream().map(c -> c.get("id").asText()).toList();
            long changedConversations = 0;
            for (int i = 0; i < conversations.size(); i += 10) {
                nowMs.addAndGet(2_000);
                ws.updateConversation(conversations.get(i));
                changedConversations++;
            }
            nowMs.addAndGet(defaults.searchDelayMs() + 5_000);
            fake.resetCounters();
            for (Resource r : searches) {
                drain(due(readers.get(r)));
            }
            changes.add(new Sample(drivers(ws, changed, changedConversations, 0), fake.requestCounts()));
            for (ResourceReader reader : readers.values()) {
                reader.close();
            }
        }
    }

    /** The requests of an idle pass and the sweep {@code laterMs} from now, less the idle pass's, each named {@code kind}. */
    private Map<String, Long> sweepDay(FakeIntercom fake, Map<Resource, ResourceReader> readers,
                                       List<Resource> searches, long laterMs, Map<String, Long> idlePass,
                                       String kind) throws InterruptedException {
        nowMs.addAndGet(laterMs);
        fake.resetCounters();
        for (Resource r : searches) {
            settle(readers.get(r));
        }
        Map<String, Long> sweep = new TreeMap<>();
        fake.requestCounts().forEach((endpoint, n) -> {
            long beyond = n - idlePass.getOrDefault(endpoint, 0L);
            if (beyond > 0) {
                sweep.put(kind + endpoint, beyond);
            }
        });
        return sweep;
    }

    /** Polls a reader while something is due, the clock still: a pass, then the sweep it makes due. */
    private void settle(ResourceReader reader) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        while (reader.nextDueMs() <= nowMs.get()) {
            if (reader.poll(10_000).isEmpty()) {
                Thread.sleep(1);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(reader.resource().id() + ": the sweep did not end in 5 minutes");
            }
        }
    }

    /** Idle passes of one reader until its wait stops growing: the backoff the day without change follows. */
    private void measureIdleWaits(ResourceReader reader) throws InterruptedException {
        long last = -1;
        long wait = reader.nextDueMs() - nowMs.get();
        while (wait > last) {
            idleWaitsMs.add(wait);
            drain(due(reader));
            last = wait;
            wait = reader.nextDueMs() - nowMs.get();
        }
    }

    private static Map<Driver, Long> drivers(SampleWorkspace ws, List<String> contactIds, long conversations,
                                             long companies) {
        Map<Driver, Long> d = new EnumMap<>(Driver.class);
        d.put(Driver.CONTACTS, (long) contactIds.size());
        d.put(Driver.CONTACTS_WITH_NOTES, count(contactIds, id -> ws.notes(id).isEmpty() ? 0 : 1));
        d.put(Driver.TRUNCATED_TAGS, count(contactIds, id -> ws.contactTags(id).size() > 10 ? 1 : 0));
        d.put(Driver.TRUNCATED_COMPANIES, count(contactIds, id -> ws.contactCompanies(id).size() > 10 ? 1 : 0));
        d.put(Driver.CONVERSATIONS, conversations);
        d.put(Driver.COMPANIES, companies);
        d.put(Driver.MEMBERSHIPS, count(contactIds, id -> ws.contactSegments(id).size()));
        d.put(Driver.ONE, 1L);
        return d;
    }

    private static long count(List<String> ids, ToLongFunction<String> f) {
        return ids.stream().mapToLong(f).sum();
    }

    /** The driver of an endpoint's requests. */
    static Driver driverOf(String endpoint) {
        return switch (endpoint) {
            case "POST /contacts/search", "GET /contacts/{id}/segments", "GET /events" -> Driver.CONTACTS;
            case SWEEP_SEARCH -> Driver.MEMBERSHIPS;
            case FULL + "POST /contacts/search" -> Driver.CONTACTS;
            case FULL + "POST /conversations/search" -> Driver.CONVERSATIONS;
            // A full sweep fetches the whole lists of contacts whose inline tags or companies are truncated.
            case FULL + "GET /contacts/{id}/tags" -> Driver.TRUNCATED_TAGS;
            case FULL + "GET /contacts/{id}/companies" -> Driver.TRUNCATED_COMPANIES;
            case "GET /contacts/{id}/notes" -> Driver.CONTACTS_WITH_NOTES;
            case "GET /contacts/{id}/tags" -> Driver.TRUNCATED_TAGS;
            case "GET /contacts/{id}/companies" -> Driver.TRUNCATED_COMPANIES;
            case "POST /conversations/search", "GET /conversations/{id}" -> Driver.CONVERSATIONS;
            case "GET /companies/scroll" -> Driver.COMPANIES;
            default -> Driver.ONE;
        };
    }

    /** Fits each endpoint's requests to its driver over the samples. */
    static Map<String, Fit> fit(List<Sample> samples) {
        Set<String> endpoints = new TreeSet<>();
        samples.forEach(s -> endpoints.addAll(s.requests().keySet()));
        Map<String, Fit> fits = new TreeMap<>();
        for (String endpoint : endpoints) {
            List<double[]> xy = new ArrayList<>();
            for (Sample s : samples) {
                xy.add(new double[] {s.drivers().get(driverOf(endpoint)), s.requests().getOrDefault(endpoint, 0L)});
            }
            fits.put(endpoint, Fit.of(xy));
        }
        return fits;
    }

    /** The target workspace's value of a driver, for a first sync. */
    static double target(Driver d) {
        return switch (d) {
            case CONTACTS -> TARGET_CONTACTS;
            case CONTACTS_WITH_NOTES -> TARGET_CONTACTS * TARGET_NOTES_SHARE;
            case TRUNCATED_TAGS, TRUNCATED_COMPANIES -> 0;
            case CONVERSATIONS -> TARGET_CONVERSATIONS;
            // One membership a contact on average, as in the sample (0 to 2 of its role's 3 segments).
            case MEMBERSHIPS -> TARGET_CONTACTS;
            case COMPANIES -> TARGET_COMPANIES;
            case ONE -> 1;
        };
    }

    private Map<String, String> config(FakeIntercom fake, List<String> tables) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("intercom.access.token", "cost-model");
        p.put("intercom.api.url", fake.baseUrl());
        p.put("intercom.api.url.allow.custom", "true");
        p.put("intercom.tables", String.join(",", tables));
        p.put("intercom.token.check", "false");
        p.put("topic.prefix", "cost.");
        p.put("intercom.reconcile.gate.min.objects", "0");
        return p;
    }

    private ResourceReader due(ResourceReader reader) {
        nowMs.accumulateAndGet(reader.nextDueMs(), Math::max);
        return reader;
    }

    private static void drain(ResourceReader reader) throws InterruptedException {
        long deadline = System.nanoTime() + 300_000_000_000L;
        do {
            if (reader.poll(10_000).isEmpty()) {
                Thread.sleep(1);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(reader.resource().id() + ": the pass did not end in 5 minutes");
            }
        } while (reader.nextDueMs() == 0);
    }
}
