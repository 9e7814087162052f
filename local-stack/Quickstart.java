import com.sun.tools.attach.VirtualMachine;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.localstack.StatusBlock;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The local stack, one command: a single-node Kafka broker (KRaft) and a Kafka Connect distributed
 * worker started from Apache Kafka's own jars, this plugin unzipped onto the worker's plugin.path,
 * the connector registered through the REST API, and live progress until Ctrl-C. Without
 * INTERCOM_ACCESS_TOKEN it serves the built-in sample workspace, the fake Intercom the tests use.
 *
 * <p>Started by ../quickstart (the script at the top of the repository), which builds the plugin
 * and resolves the classpath first. State (Kafka's data, hence the connector's offsets) lives in one
 * folder per workspace under .quickstart/ (sample/, or workspace-&lt;hash of token and region&gt;/),
 * so a second run resumes and a real workspace never starts from the sample's positions; --reset
 * clears the folder of the workspace it would read.
 *
 * <p>The broker and the worker run in process groups of their own, so the SIGINT a terminal sends
 * on Ctrl-C reaches only this JVM, whose shutdown hook stops the worker (while the broker still
 * serves it) and then the broker.
 */
public final class Quickstart {
    private static final String CONNECTOR = "intercom";
    private static final String PREFIX = "intercom.";
    private static final List<String> TABLES = List.of("users", "users_tags", "users_segments", "users_companies",
            "users_social_profiles", "notes", "events_summary", "leads", "leads_tags", "leads_segments",
            "leads_companies", "leads_social_profiles", "companies", "admins", "tags", "segments", "conversations",
            "conversations_attachments", "conversations_tags", "conversations_customers", "conversation_parts",
            "conversation_parts_attachments");
    private static final long QUIET_MS_FOR_CAUGHT_UP = 12_000;
    private static final long REFRESH_MS = 2_000;
    /** Without a terminal the status is printed as plain lines, this often (and when its phase changes). */
    private static final long PLAIN_STATUS_INTERVAL_MS = 30_000;
    private static final int PREFERRED_CONNECT_PORT = 8083;
    private static final int SAMPLE_RATE_LIMIT_PER_10S = 1000;
    private static final String SAMPLE = "sample";

    private final Path root = Path.of("").toAbsolutePath();
    private final Path work;
    private final boolean untilCaughtUp;
    private final boolean verify;
    private final Duration timeout;
    /** Kafka's own jars only: the worker must load the connector from plugin.path, as on a user's cluster. */
    private final String classpath = System.getProperty("local.stack.classpath", System.getProperty("java.class.path"));
    /** Started broker and worker, in start order; guarded by itself, as is {@link #stopping}. */
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StatusBlock status = StatusBlock.forConsole(System.out, PLAIN_STATUS_INTERVAL_MS);
    private volatile boolean stopping;
    private FakeIntercom fake;
    private SampleWorkspace workspace;
    private Process worker;
    private int restPort;
    private String bootstrap;

    private Quickstart(Path work, boolean untilCaughtUp, boolean verify, Duration timeout) {
        this.work = work.toAbsolutePath();
        this.untilCaughtUp = untilCaughtUp;
        this.verify = verify;
        this.timeout = timeout;
    }

