package io.kcintercom.connect.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.table.Tables;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IntercomSourceConnectorConfigTest {
    private static final String TOKEN = "dG9rOmFiY2RlZi1TRUNSRVQtdmFsdWU=";

    private static final List<String> BASIC = List.of("users", "users_tags", "users_segments", "users_companies",
            "users_social_profiles", "notes", "events_summary", "leads", "leads_tags", "leads_segments",
            "leads_companies", "leads_social_profiles", "companies", "admins", "tags", "segments");
    private static final List<String> CONVERSATIONS = List.of("conversations", "conversations_attachments",
            "conversations_tags", "conversations_customers", "conversation_parts", "conversation_parts_attachments");

    // ---------------------------------------------------------------------------------------------
    // validate(): per-key errors

    @Test
    void aValidConfigHasNoErrors() {
        Config result = validate(props());
        for (ConfigValue value : result.configValues()) {
            assertTrue(value.errorMessages().isEmpty(), value.name() + ": " + value.errorMessages());
        }
    }

    @Test
    void unknownTableIsAnErrorOnTheTablesKeyNamingIt() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TABLES, "users, conversation_partz ,admins");

        Config result = validate(props);

        List<String> errors = errors(result, IntercomSourceConnectorConfig.TABLES);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("conversation_partz"), errors.get(0));
        assertTrue(errors.get(0).contains("conversation_parts"), "lists the valid tables: " + errors.get(0));
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.TABLES);
    }

    @Test
    void tableNamesAreCaseAndSpaceInsensitive() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TABLES, " Users ,ADMINS");
        assertOnlyErrorsOn(validate(props));
        assertEquals(List.of("users", "admins"), new IntercomSourceConnectorConfig(props).tables());
    }

    @Test
    void badRegionIsAnErrorOnTheRegionKey() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.REGION, "mars");

        Config result = validate(props);

        assertFalse(errors(result, IntercomSourceConnectorConfig.REGION).isEmpty());
        assertTrue(errors(result, IntercomSourceConnectorConfig.REGION).get(0).contains("mars"));
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.REGION);
    }

    @Test
    void regionsMapToTheirHosts() {
        Map<String, String> props = props();
        assertEquals("https://api.intercom.io", new IntercomSourceConnectorConfig(props).baseUrl());
        props.put(IntercomSourceConnectorConfig.REGION, "EU");
        assertEquals("https://api.eu.intercom.io", new IntercomSourceConnectorConfig(props).baseUrl());
        props.put(IntercomSourceConnectorConfig.REGION, "au");
        assertEquals("https://api.au.intercom.io", new IntercomSourceConnectorConfig(props).baseUrl());
        props.put(IntercomSourceConnectorConfig.API_URL, "http://127.0.0.1:8089/");
        props.put(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, "true");
        assertEquals("http://127.0.0.1:8089", new IntercomSourceConnectorConfig(props).baseUrl(),
                "the URL overrides the region, without its trailing slash");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://api.intercom.io", "http://proxy.example.com:8080/intercom",
            "http://127.evil.example.com", "http://127.0.0.1.nip.io:8080", "http://localhost.example.com",
            "ftp://api.intercom.io", "api.intercom.io", "https://"})
    void plainHttpToANonLoopbackHostAndNonHttpUrlsAreRejected(String url) {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.API_URL, url);

        Config result = validate(props);

        assertFalse(errors(result, IntercomSourceConnectorConfig.API_URL).isEmpty(), url + " must be rejected");
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.API_URL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://user:pw-SECRET@api.intercom.io", "https://api.intercom.io?x=1",
            "https://api.intercom.io/#top", "http://127.0.0.1:8089/admin?cmd=", "http://u@127.0.0.1:8089"})
    void userInfoQueriesAndFragmentsAreRejectedWithoutEchoingUserInfo(String url) {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.API_URL, url);

        Config result = validate(props);

        List<String> errors = errors(result, IntercomSourceConnectorConfig.API_URL);
        assertEquals(1, errors.size(), url + ": " + errors);
        assertFalse(errors.get(0).contains("SECRET"), errors.get(0));
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.API_URL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1", "http://127.0.0.1:8089", "http://localhost:8089/",
            "http://[::1]:8089", "https://api.intercom.io", "https://proxy.example.com", "https://10.0.0.7:8443", ""})
    void httpsAndLoopbackHttpUrlsAreAcceptedWithTheOptIn(String url) {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.API_URL, url);
        props.put(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, "true");
        assertOnlyErrorsOn(validate(props));
        assertEquals(url.replaceAll("/$", ""), url.isEmpty() ? "" : new IntercomSourceConnectorConfig(props).baseUrl());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://api.intercom.io", "https://api.eu.intercom.io/", "https://API.AU.Intercom.io",
            "https://api.intercom.io:443", ""})
    void intercomsRegionalHostsNeedNoOptIn(String url) {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.API_URL, url);
        assertOnlyErrorsOn(validate(props));
        new IntercomSourceConnectorConfig(props);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8089", "http://localhost", "http://[::1]:8089",
            "https://proxy.example.com", "https://10.0.0.7", "https://169.254.169.254", "https://api.intercom.io:8443",
            "https://api.intercom.io.example.com", "https://intercom.io", "https://api.eu.intercom.io."})
    void anyOtherHostIsOneErrorOnTheUrlNamingTheOptIn(String url) {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.API_URL, url);

        Config result = validate(props);

        List<String> errors = errors(result, IntercomSourceConnectorConfig.API_URL);
        assertEquals(1, errors.size(), url + ": " + errors);
        assertTrue(errors.get(0).contains(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM + "=true"), errors.get(0));
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.API_URL);
        ConfigException e = assertThrows(ConfigException.class, () -> new IntercomSourceConnectorConfig(props),
                "a task or connector started with such a config (stored by an earlier version) fails naming the key");
        assertTrue(e.getMessage().contains(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM), e.getMessage());
        props.put(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, "false");
        assertEquals(1, errors(validate(props), IntercomSourceConnectorConfig.API_URL).size(), "false is the default");
    }

    /**
     * Request paths are appended to the URL, so a path would send every request (and the token)
     * somewhere else on the host: only the origin is accepted, even with the opt-in (earlier
     * versions accepted https://proxy.example.com/intercom and http://localhost:8089/base).
     */
    @ParameterizedTest
    @ValueSource(strings = {"https://proxy.example.com/intercom", "http://localhost:8089/base",
            "https://api.intercom.io/admin", "http://127.0.0.1:8089//", "https://api.intercom.io/me/.."})
    void aPathIsOneErrorEvenWithTheOptIn(String url) {
        for (String allowCustom : List.of("true", "false")) {
            Map<String, String> props = props();
            props.put(IntercomSourceConnectorConfig.API_URL, url);
            props.put(IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, allowCustom);

            Config result = validate(props);

            List<String> errors = errors(result, IntercomSourceConnectorConfig.API_URL);
            assertEquals(1, errors.size(), url + ": " + errors);
            assertTrue(errors.get(0).contains("path"), errors.get(0));
            assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.API_URL);
        }
    }

    @Test
    void plainHttpRejectionExplainsWhy() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.API_URL, "http://api.intercom.io");
        String error = errors(validate(props), IntercomSourceConnectorConfig.API_URL).get(0);
        assertTrue(error.contains("https"), error);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2024-13-01", "2024-01-01 00:00:00", "1704067200", "01/02/2024"})
    void badSinceIsAnErrorOnTheSinceKey(String since) {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.SINCE, since);

        Config result = validate(props);

        assertFalse(errors(result, IntercomSourceConnectorConfig.SINCE).isEmpty(), since + " must be rejected");
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.SINCE);
    }

    @Test
    void sinceAcceptsDatesAndDateTimes() {
        Map<String, String> props = props();
        assertEquals(0L, new IntercomSourceConnectorConfig(props).sinceEpochSeconds(), "blank reads everything");
        props.put(IntercomSourceConnectorConfig.SINCE, "2024-01-01");
        assertOnlyErrorsOn(validate(props));
        assertEquals(1_704_067_200L, new IntercomSourceConnectorConfig(props).sinceEpochSeconds());
        props.put(IntercomSourceConnectorConfig.SINCE, "2024-01-01T00:00:00Z");
        assertEquals(1_704_067_200L, new IntercomSourceConnectorConfig(props).sinceEpochSeconds());
        props.put(IntercomSourceConnectorConfig.SINCE, "2024-01-01T02:00:00+02:00");
        assertEquals(1_704_067_200L, new IntercomSourceConnectorConfig(props).sinceEpochSeconds());
        props.put(IntercomSourceConnectorConfig.SINCE, " 2024-01-02 ");
        assertEquals(1_704_153_600L, new IntercomSourceConnectorConfig(props).sinceEpochSeconds());
    }

    @Test
    void missingTokenIsAnErrorOnTheTokenKey() {
        Map<String, String> props = props();
        props.remove(IntercomSourceConnectorConfig.ACCESS_TOKEN);

        Config result = validate(props);

        assertFalse(errors(result, IntercomSourceConnectorConfig.ACCESS_TOKEN).isEmpty());
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.ACCESS_TOKEN);
        assertThrows(ConfigException.class, () -> new IntercomSourceConnectorConfig(props));
    }

    @Test
    void blankTokenIsAnErrorOnTheTokenKey() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.ACCESS_TOKEN, "   ");

        Config result = validate(props);

        assertFalse(errors(result, IntercomSourceConnectorConfig.ACCESS_TOKEN).isEmpty());
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.ACCESS_TOKEN);
    }

    @Test
    void badTopicPrefixAndTemplateAreErrorsOnTheirKeys() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TOPIC_PREFIX, "intercom/");
        props.put(IntercomSourceConnectorConfig.TEMPLATE, "everything");

        Config result = validate(props);

        assertFalse(errors(result, IntercomSourceConnectorConfig.TOPIC_PREFIX).isEmpty());
        assertFalse(errors(result, IntercomSourceConnectorConfig.TEMPLATE).isEmpty());
        assertOnlyErrorsOn(result, IntercomSourceConnectorConfig.TOPIC_PREFIX, IntercomSourceConnectorConfig.TEMPLATE);
    }

    // ---------------------------------------------------------------------------------------------
    // Tables and resources

    @Test
    void templatesResolveToTheirTables() {
        assertEquals(BASIC, tablesFor("basic"));
        assertEquals(16, tablesFor("basic").size());
        assertEquals(CONVERSATIONS, tablesFor("conversations"));
        assertEquals(6, tablesFor("Conversations").size());
        List<String> all = tablesFor("all");
        assertEquals(22, all.size());
        assertEquals(22, new LinkedHashSet<>(all).size(), "no table twice");
        assertEquals(Tables.all().keySet(), Set.copyOf(all));
        assertEquals(all, new IntercomSourceConnectorConfig(props()).tables(), "the default template is all");
    }

    @Test
    void templatesNeedTheirResources() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TEMPLATE, "basic");
        assertEquals(EnumSet.of(Resource.USERS, Resource.LEADS, Resource.COMPANIES, Resource.ADMINS, Resource.TAGS,
                Resource.SEGMENTS), new IntercomSourceConnectorConfig(props).resources());
        props.put(IntercomSourceConnectorConfig.TEMPLATE, "conversations");
        assertEquals(EnumSet.of(Resource.CONVERSATIONS), new IntercomSourceConnectorConfig(props).resources());
        props.put(IntercomSourceConnectorConfig.TEMPLATE, "all");
        assertEquals(EnumSet.allOf(Resource.class), new IntercomSourceConnectorConfig(props).resources());
    }

    @Test
    void explicitTablesOverrideTheTemplate() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TEMPLATE, "basic");
        props.put(IntercomSourceConnectorConfig.TABLES, "conversation_parts,admins,admins");

        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props);

        assertEquals(List.of("conversation_parts", "admins"), config.tables());
        assertEquals(EnumSet.of(Resource.CONVERSATIONS, Resource.ADMINS), config.resources());
    }

    @Test
    void notesAloneNeedsUsersAndLeads() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TABLES, "notes");
        assertEquals(EnumSet.of(Resource.USERS, Resource.LEADS), new IntercomSourceConnectorConfig(props).resources());
        props.put(IntercomSourceConnectorConfig.TABLES, "leads_tags");
        assertEquals(EnumSet.of(Resource.LEADS), new IntercomSourceConnectorConfig(props).resources());
    }

    @Test
    void taskResourcesAreReadBack() {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TASK_RESOURCES, "users,conversations");
        assertEquals(List.of(Resource.USERS, Resource.CONVERSATIONS),
                new IntercomSourceConnectorConfig(props).taskResources());
    }

    // ---------------------------------------------------------------------------------------------
    // The token stays hidden

    @Test
    void theTokenIsMasked() {
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props());
        assertEquals(TOKEN, config.accessToken().value());
        assertEquals(Password.HIDDEN, config.accessToken().toString());
        assertEquals("[hidden]", config.accessToken().toString());
        assertFalse(config.toString().contains(TOKEN));
        assertFalse(config.values().toString().contains(TOKEN), config.values().toString());
        assertTrue(config.values().toString().contains("[hidden]"), config.values().toString());

        Config result = validate(props());
        ConfigValue token = result.configValues().stream()
                .filter(v -> v.name().equals(IntercomSourceConnectorConfig.ACCESS_TOKEN)).findFirst().orElseThrow();
        assertEquals("[hidden]", String.valueOf(token.value()));
        assertFalse(result.configValues().toString().contains(TOKEN), result.configValues().toString());
        assertTrue(result.configValues().toString().contains("[hidden]"));
    }

    // ---------------------------------------------------------------------------------------------
    // Documentation

    @Test
    void everyKeyIsDocumentedGroupedAndNamed() {
        Map<String, ConfigDef.ConfigKey> keys = IntercomSourceConnectorConfig.CONFIG_DEF.configKeys();
        assertTrue(keys.size() >= 17, "keys: " + keys.keySet());
        for (ConfigDef.ConfigKey key : keys.values()) {
            if (key.internalConfig) {
                continue;
            }
            assertNotNull(key.documentation, key.name);
            assertTrue(key.documentation.length() > 20, key.name + " needs real documentation");
            assertNotNull(key.group, key.name + " has no group");
            assertFalse(key.group.isBlank(), key.name + " has no group");
            assertNotNull(key.displayName, key.name);
            assertFalse(key.displayName.isBlank(), key.name);
            assertFalse(key.displayName.equals(key.name), key.name + " needs a display name of its own");
            assertTrue(key.orderInGroup > 0, key.name + " has no order in its group");
        }
        // The task's def carries it; the public def (what validate lists) does not, see below.
        ConfigDef.ConfigKey taskResources = IntercomSourceConnectorConfig.TASK_CONFIG_DEF.configKeys()
                .get(IntercomSourceConnectorConfig.TASK_RESOURCES);
        assertNotNull(taskResources);
        assertTrue(taskResources.internalConfig, "task.resources is set by the connector, not by users");
        // Orders within a group are distinct, so the UI shows a stable order.
        Map<String, List<Integer>> orders = keys.values().stream().filter(k -> !k.internalConfig)
                .collect(Collectors.groupingBy(k -> k.group, Collectors.mapping(k -> k.orderInGroup,
                        Collectors.toList())));
        orders.forEach((group, list) -> assertEquals(list.size(), Set.copyOf(list).size(), group + ": " + list));
    }

    @Test
    void theTaskKeysAreOnlyInTheTasksDef() {
        Set<String> taskKeys = Set.of(IntercomSourceConnectorConfig.TASK_RESOURCES,
                IntercomSourceConnectorConfig.TASK_ID);
        Set<String> publicKeys = IntercomSourceConnectorConfig.CONFIG_DEF.configKeys().keySet();
        assertTrue(publicKeys.stream().noneMatch(taskKeys::contains), "public keys: " + publicKeys);
        assertTrue(IntercomSourceConnectorConfig.CONFIG_DEF.configKeys().values().stream()
                .noneMatch(k -> k.internalConfig), "no internal key in the public def");
        Set<String> taskDefKeys = IntercomSourceConnectorConfig.TASK_CONFIG_DEF.configKeys().keySet();
        assertTrue(taskDefKeys.containsAll(publicKeys), "a task parses every user key too");
        assertTrue(taskDefKeys.containsAll(taskKeys), "and the keys the connector sets: " + taskDefKeys);
        assertTrue(validate(props()).configValues().stream().noneMatch(v -> taskKeys.contains(v.name())),
                "validate lists no task key");
    }

    @Test
    void tablesKeyDocumentsEveryTable() {
        String doc = IntercomSourceConnectorConfig.CONFIG_DEF.configKeys()
                .get(IntercomSourceConnectorConfig.TABLES).documentation;
        for (String table : Tables.all().keySet()) {
            assertTrue(doc.contains(table), "documentation of intercom.tables misses " + table);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    static Map<String, String> props() {
        Map<String, String> props = new HashMap<>();
        props.put(IntercomSourceConnectorConfig.ACCESS_TOKEN, TOKEN);
        // No live GET /me: these tests are about each key's own validation (and reach no network).
        props.put(IntercomSourceConnectorConfig.TOKEN_CHECK, "false");
        return props;
    }

    private static List<String> tablesFor(String template) {
        Map<String, String> props = props();
        props.put(IntercomSourceConnectorConfig.TEMPLATE, template);
        return new IntercomSourceConnectorConfig(props).tables();
    }

    private static Config validate(Map<String, String> props) {
        return new IntercomSourceConnector().validate(props);
    }

    private static List<String> errors(Config result, String key) {
        return result.configValues().stream().filter(v -> v.name().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigValue for " + key)).errorMessages();
    }

    /** Asserts that exactly the given keys (maybe none) have errors. */
    private static void assertOnlyErrorsOn(Config result, String... keys) {
        Set<String> withErrors = result.configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .map(ConfigValue::name).collect(Collectors.toSet());
        assertEquals(Set.of(keys), withErrors, "keys with errors: " + result.configValues().stream()
                .filter(v -> !v.errorMessages().isEmpty()).map(v -> v.name() + "=" + v.errorMessages()).toList());
    }
}
