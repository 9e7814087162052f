package io.kcintercom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.FakeIntercom.Fault;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The soak benchmark of issue 15, run on demand ({@code bench/run soak}, never by mvn verify): the
 * sample workspace, changing all the time, read by one all-template connector on a real Connect
 * worker (a separate JVM, as in {@link Bench}) while the fake injects random faults: 5xx outages
 * of every endpoint or of one (with and without Intercom's error body, HTML gateway pages), 429
 * storms, the companies scroll held by another client, bad bodies (empty, truncated), connection
 * resets and timeouts. Faults run for {@code --minutes} (30); then the fake is left healthy until
 * every expected row is in Kafka (bounded by {@code --settle-minutes}).
 *
 * <p>Reported: requests, injected faults, retries by cause (the worker's per-resource JMX
 * counters, read over remote JMX), the longest time-to-heal (from the end of a fault window to the
 * moment every resource that was in an outage reports {@code outage-start-timestamp-ms} -1),
 * failed tasks seen on the REST API (must be 0), the outage logs, and rows lost (must be 0):
 * expected keys missing from their topic plus changed objects whose newest version never arrived.
 */
public final class Soak {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String NAME = "soak";
    private static final String PREFIX = "soak.";
    private static final List<String> ONE_ENDPOINT = List.of("POST /contacts/search", "GET /contacts/{id}/segments",
            "GET /contacts/{id}/notes", "GET /events", "POST /conversations/search", "GET /conversations/{id}",
            "GET /companies/scroll", "GET /admins", "GET /tags");
    private static final Map<String, String> CHANGED_TABLE = Map.of("user", "users", "lead", "leads",
            "company", "companies", "conversation", "conversations");

    private final Path benchDir;
    private final Path work;
    private final long faultMinutes;
    private final long settleMinutes;
    private final Random random;
    private final Path out;
    private final List<String> faultLog = new ArrayList<>();
    private final Map<String, Integer> faultCounts = new TreeMap<>();
    /** Changed objects: "table|id" to the workspace object's kind, for the newest-version check. */
    private final Map<String, String> changed = new ConcurrentHashMap<>();
    private final List<long[]> windowsEnding = new ArrayList<>();
    private long longestHealMs;
    private String longestHealWhat = "none";
    private int failedTasksSeen;
    private int statusChecks;
    private int notRunningSeen;

    private Soak(Path benchDir, long faultMinutes, long settleMinutes, long seed, Path out) {
        this.benchDir = benchDir;
        this.work = benchDir.resolve("target/work");
        this.faultMinutes = faultMinutes;
        this.settleMinutes = settleMinutes;
        this.random = new Random(seed);
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        long minutes = 30;
        long settle = 10;
        long seed = 15;
        String outArg = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Long.parseLong(args[++i]);
                case "--settle-minutes" -> settle = Long.parseLong(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--out" -> outArg = args[++i];
                case "-h", "--help" -> {
                    System.out.println("""
                            usage: bench/run soak [--minutes N] [--settle-minutes N] [--seed N] [--out FILE]
                              --minutes N         minutes of random faults (30); below 30 the results go to
                                                  target/SOAK-short.md unless --out says otherwise
                              --settle-minutes N  longest wait, faults over, for every expected row (10)
                              --seed N            the fault schedule's and the workspace's seed (15)
                              --out FILE          file (relative to bench/) whose soak section is written""");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; see --help");
            }
        }
        Path benchDir = Path.of(System.getProperty("bench.dir", "bench")).toAbsolutePath().normalize();
        Path out = benchDir.resolve(outArg != null ? outArg : minutes >= 30 ? "RESULTS.md" : "target/SOAK-short.md");
        int code = 1;
        try {
            new Soak(benchDir, minutes, settle, seed, out).run();
            code = 0;
        } catch (Exception | Error e) {
            System.out.println("\nThe soak failed: " + e);
            e.printStackTrace(System.out);
        } finally {
            System.exit(code);
        }
    }

    private void run() throws Exception {
        Files.createDirectories(work.resolve("logs"));
        Files.deleteIfExists(work.resolve("pids"));
        Instant started = Instant.now();
        String loadBefore = Bench.loadAverage();
        String kafkaClasspath = Files.readString(benchDir.resolve("target/kafka.classpath")).trim();
        Path zip;
        try (var files = Files.list(benchDir.resolve("target/under-test"))) {
            zip = files.filter(p -> p.getFileName().toString().endsWith(".zip")).findFirst().orElseThrow();
        }
        SampleWorkspace ws = SampleWorkspace.generate(15, SampleWorkspace.Sizes.builder().users(800).leads(200)
                .companies(150).conversations(600).build());
        FakeIntercom fake = FakeIntercom.start(ws, FakeIntercom.Options.builder().token(Bench.TOKEN)
                .rateLimitPer10s(1000).latencyMs(20, 60).scrollExpiryMs(60_000).threads(64).build());
        int jmxPort = Stack.freePort();
        try (Stack stack = new Stack(work, kafkaClasspath, zip, benchDir.resolve("log4j2.properties"))) {
            log("Starting Kafka and one Connect worker (JMX on 127.0.0.1:" + jmxPort + ") ...");
            stack.startBroker();
            Stack.Worker worker = stack.startWorker(NAME, List.of("-Xmx512m",
                    "-Dcom.sun.management.jmxremote.port=" + jmxPort, "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                    "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                    "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false"));
            worker.putConnector(NAME, connectorConfig(fake.baseUrl()));
            Path workerLog = work.resolve("logs/connect-" + NAME + ".log");
            try (JMXConnector jmx = connectJmx(jmxPort)) {
                MBeanServerConnection mbeans = jmx.getMBeanServerConnection();
                long faultsEnd = System.currentTimeMillis() + faultMinutes * 60_000;
                Map<String, Long> outageStart = new HashMap<>();
                long nextFault = System.currentTimeMillis() + 20_000;
                long nextChange = System.currentTimeMillis() + 10_000;
                long nextStatus = 0;
                long lastLog = System.currentTimeMillis();
                while (System.currentTimeMillis() < faultsEnd || !windowsEnding.isEmpty() && anyOpen()) {
                    long now = System.currentTimeMillis();
                    sampleHealth(mbeans, outageStart, now);
                    if (now >= nextStatus) {
                        checkStatus(worker);
                        nextStatus = now + 5_000;
                    }
                    if (now < faultsEnd && now >= nextChange) {
                        change(ws);
                        nextChange = now + 3_000;
                    }
                    if (now < faultsEnd && now >= nextFault) {
                        long windowMs = injectFault(fake, faultsEnd - now);
                        // Calm between faults, so each heal is seen on its own.
                        nextFault = now + windowMs + 40_000 + random.nextInt(30_000);
                    }
                    if (now - lastLog > 60_000) {
                        lastLog = now;
                        log(String.format("%d min: %,d requests, %d faults injected, %d failed-task sightings",
                                (now - started.toEpochMilli()) / 60_000, fake.totalRequests(), faultLog.size(),
                                failedTasksSeen));
                    }
                    Thread.sleep(500);
                }
                log("Faults over; waiting for every expected row (at most " + settleMinutes + " min) ...");
                long settleDeadline = System.currentTimeMillis() + settleMinutes * 60_000;
                Map<String, Set<String>> expected = ExpectedRows.forWorkspace(ws, Bench.ALL_TABLES);
                Verification v = verify(stack.bootstrap(), ws, expected);
                while (v.lost() > 0 && System.currentTimeMillis() < settleDeadline) {
                    Thread.sleep(10_000);
                    sampleHealth(mbeans, outageStart, System.currentTimeMillis());
                    checkStatus(worker);
                    v = verify(stack.bootstrap(), ws, expected);
                }
                checkStatus(worker);
                Map<String, Long> retries = retriesByCause(mbeans);
                String logs = Files.exists(workerLog) ? Files.readString(workerLog) : "";
                Instant finished = Instant.now();
                String section = section(started, finished, loadBefore, Bench.loadAverage(), fake, v, retries, logs);
                System.out.println("\n" + section);
                writeSection(section);
                log("Wrote the soak section of " + out);
                worker.deleteConnector(NAME);
            } finally {
                fake.close();
            }
        }
    }

    private static Map<String, String> connectorConfig(String apiUrl) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "io.kcintercom.connect.IntercomSourceConnector");
        c.put("tasks.max", "3");
        c.put("intercom.access.token", Bench.TOKEN);
        c.put("intercom.api.url", apiUrl);
        c.put("intercom.api.url.allow.custom", "true"); // the sample workspace on loopback
        c.put("intercom.token.check", "false");
        c.put("intercom.template", "all");
        c.put("topic.prefix", PREFIX);
        c.put("poll.interval.ms", "15000");
        c.put("companies.poll.interval.ms", "60000");
        c.put("search.delay.ms", "2000");
        // A request's own retries give up after 15 s; an outage longer than that is carried by the
        // resource's supervision (resume from the last position, backoff up to 20 s).
        c.put("retry.backoff.ms", "500");
        c.put("retry.max.time.ms", "15000");
        c.put("retry.backoff.max.ms", "20000");
        c.put("request.timeout.ms", "5000");
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        return c;
    }

    // ---- faults and changes ------------------------------------------------------------------------

    /** The kinds of fault still to come in this round: each round deals every kind once, in random order. */
    private final List<Integer> deck = new ArrayList<>();

    /**
     * One random fault; returns how long its window lasts (0 for one-off faults). No window outlasts
     * the fault phase ({@code leftMs}), so a run takes the time it was asked for.
     */
    private long injectFault(FakeIntercom fake, long leftMs) {
        if (deck.isEmpty()) {
            // One of each kind per round, so that a run of any length sees every kind.
            deck.addAll(List.of(0, 25, 45, 60, 75, 90));
            java.util.Collections.shuffle(deck, random);
        }
        int pick = deck.remove(deck.size() - 1);
        long ms;
        String what;
        if (pick < 25) {
            Fault f = pickServerError();
            ms = Math.min(leftMs, 60_000 + random.nextInt(180_000));
            fake.outage(FakeIntercom.ALL_ENDPOINTS, f, ms);
            what = "outage of every endpoint: " + f;
        } else if (pick < 45) {
            Fault f = pickServerError();
            String endpoint = ONE_ENDPOINT.get(random.nextInt(ONE_ENDPOINT.size()));
            ms = Math.min(leftMs, 30_000 + random.nextInt(150_000));
            fake.outage(endpoint, f, ms);
            what = "outage of " + endpoint + ": " + f;
        } else if (pick < 60) {
            ms = Math.min(leftMs, 20_000 + random.nextInt(70_000));
            fake.outage(FakeIntercom.ALL_ENDPOINTS, Fault.HTTP_429, ms);
            what = "429 storm";
        } else if (pick < 75) {
            ms = Math.min(leftMs, 60_000 + random.nextInt(240_000));
            fake.holdScrollElsewhere(ms);
            what = "scroll held by another client";
        } else if (pick < 90) {
            Fault f = random.nextBoolean() ? Fault.EMPTY_BODY_200 : Fault.TRUNCATED_JSON_200;
            ms = Math.min(leftMs, 15_000 + random.nextInt(45_000));
            fake.outage(FakeIntercom.ALL_ENDPOINTS, f, ms);
            what = "bad bodies from every endpoint: " + f;
        } else {
            String endpoint = ONE_ENDPOINT.get(random.nextInt(ONE_ENDPOINT.size()));
            int n = 3 + random.nextInt(8);
            Fault f = random.nextBoolean() ? Fault.CONNECTION_RESET : Fault.delay(7_000);
            fake.failNext(endpoint, n, f);
            ms = 0;
            what = n + " x " + f + " on " + endpoint;
        }
        long end = System.currentTimeMillis() + ms;
        faultLog.add(String.format("%s  %s, %d s", Instant.now().toString().substring(11, 19), what, ms / 1000));
        faultCounts.merge(what.replaceAll(":.*|\\d+ x ", "").replaceAll(" on .*", "").trim(), 1, Integer::sum);
        windowsEnding.add(new long[] {end, -1});
        log("fault: " + what + " for " + ms / 1000 + " s");
        return ms;
    }

    private Fault pickServerError() {
        return switch (random.nextInt(5)) {
            case 0 -> Fault.HTTP_500;
            case 1 -> Fault.statusWithoutErrors(500);
            case 2 -> Fault.HTTP_502;
            case 3 -> Fault.HTTP_503;
            default -> Fault.status(504);
        };
    }

    /** One change to the workspace, as its users make them all day. */
    private void change(SampleWorkspace ws) {
        int pick = random.nextInt(7);
        switch (pick) {
            case 0, 1 -> {
                String role = random.nextInt(4) == 0 ? "lead" : "user";
                List<String> ids = ws.contactIds(role);
                String id = ws.updateContact(ids.get(random.nextInt(ids.size())));
                changed.put(CHANGED_TABLE.get(role) + "|" + id, role);
            }
            case 2 -> {
                String role = random.nextBoolean() ? "lead" : "user";
                changed.put(CHANGED_TABLE.get(role) + "|" + ws.addContact(role), role);
            }
            case 3 -> {
                List<JsonNode> companies = ws.companies();
                String id = ws.updateCompany(companies.get(random.nextInt(companies.size())).get("id").asText());
                changed.put("companies|" + id, "company");
            }
            case 4 -> changed.put("companies|" + ws.addCompany(), "company");
            case 5 -> {
                List<JsonNode> conversations = ws.conversations();
                String id = conversations.get(random.nextInt(conversations.size())).get("id").asText();
                ws.updateConversation(id);
                changed.put("conversations|" + id, "conversation");
            }
            default -> {
                List<JsonNode> conversations = ws.conversations();
                String id = conversations.get(random.nextInt(conversations.size())).get("id").asText();
                ws.addConversationPart(id);
                changed.put("conversations|" + id, "conversation");
            }
        }
    }

    // ---- observation -------------------------------------------------------------------------------

    private static JMXConnector connectJmx(int port) throws Exception {
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            try {
                return JMXConnectorFactory.connect(url);
            } catch (IOException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notYet;
                }
                Thread.sleep(500);
            }
        }
    }

    /** The per-resource MBeans: the ones tagged with exactly connector, task and resource. */
    private static Set<ObjectName> resourceBeans(MBeanServerConnection mbeans) throws Exception {
        Set<ObjectName> names = new HashSet<>();
        for (ObjectName n : mbeans.queryNames(new ObjectName(
                "kafka.connect.intercom:type=intercom-source-task-metrics,connector=" + NAME + ",*"), null)) {
            if (n.getKeyPropertyList().size() == 4 && n.getKeyProperty("resource") != null) {
                names.add(n);
            }
        }
        return names;
    }

    /**
     * Reads every resource's outage start; a window that has ended is healed once no resource that
     * was in an outage when it ended still is. The longest such time is the time-to-heal.
     */
    private void sampleHealth(MBeanServerConnection mbeans, Map<String, Long> outageStart, long now) {
        try {
            for (ObjectName n : resourceBeans(mbeans)) {
                long start = ((Number) mbeans.getAttribute(n, "outage-start-timestamp-ms")).longValue();
                outageStart.put(n.getKeyProperty("task") + "/" + n.getKeyProperty("resource"), start);
            }
        } catch (Exception e) {
            log("JMX read failed: " + e);
            return;
        }
        boolean anyInOutage = outageStart.values().stream().anyMatch(s -> s >= 0);
        for (long[] w : windowsEnding) {
            if (w[1] == -1 && now >= w[0]) {
                // The window just ended: open until every resource in an outage heals.
                w[1] = anyInOutage ? -2 : 0;
            } else if (w[1] == -2 && !anyInOutage) {
                long heal = now - w[0];
                w[1] = heal;
                if (heal > longestHealMs) {
                    longestHealMs = heal;
                    longestHealWhat = faultLog.get(windowsEnding.indexOf(w));
                }
            }
        }
    }

    private boolean anyOpen() {
        return windowsEnding.stream().anyMatch(w -> w[1] < 0);
    }

    private void checkStatus(Stack.Worker worker) {
        try {
            JsonNode status = MAPPER.readTree(worker.status(NAME));
            statusChecks++;
            for (JsonNode task : status.path("tasks")) {
                String state = task.path("state").asText();
                if (state.equals("FAILED")) {
                    failedTasksSeen++;
                    log("task " + task.path("id").asText() + " FAILED: " + task.path("trace").asText().lines()
                            .findFirst().orElse(""));
                } else if (!state.equals("RUNNING")) {
                    notRunningSeen++;
                }
            }
        } catch (IOException | InterruptedException e) {
            log("status read failed: " + e);
        }
    }

    private static Map<String, Long> retriesByCause(MBeanServerConnection mbeans) throws Exception {
        Map<String, Long> total = new TreeMap<>();
        for (ObjectName n : resourceBeans(mbeans)) {
            for (var attr : mbeans.getMBeanInfo(n).getAttributes()) {
                Matcher m = Pattern.compile("retries-(.+)-total").matcher(attr.getName());
                if (m.matches()) {
                    total.merge(m.group(1), ((Number) mbeans.getAttribute(n, attr.getName())).longValue(), Long::sum);
                }
            }
        }
        return total;
    }

    // ---- verification ------------------------------------------------------------------------------

    record Verification(Map<String, Integer> missingByTable, int stale, long rowsRead, int expectedKeys) {
        int lost() {
            return missingByTable.values().stream().mapToInt(Integer::intValue).sum() + stale;
        }
    }

    /** Every expected key in its topic, and every changed object's newest updated_at. */
    private Verification verify(String bootstrap, SampleWorkspace ws, Map<String, Set<String>> expected) {
        Map<String, Set<String>> seen = new HashMap<>();
        Map<String, Long> newest = new HashMap<>();
        long read = 0;
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String table : expected.keySet()) {
                if (!expected.get(table).isEmpty()) {
                    consumer.partitionsFor(PREFIX + table, Duration.ofSeconds(10))
                            .forEach(p -> parts.add(new TopicPartition(p.topic(), p.partition())));
                }
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 120_000;
            while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key() == null || r.value() == null) {
                        continue;
                    }
                    read++;
                    String table = r.topic().substring(PREFIX.length());
                    JsonNode key = MAPPER.readTree(new String(r.key(), StandardCharsets.UTF_8));
                    String k = ExpectedRows.keyOf(table, key);
                    seen.computeIfAbsent(table, t -> new HashSet<>()).add(k);
                    JsonNode updated = MAPPER.readTree(r.value()).get("updated_at");
                    if (updated != null && updated.isNumber()) {
                        newest.merge(table + "|" + k, updated.asLong(), Math::max);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Map<String, Integer> missing = new TreeMap<>();
        int keys = 0;
        for (var e : expected.entrySet()) {
            keys += e.getValue().size();
            Set<String> have = seen.getOrDefault(e.getKey(), Set.of());
            int n = (int) e.getValue().stream().filter(k -> !have.contains(k)).count();
            if (n > 0) {
                missing.put(e.getKey(), n);
            }
        }
        int stale = 0;
        for (var e : changed.entrySet()) {
            String id = e.getKey().substring(e.getKey().indexOf('|') + 1);
            long want = updatedAtSeconds(ws, e.getValue(), id) * 1000;
            Long have = newest.get(e.getKey());
            if (want > 0 && have != null && have < want) {
                stale++;
            }
        }
        return new Verification(missing, stale, read, keys);
    }

    private static long updatedAtSeconds(SampleWorkspace ws, String kind, String id) {
        JsonNode o = switch (kind) {
            case "user", "lead" -> ws.contact(id);
            case "company" -> ws.companies().stream().filter(c -> c.get("id").asText().equals(id)).findFirst()
                    .orElse(null);
            default -> ws.conversations().stream().filter(c -> c.get("id").asText().equals(id)).findFirst()
                    .orElse(null);
        };
        return o == null ? -1 : o.path("updated_at").asLong(-1);
    }

    // ---- report ------------------------------------------------------------------------------------

    private String section(Instant started, Instant finished, String loadBefore, String loadAfter, FakeIntercom fake,
                           Verification v, Map<String, Long> retries, String logs) {
        long warnsStart = logs.lines().filter(l -> l.contains("WARN") && l.contains("Intercom is failing")).count();
        long warnsStill = logs.lines().filter(l -> l.contains("WARN") && l.contains("still failing after")).count();
        long heals = logs.lines().filter(l -> l.contains("Intercom answers again")).count();
        long warnTotal = logs.lines().filter(l -> l.contains(" WARN ")).count();
        StringBuilder s = new StringBuilder();
        s.append("## Soak: months of bad afternoons in ").append(faultMinutes).append(" minutes (issue 15)\n\n");
        s.append("`bench/run soak");
        if (faultMinutes != 30) {
            s.append(" --minutes ").append(faultMinutes);
        }
        s.append("`, ").append(started.toString(), 0, 16).append(" to ").append(finished.toString(), 0, 16)
                .append(" UTC (").append(Duration.between(started, finished).toMinutes()).append(" min of wall time; ")
                .append(faultMinutes).append(" min of random faults, then the fake left healthy until every row ")
                .append("arrived). Load average ").append(loadBefore).append(" before, ").append(loadAfter)
                .append(" after (2 cores shared with other work). Workspace: 800 users, 200 leads, 150 companies, ")
                .append("600 conversations, changed every 3 s (").append(changed.size())
                .append(" objects changed or added); fake: 20-60 ms latency, 1,000 requests/10 s; connector: ")
                .append("`intercom.template=all`, `tasks.max=3`, `retry.max.time.ms=15000`, `retry.backoff.ms=500`, ")
                .append("`retry.backoff.max.ms=20000`, `request.timeout.ms=5000`, one Connect worker (separate JVM).\n\n");
        s.append("| figure | value |\n|---|---|\n");
        s.append("| requests to the fake | ").append(String.format("%,d", fake.totalRequests())).append(" |\n");
        s.append("| faults injected | ").append(faultLog.size()).append(": ").append(faultCounts).append(" |\n");
        s.append("| retries by cause (sum over resources, JMX) | ").append(retries).append(" |\n");
        s.append("| longest time-to-heal after a fault window ended | ").append(longestHealMs / 1000.0)
                .append(" s (").append(longestHealWhat.replace("|", "/")).append(") |\n");
        s.append("| task status checks / FAILED sightings / other non-RUNNING | ").append(statusChecks).append(" / ")
                .append(failedTasksSeen).append(" / ").append(notRunningSeen).append(" |\n");
        s.append("| outage logs (WARN start / WARN still failing / INFO healed / all WARN lines) | ").append(warnsStart)
                .append(" / ").append(warnsStill).append(" / ").append(heals).append(" / ").append(warnTotal)
                .append(" |\n");
        s.append("| rows read back / expected keys | ").append(String.format("%,d / %,d", v.rowsRead(),
                v.expectedKeys())).append(" |\n");
        s.append("| **rows lost** (missing keys + changes whose newest version never arrived) | **").append(v.lost())
                .append("** ").append(v.missingByTable().isEmpty() ? "" : v.missingByTable().toString())
                .append(v.stale() > 0 ? " stale " + v.stale() : "").append(" |\n\n");
        s.append("Time-to-heal: from the end of a fault window (an outage's last faulty answer, a lock's release) to ")
                .append("the first JMX sample (every 0.5 s) at which no resource of the task reports an outage in ")
                .append("progress; it includes the resource's backoff (up to `retry.backoff.max.ms`).\n\n");
        s.append("<details><summary>Fault schedule</summary>\n\n```\n");
        faultLog.forEach(f -> s.append(f).append('\n'));
        s.append("```\n</details>\n");
        return s.toString();
    }

    private void writeSection(String section) throws IOException {
        String begin = "<!-- soak: begin (bench/run soak rewrites from here to its end marker) -->";
        String end = "<!-- soak: end -->";
        String block = begin + "\n" + section + end + "\n";
        Files.createDirectories(out.toAbsolutePath().getParent());
        String text = Files.exists(out) ? Files.readString(out) : "";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + block + text.substring(e + end.length() + 1);
        } else {
            text = text + (text.isEmpty() || text.endsWith("\n\n") ? "" : "\n") + block;
        }
        Files.writeString(out, text);
    }

    private static void log(String message) {
        System.out.println(Instant.now().toString().substring(11, 19) + " " + message);
    }
}
