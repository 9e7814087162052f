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
    void dockerComposeNamesThePluginArchiveAndAValidConnectorConfig() throws Exception {
        JsonNode compose = new YAMLMapper().readTree(new File("docker/docker-compose.yml"));
        JsonNode services = compose.get("services");
        for (String service : new String[] {"kafka", "schema-registry", "connect", "register-connector"}) {
            assertTrue(services.has(service), service);
            assertTrue(services.get(service).get("image").asText().contains(":"), service + " pins an image tag");
        }
        JsonNode connect = services.get("connect");
        String archive = "../target/kcintercom-kafka-connect-intercom-" + Version.get() + ".zip";
        assertTrue(connect.get("volumes").toString().contains(archive), "mounts " + archive);
        JsonNode env = connect.get("environment");
        assertTrue(env.get("CONNECT_PLUGIN_PATH").asText().contains("/tmp/plugins"));
        assertEquals("io.confluent.connect.avro.AvroConverter", env.get("CONNECT_VALUE_CONVERTER").asText());
        assertEquals("http://schema-registry:8081", env.get("CONNECT_VALUE_CONVERTER_SCHEMA_REGISTRY_URL").asText());
        assertEquals("8083:8083", connect.get("ports").get(0).asText());
        assertTrue(services.get("register-connector").toString().contains("/connectors/intercom/config"));
        assertValid("docker/connector.json", toMap(JSON.readTree(new File("docker/connector.json"))));
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
