package io.kcintercom.bench;

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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real single-node Kafka broker (KRaft) and Kafka Connect distributed workers, each its own JVM
 * started from Apache Kafka's Maven-resolved jars, bound to 127.0.0.1 (as local-stack/ does). The
 * worker loads the connector from plugin.path (the unzipped plugin archive), never from its
 * classpath, exactly as on a user's cluster. Separate processes because the figures need it: the
 * worker's heap is capped and measured on its own (256 MB for the memory figure), and the fake,
 * which holds the whole generated workspace (1.6 GB for 1M contacts), stays out of it.
 */
final class Stack implements AutoCloseable {
    private final Path work;
    private final String kafkaClasspath;
    private final Path log4jConfig;
    private final Path plugins;
    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String bootstrap;
    private Process broker;

    Stack(Path work, String kafkaClasspath, Path pluginZip, Path log4jConfig) throws IOException {
        this.work = work;
        this.kafkaClasspath = kafkaClasspath;
        this.log4jConfig = log4jConfig;
        this.plugins = work.resolve("plugins");
        Files.createDirectories(work.resolve("logs"));
        unzip(pluginZip, plugins);
    }

    String bootstrap() {
        return bootstrap;
    }

    Process broker() {
        return broker;
    }

    void startBroker() throws Exception {
        int brokerPort = freePort();
        int controllerPort = freePort();
        bootstrap = "127.0.0.1:" + brokerPort;
        Path data = work.resolve("kafka-data");
        deleteTree(data);
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
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "delete.topic.enable=true",
                ""));
        String clusterId;
        do {
            // Drawn again when it starts with '-', which kafka-storage would read as an option (1 in 64).
            clusterId = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(uuidBytes());
        } while (clusterId.startsWith("-"));
        Process format = start(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId, "-c", config.toString()),
                "storage-format", List.of("-Xmx256m"));
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("formatting Kafka's storage failed; see " + work.resolve("logs"));
        }
        processes.remove(format);
        broker = start(List.of("kafka.Kafka", config.toString()), "broker", List.of("-Xmx512m"));
        waitForPort(brokerPort, Duration.ofSeconds(90), "Kafka broker");
    }

    /** A Connect worker of its own group and internal topics, so nothing carries over between scenarios. */
    Worker startWorker(String name, List<String> jvmArgs) throws Exception {
        int restPort = freePort();
        Path config = work.resolve("connect-" + name + ".properties");
        Files.writeString(config, String.join("\n",
                "bootstrap.servers=" + bootstrap,
                "group.id=bench-" + name,
                "listeners=http://127.0.0.1:" + restPort,
                "rest.advertised.host.name=127.0.0.1",
                "rest.advertised.port=" + restPort,
                "key.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "key.converter.schemas.enable=false",
                "value.converter.schemas.enable=false",
                "config.storage.topic=_bench-" + name + "-configs",
                "offset.storage.topic=_bench-" + name + "-offsets",
                "status.storage.topic=_bench-" + name + "-status",
                "config.storage.replication.factor=1",
                "offset.storage.replication.factor=1",
                "status.storage.replication.factor=1",
                "offset.storage.partitions=1",
                "status.storage.partitions=1",
                "offset.flush.interval.ms=5000",
                "plugin.path=" + plugins,
                ""));
        Path gcLog = work.resolve("logs/" + name + "-gc.log");
        Files.deleteIfExists(gcLog);
        List<String> args = new ArrayList<>(jvmArgs);
        args.add("-Xlog:gc:file=" + gcLog + ":timemillis");
        Process process = start(List.of("org.apache.kafka.connect.cli.ConnectDistributed", config.toString()),
                "connect-" + name, args);
        Worker worker = new Worker(name, process, restPort, gcLog);
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            try {
                if (worker.get("/connector-plugins").contains("IntercomSourceConnector")) {
                    return worker;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("Connect worker " + name + " did not start; see "
                        + work.resolve("logs/connect-" + name + ".log"));
            }
            Thread.sleep(300);
        }
    }

    final class Worker implements AutoCloseable {
        final String name;
        final Process process;
        final int restPort;
        final Path gcLog;

        Worker(String name, Process process, int restPort, Path gcLog) {
            this.name = name;
            this.process = process;
            this.restPort = restPort;
            this.gcLog = gcLog;
        }

        long pid() {
            return process.pid();
        }

        String get(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(rest(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }

        void putConnector(String connector, Map<String, String> config) throws IOException, InterruptedException {
            String body = config.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")
                            + "\"")
                    .collect(Collectors.joining(",", "{", "}"));
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(rest("/connectors/" + connector
                            + "/config")).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("creating connector " + connector + " failed: HTTP "
                        + response.statusCode() + " " + response.body());
            }
        }

        void deleteConnector(String connector) {
            try {
                http.send(HttpRequest.newBuilder(rest("/connectors/" + connector)).timeout(Duration.ofSeconds(60))
                        .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException e) {
                // the worker is stopped next anyway
            }
        }

        /** The raw status JSON of a connector. */
        String status(String connector) throws IOException, InterruptedException {
            return get("/connectors/" + connector + "/status");
        }

        /** Runs jcmd against the worker; returns its output. */
        String jcmd(String... command) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
            cmd.add(String.valueOf(process.pid()));
            cmd.addAll(List.of(command));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(120, TimeUnit.SECONDS);
            return out;
        }

        private URI rest(String path) {
            return URI.create("http://127.0.0.1:" + restPort + path);
        }

        @Override
        public void close() {
            stop(process);
            processes.remove(process);
        }
    }

    /** CPU seconds (user + system) a process used so far, from /proc; -1 where unavailable. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the ")"
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * CPU seconds per thread of a process so far, from /proc/PID/task/TID/stat, keyed by the thread's
     * name (Linux keeps its first 15 characters; trailing numbers are dropped so pools add up).
     */
    static Map<String, Double> threadCpuSeconds(long pid) {
        Map<String, Double> out = new java.util.TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
                    out.merge(comm.replaceAll("[-_ #]*\\d+$", ""), cpu, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private Process start(List<String> mainAndArgs, String name, List<String> jvmArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-Dlog4j2.configurationFile=" + log4jConfig);
        command.add("-Dbench.log=" + work.resolve("logs/" + name + ".log"));
        command.add("-cp");
        command.add(kafkaClasspath);
        command.addAll(mainAndArgs);
        Path out = work.resolve("logs/" + name + ".out");
        Process process = new ProcessBuilder(command)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .start();
        processes.add(process);
        // bench/run kills what is listed here if this JVM dies without its shutdown hook.
        Files.writeString(work.resolve("pids"), process.pid() + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return process;
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        List<Process> reversed = new ArrayList<>(processes);
        java.util.Collections.reverse(reversed);
        reversed.forEach(Stack::stop);
        processes.clear();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
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

    private static byte[] uuidBytes() {
        java.util.UUID uuid = java.util.UUID.randomUUID();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(16);
        buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return buffer.array();
    }

    static void unzip(Path zip, Path into) throws IOException {
        deleteTree(into);
        Files.createDirectories(into);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
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
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
