package io.kcintercom.connect.sandbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local fake of the Intercom REST API (v2.x semantics) serving a {@link SampleWorkspace} on 127.0.0.1.
 * It reproduces the behaviour a connector must cope with rather than a convenient one: day-granular contact
 * search in the workspace time zone, stateless keyset cursors, one company scroll per workspace with expiry,
 * the 500-part cap, 10-second rate-limit windows, an eventually consistent search index, and injected faults.
 *
 * <p>Request counts are keyed by endpoint template, e.g. {@code "POST /contacts/search"} or
 * {@code "GET /contacts/{id}/segments"}; see {@link #endpointTemplates()}.
 */
public final class FakeIntercom implements AutoCloseable {

    /** Server settings; every field has a default, see {@link Builder}. */
    public static final class Options {
        private final String token;
        private final int port;
        private final int rateLimitPer10s;
        private final long latencyMinMs;
        private final long latencyMaxMs;
        private final long searchIndexLagMs;
        private final ZoneId workspaceTimeZone;
        private final long scrollExpiryMs;
        private final int scrollPageSize;
        private final int maxPartsReturned;
        private final int threads;
        private final int malformedCount;
        private final Malformation malformedKind;

        private Options(Builder b) {
            this.token = Objects.requireNonNull(b.token);
            this.port = b.port;
            this.rateLimitPer10s = b.rateLimitPer10s;
            this.latencyMinMs = b.latencyMinMs;
            this.latencyMaxMs = Math.max(b.latencyMinMs, b.latencyMaxMs);
            this.searchIndexLagMs = b.searchIndexLagMs;
            this.workspaceTimeZone = Objects.requireNonNull(b.workspaceTimeZone);
            this.scrollExpiryMs = b.scrollExpiryMs;
            this.scrollPageSize = b.scrollPageSize;
            this.maxPartsReturned = b.maxPartsReturned;
            this.threads = b.threads;
            this.malformedCount = b.malformedCount;
            this.malformedKind = b.malformedKind;
        }

        public static Options defaults() {
            return builder().build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return new Builder().token(token).port(port).rateLimitPer10s(rateLimitPer10s)
                    .latencyMs(latencyMinMs, latencyMaxMs).searchIndexLagMs(searchIndexLagMs)
                    .workspaceTimeZone(workspaceTimeZone.getId()).scrollExpiryMs(scrollExpiryMs)
                    .scrollPageSize(scrollPageSize).maxPartsReturned(maxPartsReturned).threads(threads)
                    .malformed(malformedCount, malformedKind);
        }

        public String token() {
            return token;
        }

        public int port() {
            return port;
        }

        public int rateLimitPer10s() {
            return rateLimitPer10s;
        }

        public long latencyMinMs() {
            return latencyMinMs;
        }

        public long latencyMaxMs() {
            return latencyMaxMs;
        }

        public long searchIndexLagMs() {
            return searchIndexLagMs;
        }

        public ZoneId workspaceTimeZone() {
            return workspaceTimeZone;
        }

        public long scrollExpiryMs() {
            return scrollExpiryMs;
        }

        public int scrollPageSize() {
            return scrollPageSize;
        }

        public int maxPartsReturned() {
            return maxPartsReturned;
        }

        public int threads() {
            return threads;
        }

        /** Objects of each of users, leads, conversations and companies served malformed; 0 for none. */
        public int malformedCount() {
            return malformedCount;
        }

        public Malformation malformedKind() {
            return malformedKind;
        }

        public static final class Builder {
            private String token = "sample-token";
            private int port;
            private int rateLimitPer10s = 1000;
            private long latencyMinMs;
            private long latencyMaxMs;
            private long searchIndexLagMs;
            private ZoneId workspaceTimeZone = ZoneId.of("America/New_York");
            private long scrollExpiryMs = 60_000;
            private int scrollPageSize = 50;
            private int maxPartsReturned = 500;
            private int threads = 32;
            private int malformedCount;
            private Malformation malformedKind = Malformation.WRONG_TYPE;

            /** The only accepted bearer token. Default "sample-token". */
            public Builder token(String v) {
                token = v;
                return this;
            }

            /** 0 (default) picks a free port. */
            public Builder port(int v) {
                port = v;
                return this;
            }

            /** Requests allowed per 10-second window; default 1000, 0 = unlimited. */
            public Builder rateLimitPer10s(int v) {
                rateLimitPer10s = v;
                return this;
            }

            /** Added to every request, uniformly in [min, max]; default 0. */
            public Builder latencyMs(long min, long max) {
                latencyMinMs = min;
                latencyMaxMs = max;
                return this;
            }

            /** A record changed at T is found by search from T + lag (before that, search sees the old version). */
            public Builder searchIndexLagMs(long v) {
                searchIndexLagMs = v;
                return this;
            }

            /** The zone contact search uses for its day granularity, and that /me reports. */
            public Builder workspaceTimeZone(String v) {
                workspaceTimeZone = ZoneId.of(v);
                return this;
            }

            /** A scroll_param unused this long is gone (404). Default 60 s. */
            public Builder scrollExpiryMs(long v) {
                scrollExpiryMs = v;
                return this;
            }

            public Builder scrollPageSize(int v) {
                scrollPageSize = v;
                return this;
            }

            /** GET /conversations/{id} returns at most this many (most recent) parts. Default 500. */
            public Builder maxPartsReturned(int v) {
                maxPartsReturned = v;
                return this;
            }

            /** Request threads, so that concurrent requests really run concurrently. Default 32. */
            public Builder threads(int v) {
                threads = v;
                return this;
            }

            /**
             * Serves {@code count} users, leads, conversations and companies each malformed this way,
             * spread over them (see {@link SampleWorkspace#malformSome}). Default none.
             */
            public Builder malformed(int count, Malformation kind) {
                malformedCount = count;
                malformedKind = Objects.requireNonNull(kind);
                return this;
            }

            public Options build() {
                if (rateLimitPer10s < 0 || latencyMinMs < 0 || searchIndexLagMs < 0 || scrollPageSize < 1
                        || maxPartsReturned < 1 || threads < 1 || malformedCount < 0) {
                    throw new IllegalArgumentException("invalid fake Intercom options");
                }
                return new Options(this);
            }
        }
    }

    /** The endpoint template of {@link #outage} that matches every request. */
    public static final String ALL_ENDPOINTS = "*";

    /** What the next matching request(s) get instead of a normal answer. */
    public static final class Fault {
        public enum Kind { STATUS, STATUS_WITHOUT_ERRORS, EMPTY_BODY_200, TRUNCATED_JSON_200, CONNECTION_RESET, DELAY }

        /** error.list with code server_error. */
        public static final Fault HTTP_500 = status(500);
        /** An HTML gateway page, not JSON. */
        public static final Fault HTTP_502 = status(502);
        /** An HTML gateway page, not JSON. */
        public static final Fault HTTP_503 = status(503);
        /** rate_limit_exceeded with X-RateLimit-Remaining 0. */
        public static final Fault HTTP_429 = status(429);
        public static final Fault HTTP_401 = status(401);
        public static final Fault EMPTY_BODY_200 = new Fault(Kind.EMPTY_BODY_200, 200, 0);
        public static final Fault TRUNCATED_JSON_200 = new Fault(Kind.TRUNCATED_JSON_200, 200, 0);
        /** The connection closes before any response byte. */
        public static final Fault CONNECTION_RESET = new Fault(Kind.CONNECTION_RESET, 0, 0);

        private final Kind kind;
        private final int status;
        private final long delayMs;

        private Fault(Kind kind, int status, long delayMs) {
            this.kind = kind;
            this.status = status;
            this.delayMs = delayMs;
        }

        /**
         * The status with the body Intercom sends for it: error.list with a code (server_error for
         * 5xx, rate_limit_exceeded for 429), an HTML gateway page for 502, 503 and 504.
         */
        public static Fault status(int httpStatus) {
            return new Fault(Kind.STATUS, httpStatus, 0);
        }

        /**
         * A 5xx whose JSON body is an error.list without its {@code errors} array, as some of
         * Intercom's 500s come (spec section 1.5, intercom-ruby #403).
         */
        public static Fault statusWithoutErrors(int httpStatus) {
            return new Fault(Kind.STATUS_WITHOUT_ERRORS, httpStatus, 0);
        }

        /** Waits, then serves the request normally (for client timeouts). */
        public static Fault delay(long ms) {
            return new Fault(Kind.DELAY, 200, ms);
        }

        public Kind kind() {
            return kind;
        }

        public int status() {
            return status;
        }

        public long delayMs() {
            return delayMs;
        }

        @Override
        public String toString() {
            return kind == Kind.STATUS ? "HTTP " + status
                    : kind == Kind.STATUS_WITHOUT_ERRORS ? "HTTP " + status + " without errors" : kind == Kind.DELAY ? "DELAY(" + delayMs + "ms)" : kind.name();
        }
    }

    static {
        // The JDK server writes headers and body separately; with Nagle on, the body waits for the client's
        // delayed ACK (~40 ms per request). The property is read once, when the first server is created.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final SampleWorkspace workspace;
    private final Options options;
    private final HttpServer server;
    private final ExecutorService pool;
    private final RequestStats stats = new RequestStats();
    private final FaultInjector faults = new FaultInjector();
    private final Set<String> templates;
    private final CompanyScroll companyScroll;
    private final DirectoryEndpoints directory;
    private final String baseUrl;

    private FakeIntercom(SampleWorkspace workspace, Options options) throws IOException {
        this.workspace = workspace;
        this.options = options;
        Routes routes = new Routes();
        this.directory = new DirectoryEndpoints(workspace, options);
        directory.register(routes);
        new ContactEndpoints(workspace, options).register(routes);
        this.companyScroll = new CompanyScroll(workspace, options);
        companyScroll.register(routes);
        new CompanyEndpoints(workspace).register(routes);
        new ConversationEndpoints(workspace, options).register(routes);
        this.templates = routes.keys();
        if (options.malformedCount() > 0) {
            workspace.malformSome(options.malformedCount(), options.malformedKind());
        }
        Dispatcher dispatcher = new Dispatcher(routes, workspace, options, stats, faults);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), options.port()), 512);
        this.pool = Executors.newFixedThreadPool(options.threads(), daemonThreads());
        server.setExecutor(pool);
        server.createContext("/", dispatcher);
        server.start();
        this.baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
        dispatcher.baseUrl(baseUrl);
    }

    public static FakeIntercom start(SampleWorkspace workspace, Options options) {
        try {
            return new FakeIntercom(workspace, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake Intercom on port " + options.port(), e);
        }
    }

    public static FakeIntercom start(SampleWorkspace workspace) {
        return start(workspace, Options.defaults());
    }

    /** e.g. http://127.0.0.1:41234 (no trailing slash). */
    public String baseUrl() {
        return baseUrl;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public SampleWorkspace workspace() {
        return workspace;
    }

    public Options options() {
        return options;
    }

    /** Every request-count key the server can produce, besides "METHOD (unmatched)". */
    public Set<String> endpointTemplates() {
        return templates;
    }

    /** Requests received per endpoint template (including rejected ones), sorted by key. */
    public Map<String, Long> requestCounts() {
        return stats.counts();
    }

    public long requestCount(String endpointTemplate) {
        return stats.count(endpointTemplate);
    }

    public long totalRequests() {
        return stats.total();
    }

    public int peakConcurrentRequests() {
        return stats.peak();
    }

    /** 429 answers sent, real or injected. */
    public long rateLimited429s() {
        return stats.rateLimitedCount();
    }

    /** The last Intercom-Version header received, or null if none had one. */
    public String lastApiVersionSeen() {
        return stats.lastApiVersion();
    }

    public long requestsWithoutApiVersion() {
        return stats.withoutApiVersion();
    }

    /** Clears the counters (not the rate-limit window and not queued faults). */
    public void resetCounters() {
        stats.reset();
    }

    /**
     * The next {@code times} requests to {@code endpointTemplate} (e.g. "GET /conversations/{id}") get
     * {@code fault} before authentication and rate limiting, and change no server state.
     */
    public void failNext(String endpointTemplate, int times, Fault fault) {
        if (!templates.contains(endpointTemplate)) {
            throw new IllegalArgumentException("unknown endpoint template '" + endpointTemplate + "', known: " + templates);
        }
        faults.add(endpointTemplate, times, Objects.requireNonNull(fault));
    }

    /**
     * An outage starting now: for the next {@code durationMs}, every request to {@code endpointTemplate}
     * (or to any endpoint, with {@link #ALL_ENDPOINTS}) gets {@code fault} before authentication and
     * rate limiting, changing no server state. Outages may overlap; a running one wins over
     * {@link #failNext} faults. {@link #clearFaults()} ends them.
     */
    public void outage(String endpointTemplate, Fault fault, long durationMs) {
        outageAfter(endpointTemplate, fault, 0, durationMs);
    }

    /**
     * As {@link #outage}, starting once {@code afterRequests} more requests (to any endpoint) have
     * reached the fake: in the middle of a sync, without depending on its timing.
     */
    public void outageAfter(String endpointTemplate, Fault fault, long afterRequests, long durationMs) {
        if (!ALL_ENDPOINTS.equals(endpointTemplate) && !templates.contains(endpointTemplate)) {
            throw new IllegalArgumentException("unknown endpoint template '" + endpointTemplate + "', known: " + templates);
        }
        if (afterRequests < 0 || durationMs < 0) {
            throw new IllegalArgumentException("afterRequests and durationMs must be >= 0");
        }
        faults.outage(endpointTemplate, Objects.requireNonNull(fault), afterRequests, durationMs);
    }

    /** Whether an outage is running now. */
    public boolean outageRunning() {
        return faults.outageRunning();
    }

    /** Outages running or waiting for their first request; 0 once every outage has ended. */
    public int outagesPending() {
        return faults.outagesPending();
    }

    /**
     * Another client of the workspace (another app's sync, a script) holds the one companies scroll
     * for the next {@code millis} and keeps it alive: opening a scroll gets 400 scroll_exists.
     */
    public void holdScrollElsewhere(long millis) {
        companyScroll.holdElsewhere(millis);
    }

    /** The next {@code pages} non-empty scroll pages come without their data array; the scroll moves past them. */
    public void scrollPagesWithoutData(int pages) {
        companyScroll.pagesWithoutData(pages);
    }

    /**
     * The token now belongs to the app {@code appIdCode}: {@code GET /me} answers with it as
     * {@code app.id_code}, as after a token was pointed at another workspace (staging to production).
     * The data served stays this workspace's; null restores {@link SampleWorkspace#appId()}.
     */
    public void moveTokenToApp(String appIdCode) {
        directory.answerMeAsApp(appIdCode);
    }

    public void clearFaults() {
        faults.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "fake-intercom-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Starts a fake from flags and prints its base URL as the only line on stdout (details go to stderr):
     * {@code --port --seed --users --leads --companies --conversations --rate-limit --latency-ms N|MIN-MAX
     * --token --search-lag-ms --timezone --scroll-expiry-ms --truncated-conversation}.
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        SampleWorkspace.Sizes.Builder sizes = SampleWorkspace.Sizes.defaults().toBuilder();
        Options.Builder opts = Options.builder();
        long seed = 42;
        for (Map.Entry<String, String> f : flags.entrySet()) {
            String v = f.getValue();
            switch (f.getKey()) {
                case "port" -> opts.port(Integer.parseInt(v));
                case "seed" -> seed = Long.parseLong(v);
                case "users" -> sizes.users(Integer.parseInt(v));
                case "leads" -> sizes.leads(Integer.parseInt(v));
                case "companies" -> sizes.companies(Integer.parseInt(v));
                case "conversations" -> sizes.conversations(Integer.parseInt(v));
                case "rate-limit" -> opts.rateLimitPer10s(Integer.parseInt(v));
                case "latency-ms" -> {
                    String[] range = v.split("-", 2);
                    long min = Long.parseLong(range[0]);
                    opts.latencyMs(min, range.length == 2 ? Long.parseLong(range[1]) : min);
                }
                case "token" -> opts.token(v);
                case "search-lag-ms" -> opts.searchIndexLagMs(Long.parseLong(v));
                case "timezone" -> opts.workspaceTimeZone(v);
                case "scroll-expiry-ms" -> opts.scrollExpiryMs(Long.parseLong(v));
                case "truncated-conversation" -> sizes.includeTruncatedConversation(!"false".equals(v));
                case "malformed" -> {
                    String[] countAndKind = v.split(":", 2);
                    opts.malformed(Integer.parseInt(countAndKind[0]), countAndKind.length == 2
                            ? Malformation.valueOf(countAndKind[1].toUpperCase(java.util.Locale.ROOT))
                            : Malformation.WRONG_TYPE);
                }
                default -> {
                    System.err.println("unknown flag --" + f.getKey() + "\nflags: --port --seed --users --leads "
                            + "--companies --conversations --rate-limit --latency-ms N|MIN-MAX --token "
                            + "--search-lag-ms --timezone --scroll-expiry-ms --truncated-conversation "
                            + "--malformed N[:wrong_type|unparseable|missing_id|unusable_updated_at|iso_timestamp]");
                    System.exit(2);
                }
            }
        }
        SampleWorkspace.Sizes s = sizes.build();
        SampleWorkspace ws = SampleWorkspace.generate(seed, s);
        FakeIntercom fake = start(ws, opts.build());
        Runtime.getRuntime().addShutdownHook(new Thread(fake::close));
        System.out.println(fake.baseUrl());
        System.out.flush();
        System.err.printf("fake Intercom at %s: seed %d, %d users, %d leads, %d companies, %d conversations, "
                        + "token '%s', rate limit %d/10s, time zone %s%n", fake.baseUrl(), seed, s.users(), s.leads(),
                s.companies(), s.conversations(), fake.options().token(), fake.options().rateLimitPer10s(),
                fake.options().workspaceTimeZone());
        new CountDownLatch(1).await();
    }

    /** --name value, --name=value, or a bare --name (meaning "true"). */
    private static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --flag, got " + a);
            }
            String name = a.substring(2);
            int eq = name.indexOf('=');
            if (eq >= 0) {
                flags.put(name.substring(0, eq), name.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                flags.put(name, args[++i]);
            } else {
                flags.put(name, "true");
            }
        }
        return flags;
    }
}