    /** A problem the user fixes (a flag, leftover state): one line, no stack trace. */
    private static final class UserError extends RuntimeException {
        UserError(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(".quickstart");
        boolean reset = false;
        boolean untilCaughtUp = false;
        boolean verify = false;
        Duration timeout = Duration.ofMinutes(10);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reset" -> reset = true;
                case "--until-caught-up" -> untilCaughtUp = true;
                case "--verify" -> verify = true;
                case "--work-dir" -> base = Path.of(args[++i]);
                case "--timeout-seconds" -> timeout = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "-h", "--help" -> {
                    System.out.println("usage: ./quickstart [--reset] [--until-caught-up] [--verify] [--work-dir DIR]"
                            + " [--timeout-seconds N]\n  --reset: start over (clears the state of the workspace it"
                            + " reads)\n  --verify: once caught up, compare every topic with the sample workspace's"
                            + " expected rows\n  --work-dir: where state and logs live (default .quickstart; one folder"
                            + " per workspace)\n  INTERCOM_ACCESS_TOKEN (optional): read your workspace instead of the"
                            + " sample one; INTERCOM_REGION: us, eu or au");
                    return;
                }
                default -> {
                    System.out.println("unknown argument " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        int code = 1;
        Quickstart quickstart = null;
        try {
            Path work = workspaceDir(base, reset);
            quickstart = new Quickstart(work, untilCaughtUp, verify, timeout);
            Quickstart stack = quickstart;
            Runtime.getRuntime().addShutdownHook(new Thread(stack::shutdown, "quickstart-shutdown"));
            code = quickstart.run();
        } catch (UserError e) {
            System.out.println(e.getMessage());
        } catch (Exception | Error e) {
            // On Ctrl-C the processes stop under the main thread's feet: that is no failure to report.
            if (quickstart == null || !quickstart.stopping) {
                System.out.println("\nThe local stack failed: " + e);
                e.printStackTrace(System.out);
            }
        } finally {
            // Always exit: client threads must not keep the JVM, and so the broker and worker, alive.
            System.exit(code);
        }
    }

    /**
     * The state folder of the workspace this run reads: the sample's, or one per token and region,
     * so switching workspaces never resumes from another workspace's offsets.
     */
    private static Path workspaceDir(Path base, boolean reset) throws IOException {
        String token = System.getenv("INTERCOM_ACCESS_TOKEN");
        String name = token == null || token.isBlank() ? SAMPLE
                : "workspace-" + sha256(token.strip() + "\n" + region()).substring(0, 12);
        Path dir = base.resolve(name);
        // Earlier quickstarts kept one state for every workspace, directly in the base folder.
        boolean sharedState = Files.exists(base.resolve("state.properties"));
        if (reset) {
            deleteTree(sharedState ? base : dir);
            System.out.println("Cleared " + display(sharedState ? base : dir));
        } else if (sharedState) {
            throw new UserError(display(base) + " holds the state of an earlier quickstart, shared by every workspace;"
                    + " run ./quickstart --reset to start over (state is now kept per workspace)");
        }
        return dir;
    }

    private int run() throws Exception {
        Files.createDirectories(work.resolve("logs"));
        stopLeftovers();
        Properties state = loadState();
        String token = System.getenv("INTERCOM_ACCESS_TOKEN");
        String apiUrl = null;
        if (token == null || token.isBlank()) {
            token = startSampleWorkspace(state);
            apiUrl = fake.baseUrl();
        } else {
            say("Reading your Intercom workspace (region " + region() + ")");
        }
        say("State: " + display(work) + " (one folder per workspace; --reset clears it). Logs: "
                + display(work.resolve("logs")));
        saveState(state);
        startBroker(state);
        saveState(state);
        installPlugin();
        startConnect(state);
        saveState(state);
        registerConnector(token.strip(), apiUrl);
        return watch();
    }

    private String startSampleWorkspace(Properties state) {
        long generatedAt = Long.parseLong(state.computeIfAbsent("sample.generated.at",
                k -> String.valueOf(Instant.now().minusSeconds(3600).getEpochSecond())).toString());
        workspace = SampleWorkspace.generate(42, SampleWorkspace.Sizes.builder()
                .users(600).leads(200).companies(120).conversations(300).includeTruncatedConversation(true).build(),
                Instant.ofEpochSecond(generatedAt));
        int port = port(state, "sample.port", 0);
        fake = FakeIntercom.start(workspace, FakeIntercom.Options.builder().port(port)
                .latencyMs(20, 80).rateLimitPer10s(SAMPLE_RATE_LIMIT_PER_10S).build());
        say("No INTERCOM_ACCESS_TOKEN: serving the sample workspace at " + fake.baseUrl()
                + " (600 users, 200 leads, 120 companies, 300 conversations; 100 requests/s rate limit)");
        return fake.options().token();
    }

    private void startBroker(Properties state) throws Exception {
        int brokerPort = port(state, "broker.port", 0);
        int controllerPort = port(state, "controller.port", 0);
        bootstrap = "127.0.0.1:" + brokerPort;
        Path data = work.resolve("kafka-data");
        Path config = work.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + data,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        if (!Files.exists(data.resolve("meta.properties"))) {
            String clusterId = state.computeIfAbsent("cluster.id", k -> randomClusterId()).toString();
            runToEnd(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId, "-c", config.toString()),
                    "storage-format");
        }
        say("Starting Kafka (KRaft) on " + bootstrap + " ...");
        start(List.of("kafka.Kafka", config.toString()), "broker", "-Xmx512m");
        waitForPort(brokerPort, Duration.ofSeconds(60), "Kafka broker");
    }

    private void installPlugin() throws IOException {
        Path zip;
        try (Stream<Path> files = Files.list(root.resolve("target"))) {
            zip = files.filter(p -> p.getFileName().toString().matches("kcintercom-kafka-connect-intercom-.*\\.zip"))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()))
                    .orElseThrow(() -> new IllegalStateException("No plugin archive in target/: run mvn package"));
        }
        Path plugins = work.resolve("plugins");
        deleteTree(plugins);
        Files.createDirectories(plugins);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path target = plugins.resolve(entry.getName()).normalize();
                if (!target.startsWith(plugins)) {
                    throw new IOException("Bad entry in plugin archive: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        say("Installed " + zip.getFileName() + " on plugin.path " + display(plugins));
    }

    private void startConnect(Properties state) throws Exception {
        restPort = port(state, "connect.port", PREFERRED_CONNECT_PORT);
        Path config = work.resolve("connect-distributed.properties");
        Files.writeString(config, String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "group.id=intercom-quickstart",
                "listeners=http://127.0.0.1:" + restPort,
                "rest.advertised.host.name=127.0.0.1",
                "rest.advertised.port=" + restPort,
                "key.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "key.converter.schemas.enable=false",
                "value.converter.schemas.enable=false",
                "config.storage.topic=_connect-configs",
                "offset.storage.topic=_connect-offsets",
                "status.storage.topic=_connect-status",
                "config.storage.replication.factor=1",
                "offset.storage.replication.factor=1",
                "status.storage.replication.factor=1",
                "offset.flush.interval.ms=2000",
                "plugin.path=" + work.resolve("plugins"),
                "config.providers=file",
                "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                ""));
        say("Starting Kafka Connect (distributed) on http://127.0.0.1:" + restPort + " ...");
        worker = start(List.of("org.apache.kafka.connect.cli.ConnectDistributed", config.toString()), "connect",
                "-Xmx768m");
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            try {
                if (get("/connector-plugins").contains("IntercomSourceConnector")) {
                    // The README's examples say localhost:8083; this file says where this run's worker is.
                    Files.writeString(work.resolve("connect.url"), "http://127.0.0.1:" + restPort + "\n");
                    say("Kafka Connect's REST API: http://127.0.0.1:" + restPort + " (also in "
                            + display(work.resolve("connect.url")) + "; use it where the README says localhost:8083)");
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("Kafka Connect did not start; see " + work.resolve("logs/connect.log"));
            }
            checkAlive();
            Thread.sleep(500);
        }
    }

    private void registerConnector(String token, String apiUrl) throws Exception {
        Path secrets = work.resolve("secrets.properties");
        Files.writeString(secrets, "intercom.access.token=" + token + "\n");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connector.class", "io.kcintercom.connect.IntercomSourceConnector");
        config.put("tasks.max", "4");
        config.put("intercom.access.token", "${file:" + secrets + ":intercom.access.token}");
        config.put("intercom.region", region());
        if (apiUrl != null) {
            config.put("intercom.api.url", apiUrl);
            config.put("intercom.api.url.allow.custom", "true");
        }
        config.put("intercom.template", "all");
        config.put("topic.prefix", PREFIX);
        config.put("poll.interval.ms", "10000");
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "1");
        String body = config.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest("/connectors/" + CONNECTOR + "/config"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            // Connect's answer names the refused keys (a wrong token or region, for instance); no trace helps more.
            String message = response.body();
            try {
                message = new com.fasterxml.jackson.databind.ObjectMapper().readTree(message).path("message")
                        .asText(message);
            } catch (IOException notJson) {
                // show the body as it came
            }
            throw new UserError("Kafka Connect refused the connector (HTTP " + response.statusCode() + "): " + message
                    + "\nStopped; the worker's log is in " + display(work.resolve("logs")));
        }
        say("Connector '" + CONNECTOR + "' registered (template all, topics " + PREFIX
                + "<table>). Offsets are kept in Kafka: a second run resumes. Ctrl-C stops everything.\n");
    }

    /** Shows progress until caught up, then samples; keeps going until Ctrl-C unless told to stop. */
    private int watch() throws Exception {
        long start = System.currentTimeMillis();
        long lastChange = System.currentTimeMillis();
        long lastTotal = -1;
        boolean reportedCaughtUp = false;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap));
             WorkerMetrics metrics = new WorkerMetrics(worker.pid())) {
            while (true) {
                checkAlive();
                String connectorStatus = get("/connectors/" + CONNECTOR + "/status");
                if (connectorStatus.contains("\"FAILED\"")) {
                    status.print("\nThe connector or a task FAILED (details in " + display(work.resolve("logs"))
                            + "connect.log):\n" + connectorStatus);
                    return 1;
                }
                Map<String, Long> rows = rowCounts(admin);
                long total = rows.values().stream().mapToLong(Long::longValue).sum();
                if (total != lastTotal) {
                    lastTotal = total;
                    lastChange = System.currentTimeMillis();
                }
                boolean caughtUp = total > 0 && System.currentTimeMillis() - lastChange > QUIET_MS_FOR_CAUGHT_UP
                        && connectorStatus.contains("\"RUNNING\"");
                showProgress(rows, total, (System.currentTimeMillis() - start) / 1000, reportedCaughtUp || caughtUp,
                        metrics.sample());
                if (caughtUp && !reportedCaughtUp) {
                    reportedCaughtUp = true;
                    printSamples(rows);
                    if (verify && !verified()) {
                        return 1;
                    }
                    if (untilCaughtUp) {
                        return 0;
                    }
                }
                if (System.currentTimeMillis() - start > timeout.toMillis() && untilCaughtUp) {
                    status.print("\nNot caught up within " + timeout.toSeconds() + " s");
                    return 1;
                }
                Thread.sleep(REFRESH_MS);
            }
        }
    }

    private Map<String, Long> rowCounts(Admin admin) throws Exception {
        Map<String, Long> rows = new TreeMap<>();
        var existing = admin.listTopics().names().get();
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        for (String table : TABLES) {
            if (existing.contains(PREFIX + table)) {
                latest.put(new TopicPartition(PREFIX + table, 0), OffsetSpec.latest());
            }
        }
        if (!latest.isEmpty()) {
            admin.listOffsets(latest).all().get().forEach((tp, info) ->
                    rows.put(tp.topic().substring(PREFIX.length()), info.offset()));
        }
        return rows;
    }

    /**
     * The status block: rows so far, requests, and whether the connector is waiting for the rate
     * limit and why (the tasks' rate-limit-wait-ms-total grew since the last refresh).
     */
    private void showProgress(Map<String, Long> rows, long total, long seconds, boolean caughtUp,
                              WorkerMetrics.Sample metrics) {
        List<String> lines = new ArrayList<>();
        String phase = total == 0 ? "starting" : caughtUp ? "caught up" : "syncing";
        lines.add(String.format("[%5ds] %s: %,d rows in %d of %d topics", seconds, phase, total, rows.size(),
                TABLES.size()));
        StringBuilder tables = new StringBuilder(" ");
        for (String table : List.of("users", "leads", "companies", "conversations", "conversation_parts")) {
            tables.append(String.format(" %s %,d", table.replace("conversation_parts", "parts"),
                    rows.getOrDefault(table, 0L)));
        }
        lines.add(tables.toString());
        long requests = fake != null ? fake.totalRequests() : metrics.requests();
        long answered429 = fake != null ? fake.rateLimited429s() : metrics.rateLimited();
        lines.add(String.format("  %,d requests to Intercom, %,d answered 429 (rate limited)", requests, answered429));
        boolean waiting = metrics.waitedForRateLimit();
        if (waiting) {
            lines.add("  WAITING for the rate limit: this 10-second window's request budget is spent;");
            lines.add(fake != null
                    ? "    requests resume when it resets (the sample allows 1,000 per 10 s)"
                    : "    requests resume when it resets (Intercom: about 10,000 a minute per app)");
        } else {
            lines.add("  rate limit: not waiting" + (metrics.available() ? "" : " (no task metrics yet)"));
        }
        lines.addAll(StatusBlock.passLines(metrics.passes()));
        if (caughtUp && !untilCaughtUp) {
            lines.add("  Polling for changes. Ctrl-C stops; ./quickstart resumes, --reset starts over.");
        }
        status.show(phase + (waiting ? ", waiting" : ""), lines);
    }

    /** Records per table (rows and retractions) and one row of each, printed above the status block. */
    private void printSamples(Map<String, Long> rows) {
        StringBuilder text = new StringBuilder(
                "\nCaught up. Records per table (rows, and tombstones where a row was retracted):\n");
        rows.forEach((table, count) -> text.append(String.format("  %-42s %,8d%n", PREFIX + table, count)));
        text.append("\nOne row of each table:\n");
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "group.id", "quickstart-sample",
                "auto.offset.reset", "earliest", "enable.auto.commit", "false");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            for (String table : rows.keySet()) {
                TopicPartition partition = new TopicPartition(PREFIX + table, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(5))) {
                    String value = record.value();
                    if (value == null) {
                        continue; // a retraction (e.g. a lead that turned user): show a row
                    }
                    text.append("  ").append(PREFIX).append(table).append("  key ").append(record.key())
                            .append("\n    ")
                            .append(value != null && value.length() > 400 ? value.substring(0, 400) + "..." : value)
                            .append('\n');
                    break;
                }
            }
        }
        text.append("\nConsume a topic yourself:\n  java -cp \"$(cat target/local-stack.classpath)\" ")
                .append("org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server ").append(bootstrap)
                .append(" --topic ").append(PREFIX).append("users --from-beginning --property print.key=true\n")
                .append("Connect's REST API: http://127.0.0.1:").append(restPort).append("/connectors/")
                .append(CONNECTOR).append("/status\n")
                .append("Logs of the broker and the worker: ").append(display(work.resolve("logs"))).append('\n');
        status.print(text.toString());
    }

    /**
     * Compares the keys of every topic's compacted view (last record per key, tombstones removing
     * theirs) with those the sample workspace should produce.
     */
    private boolean verified() {
        if (workspace == null) {
            status.print("--verify needs the sample workspace (unset INTERCOM_ACCESS_TOKEN)");
            return false;
        }
        Map<String, java.util.Set<String>> expected = ExpectedRows.forWorkspace(workspace, TABLES);
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "auto.offset.reset", "earliest",
                "enable.auto.commit", "false", "isolation.level", "read_committed");
        boolean ok = true;
        StringBuilder report = new StringBuilder("Verifying every topic against the sample workspace:\n");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer())) {
            for (String table : TABLES) {
                TopicPartition partition = new TopicPartition(PREFIX + table, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                long end = consumer.endOffsets(List.of(partition)).get(partition);
                java.util.Set<String> keys = new java.util.HashSet<>();
                long records = 0;
                while (consumer.position(partition) < end) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                        records++;
                        // The compacted view: a tombstone (a retraction) removes its key.
                        String key = ExpectedRows.keyOf(table, mapper.readTree(record.key()));
                        if (record.value() == null) {
                            keys.remove(key);
                        } else {
                            keys.add(key);
                        }
                    }
                }
                java.util.Set<String> want = expected.get(table);
                long missing = want.stream().filter(k -> !keys.contains(k)).count();
                long extra = keys.stream().filter(k -> !want.contains(k)).count();
                boolean good = missing == 0 && extra == 0;
                ok &= good;
                report.append(String.format("  %-32s expected %,6d  keys %,6d  records %,6d  missing %d  unexpected %d  %s%n",
                        table, want.size(), keys.size(), records, missing, extra, good ? "ok" : "MISMATCH"));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        report.append(ok ? "Verified: every table holds exactly the expected keys." : "Verification FAILED.");
        status.print(report.toString());
        return ok;
    }

    /**
     * Starts a broker, worker or tool JVM in a process group of its own, so a terminal's Ctrl-C
     * reaches only this JVM, which stops them in order. Its output goes to logs/NAME.out.
     */
    private Process start(List<String> mainAndArgs, String name, String heap) throws IOException {
        List<String> command = new ArrayList<>(OWN_PROCESS_GROUP);
        command.addAll(List.of(javaBin(), heap,
                "-Dlog4j2.configurationFile=" + root.resolve("local-stack/log4j2.properties"),
                "-Dquickstart.log=" + work.resolve("logs/" + name + ".log"),
                "-cp", classpath));
        command.addAll(mainAndArgs);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("logs/" + name + ".out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("logs/" + name + ".out").toFile()));
        synchronized (processes) {
            if (stopping) {
                throw new IllegalStateException("stopping");
            }
            Process process = builder.start();
            processes.add(process);
            writePids();
            return process;
        }
    }

    /**
     * setsid (util-linux; Java's ProcessBuilder cannot set a process group) makes the child the
     * leader of a new session and process group. Where it is missing (macOS), the child at least
     * ignores SIGINT: a JVM started with SIGINT ignored leaves it ignored, and stops on SIGTERM.
     */
    private static final List<String> OWN_PROCESS_GROUP = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(path -> Files.isExecutable(Path.of(path))).findFirst().map(List::of)
            .orElse(List.of("/bin/sh", "-c", "trap '' INT; exec \"$@\"", "sh"));

    private void runToEnd(List<String> mainAndArgs, String name) throws Exception {
        Process process = start(mainAndArgs, name, "-Xmx256m");
        int code = process.waitFor();
        synchronized (processes) {
            processes.remove(process);
            writePids();
        }
        if (code != 0) {
            throw new IllegalStateException(name + " failed; see " + display(work.resolve("logs/" + name + ".out")));
        }
    }

    private void checkAlive() {
        synchronized (processes) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("A process of the local stack exited (code " + process.exitValue()
                            + "); see the logs in " + display(work.resolve("logs")));
                }
            }
        }
    }

    /**
     * The shutdown hook (Ctrl-C, the end of --until-caught-up, a failure): the worker first, while
     * the broker still serves it, then the broker, then the sample workspace. One line says so.
     */
    private void shutdown() {
        List<Process> running;
        synchronized (processes) {
            stopping = true;
            running = new ArrayList<>(processes);
        }
        status.close();
        Collections.reverse(running);
        long begin = System.nanoTime();
        boolean any = running.stream().anyMatch(Process::isAlive);
        if (any) {
            System.out.print("\nStopping the Kafka Connect worker, then the broker ...");
            System.out.flush();
        }
        running.forEach(Quickstart::stop);
        if (fake != null) {
            fake.close();
        }
        if (any) {
            System.out.printf(" stopped in %.1f s. State kept in %s: ./quickstart resumes.%n",
                    (System.nanoTime() - begin) / 1e9, display(work));
        }
        System.out.flush();
        try {
            Files.deleteIfExists(work.resolve("pids"));
        } catch (IOException ignored) {
            // only a hint for the next run
        }
    }

    /** SIGTERM, which Kafka and Connect handle by shutting down cleanly; SIGKILL if that hangs. */
    private static void stop(Process process) {
        process.destroy();
        try {
            if (process.waitFor(20, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** Pids of the running broker and worker, so a run after a SIGKILLed quickstart can stop them. */
    private void writePids() {
        try {
            Files.writeString(work.resolve("pids"), processes.stream().map(p -> p.pid() + "\n")
                    .collect(Collectors.joining()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops a broker or worker that a killed earlier run of this workspace left behind. */
    private void stopLeftovers() throws IOException {
        Path pids = work.resolve("pids");
        if (!Files.exists(pids)) {
            return;
        }
        for (String line : Files.readAllLines(pids)) {
            ProcessHandle.of(Long.parseLong(line.strip()))
                    .filter(p -> p.info().commandLine().map(c -> c.contains(work.toString())).orElse(false))
                    .ifPresent(p -> {
                        say("Stopping process " + p.pid() + ", left running by an earlier quickstart");
                        p.destroy();
                        try {
                            p.onExit().get(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            p.destroyForcibly();
                        }
                    });
        }
        Files.delete(pids);
    }

    /** Prints a line of the run, unless it is stopping (then the shutdown line is the last one). */
    private void say(String line) {
        if (!stopping) {
            status.print(line);
        }
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private URI rest(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private Properties loadState() throws IOException {
        Properties state = new Properties();
        Path file = work.resolve("state.properties");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                state.load(in);
            }
        }
        return state;
    }

    private void saveState(Properties state) throws IOException {
        try (var out = Files.newOutputStream(work.resolve("state.properties"))) {
            state.store(out, "quickstart state: ports, cluster id, sample workspace generation time");
        }
    }

    /**
     * A port kept across runs (so a rerun finds its broker where it was) while it stays free; when
     * first chosen, the preferred one if free (0: none), else any free port.
     */
    private static int port(Properties state, String key, int preferred) {
        String stored = state.getProperty(key);
        if (stored != null && isFree(Integer.parseInt(stored))) {
            return Integer.parseInt(stored);
        }
        int port = preferred > 0 && isFree(preferred) ? preferred : freePort();
        state.setProperty(key, String.valueOf(port));
        return port;
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitForPort(int port, Duration timeout, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (System.currentTimeMillis() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(300);
            }
        }
        throw new IllegalStateException(what + " did not open port " + port);
    }

    /**
     * A KRaft cluster id: 16 random bytes, base64url. One that starts with '-' is drawn again, as
     * Kafka's own Uuid.randomUuid does: kafka-storage would read it as an option (1 run in 64).
     */
    private static String randomClusterId() {
        String id;
        do {
            java.util.UUID uuid = java.util.UUID.randomUUID();
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(16);
            buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
        } while (id.startsWith("-"));
        return id;
    }

    private static String region() {
        return System.getenv().getOrDefault("INTERCOM_REGION", "us").strip().toLowerCase(java.util.Locale.ROOT);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A path as the user would type it: relative to the repository when inside it. */
    private static String display(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path here = Path.of("").toAbsolutePath();
        return (absolute.startsWith(here) ? here.relativize(absolute) : absolute)
                + (Files.isDirectory(absolute) ? "/" : "");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * The connector's task metrics, read from the worker's JMX through the Attach API (no port is
     * opened): requests, 429s and the time tasks spent waiting for the rate limit, as deltas
     * between two refreshes. Unavailable metrics read as zero: the status then shows less, no error.
     */
    private static final class WorkerMetrics implements AutoCloseable {
        private static final String[] ATTRIBUTES = {"requests-total", "rate-limited-total", "rate-limit-wait-ms-total"};
        /** A resource's pass, from its MBean (see StatusBlock.Pass). */
        private static final String[] PASS = {"state", "pass-expected-objects", "pass-done-objects", "pass-eta-seconds"};
        private static final List<String> RESOURCES = List.of("users", "leads", "conversations", "companies");

        private final long pid;
        private JMXConnector connector;
        private double lastWaitMs = -1;

        WorkerMetrics(long pid) {
            this.pid = pid;
        }

        record Sample(boolean available, long requests, long rateLimited, boolean waitedForRateLimit,
                      List<StatusBlock.Pass> passes) {
        }

        Sample sample() {
            try {
                List<StatusBlock.Pass> passes = new ArrayList<>();
                Map<String, Double> totals = totals(passes);
                double waitMs = totals.getOrDefault("rate-limit-wait-ms-total", 0.0);
                boolean waited = lastWaitMs >= 0 && waitMs > lastWaitMs;
                lastWaitMs = waitMs;
                return new Sample(!totals.isEmpty(), totals.getOrDefault("requests-total", 0.0).longValue(),
                        totals.getOrDefault("rate-limited-total", 0.0).longValue(), waited, passes);
            } catch (Exception | LinkageError unavailable) {
                close();
                return new Sample(false, 0, 0, false, List.of());
            }
        }

        /**
         * Each attribute summed over the tasks' MBeans (requests-total has one per endpoint and
         * status); the passes of the resources, in {@link #RESOURCES}' order, into {@code passes}.
         */
        private Map<String, Double> totals(List<StatusBlock.Pass> passes) throws Exception {
            if (connector == null) {
                VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
                try {
                    connector = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
                } finally {
                    vm.detach();
                }
            }
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            Map<String, Double> totals = new TreeMap<>();
            for (ObjectName name : mbeans.queryNames(
                    new ObjectName("kafka.connect.intercom:type=intercom-source-task-metrics,*"), null)) {
                // Asking an MBean for an attribute it lacks makes Kafka's JmxReporter log a stack trace.
                String[] present = Stream.of(mbeans.getMBeanInfo(name).getAttributes())
                        .map(javax.management.MBeanAttributeInfo::getName)
                        .filter(List.of(ATTRIBUTES)::contains).toArray(String[]::new);
                for (Attribute attribute : mbeans.getAttributes(name, present).asList()) {
                    if (attribute.getValue() instanceof Number number) {
                        totals.merge(attribute.getName(), number.doubleValue(), Double::sum);
                    }
                }
                String resource = name.getKeyProperty("resource");
                if (resource != null && RESOURCES.contains(resource) && name.getKeyPropertyList().size() == 4) {
                    passes.add(pass(mbeans, name, resource));
                }
            }
            passes.sort(Comparator.comparing(pass -> RESOURCES.indexOf(pass.resource())));
            return totals;
        }

        /** The resource's pass; a worker of an earlier version without these attributes reads as none. */
        private static StatusBlock.Pass pass(MBeanServerConnection mbeans, ObjectName name, String resource)
                throws Exception {
            Set<String> present = Stream.of(mbeans.getMBeanInfo(name).getAttributes())
                    .map(javax.management.MBeanAttributeInfo::getName).collect(Collectors.toSet());
            if (!present.containsAll(List.of(PASS))) {
                return new StatusBlock.Pass(resource, "", -1, 0, -1);
            }
            Map<String, Object> values = new HashMap<>();
            mbeans.getAttributes(name, PASS).asList().forEach(a -> values.put(a.getName(), a.getValue()));
            return new StatusBlock.Pass(resource, String.valueOf(values.get("state")),
                    number(values.get("pass-expected-objects")), number(values.get("pass-done-objects")),
                    number(values.get("pass-eta-seconds")));
        }

        private static long number(Object value) {
            return value instanceof Number number ? number.longValue() : -1;
        }

        @Override
        public void close() {
            if (connector != null) {
                try {
                    connector.close();
                } catch (IOException ignored) {
                    // the worker is gone or going
                }
                connector = null;
            }
        }
    }
}
