package io.kcintercom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.IntercomSourceTask;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.testutil.StubTaskContext;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The benchmark of issue 7, run on demand by bench/run (never by mvn verify). One run measures,
 * each as a figure: (1) rate-limit use of a full all-template sync against the sample-workspace
 * fake with 100-300 ms latency and Intercom's 10-second windows, with max.in.flight.requests at
 * its default and at 1, and with forced 429s; (2) requests per row and repeated requests; (3)
 * conversion speed (JMH, RowConverter vs Jackson's parse) and end-to-end users rows/s through a
 * real Connect worker; (4) a 1M-contact sync with the worker at a 256 MB heap. It prints one table
 * and writes it, with the details behind it, to bench/RESULTS.md.
 */
public final class Bench {
    static final List<String> ALL_TABLES = List.of("users", "users_tags", "users_segments", "users_companies",
            "users_social_profiles", "notes", "events_summary", "leads", "leads_tags", "leads_segments",
            "leads_companies", "leads_social_profiles", "companies", "admins", "tags", "segments", "conversations",
            "conversations_attachments", "conversations_tags", "conversations_customers", "conversation_parts",
            "conversation_parts_attachments");
    static final String TOKEN = "bench-token";
    static final String ANALYSIS_MARKER = "<!-- analysis: everything below this line is kept when bench/run "
            + "rewrites this file -->";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    // ---- options ---------------------------------------------------------------------------------

    static final class Options {
        int users = 1000;
        int leads = 400;
        int companies = 200;
        int conversations = 1500;
        int rateLimitPer10s = 1666;
        long latencyMin = 100;
        long latencyMax = 300;
        int tasksMax = 7;
        List<Integer> mifCompare = List.of(8, 32);
        long mif1MaxSeconds = 1200;
        int forced429s = 8;
        int e2eUsers = 100_000;
        int memoryUsers = 1_000_000;
        int taskUsers = 300_000;
        String jmh = "full";
        Set<String> skip = new HashSet<>();
        long syncTimeoutSeconds = 900;
        String out;

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> {
                        o.users = 300;
                        o.leads = 100;
                        o.companies = 60;
                        o.conversations = 400;
                        o.e2eUsers = 30_000;
                        o.memoryUsers = 200_000;
                        o.taskUsers = 100_000;
                        o.jmh = "quick";
                        o.mif1MaxSeconds = 240;
                        o.forced429s = 4;
                        // A smaller sync at Intercom's 1,666 would fit in one window, where wall/floor means
                        // little: a lower limit keeps it spanning several windows.
                        o.rateLimitPer10s = 400;
                        if (o.out == null) {
                            o.out = "target/RESULTS-quick.md";
                        }
                    }
                    case "--out" -> o.out = args[++i];
                    case "--users" -> o.users = Integer.parseInt(args[++i]);
                    case "--leads" -> o.leads = Integer.parseInt(args[++i]);
                    case "--companies" -> o.companies = Integer.parseInt(args[++i]);
                    case "--conversations" -> o.conversations = Integer.parseInt(args[++i]);
                    case "--rate-limit" -> o.rateLimitPer10s = Integer.parseInt(args[++i]);
                    case "--latency-ms" -> {
                        String[] r = args[++i].split("-", 2);
                        o.latencyMin = Long.parseLong(r[0]);
                        o.latencyMax = r.length == 2 ? Long.parseLong(r[1]) : o.latencyMin;
                    }
                    case "--tasks-max" -> o.tasksMax = Integer.parseInt(args[++i]);
                    case "--mif-compare" -> o.mifCompare = args[++i].equals("0") ? List.of()
                            : java.util.Arrays.stream(args[i].split(",")).map(Integer::valueOf).toList();
                    case "--mif1-max-seconds" -> o.mif1MaxSeconds = Long.parseLong(args[++i]);
                    case "--forced-429s" -> o.forced429s = Integer.parseInt(args[++i]);
                    case "--e2e-users" -> o.e2eUsers = Integer.parseInt(args[++i]);
                    case "--memory-users" -> o.memoryUsers = Integer.parseInt(args[++i]);
                    case "--task-users" -> o.taskUsers = Integer.parseInt(args[++i]);
                    case "--jmh" -> o.jmh = args[++i];
                    case "--skip" -> o.skip.addAll(List.of(args[++i].split(",")));
                    case "-h", "--help" -> {
                        System.out.println(usage());
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + a + "\n" + usage());
                }
            }
            return o;
        }

        static String usage() {
            return """
                    usage: bench/run [--quick] [flags]
                      --quick                 smaller sizes everywhere and a 400/10s limit (about 9 minutes);
                                              writes bench/target/RESULTS-quick.md, not RESULTS.md
                      --out FILE              where to write the results, relative to bench/ (RESULTS.md)
                      --users N --leads N --companies N --conversations N
                                              the rate-limited all-template workspace (1000/400/200/1500)
                      --rate-limit N          requests per 10-second window (1666 = Intercom's 10,000/min)
                      --latency-ms MIN-MAX    fake latency per request (100-300)
                      --tasks-max N           tasks.max of the all-template syncs (7)
                      --mif-compare N,M       extra syncs with max.in.flight.requests=N, M; 0 = none (8,32)
                      --mif1-max-seconds S    stop the max.in.flight.requests=1 sync after S s and project (1200)
                      --forced-429s N         429s injected into the fault run (8)
                      --e2e-users N           users of the zero-latency throughput sync (100000)
                      --memory-users N        users of the 256 MB memory sync (1000000)
                      --jmh full|quick|skip   the RowConverter JMH benchmark (full)
                      --task-users N          users for the task-alone run of figure 3 (300000)
                      --skip LIST             any of jmh,rate,faults,mif1,mifcompare,e2e,task,memory
                    """;
        }
    }

    private final Options opts;
    private final Path benchDir;
    private final Path work;
    private final Report report = new Report();
    private Stack stack;
    private Admin admin;

    private Bench(Options opts, Path benchDir) {
        this.opts = opts;
        this.benchDir = benchDir;
        this.work = benchDir.resolve("target/work");
    }

    public static void main(String[] args) throws Exception {
        // The JDK HTTP server (fake and proxy) writes headers and body separately: without this,
        // Nagle holds each body for the client's delayed ACK (~40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Options opts = Options.parse(args);
        Path benchDir = Path.of(System.getProperty("bench.dir", "bench")).toAbsolutePath().normalize();
        Bench bench = new Bench(opts, benchDir);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::shutdown, "bench-shutdown"));
        int code = 1;
        try {
            bench.run();
            code = 0;
        } catch (Exception | Error e) {
            System.out.println("\nThe benchmark failed: " + e);
            e.printStackTrace(System.out);
        } finally {
            System.exit(code);
        }
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        Files.deleteIfExists(work.resolve("pids"));
        report.started = Instant.now();
        report.machine = machine();
        report.code = codeVersion(benchDir.getParent());
        report.loadAtStart = loadAverage();
        log("Machine: " + report.machine + "; load average " + report.loadAtStart);

        if (!opts.skip.contains("jmh") && !opts.jmh.equals("skip")) {
            runJmh();
        }
        String kafkaClasspath = Files.readString(benchDir.resolve("target/kafka.classpath")).trim();
        Path zip;
        try (var files = Files.list(benchDir.resolve("target/under-test"))) {
            zip = files.filter(p -> p.getFileName().toString().endsWith(".zip")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no plugin archive in target/under-test"));
        }
        stack = new Stack(work, kafkaClasspath, zip, benchDir.resolve("log4j2.properties"));
        log("Starting Kafka (KRaft) from Maven-resolved jars ...");
        stack.startBroker();
        admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrap()));

        int defaultMif = defaultMaxInFlight();
        RateRun byDefault = null;
        SampleWorkspace ws = null;
        Map<String, Set<String>> expected = null;
        boolean anyRate = !(opts.skip.contains("rate") && opts.skip.contains("faults") && opts.skip.contains("mif1")
                && opts.skip.contains("mifcompare"));
        if (anyRate) {
            log(String.format("Generating the all-template workspace: %,d users, %,d leads, %,d companies, "
                    + "%,d conversations", opts.users, opts.leads, opts.companies, opts.conversations));
            ws = SampleWorkspace.generate(42, SampleWorkspace.Sizes.builder().users(opts.users).leads(opts.leads)
                    .companies(opts.companies).conversations(opts.conversations).build());
            expected = ExpectedRows.forWorkspace(ws, ALL_TABLES);
        }
        if (!opts.skip.contains("rate")) {
            byDefault = rateRun("rate-default", ws, expected, defaultMif, 0, Long.MAX_VALUE, null);
            report.rate = byDefault;
        }
        if (!opts.skip.contains("faults")) {
            report.faults = rateRun("rate-faults", ws, expected, defaultMif, opts.forced429s, Long.MAX_VALUE, null);
        }
        if (!opts.skip.contains("mifcompare")) {
            for (int mif : opts.mifCompare) {
                if (mif != defaultMif) {
                    report.mifCompare.add(rateRun("rate-mif" + mif, ws, expected, mif, 0, Long.MAX_VALUE, null));
                }
            }
        }
        if (!opts.skip.contains("mif1")) {
            report.mif1 = rateRun("rate-mif1", ws, expected, 1, 0, opts.mif1MaxSeconds, byDefault);
        }
        ws = null;
        expected = null;
        if (!opts.skip.contains("e2e")) {
            report.e2e = throughputRun("users-" + shortCount(opts.e2eUsers), opts.e2eUsers);
        }
        if (!opts.skip.contains("task")) {
            report.taskAlone = taskAloneRun("task-" + shortCount(opts.taskUsers), opts.taskUsers);
        }
        if (!opts.skip.contains("memory")) {
            report.memory = throughputRun("users-" + shortCount(opts.memoryUsers), opts.memoryUsers);
        }
        report.loadAtEnd = loadAverage();
        report.finished = Instant.now();
        String table = report.table(opts);
        System.out.println("\n" + table);
        Path out = benchDir.resolve(opts.out == null ? "RESULTS.md" : opts.out);
        Files.createDirectories(out.toAbsolutePath().getParent());
        report.write(out, opts);
        log("Wrote " + out);
    }

    // ---- figure 3: JMH ------------------------------------------------------------------------

    private void runJmh() throws Exception {
        Path json = work.resolve("jmh.json");
        Files.deleteIfExists(json);
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-cp",
                System.getProperty("java.class.path"), "org.openjdk.jmh.Main", ConverterBenchmark.class.getName(),
                "-rf", "json", "-rff", json.toString()));
        if (opts.jmh.equals("quick")) {
            cmd.addAll(List.of("-wi", "2", "-w", "1s", "-i", "3", "-r", "1s"));
        }
        log("JMH: RowConverter vs Jackson parse (" + opts.jmh + "); log in " + work.resolve("logs/jmh.out"));
        Files.createDirectories(work.resolve("logs"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(work.resolve("logs/jmh.out").toFile()).start();
        Files.writeString(work.resolve("pids"), p.pid() + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        String load = loadAverage();
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("JMH did not finish in 20 minutes");
        }
        if (p.exitValue() != 0 || !Files.exists(json)) {
            throw new IllegalStateException("JMH failed; see " + work.resolve("logs/jmh.out"));
        }
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (JsonNode r : MAPPER.readTree(json.toFile())) {
            String name = r.get("benchmark").asText();
            name = name.substring(name.lastIndexOf('.') + 1);
            JsonNode m = r.get("primaryMetric");
            // Median of the measurement iterations: robust to a neighbour's load spike during one
            // iteration, which the mean and its error are not on a shared machine.
            List<Double> its = new ArrayList<>();
            m.get("rawData").forEach(fork -> fork.forEach(v -> its.add(v.asDouble())));
            its.sort(Double::compare);
            double median = its.isEmpty() ? m.get("score").asDouble() : its.size() % 2 == 1 ? its.get(its.size() / 2)
                    : (its.get(its.size() / 2 - 1) + its.get(its.size() / 2)) / 2;
            scores.put(name, new double[] {median, its.isEmpty() ? 0 : its.get(0),
                    its.isEmpty() ? 0 : its.get(its.size() - 1), m.get("score").asDouble(),
                    m.get("scoreError").asDouble()});
        }
        report.jmh = scores;
        report.jmhLoad = load + " -> " + loadAverage();
        log("JMH done: " + scores.keySet());
    }

    // ---- figures 1 and 2: rate-limited all-template syncs -----------------------------------------

    /** The connector's own default, so the headline figure is what a user gets without tuning. */
    static int defaultMaxInFlight() {
        return (Integer) IntercomSourceConnectorConfig.CONFIG_DEF.configKeys()
                .get(IntercomSourceConnectorConfig.MAX_IN_FLIGHT_REQUESTS).defaultValue;
    }

    /** One all-template sync through the counting proxy; see {@link RateRun}. */
    private RateRun rateRun(String name, SampleWorkspace ws, Map<String, Set<String>> expected, int mif, int forced429s,
                            long maxSeconds, RateRun reference) throws Exception {
        RateRun run = new RateRun(name, mif, forced429s);
        log(String.format("[%s] all-template sync, max.in.flight.requests=%d, rate limit %d/10s, latency %d-%d ms%s",
                name, mif, opts.rateLimitPer10s, opts.latencyMin, opts.latencyMax,
                forced429s > 0 ? ", " + forced429s + " forced 429s" : ""));
        run.loadBefore = loadAverage();
        Map<String, String> roles = new HashMap<>();
        ws.contactIds("user").forEach(id -> roles.put(id, "users"));
        ws.contactIds("lead").forEach(id -> roles.put(id, "leads"));
        FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token(TOKEN)
                .rateLimitPer10s(opts.rateLimitPer10s).latencyMs(opts.latencyMin, opts.latencyMax).threads(256)
                .build());
        try (CountingProxy proxy = new CountingProxy(fake.baseUrl(), 256);
             Stack.Worker worker = stack.startWorker(name, List.of("-Xmx512m"))) {
            String prefix = name.replace("-", "_") + ".";
            Map<String, String> config = connectorConfig(prefix, proxy.baseUrl(), opts.tasksMax);
            config.put("intercom.template", "all");
            config.put("max.in.flight.requests", String.valueOf(mif));
            Map<String, Long> want = new TreeMap<>();
            expected.forEach((t, keys) -> {
                if (!keys.isEmpty()) {
                    want.put(t, (long) keys.size());
                }
            });
            run.expectedRows = want;
            double workerCpu0 = Stack.cpuSeconds(worker.pid());
            double selfCpu0 = Stack.cpuSeconds(ProcessHandle.current().pid());
            long putAt = System.currentTimeMillis();
            worker.putConnector(name, config);
            List<String> faultEndpoints = List.of("GET /conversations/{id}", "GET /contacts/{id}/segments",
                    "GET /contacts/{id}/notes", "GET /events", "POST /contacts/search", "POST /conversations/search");
            int injected = 0;
            long nextFaultAt = putAt + 5_000;
            long deadline = putAt + Math.min(maxSeconds, opts.syncTimeoutSeconds) * 1000;
            Map<String, Long> rows = Map.of();
            long doneAt = -1;
            long lastLog = putAt;
            while (System.currentTimeMillis() < deadline) {
                Thread.sleep(250);
                rows = endOffsets(prefix, want.keySet());
                run.failedTasks = Math.max(run.failedTasks, failed(worker.status(name)));
                if (complete(rows, want)) {
                    doneAt = System.currentTimeMillis();
                    break;
                }
                if (injected < forced429s && System.currentTimeMillis() >= nextFaultAt) {
                    fake.failNext(faultEndpoints.get(injected % faultEndpoints.size()), 1, FakeIntercom.Fault.HTTP_429);
                    injected++;
                    nextFaultAt = System.currentTimeMillis() + 6_000;
                }
                if (System.currentTimeMillis() - lastLog > 15_000) {
                    lastLog = System.currentTimeMillis();
                    log(String.format("[%s] %ds: %,d of %,d rows, %,d requests, %d 429s", name,
                            (lastLog - putAt) / 1000, sum(rows), sum(want), fake.totalRequests(),
                            fake.rateLimited429s()));
                }
            }
            run.completed = doneAt > 0;
            long endAt = run.completed ? doneAt : System.currentTimeMillis();
            run.workerCpu = Stack.cpuSeconds(worker.pid()) - workerCpu0;
            run.fakeCpu = Stack.cpuSeconds(ProcessHandle.current().pid()) - selfCpu0;
            if (run.completed) {
                Thread.sleep(3_000); // late duplicates, if any, would land now
                rows = endOffsets(prefix, want.keySet());
            }
            run.failedTasks = Math.max(run.failedTasks, failed(worker.status(name)));
            run.rows = rows;
            run.injected = injected;
            run.requests = fake.totalRequests();
            run.fake429s = fake.rateLimited429s();
            run.peakConcurrent = fake.peakConcurrentRequests();
            run.endpointCounts = fake.requestCounts();
            List<CountingProxy.Call> calls = proxy.calls();
            long t0 = proxy.startedAtMs();
            long firstRequestAt = t0 + calls.stream().mapToLong(CountingProxy.Call::startMs).min().orElse(0);
            run.wallSeconds = (endAt - firstRequestAt) / 1000.0;
            run.wallFromCreateSeconds = (endAt - putAt) / 1000.0;
            run.floorSeconds = run.requests / (opts.rateLimitPer10s / 10.0);
            analyseCalls(run, calls, roles, endAt - t0);
            writeCalls(work.resolve(name + "-requests.csv"), calls, roles);
            if (run.completed) {
                run.keyCheck = verifyKeys(prefix, expected);
            } else if (reference != null) {
                run.projectedWallSeconds = project(run, reference, endAt - t0);
            }
            worker.deleteConnector(name);
            run.loadAfter = loadAverage();
            log(String.format("[%s] %s in %.1f s (floor %.1f s, ratio %.2f), %,d requests, %d 429s, %d failed tasks",
                    name, run.completed ? "synced" : "NOT synced", run.wallSeconds, run.floorSeconds,
                    run.wallSeconds / run.floorSeconds, run.requests, run.fake429s, run.failedTasks));
        } finally {
            fake.close();
            deleteTopics(name.replace("-", "_") + ".");
        }
        return run;
    }

    private Map<String, String> connectorConfig(String prefix, String apiUrl, int tasksMax) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.kcintercom.connect.IntercomSourceConnector");
        c.put("tasks.max", String.valueOf(tasksMax));
        c.put("intercom.access.token", TOKEN);
        c.put("intercom.api.url", apiUrl);
        c.put("intercom.api.url.allow.custom", "true");
        c.put("intercom.token.check", "false");
        c.put("topic.prefix", prefix);
        // One pass per resource: a second pass would re-read the current day by design.
        c.put("poll.interval.ms", "3600000");
        c.put("companies.poll.interval.ms", "3600000");
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        return c;
    }

    /** Per-resource request counts and timing, repeated requests, and the per-10-s timeline. */
    private static void analyseCalls(RateRun run, List<CountingProxy.Call> calls, Map<String, String> roles,
                                     long endRel) {
        Map<String, Long> identities = new HashMap<>();
        int[] scrollCalls = {0};
        long first = calls.stream().mapToLong(CountingProxy.Call::startMs).min().orElse(0);
        for (CountingProxy.Call c : calls) {
            String resource = resourceOf(c, roles);
            RateRun.Resource r = run.resources.computeIfAbsent(resource, k -> new RateRun.Resource());
            r.requests++;
            r.first = Math.min(r.first, c.startMs());
            r.last = Math.max(r.last, c.endMs());
            r.busyMs += c.endMs() - c.startMs();
            if (c.status() == 429) {
                r.rateLimited++;
            }
            String endpointTable = tableOf(c, resource);
            run.requestsByTable.merge(endpointTable, 1L, Long::sum);
            if (c.status() >= 200 && c.status() < 300) {
                // The scroll API answers the same scroll_param with the next page each time: those
                // calls are different pages by design, so each counts as its own request.
                String identity = c.path().equals("/companies/scroll") ? c.identity() + " #" + (++scrollCalls[0])
                        : c.identity();
                identities.merge(identity, 1L, Long::sum);
            }
            int bucket = (int) ((c.startMs() - first) / 10_000);
            run.perWindow.merge(bucket, 1L, Long::sum);
        }
        run.distinctRequests = identities.size();
        identities.forEach((k, v) -> {
            if (v > 1) {
                run.repeated.put(k.length() > 160 ? k.substring(0, 157) + "..." : k, v);
            }
        });
        run.activeMs = endRel - first;
    }

    /** Every request of a run, for looking at by hand (times in ms since the proxy started). */
    private static void writeCalls(Path file, List<CountingProxy.Call> calls, Map<String, String> roles)
            throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("start_ms,end_ms,status,resource,endpoint,path_and_query");
        calls.stream().sorted(java.util.Comparator.comparingLong(CountingProxy.Call::startMs)).forEach(c ->
                lines.add(c.startMs() + "," + c.endMs() + "," + c.status() + "," + resourceOf(c, roles) + ","
                        + c.endpoint() + "," + c.pathAndQuery().replace(",", "%2C")));
        Files.write(file, lines);
    }

    /** Which resource a request belongs to. */
    static String resourceOf(CountingProxy.Call c, Map<String, String> roles) {
        String path = c.path();
        if (path.startsWith("/contacts/search")) {
            return c.body().contains("\"lead\"") ? "leads" : "users";
        }
        if (path.startsWith("/contacts/")) {
            String id = java.net.URLDecoder.decode(path.split("/")[2], java.nio.charset.StandardCharsets.UTF_8);
            return roles.getOrDefault(id, "users");
        }
        if (path.startsWith("/events")) {
            return roles.getOrDefault(String.valueOf(c.query("intercom_user_id")), "users");
        }
        if (path.startsWith("/conversations")) {
            return "conversations";
        }
        if (path.startsWith("/companies")) {
            return "companies";
        }
        if (path.startsWith("/admins") || path.startsWith("/teams")) {
            return "admins";
        }
        if (path.startsWith("/tags")) {
            return "tags";
        }
        if (path.startsWith("/segments")) {
            return "segments";
        }
        return "other (" + c.endpoint() + ")";
    }

    /** The table whose rows a request fetches (its parent's for inline lists). */
    static String tableOf(CountingProxy.Call c, String resource) {
        String path = c.path();
        if (resource.equals("users") || resource.equals("leads")) {
            if (path.startsWith("/contacts/search")) {
                return resource;
            }
            if (path.endsWith("/segments")) {
                return resource + "_segments";
            }
            if (path.endsWith("/tags")) {
                return resource + "_tags";
            }
            if (path.endsWith("/companies")) {
                return resource + "_companies";
            }
            if (path.endsWith("/notes")) {
                return "notes";
            }
            if (path.startsWith("/events")) {
                return "events_summary";
            }
        }
        if (resource.equals("conversations")) {
            return path.startsWith("/conversations/search") ? "conversations" : "conversation_parts";
        }
        return resource;
    }

    /** For a capped run: when each resource would finish at its measured request rate. */
    private static double project(RateRun run, RateRun reference, long nowRel) {
        long first = run.resources.values().stream().mapToLong(r -> r.first).min().orElse(0);
        double latest = 0;
        for (Map.Entry<String, RateRun.Resource> e : reference.resources.entrySet()) {
            long want = e.getValue().requests;
            RateRun.Resource got = run.resources.get(e.getKey());
            double finish;
            if (got == null) {
                finish = Double.NaN;
            } else if (got.requests >= want) {
                finish = got.last - first;
            } else {
                double rate = got.requests / Math.max(1.0, nowRel - got.first);
                finish = got.first - first + want / rate;
            }
            if (!Double.isNaN(finish)) {
                latest = Math.max(latest, finish);
            }
        }
        return latest / 1000.0;
    }

    // ---- figure 3: the connector's task alone, without a worker -----------------------------------

    /**
     * The users task run in this JVM by a bare poll loop, as a worker's task thread would run it but
     * with no converter, producer or broker behind it: how fast the connector itself turns Intercom's
     * JSON into records, per task. The task runs twice through a {@link ReplayServer}: the first run
     * records the fake's answers (and warms the JIT), the second, measured, is served from memory so
     * that the fake's JSON rendering does not share the 2 cores with the connector.
     */
    private TaskAloneRun taskAloneRun(String name, int users) throws Exception {
        TaskAloneRun run = new TaskAloneRun(name, users);
        log(String.format("[%s] generating %,d users; then the users task alone, polled in this JVM", name, users));
        SampleWorkspace ws = SampleWorkspace.generate(11, SampleWorkspace.Sizes.builder().users(users).leads(0)
                .companies(10).conversations(0).build());
        FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token(TOKEN).rateLimitPer10s(0)
                .threads(8).build());
        try (ReplayServer replay = new ReplayServer(fake.baseUrl(), 8)) {
            String prefix = name.replace("-", "_") + ".";
            TaskPass recording = runTaskOnce(prefix, replay.baseUrl(), users);
            log(String.format("[%s] recording run: %,d rows in %.1f s (%,d requests to the fake)", name,
                    recording.rows, recording.seconds, replay.misses()));
            ws = null;
            System.gc();
            replay.resetCounts();
            run.loadBefore = loadAverage();
            TaskPass measured = runTaskOnce(prefix, replay.baseUrl(), users);
            run.loadAfter = loadAverage();
            run.completed = measured.rows >= users;
            run.rows = measured.rows;
            run.seconds = measured.seconds;
            run.rowsPerSecond = measured.rows / measured.seconds;
            run.connectorCpu = measured.connectorCpu;
            run.pollThreadCpu = measured.pollThreadCpu;
            run.serverCpu = measured.serverCpu;
            run.processCpu = measured.processCpu;
            run.connectorThreads = measured.connectorThreads;
            run.replayHits = replay.hits();
            run.replayMisses = replay.misses();
            log(String.format("[%s] %,d rows in %.1f s: %,.0f rows/s; connector threads %.1f CPU s, poll loop %.1f, "
                            + "replay server %.1f, process %.1f; %,d answers replayed, %,d forwarded", name, run.rows,
                    run.seconds, run.rowsPerSecond, run.connectorCpu, run.pollThreadCpu, run.serverCpu,
                    run.processCpu, run.replayHits, run.replayMisses));
        } finally {
            fake.close();
        }
        return run;
    }

    private record TaskPass(long rows, double seconds, double connectorCpu, double pollThreadCpu, double serverCpu,
                            double processCpu, Map<String, Double> connectorThreads) {
    }

    /** One users sync from no offset by a fresh task; CPU per thread group read before the task stops. */
    private TaskPass runTaskOnce(String prefix, String apiUrl, int users) throws Exception {
        Map<String, String> config = connectorConfig(prefix, apiUrl, 1);
        config.put("intercom.tables", "users");
        IntercomSourceConnector connector = new IntercomSourceConnector();
        connector.start(config);
        Map<String, String> taskConfig = connector.taskConfigs(1).get(0);
        IntercomSourceTask task = new IntercomSourceTask();
        task.initialize(StubTaskContext.withoutOffsets(taskConfig));
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Double> before = threadCpuByGroup(threads);
        double pollCpu0 = threads.getCurrentThreadCpuTime() / 1e9;
        double process0 = Stack.cpuSeconds(ProcessHandle.current().pid());
        long started = System.nanoTime();
        long deadline = started + opts.syncTimeoutSeconds * 1_000_000_000L;
        long rows = 0;
        Map<String, Double> after;
        double pollCpu;
        double process;
        long done;
        task.start(taskConfig);
        try {
            while (rows < users && System.nanoTime() < deadline) {
                List<SourceRecord> records = task.poll();
                if (records != null) {
                    for (SourceRecord r : records) {
                        if (r.topic().endsWith("users")) {
                            rows++;
                        }
                    }
                }
            }
            done = System.nanoTime();
            after = threadCpuByGroup(threads);
            pollCpu = threads.getCurrentThreadCpuTime() / 1e9 - pollCpu0;
            process = Stack.cpuSeconds(ProcessHandle.current().pid()) - process0;
        } finally {
            task.stop();
            connector.stop();
        }
        Map<String, Double> connectorThreads = new TreeMap<>();
        after.forEach((group, cpu) -> {
            double delta = cpu - before.getOrDefault(group, 0.0);
            if (!group.startsWith("replay-server") && delta > 0.05 && (group.startsWith("intercom-")
                    || group.startsWith("OkHttp") || group.startsWith("Okio"))) {
                connectorThreads.put(group, delta);
            }
        });
        double server = after.getOrDefault("replay-server", 0.0) - before.getOrDefault("replay-server", 0.0);
        return new TaskPass(rows, (done - started) / 1e9,
                connectorThreads.values().stream().mapToDouble(Double::doubleValue).sum(), pollCpu, server, process,
                connectorThreads);
    }

    /** CPU seconds of this JVM's live threads, summed by name with any trailing number dropped. */
    private static Map<String, Double> threadCpuByGroup(java.lang.management.ThreadMXBean threads) {
        Map<String, Double> byGroup = new TreeMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos > 0) {
                String group = info.getThreadName().replaceAll("[-_ ]?\\d+$", "");
                byGroup.merge(group, nanos / 1e9, Double::sum);
            }
        }
        return byGroup;
    }

    // ---- figures 3 and 4: zero-latency users syncs at a 256 MB worker heap -------------------------

    private ThroughputRun throughputRun(String name, int users) throws Exception {
        ThroughputRun run = new ThroughputRun(name, users);
        log(String.format("[%s] generating %,d users in the fake's JVM ...", name, users));
        long g0 = System.currentTimeMillis();
        SampleWorkspace ws = SampleWorkspace.generate(7, SampleWorkspace.Sizes.builder().users(users).leads(0)
                .companies(100).conversations(0).build());
        run.generateSeconds = (System.currentTimeMillis() - g0) / 1000.0;
        System.gc();
        Runtime rt = Runtime.getRuntime();
        run.fakeHeapMb = (rt.totalMemory() - rt.freeMemory()) / 1048576.0;
        log(String.format("[%s] generated in %.0f s; fake JVM heap in use %.0f MB", name, run.generateSeconds,
                run.fakeHeapMb));
        FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token(TOKEN).rateLimitPer10s(0)
                .threads(8).build());
        Path jfr = work.resolve(name + ".jfr");
        Files.deleteIfExists(jfr);
        try (Stack.Worker worker = stack.startWorker(name, List.of("-Xmx256m", "-Xms256m"))) {
            String prefix = name.replace("-", "_") + ".";
            Map<String, String> config = connectorConfig(prefix, fake.baseUrl(), 1);
            config.put("intercom.tables", "users");
            run.loadBefore = loadAverage();
            worker.jcmd("JFR.start", "name=bench", "settings=" + JfrSummary.settings(work), "filename=" + jfr);
            long jfrStart = System.currentTimeMillis();
            double workerCpu0 = Stack.cpuSeconds(worker.pid());
            Map<String, Double> threads0 = Stack.threadCpuSeconds(worker.pid());
            double brokerCpu0 = Stack.cpuSeconds(stack.broker().pid());
            double selfCpu0 = Stack.cpuSeconds(ProcessHandle.current().pid());
            long putAt = System.currentTimeMillis();
            worker.putConnector(name, config);
            Set<String> topic = Set.of("users");
            long firstRowAt = -1;
            long doneAt = -1;
            long at10 = -1;
            long at90 = -1;
            boolean midLiveTaken = false;
            long deadline = putAt + opts.syncTimeoutSeconds * 1000;
            long lastLog = putAt;
            while (System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
                long n = endOffsets(prefix, topic).getOrDefault("users", 0L);
                long now = System.currentTimeMillis();
                if (n > 0 && firstRowAt < 0) {
                    firstRowAt = now;
                }
                if (n >= users / 10 && at10 < 0) {
                    at10 = now;
                }
                if (n >= users * 9L / 10 && at90 < 0) {
                    at90 = now;
                }
                if (!midLiveTaken && n >= users / 2) {
                    midLiveTaken = true;
                    run.liveMidMb = liveHeapMb(worker);
                }
                run.failedTasks = Math.max(run.failedTasks, failed(worker.status(name)));
                if (n >= users) {
                    doneAt = now;
                    run.rows = n;
                    break;
                }
                if (run.failedTasks > 0) {
                    break;
                }
                if (now - lastLog > 15_000) {
                    lastLog = now;
                    log(String.format("[%s] %ds: %,d of %,d rows", name, (now - putAt) / 1000, n, users));
                }
            }
            run.completed = doneAt > 0;
            long endAt = run.completed ? doneAt : System.currentTimeMillis();
            run.workerCpu = Stack.cpuSeconds(worker.pid()) - workerCpu0;
            Stack.threadCpuSeconds(worker.pid()).forEach((k, v) -> {
                double d = v - threads0.getOrDefault(k, 0.0);
                if (d >= 0.05) {
                    run.threadCpu.put(k, d);
                }
            });
            run.brokerCpu = Stack.cpuSeconds(stack.broker().pid()) - brokerCpu0;
            run.fakeCpu = Stack.cpuSeconds(ProcessHandle.current().pid()) - selfCpu0;
            worker.jcmd("JFR.stop", "name=bench");
            run.jfrSeconds = (System.currentTimeMillis() - jfrStart) / 1000.0;
            run.loadAfter = loadAverage();
            if (!run.completed) {
                run.rows = endOffsets(prefix, topic).getOrDefault("users", 0L);
            }
            run.secondsToFirstRow = firstRowAt < 0 ? -1 : (firstRowAt - putAt) / 1000.0;
            run.syncSeconds = firstRowAt < 0 ? -1 : (endAt - firstRowAt) / 1000.0;
            run.rowsPerSecond = run.syncSeconds > 0 ? run.rows / run.syncSeconds : 0;
            run.steadyRowsPerSecond = at10 > 0 && at90 > at10 ? (users * 0.8) / ((at90 - at10) / 1000.0) : 0;
            run.liveEndMb = liveHeapMb(worker);
            GcLog gc = new GcLog(worker.gcLog);
            List<GcLog.Gc> during = gc.between(putAt, endAt);
            run.gcCount = during.size();
            run.peakHeapMb = GcLog.maxBefore(during);
            run.peakAfterGcMb = GcLog.maxAfter(during);
            run.afterGcQuarters = GcLog.afterByQuarter(during);
            if (Files.exists(jfr)) {
                run.profile = new JfrSummary(jfr);
            }
            worker.deleteConnector(name);
            log(String.format("[%s] %s %,d rows in %.1f s: %,.0f rows/s; peak heap %.0f MB, after GC <= %.0f MB, "
                            + "live %.0f MB at the end", name, run.completed ? "synced" : "NOT synced", run.rows,
                    run.syncSeconds, run.rowsPerSecond, run.peakHeapMb, run.peakAfterGcMb, run.liveEndMb));
        } finally {
            fake.close();
            deleteTopics(name.replace("-", "_") + ".");
        }
        return run;
    }

    /** Live heap of the worker after a full GC (jcmd GC.class_histogram forces one), in MB. */
    private static double liveHeapMb(Stack.Worker worker) {
        try {
            String out = worker.jcmd("GC.class_histogram");
            Matcher m = Pattern.compile("Total\\s+\\d+\\s+(\\d+)").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) / 1048576.0 : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    // ---- Kafka helpers ---------------------------------------------------------------------------

    private Map<String, Long> endOffsets(String prefix, Set<String> tables) throws Exception {
        Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (String t : tables) {
            if (existing.contains(prefix + t)) {
                latest.put(new TopicPartition(prefix + t, 0), OffsetSpec.latest());
            }
        }
        Map<String, Long> rows = new TreeMap<>();
        if (!latest.isEmpty()) {
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> rows.put(tp.topic().substring(prefix.length()), info.offset()));
        }
        return rows;
    }

    private static boolean complete(Map<String, Long> rows, Map<String, Long> want) {
        return want.entrySet().stream().allMatch(e -> rows.getOrDefault(e.getKey(), 0L) >= e.getValue());
    }

    /** Reads every topic back and compares its distinct keys with the workspace's expected rows. */
    private String verifyKeys(String prefix, Map<String, Set<String>> expected) {
        Map<String, Object> props = Map.of("bootstrap.servers", stack.bootstrap(), "auto.offset.reset", "earliest",
                "enable.auto.commit", "false");
        long missing = 0;
        long unexpected = 0;
        long records = 0;
        long distinct = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
                if (e.getValue().isEmpty()) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(prefix + e.getKey(), 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                Set<String> keys = new HashSet<>();
                while (consumer.position(tp) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                        records++;
                        keys.add(ExpectedRows.keyOf(e.getKey(), MAPPER.readTree(r.key())));
                    }
                }
                distinct += keys.size();
                missing += e.getValue().stream().filter(k -> !keys.contains(k)).count();
                unexpected += keys.stream().filter(k -> !e.getValue().contains(k)).count();
            }
        } catch (IOException e) {
            return "key check failed: " + e;
        }
        return String.format("%,d records, %,d distinct keys, %d missing, %d unexpected", records, distinct, missing,
                unexpected);
    }

    private void deleteTopics(String prefix) {
        try {
            Set<String> topics = new HashSet<>();
            for (String t : admin.listTopics().names().get(30, TimeUnit.SECONDS)) {
                if (t.startsWith(prefix)) {
                    topics.add(t);
                }
            }
            admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log("could not delete the topics of " + prefix + ": " + e);
        }
    }

    private static int failed(String status) {
        int n = 0;
        for (int i = status.indexOf("\"FAILED\""); i >= 0; i = status.indexOf("\"FAILED\"", i + 1)) {
            n++;
        }
        return n;
    }

    // ---- machine ---------------------------------------------------------------------------------

    static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException ignored) {
            // not Linux
        }
        long memMb = -1;
        try {
            String total = Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D+", "");
            memMb = Long.parseLong(total) / 1024;
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return String.format("%d cores (%s), %,d MB RAM, %s %s (%s), %s %s",
                Runtime.getRuntime().availableProcessors(), cpu, memMb, System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"),
                System.getProperty("os.name"), System.getProperty("os.version"));
    }

    /** The commit of the code under test, and whether src/ has uncommitted changes. */
    static String codeVersion(Path root) {
        try {
            Process head = new ProcessBuilder("git", "-C", root.toString(), "log", "-1", "--format=%h (%cs)")
                    .redirectErrorStream(true).start();
            String commit = new String(head.getInputStream().readAllBytes()).trim();
            Process status = new ProcessBuilder("git", "-C", root.toString(), "status", "--porcelain", "src", "pom.xml")
                    .redirectErrorStream(true).start();
            long changed = new String(status.getInputStream().readAllBytes()).lines().count();
            if (head.waitFor() != 0 || commit.isEmpty()) {
                return "unknown (not a git checkout)";
            }
            return "commit " + commit + (changed == 0 ? "" : " plus " + changed + " uncommitted change(s) under src/");
        } catch (IOException | InterruptedException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return String.valueOf(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static long sum(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String shortCount(int n) {
        return n >= 1_000_000 && n % 1_000_000 == 0 ? n / 1_000_000 + "m" : n >= 1000 && n % 1000 == 0
                ? n / 1000 + "k" : String.valueOf(n);
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static void log(String line) {
        System.out.println(DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC).format(Instant.now())
                + " " + line);
    }

    private void shutdown() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        if (stack != null) {
            stack.close();
        }
    }

    // ---- results ---------------------------------------------------------------------------------

    /** One all-template sync. Times in ms are relative to the proxy's start. */
    static final class RateRun {
        final String name;
        final int mif;
        final int forced429s;
        boolean completed;
        int injected;
        int failedTasks;
        long requests;
        long fake429s;
        int peakConcurrent;
        double wallSeconds;
        double wallFromCreateSeconds;
        double floorSeconds;
        double projectedWallSeconds;
        double workerCpu;
        double fakeCpu;
        long activeMs;
        long distinctRequests;
        String keyCheck = "not checked";
        String loadBefore;
        String loadAfter;
        Map<String, Long> rows = Map.of();
        Map<String, Long> expectedRows = Map.of();
        Map<String, Long> endpointCounts = Map.of();
        final Map<String, Long> requestsByTable = new TreeMap<>();
        final Map<String, Resource> resources = new TreeMap<>();
        final Map<String, Long> repeated = new TreeMap<>();
        final Map<Integer, Long> perWindow = new TreeMap<>();

        RateRun(String name, int mif, int forced429s) {
            this.name = name;
            this.mif = mif;
            this.forced429s = forced429s;
        }

        double ratio() {
            return wallSeconds / floorSeconds;
        }

        long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }

        static final class Resource {
            long requests;
            long rateLimited;
            long first = Long.MAX_VALUE;
            long last;
            long busyMs;
        }
    }

    /** One zero-latency users-only sync at a 256 MB worker heap. */
    static final class TaskAloneRun {
        final String name;
        final int users;
        boolean completed;
        long rows;
        double seconds;
        double rowsPerSecond;
        double connectorCpu;
        double pollThreadCpu;
        double serverCpu;
        double processCpu;
        Map<String, Double> connectorThreads = Map.of();
        long replayHits;
        long replayMisses;
        String loadBefore;
        String loadAfter;

        TaskAloneRun(String name, int users) {
            this.name = name;
            this.users = users;
        }
    }

    static final class ThroughputRun {
        final String name;
        final int users;
        boolean completed;
        long rows;
        int failedTasks;
        double generateSeconds;
        double fakeHeapMb;
        double secondsToFirstRow;
        double syncSeconds;
        double rowsPerSecond;
        double steadyRowsPerSecond;
        double workerCpu;
        double brokerCpu;
        double fakeCpu;
        double peakHeapMb;
        double peakAfterGcMb;
        double[] afterGcQuarters = new double[4];
        double jfrSeconds;
        /** Worker CPU seconds per thread name during the sync. */
        final Map<String, Double> threadCpu = new TreeMap<>();
        double liveMidMb = -1;
        double liveEndMb = -1;
        int gcCount;
        String loadBefore;
        String loadAfter;
        JfrSummary profile;

        ThroughputRun(String name, int users) {
            this.name = name;
            this.users = users;
        }
    }

    static String fmt(double v, String pattern) {
        return String.format(Locale.ROOT, pattern, v);
    }
}
