package io.kcintercom.connect.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's install commands, run as written with bash and curl against a real Connect worker
 * (Apache Kafka's in-process one), the sample workspace standing in for Intercom: the secrets-file
 * step, the validate call, creating the connector from config/all.json, changing it with PUT, and
 * the sink from config/postgres-sink.json. Only what points outside this machine is substituted:
 * the worker's URL for localhost:8083, a temporary folder for /etc/kafka, and copies of config/
 * with the sample workspace's URL added. Every JSON file a command sends is also validated alone.
 */
class ReadmeCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What this test runs: REST calls and the secrets-file steps; builds and installs are run elsewhere. */
    private static final Pattern RUNNABLE = Pattern.compile("^(curl|jq|echo|chmod) .*");
    private static final Pattern INLINE_CODE = Pattern.compile("`([^`]+)`");
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyInstallCommandOfTheReadmeRunsAsWrittenAgainstARealWorker(@TempDir Path tmp) throws Exception {
        List<String> commands = runnableCommands(Files.readString(Path.of("README.md")));
        assertTrue(commands.stream().anyMatch(c -> c.startsWith("echo") && c.contains("intercom-secrets.properties")),
                "the secrets-file step is a command: " + commands);
        assertTrue(commands.stream().anyMatch(c -> c.contains("POST") && c.contains("@config/all.json")
                && c.endsWith("/connectors")), "creating the connector: " + commands);
        assertTrue(commands.stream().anyMatch(c -> c.contains("PUT") && c.contains("/connectors/intercom/config")),
                "changing it: " + commands);
        assertTrue(commands.stream().anyMatch(c -> c.contains("/config/validate")), "validating it: " + commands);
        assertTrue(commands.stream().anyMatch(c -> c.contains("@config/postgres-sink.json")), "the sink: " + commands);

        SampleWorkspace workspace = SampleWorkspace.generate(7, SampleWorkspace.Sizes.builder().users(30).leads(10)
                .companies(5).conversations(5).build(), Instant.now().minusSeconds(3600));
        Path etc = Files.createDirectories(tmp.resolve("etc-kafka"));
        Path configs = Files.createDirectories(tmp.resolve("config"));
        EmbeddedConnectCluster connect = new EmbeddedConnectCluster.Builder().name("readme-commands")
                .numWorkers(1).numBrokers(1)
                .workerProps(new HashMap<>(Map.of("listeners", "http://127.0.0.1:0", "offset.flush.interval.ms", "1000",
                        "config.providers", "file",
                        "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider")))
                .build();
        try (FakeIntercom fake = FakeIntercom.start(workspace, FakeIntercom.Options.builder().latencyMs(1, 5).build())) {
            connect.start();
            String worker = connect.endpointForResource("").replaceAll("/+$", "");
            Set<Path> sent = copyConfigsPointingAt(fake.baseUrl(), etc, configs, commands);
            assertTrue(sent.contains(Path.of("config/all.json")), "the README sends config/all.json: " + sent);

            for (String command : commands) {
                String asRun = command.replace("http://localhost:8083", worker)
                        .replace("/etc/kafka/", etc + "/")
                        .replaceAll("(?<![\\w/.])config/", Matcher.quoteReplacement(configs + "/"))
                        .replace("<your token>", fake.options().token())
                        .replace("<database password>", "not-a-real-password");
                String output = bash(asRun);
                // A read right after a create can precede the worker's first status; a person types slower.
                for (int i = 0; i < 30 && !command.contains(" -X ") && output.contains("\"error_code\""); i++) {
                    Thread.sleep(500);
                    output = bash(asRun);
                }
                assertFalse(output.contains("\"error_code\""), command + "\n" + output);
                Matcher status = Pattern.compile("HTTP (\\d{3})").matcher(output);
                while (status.find()) {
                    assertTrue(Integer.parseInt(status.group(1)) < 400, command + "\n" + output);
                }
                if (command.contains("/config/validate")) {
                    assertTrue(output.contains("\"error_count\":0"), command + "\n" + errors(output));
                }
            }

            // Each file the README sends, alone through the validate endpoint.
            for (Path file : sent) {
                JsonNode json = JSON.readTree(configs.resolve(file.getFileName()).toFile());
                ObjectNode config = ((ObjectNode) json.get("config")).put("name", json.get("name").asText());
                String plugin = config.get("connector.class").asText().replaceAll(".*\\.", "");
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                URI.create(worker + "/connector-plugins/" + plugin + "/config/validate"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(config.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), file + ": " + answer.body());
                assertEquals(0, JSON.readTree(answer.body()).get("error_count").asInt(), file + ": " + errors(answer.body()));
            }

            // The connector the commands created runs, reads the token from the secrets file, and writes rows.
            String name = JSON.readTree(Path.of("config/all.json").toFile()).get("name").asText();
            connect.assertions().assertConnectorAndAtLeastNumTasksAreRunning(name, 1, "the README's connector runs");
            assertTrue(connect.kafka().consume(1, TimeUnit.SECONDS.toMillis(60), "intercom.users").count() >= 1,
                    "rows in intercom.users");
        } finally {
            connect.stop();
        }
    }

    /**
     * Commands of the README's bash blocks (continuation lines joined, comments dropped) and inline
     * code, in order, that this test can run. The re-sync section's offset commands are proven by
     * the offsets integration test, which drives the same REST calls.
     */
    static List<String> runnableCommands(String readme) {
        List<String> commands = new ArrayList<>();
        boolean inBash = false;
        boolean skipSection = false;
        StringBuilder pending = new StringBuilder();
        for (String raw : readme.split("\n")) {
            String line = raw.strip();
            if (!inBash && line.startsWith("## ")) {
                skipSection = line.toLowerCase().contains("re-sync");
            }
            if (line.startsWith("```")) {
                inBash = !inBash && line.equals("```bash");
                continue;
            }
            if (skipSection) {
                continue;
            }
            if (inBash) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                String code = line.replaceAll("\\s+#.*$", "");
                if (code.endsWith("\\")) {
                    pending.append(code, 0, code.length() - 1).append(' ');
                    continue;
                }
                String command = (pending + code).replaceAll("\\s+", " ").strip();
                pending.setLength(0);
                if (RUNNABLE.matcher(command).matches()) {
                    commands.add(command);
                }
            } else {
                Matcher inline = INLINE_CODE.matcher(line);
                while (inline.find()) {
                    String code = inline.group(1).strip();
                    if (RUNNABLE.matcher(code).matches() && code.contains("localhost:8083")) {
                        commands.add(code);
                    }
                }
            }
        }
        return commands;
    }

    /**
     * Copies every config/ file the commands send, with intercom.api.url set to the sample workspace
     * and the secrets files' /etc/kafka/ moved to {@code etc}.
     */
    private static Set<Path> copyConfigsPointingAt(String apiUrl, Path etc, Path configs, List<String> commands)
            throws Exception {
        Set<Path> sent = new LinkedHashSet<>();
        Matcher file = Pattern.compile("(?<![\\w/.])(config/[\\w.-]+\\.json)").matcher(String.join("\n", commands));
        while (file.find()) {
            Path path = Path.of(file.group(1));
            JsonNode json = JSON.readTree(Files.readString(path).replace("/etc/kafka/", etc + "/"));
            ObjectNode config = (ObjectNode) json.get("config");
            if (config.get("connector.class").asText().startsWith("io.kcintercom.")) {
                config.put("intercom.api.url", apiUrl);
                config.put("intercom.api.url.allow.custom", "true");
            }
            Files.writeString(configs.resolve(path.getFileName()), JSON.writeValueAsString(json));
            sent.add(path);
        }
        return sent;
    }

    /** The errors of a validate answer, not its whole (long) text. */
    private static String errors(String validateAnswer) {
        Matcher errors = Pattern.compile("\"name\":\"([^\"]+)\",\"value\":[^}]*?\"errors\":\\[(\"[^\\]]+)\\]")
                .matcher(validateAnswer);
        StringBuilder found = new StringBuilder();
        while (errors.find()) {
            found.append(errors.group(1)).append(": ").append(errors.group(2)).append('\n');
        }
        return found.length() > 0 ? found.toString() : validateAnswer.substring(0, Math.min(2000, validateAnswer.length()));
    }

    /** Runs a command with bash; every curl in it also prints the HTTP status, on a line of its own. */
    private static String bash(String command) throws Exception {
        String script = "set -euo pipefail\n"
                + "curl() { command curl -sS -w '\\nHTTP %{http_code}\\n' \"$@\"; }\n"
                + command + "\n";
        Process process = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), command);
        assertEquals(0, process.exitValue(), command + "\n" + output);
        return output;
    }
}
