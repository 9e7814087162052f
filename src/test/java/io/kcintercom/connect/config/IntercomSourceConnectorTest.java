package io.kcintercom.connect.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.IntercomSourceTask;
import io.kcintercom.connect.resource.Resource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connector class: task split, exactly-once support and offset checks (KIP-875). */
class IntercomSourceConnectorTest {
    private static final Map<String, String> USERS_PARTITION = partition("users");

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 6, 7, 8, 50})
    void taskConfigsSpreadEveryResourceOverMinOfMaxTasksAndSeven(int maxTasks) {
        IntercomSourceConnector connector = started(IntercomSourceConnectorConfigTest.props());

        List<Map<String, String>> configs = connector.taskConfigs(maxTasks);

        assertEquals(Math.min(maxTasks, 7), configs.size());
        List<Resource> assigned = new ArrayList<>();
        for (Map<String, String> config : configs) {
            List<Resource> resources = new IntercomSourceConnectorConfig(config).taskResources();
            assertFalse(resources.isEmpty(), "every task gets work: " + config.get("task.resources"));
            assigned.addAll(resources);
            assertEquals(IntercomSourceConnectorConfigTest.props().get(IntercomSourceConnectorConfig.ACCESS_TOKEN),
                    config.get(IntercomSourceConnectorConfig.ACCESS_TOKEN), "tasks get the connector's settings");
        }
        assertEquals(7, assigned.size(), "each resource exactly once: " + assigned);
        assertEquals(EnumSet.allOf(Resource.class), EnumSet.copyOf(assigned));
        // Balanced: task sizes differ by at most one.
        int min = configs.stream().mapToInt(c -> c.get("task.resources").split(",").length).min().orElseThrow();
        int max = configs.stream().mapToInt(c -> c.get("task.resources").split(",").length).max().orElseThrow();
        assertTrue(max - min <= 1, "unbalanced split: " + configs.stream().map(c -> c.get("task.resources")).toList());
    }

    @Test
    void onlyTheSelectedResourcesAreAssigned() {
        Map<String, String> props = IntercomSourceConnectorConfigTest.props();
        props.put(IntercomSourceConnectorConfig.TABLES, "notes,admins");
        List<Map<String, String>> configs = started(props).taskConfigs(10);
        assertEquals(3, configs.size());
        Set<String> ids = new java.util.HashSet<>();
        configs.forEach(c -> ids.addAll(List.of(c.get("task.resources").split(","))));
        assertEquals(Set.of("users", "leads", "admins"), ids);
    }

    @Test
    void zeroMaxTasksStillGivesOneTask() {
        List<Map<String, String>> configs = started(IntercomSourceConnectorConfigTest.props()).taskConfigs(0);
        assertEquals(1, configs.size());
        assertEquals(7, configs.get(0).get("task.resources").split(",").length);
    }

    @Test
    void taskClassAndConfigDef() {
        IntercomSourceConnector connector = new IntercomSourceConnector();
        assertEquals(IntercomSourceTask.class, connector.taskClass());
        assertSame(IntercomSourceConnectorConfig.CONFIG_DEF, connector.config());
        assertFalse(connector.version().isBlank());
    }

    @Test
    void exactlyOnceIsSupported() {
        assertEquals(ExactlyOnceSupport.SUPPORTED,
                new IntercomSourceConnector().exactlyOnceSupport(IntercomSourceConnectorConfigTest.props()));
    }

    // ---------------------------------------------------------------------------------------------
    // alterOffsets

    @Test
    void alterOffsetsAcceptsAValidUsersOffset() {
        Map<String, Object> offset = new HashMap<>();
        offset.put("updated_at", 123L);
        offset.put("id", "abc");
        offset.put("pass_from", 100L);
        offset.put("cursor", null);
        assertTrue(alter(USERS_PARTITION, offset));
    }

    @Test
    void alterOffsetsAcceptsANullOffsetAsAReset() {
        assertTrue(alter(USERS_PARTITION, null));
        assertTrue(alter(partition("companies"), null));
    }

    @Test
    void alterOffsetsAcceptsOtherResourcesShapes() {
        assertTrue(alter(partition("companies"), Map.of("updated_at", 1_719_492_777L)));
        assertTrue(alter(partition("tags"), Map.of("digest", "0a1b")));
        assertThrows(ConnectException.class,
                () -> alter(partition("companies"), Map.of("watermark", 1L)));
    }

    @Test
    void alterOffsetsRejectsAWrongPartitionKey() {
        ConnectException e = assertThrows(ConnectException.class,
                () -> alter(Map.of("resource", "users", "version", "1"), Map.of("updated_at", 1L)));
        assertTrue(e.getMessage().contains("partition"), e.getMessage());
        assertTrue(e.getMessage().contains("protocol"), "names the expected key: " + e.getMessage());
    }

    @Test
    void alterOffsetsRejectsAnUnknownResource() {
        ConnectException e = assertThrows(ConnectException.class,
                () -> alter(partition("contacts"), Map.of("updated_at", 1L)));
        assertTrue(e.getMessage().contains("contacts"), e.getMessage());
        assertTrue(e.getMessage().contains("users"), "lists the valid resources: " + e.getMessage());
    }

    @Test
    void alterOffsetsRejectsAnUnknownOffsetKey() {
        ConnectException e = assertThrows(ConnectException.class,
                () -> alter(USERS_PARTITION, Map.of("updated_at", 1L, "updatedAt", 2L)));
        assertTrue(e.getMessage().contains("updatedAt"), e.getMessage());
        assertTrue(e.getMessage().contains("users"), e.getMessage());
    }

    @Test
    void alterOffsetsRejectsANonNumberUpdatedAt() {
        ConnectException e = assertThrows(ConnectException.class,
                () -> alter(USERS_PARTITION, Map.of("updated_at", "2024-01-01", "id", "abc")));
        assertTrue(e.getMessage().contains("updated_at"), e.getMessage());
        assertTrue(e.getMessage().contains("number"), e.getMessage());
    }

    @Test
    void alterOffsetsRejectsAMissingUpdatedAtAndANonStringId() {
        ConnectException missing = assertThrows(ConnectException.class,
                () -> alter(USERS_PARTITION, Map.of("id", "abc")));
        assertTrue(missing.getMessage().contains("updated_at"), missing.getMessage());
        ConnectException badId = assertThrows(ConnectException.class,
                () -> alter(USERS_PARTITION, Map.of("updated_at", 5L, "id", 42)));
        assertTrue(badId.getMessage().contains("\"id\""), badId.getMessage());
    }

    /** A partition as Connect parses it from JSON. */
    private static Map<String, String> partition(String resource) {
        return new HashMap<>(Map.of("resource", resource));
    }

    /**
     * Connect hands the connector partitions in its own key order, whatever order the user wrote:
     * the partition of earlier versions, {resource, protocol}, is accepted in any order (it used to be
     * refused unless written "resource" first, which Connect never hands over).
     */
    @Test
    void alterOffsetsAcceptsThePartitionOfEarlierVersionsInAnyKeyOrder() {
        Map<String, String> reversed = new java.util.LinkedHashMap<>();
        reversed.put("protocol", "1");
        reversed.put("resource", "users");
        assertTrue(alter(reversed, null));
        assertTrue(alter(reversed, Map.of("updated_at", 5L)));
        ConnectException e = assertThrows(ConnectException.class,
                () -> alter(Map.of("protocol", "7", "resource", "users"), null));
        assertTrue(e.getMessage().contains("partition"), e.getMessage());
    }

    private static boolean alter(Map<String, ?> partition, Map<String, ?> offset) {
        Map<Map<String, ?>, Map<String, ?>> offsets = new HashMap<>();
        offsets.put(partition, offset);
        return new IntercomSourceConnector().alterOffsets(IntercomSourceConnectorConfigTest.props(), offsets);
    }

    private static IntercomSourceConnector started(Map<String, String> props) {
        IntercomSourceConnector connector = new IntercomSourceConnector();
        connector.start(props);
        return connector;
    }
}
