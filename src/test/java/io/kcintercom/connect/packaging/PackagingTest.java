package io.kcintercom.connect.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.Version;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The files a user installs and runs with: manifest, sample configs, docker compose. */
class PackagingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void manifestIsAConfluentHubSourceComponentOfThePomsVersion() throws Exception {
        JsonNode manifest = JSON.readTree(new File("manifest.json"));
        assertEquals(Version.get(), manifest.get("version").asText(), "manifest.json version = pom version");
        assertEquals("kafka-connect-intercom", manifest.get("name").asText());
        assertEquals("source", manifest.get("component_types").get(0).asText());
        assertTrue(manifest.get("features").get("kafka_connect_api").asBoolean());
        assertTrue(manifest.get("features").get("single_message_transforms").asBoolean());
        assertEquals("any", manifest.get("features").get("supported_encodings").get(0).asText());
        for (String field : new String[] {"title", "description", "owner", "support", "tags", "requirements",
                "documentation_url", "source_url", "license", "release_date"}) {
            assertTrue(manifest.hasNonNull(field), field);
        }
    }

    @Test
    void everyRestConfigIsAValidConnectorConfig() throws Exception {
        for (String name : new String[] {"basic.json", "conversations.json", "all.json"}) {
            JsonNode file = JSON.readTree(new File("config", name));
            assertTrue(file.hasNonNull("name"), name);
            Map<String, String> config = toMap(file.get("config"));
            assertValid(name, config);
        }
        java.util.Properties standalone = new java.util.Properties();
        try (var in = Files.newInputStream(Path.of("config/intercom-source.properties"))) {
            standalone.load(in);
        }
        Map<String, String> config = new HashMap<>();
        standalone.forEach((k, v) -> config.put(k.toString(), v.toString()));
        assertValid("intercom-source.properties", config);
    }

    @Test
    void dockerComposeInstallsThePluginArchiveAndAValidConnectorConfig() throws Exception {
        JsonNode compose = new YAMLMapper().readTree(new File("docker/docker-compose.yml"));
        JsonNode services = compose.get("services");
        for (String service : new String[] {"kafka", "schema-registry", "plugin", "connect", "register-connector"}) {
            assertTrue(services.has(service), service);
            assertTrue(services.get(service).get("image").asText().contains(":"), service + " pins an image tag");
        }
        // The plugin service unzips whatever archive the build made: its glob matches this version's.
        JsonNode plugin = services.get("plugin");
        assertTrue(plugin.get("volumes").toString().contains("../target:/target:ro"), "mounts target/");
        String unzip = script(plugin);
        java.util.regex.Matcher glob = java.util.regex.Pattern.compile("/target/(\\S+\\.zip)").matcher(unzip);
        assertTrue(glob.find(), unzip);
        String archive = "kcintercom-kafka-connect-intercom-" + Version.get() + ".zip";
        assertTrue(java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob.group(1))
                .matches(Path.of(archive)), glob.group(1) + " matches " + archive);
        assertTrue(unzip.contains("unzip ") && plugin.get("image").asText().startsWith("busybox:"),
                "unzip runs in an image that has it");
        assertTrue(unzip.contains("exit 1"), "no archive is an error");

        JsonNode connect = services.get("connect");
        assertEquals("service_completed_successfully",
                connect.get("depends_on").get("plugin").get("condition").asText(), "the plugin is unzipped first");
        assertTrue(connect.get("volumes").toString().contains("plugins:/plugins"), "reads the unzipped plugin");
        JsonNode env = connect.get("environment");
        assertTrue(List.of(env.get("CONNECT_PLUGIN_PATH").asText().split(",")).contains("/plugins"));
        assertEquals("io.confluent.connect.avro.AvroConverter", env.get("CONNECT_VALUE_CONVERTER").asText());
        assertEquals("http://schema-registry:8081", env.get("CONNECT_VALUE_CONVERTER_SCHEMA_REGISTRY_URL").asText());
        assertEquals("8083:8083", connect.get("ports").get(0).asText());
        // The README: with exactly-once, a transaction timeout of 60 s or less on the worker.
        assertEquals("enabled", env.get("CONNECT_EXACTLY_ONCE_SOURCE_SUPPORT").asText());
        assertTrue(env.hasNonNull("CONNECT_PRODUCER_TRANSACTION_TIMEOUT_MS")
                && env.get("CONNECT_PRODUCER_TRANSACTION_TIMEOUT_MS").asLong() <= 60_000, env.toString());

        String register = script(services.get("register-connector"));
        assertTrue(register.contains("/connectors/intercom/config"), register);
        assertTrue(register.contains("--fail-with-body") && register.contains("exit 1"),
                "a refused registration shows Connect's answer and fails: " + register);
        assertValid("docker/connector.json", toMap(JSON.readTree(new File("docker/connector.json"))));
    }

    /** The scripts users run: parsed by their shell (sh -n, bash -n), so a syntax error fails the build. */
    @Test
    void everyScriptParses() throws Exception {
        JsonNode services = new YAMLMapper().readTree(new File("docker/docker-compose.yml")).get("services");
        int scripts = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            JsonNode argv = service.getValue().has("entrypoint") ? service.getValue().get("entrypoint")
                    : service.getValue().get("command");
            if (argv != null && argv.isArray() && argv.size() == 3 && "-c".equals(argv.get(1).asText())) {
                // Compose turns $$ into $ before the shell sees the script.
                assertParses(argv.get(0).asText(), service.getKey(), argv.get(2).asText().replace("$$", "$"));
                scripts++;
            }
        }
        assertEquals(2, scripts, "the plugin and register-connector scripts");
        assertParses("bash", "quickstart", Files.readString(Path.of("quickstart")));
        for (String path : new String[] {"bench/run", ".ci/run"}) {
            if (Files.exists(Path.of(path))) {
                assertParses("bash", path, Files.readString(Path.of(path)));
            }
        }
    }

    private static void assertParses(String shell, String name, String script) throws Exception {
        Process process = new ProcessBuilder(shell, "-n", "-c", script).redirectErrorStream(true).start();
        String errors = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), name + " (" + shell + " -n): " + errors);
        assertEquals("", errors, name);
    }

    private static String script(JsonNode service) {
        JsonNode argv = service.has("entrypoint") ? service.get("entrypoint") : service.get("command");
        return argv.get(argv.size() - 1).asText();
    }

    private static void assertValid(String name, Map<String, String> config) {
        assertEquals(IntercomSourceConnector.class.getName(), config.get("connector.class"), name);
        Map<String, String> props = new HashMap<>(config);
        // The token is a ConfigProvider reference the worker resolves; no live check here.
        props.put(IntercomSourceConnectorConfig.ACCESS_TOKEN, "resolved-by-the-worker");
        props.put(IntercomSourceConnectorConfig.TOKEN_CHECK, "false");
        new IntercomSourceConnector().validate(props).configValues().forEach(v ->
                assertTrue(v.errorMessages().isEmpty(), name + " " + v.name() + ": " + v.errorMessages()));
        assertTrue(config.get(IntercomSourceConnectorConfig.ACCESS_TOKEN).startsWith("${file:"),
                name + " reads the token through a ConfigProvider");
    }

    private static Map<String, String> toMap(JsonNode object) {
        Map<String, String> map = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            map.put(field.getKey(), field.getValue().asText());
        }
        return map;
    }
}
