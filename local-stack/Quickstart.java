import io.kcintercom.connect.it.ExpectedRows;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
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
 * <p>Started by ../quickstart (the script at the top of the repository), which builds the plugin and resolves the classpath first. State
 * (Kafka's data, hence the connector's offsets) lives in one work folder, so a second run resumes;
 * --reset clears it.
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

    private final Path root = Path.of("").toAbsolutePath();
    private final Path work;
    private final boolean untilCaughtUp;
    private final boolean verify;
    private final Duration timeout;
    /** Kafka's own jars only: the worker must load the connector from plugin.path, as on a user's cluster. */
    private final String classpath = System.getProperty("local.stack.classpath", System.getProperty("java.class.path"));
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeIntercom fake;
    private SampleWorkspace workspace;
    private int restPort;
    private String bootstrap;

    private Quickstart(Path work, boolean untilCaughtUp, boolean verify, Duration timeout) {
        this.work = work.toAbsolutePath();
        this.untilCaughtUp = untilCaughtUp;
        this.verify = verify;
        this.timeout = timeout;
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(".quickstart");
        boolean reset = false;
        boolean untilCaughtUp = false;
        boolean verify = false;
        Duration timeout = Duration.ofMinutes(10);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reset" -> reset = true;
                case "--until-caught-up" -> untilCaughtUp = true;
                case "--verify" -> verify = true;
                case "--work-dir" -> work = Path.of(args[++i]);
                case "--timeout-seconds" -> timeout = Duration.ofSeconds(Long.parseLong(args[++i]));
                case "-h", "--help" -> {
                    System.out.println("usage: ./quickstart [--reset] [--until-caught-up] [--verify] [--work-dir DIR]"
                            + " [--timeout-seconds N]\n  --verify: once caught up, compare every topic with the"
                            + " sample workspace's expected rows\n  INTERCOM_ACCESS_TOKEN (optional): read your workspace"
                            + " instead of the sample one; INTERCOM_REGION: us, eu or au");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (try --help)");
            }
        }
        if (reset) {
            deleteTree(work);
            System.out.println("Cleared " + work.toAbsolutePath());
        }
        Quickstart quickstart = new Quickstart(work, untilCaughtUp, verify, timeout);
        Runtime.getRuntime().addShutdownHook(new Thread(quickstart::shutdown, "quickstart-shutdown"));
        int code = 1;
        try {
            code = quickstart.run();
        } catch (Exception | Error e) {
            System.out.println("\nThe local stack failed: " + e);
            e.printStackTrace();
        } finally {
            // Always exit: client threads must not keep the JVM, and so the broker and worker, alive.
            System.exit(code);
        }
    }

    private int run() throws Exception {
        Files.createDirectories(work.resolve("logs"));
        Properties state = loadState();
        String token = System.getenv("INTERCOM_ACCESS_TOKEN");
        String apiUrl = null;
        if (token == null || token.isBlank()) {
            token = startSampleWorkspace(state);
            apiUrl = fake.baseUrl();
        } else {
            System.out.println("Reading your Intercom workspace (region "
                    + System.getenv().getOrDefault("INTERCOM_REGION", "us") + ")");
        }
        saveState(state);
        startBroker(state);
        saveState(state);
        installPlugin();
        startConnect(state);
        saveState(state);
        registerConnector(token, apiUrl);
        return watch();
    }

    private String startSampleWorkspace(Properties state) {
        long generatedAt = Long.parseLong(state.computeIfAbsent("sample.generated.at",
                k -> String.valueOf(Instant.now().minusSeconds(3600).getEpochSecond())).toString());
        workspace = SampleWorkspace.generate(42, SampleWorkspace.Sizes.builder()
                .users(600).leads(200).companies(120).conversations(300).includeTruncatedConversation(true).build(),
                Instant.ofEpochSecond(generatedAt));
        int port = port(state, "sample.port");
        fake = FakeIntercom.start(workspace, FakeIntercom.Options.builder().port(port)
                .latencyMs(20, 80).rateLimitPer10s(1000).build());
        System.out.println("No INTERCOM_ACCESS_TOKEN: serving the sample workspace at " + fake.baseUrl()
                + " (600 users, 200 leads, 120 companies, 300 conversations; 100 requests/s rate limit)");
        return fake.options().token();
    }

    private void startBroker(Properties state) throws Exception {
        int brokerPort = port(state, "broker.port");
        int controllerPort = port(state, "controller.port");
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
            runToEnd(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()),
                    "storage-format");
        }
        System.out.println("Starting Kafka (KRaft) on " + bootstrap + " ...");
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
        System.out.println("Installed " + zip.getFileName() + " on plugin.path " + plugins);
    }

    private void startConnect(Properties state) throws Exception {
        restPort = port(state, "connect.port");
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
        System.out.println("Starting Kafka Connect (distributed) on http://127.0.0.1:" + restPort + " ...");
        start(List.of("org.apache.kafka.connect.cli.ConnectDistributed", config.toString()), "connect", "-Xmx768m");
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            try {
                if (get("/connector-plugins").contains("IntercomSourceConnector")) {
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
        config.put("intercom.region", System.getenv().getOrDefault("INTERCOM_REGION", "us"));
        if (apiUrl != null) {
            config.put("intercom.api.url", apiUrl);
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
            throw new IllegalStateException("Registering the connector failed: HTTP " + response.statusCode() + " "
                    + response.body());
        }
        System.out.println("Connector '" + CONNECTOR + "' registered (template all, topics " + PREFIX
                + "<table>). Offsets are kept in Kafka: a second run resumes.\n");
    }

    /** Shows progress until caught up, then samples; keeps going until Ctrl-C unless told to stop. */
    private int watch() throws Exception {
        long start = System.currentTimeMillis();
        long lastChange = System.currentTimeMillis();
        long lastTotal = -1;
        boolean reportedCaughtUp = false;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (true) {
                checkAlive();
                String status = get("/connectors/" + CONNECTOR + "/status");
                if (status.contains("\"FAILED\"")) {
                    System.out.println("\nThe connector or a task FAILED:\n" + status);
                    return 1;
                }
                Map<String, Long> rows = rowCounts(admin);
                long total = rows.values().stream().mapToLong(Long::longValue).sum();
                if (total != lastTotal) {
                    lastTotal = total;
                    lastChange = System.currentTimeMillis();
                }
                printProgress(rows, total, (System.currentTimeMillis() - start) / 1000);
                boolean caughtUp = total > 0 && System.currentTimeMillis() - lastChange > QUIET_MS_FOR_CAUGHT_UP
                        && status.contains("\"RUNNING\"");
                if (caughtUp && !reportedCaughtUp) {
                    reportedCaughtUp = true;
                    printSamples(rows);
                    if (verify && !verified()) {
                        return 1;
                    }
                    if (untilCaughtUp) {
                        return 0;
                    }
                    System.out.println("Still running and polling for changes. Ctrl-C stops everything; run "
                            + "./quickstart again to resume from the stored offsets (--reset starts over).");
                }
                if (System.currentTimeMillis() - start > timeout.toMillis() && untilCaughtUp) {
                    System.out.println("\nNot caught up within " + timeout.toSeconds() + " s");
                    return 1;
                }
                Thread.sleep(2000);
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

    private void printProgress(Map<String, Long> rows, long total, long seconds) {
        StringBuilder line = new StringBuilder(String.format("[%4ds] %,d rows in %d topics", seconds, total,
                rows.size()));
        for (String table : List.of("users", "leads", "companies", "conversations", "conversation_parts")) {
            line.append(" | ").append(table).append(' ').append(rows.getOrDefault(table, 0L));
        }
        if (fake != null) {
            line.append(String.format(" | %,d requests, %d rate-limited (429)", fake.totalRequests(),
                    fake.rateLimited429s()));
        }
        System.out.println(line);
    }

    private void printSamples(Map<String, Long> rows) {
        System.out.println("\nCaught up. Rows per table:");
        rows.forEach((table, count) -> System.out.printf("  %-42s %,8d%n", PREFIX + table, count));
        System.out.println("\nOne row of each table:");
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
                    System.out.println("  " + PREFIX + table + "  key " + record.key() + "\n    "
                            + (value != null && value.length() > 400 ? value.substring(0, 400) + "..." : value));
                    break;
                }
            }
        }
        System.out.println("\nConsume a topic yourself:\n  java -cp \"$(cat target/local-stack.classpath)\" "
                + "org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server " + bootstrap
                + " --topic " + PREFIX + "users --from-beginning --property print.key=true\n"
                + "Connect's REST API: http://127.0.0.1:" + restPort + "/connectors/" + CONNECTOR + "/status\n");
    }

    /** Compares the keys of every topic with those the sample workspace should produce. */
    private boolean verified() {
        if (workspace == null) {
            System.out.println("--verify needs the sample workspace (unset INTERCOM_ACCESS_TOKEN)");
            return false;
        }
        Map<String, java.util.Set<String>> expected = ExpectedRows.forWorkspace(workspace, TABLES);
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, Object> props = Map.of("bootstrap.servers", bootstrap, "auto.offset.reset", "earliest",
                "enable.auto.commit", "false", "isolation.level", "read_committed");
        boolean ok = true;
        System.out.println("Verifying every topic against the sample workspace:");
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
                        keys.add(ExpectedRows.keyOf(table, mapper.readTree(record.key())));
                    }
                }
                java.util.Set<String> want = expected.get(table);
                long missing = want.stream().filter(k -> !keys.contains(k)).count();
                long extra = keys.stream().filter(k -> !want.contains(k)).count();
                boolean good = missing == 0 && extra == 0;
                ok &= good;
                System.out.printf("  %-32s expected %,6d  keys %,6d  records %,6d  missing %d  unexpected %d  %s%n",
                        table, want.size(), keys.size(), records, missing, extra, good ? "ok" : "MISMATCH");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        System.out.println(ok ? "Verified: every table holds exactly the expected keys." : "Verification FAILED.");
        return ok;
    }

    private void start(List<String> mainAndArgs, String name, String heap) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin(), heap,
                "-Dlog4j2.configurationFile=" + root.resolve("local-stack/log4j2.properties"),
                "-Dquickstart.log=" + work.resolve("logs/" + name + ".log"),
                "-cp", classpath));
        command.addAll(mainAndArgs);
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("logs/" + name + ".out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("logs/" + name + ".out").toFile()))
                .start();
        processes.add(process);
    }

    private void runToEnd(List<String> mainAndArgs, String name) throws Exception {
        start(mainAndArgs, name, "-Xmx256m");
        Process process = processes.remove(processes.size() - 1);
        if (process.waitFor() != 0) {
            throw new IllegalStateException(name + " failed; see " + work.resolve("logs/" + name + ".out"));
        }
    }

    private void checkAlive() {
        for (Process process : processes) {
            if (!process.isAlive()) {
                throw new IllegalStateException("A process of the local stack exited (code " + process.exitValue()
                        + "); see the logs in " + work.resolve("logs"));
            }
        }
    }

    private void shutdown() {
        List<Process> reversed = new ArrayList<>(processes);
        java.util.Collections.reverse(reversed);
        for (Process process : reversed) {
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
            }
        }
        if (fake != null) {
            fake.close();
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

    /** A port kept across runs (so a rerun finds its broker where it was), free when first chosen. */
    private static int port(Properties state, String key) {
        return Integer.parseInt(state.computeIfAbsent(key, k -> String.valueOf(freePort())).toString());
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

    private static String randomClusterId() {
        java.util.UUID uuid = java.util.UUID.randomUUID();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(16);
        buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
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
}
