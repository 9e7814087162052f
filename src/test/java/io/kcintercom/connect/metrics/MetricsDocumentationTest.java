package io.kcintercom.connect.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import io.kcintercom.connect.resource.FollowUps;
import io.kcintercom.connect.resource.Offsets;
import io.kcintercom.connect.resource.Readers;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's Monitoring table and the MBeans a task registers cannot drift apart: every metric
 * the table lists exists on JMX with the tags it names and, unless the table says it appears with
 * its first event, from the task's start with the value of the "at start" column; and every
 * attribute the task registers is in the table.
 */
class MetricsDocumentationTest {
    private static final String CONNECTOR = "readme-metrics-check";
    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Set<String> TASK_TAGS = Set.of("type", "connector", "task");

    /** One row of the README's table: its metric, the tags beyond the task's, where it applies, its value at start. */
    private record Documented(String metric, Set<String> tags, Set<Resource> resources, String atStart) {
        boolean fromTheStart() {
            return atStart != null;
        }
    }

    private IntercomClient client;
    private FollowUps followUps;
    private TaskMetrics metrics;
    private final List<ResourceReader> readers = new ArrayList<>();

    @BeforeEach
    void startTaskMetricsWithEveryResource() {
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(Map.of(
                IntercomSourceConnectorConfig.ACCESS_TOKEN, "not-a-token",
                IntercomSourceConnectorConfig.API_URL, "http://127.0.0.1:9",
                IntercomSourceConnectorConfig.API_URL_ALLOW_CUSTOM, "true"));
        client = new IntercomClient(new IntercomClient.Settings(config.baseUrl(), "not-a-token", config.apiVersion(),
                1_000, 1, 1));
        followUps = new FollowUps(2, "metrics-doc-test");
        RecordFactory records = new RecordFactory(config.topicPrefix(), config.tables());
        metrics = new TaskMetrics(CONNECTOR, "0", config.topicPrefix());
        client.observe(metrics);
        for (Resource resource : Resource.values()) {
            ResourceReader reader = Readers.create(resource, config, client, records, followUps, null,
                    System::currentTimeMillis);
            readers.add(reader);
            metrics.register(resource, () -> reader, new ResourceHealth(resource.id(), System::currentTimeMillis));
            metrics.registerBadObjects(resource, () -> 0);
            if (EnumSet.of(Resource.USERS, Resource.LEADS, Resource.COMPANIES, Resource.CONVERSATIONS)
                    .contains(resource)) {
                metrics.registerState(resource, () -> -1, () -> 0); // as a task without the state topic
            }
        }
    }

    @AfterEach
    void stop() {
        readers.forEach(ResourceReader::close);
        client.close();
        followUps.close();
        metrics.close();
    }

    @Test
    void everyDocumentedMetricExistsFromTheStartWithItsDocumentedValue() throws Exception {
        List<Documented> table = readmeTable();
        for (Documented row : table.stream().filter(Documented::fromTheStart).toList()) {
            for (ObjectName bean : beansFor(row)) {
                Object value = attribute(bean, row.metric());
                assertNotNull(value, row.metric() + " is documented but " + bean + " has no such attribute");
                assertValue(row, bean, value);
            }
            if (row.tags().contains("resource")) {
                for (Resource other : EnumSet.complementOf(EnumSet.copyOf(row.resources()))) {
                    assertFalse(attributes(resourceBean(other)).contains(row.metric()), row.metric()
                            + " is documented for " + row.resources() + " only, but " + other.id() + " has it");
                }
            }
        }
    }

    @Test
    void perTableAndPerEndpointMetricsAppearWithTheirFirstEvent() throws Exception {
        List<Documented> later = readmeTable().stream().filter(row -> !row.fromTheStart()).toList();
        assertFalse(later.isEmpty(), "the table documents no metric that appears with its first event");
        for (Documented row : later) {
            assertTrue(beansWithTags(row.tags()).stream().noneMatch(bean -> attributes(bean).contains(row.metric())),
                    row.metric() + " is documented as absent before its first event, but exists");
        }

        firstEvents();

        for (Documented row : later) {
            List<ObjectName> beans = beansWithTags(row.tags());
            assertEquals(1, beans.size(), row.metric() + ": MBeans with tags " + row.tags() + ": " + beans);
            Object value = attribute(beans.get(0), row.metric());
            assertNotNull(value, row.metric() + " is documented with tags " + row.tags() + " but is not on " + beans);
            if (row.metric().endsWith("-total")) {
                assertEquals(1.0, ((Number) value).doubleValue(), row.metric() + " after one event");
            }
        }
    }

    @Test
    void everyRegisteredMetricIsDocumented() throws Exception {
        Map<String, Documented> documented = new HashMap<>();
        readmeTable().forEach(row -> documented.put(row.metric(), row));
        firstEvents();

        Set<String> undocumented = new TreeSet<>();
        for (ObjectName bean : JMX.queryNames(new ObjectName(TaskMetrics.JMX_PREFIX + ":type=" + TaskMetrics.GROUP
                + ",connector=" + CONNECTOR + ",*"), null)) {
            Set<String> tags = extraTags(bean);
            String resource = bean.getKeyProperty("resource");
            for (String attribute : attributes(bean)) {
                Documented row = documented.get(attribute);
                if (row == null || !row.tags().equals(tags)
                        || (resource != null && !row.resources().contains(Resource.fromId(resource)))) {
                    undocumented.add(attribute + " with tags " + tags + (resource == null ? "" : " on " + resource));
                }
            }
        }
        assertTrue(undocumented.isEmpty(), "registered but not in the README's Monitoring table (or documented with "
                + "other tags or resources): " + undocumented);
    }

    /** A users row queued and an answer from Intercom: the first events of the per-table and per-endpoint metrics. */
    private void firstEvents() {
        metrics.recordsEmitted(List.of(new SourceRecord(Offsets.partition(Resource.USERS), Map.of(), "intercom.users",
                (Schema) null, null)));
        metrics.onResponse("GET /admins", 200);
    }

    /** The rows of the first table of the README's Monitoring section. */
    static List<Documented> readmeTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Monitoring\n");
        assertTrue(section >= 0, "README.md has no '## Monitoring' section");
        int end = readme.indexOf("\n## ", section + 1);
        List<String> lines = Arrays.asList(readme.substring(section, end < 0 ? readme.length() : end).split("\n"));
        List<Documented> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines) {
            if (!line.startsWith("|")) {
                if (inTable) {
                    break;
                }
                continue;
            }
            if (!inTable) {
                inTable = true;
                assertEquals("| metric | tags | unit | at start | meaning |", line.trim(), "the table's header");
                continue;
            }
            if (line.startsWith("|---")) {
                continue;
            }
            rows.addAll(parse(line));
        }
        assertTrue(rows.size() > 20, "the Monitoring table lists only " + rows.size() + " metrics");
        return rows;
    }

    private static List<Documented> parse(String line) {
        String[] cells = line.split("\\|", -1);
        assertEquals(7, cells.length, "a row of five cells: " + line);
        List<String> names = codes(cells[1]);
        assertFalse(names.isEmpty(), "no metric named in: " + line);
        Set<String> tags = new HashSet<>();
        Set<Resource> resources = EnumSet.noneOf(Resource.class);
        for (String code : codes(cells[2])) {
            if (Arrays.stream(Resource.values()).anyMatch(r -> r.id().equals(code))) {
                resources.add(Resource.fromId(code));
            } else {
                tags.add(code);
            }
        }
        if (resources.isEmpty()) {
            resources = EnumSet.allOf(Resource.class);
        }
        List<String> atStart = codes(cells[4]);
        String value = atStart.isEmpty() ? null : atStart.get(0).equals("\"\"") ? "" : atStart.get(0);
        if (value == null) {
            assertTrue(cells[4].contains("absent"), "'at start' is a value or says when it appears: " + line);
        }
        List<Documented> rows = new ArrayList<>();
        for (String name : names) {
            rows.add(new Documented(name, tags, resources, value));
        }
        return rows;
    }

    private static List<String> codes(String cell) {
        List<String> codes = new ArrayList<>();
        Matcher matcher = CODE.matcher(cell);
        while (matcher.find()) {
            codes.add(matcher.group(1));
        }
        return codes;
    }

    private static void assertValue(Documented row, ObjectName bean, Object value) {
        if (value instanceof Number number) {
            assertEquals(Double.parseDouble(row.atStart()), number.doubleValue(),
                    row.metric() + " at start on " + bean);
        } else {
            assertEquals(row.atStart(), String.valueOf(value), row.metric() + " at start on " + bean);
        }
    }

    private static List<ObjectName> beansFor(Documented row) throws Exception {
        if (row.tags().isEmpty()) {
            return List.of(taskBean());
        }
        assertEquals(Set.of("resource"), row.tags(), row.metric() + ": only per-resource metrics exist from the start");
        Map<Resource, ObjectName> beans = new EnumMap<>(Resource.class);
        for (Resource resource : row.resources()) {
            beans.put(resource, resourceBean(resource));
        }
        return List.copyOf(beans.values());
    }

    private static ObjectName taskBean() throws Exception {
        return new ObjectName(TaskMetrics.JMX_PREFIX + ":type=" + TaskMetrics.GROUP + ",connector=" + CONNECTOR
                + ",task=0");
    }

    private static ObjectName resourceBean(Resource resource) throws Exception {
        return new ObjectName(taskBean() + ",resource=" + resource.id());
    }

    private static List<ObjectName> beansWithTags(Set<String> tags) throws Exception {
        List<ObjectName> beans = new ArrayList<>();
        for (ObjectName bean : JMX.queryNames(new ObjectName(taskBean() + ",*"), null)) {
            if (extraTags(bean).equals(tags)) {
                beans.add(bean);
            }
        }
        return beans;
    }

    private static Set<String> extraTags(ObjectName bean) {
        Set<String> tags = new HashSet<>(bean.getKeyPropertyList().keySet());
        tags.removeAll(TASK_TAGS);
        return tags;
    }

    private static Set<String> attributes(ObjectName bean) {
        try {
            if (!JMX.isRegistered(bean)) {
                return Set.of();
            }
            Set<String> names = new HashSet<>();
            for (MBeanAttributeInfo info : JMX.getMBeanInfo(bean).getAttributes()) {
                names.add(info.getName());
            }
            return names;
        } catch (Exception e) {
            throw new AssertionError("reading " + bean, e);
        }
    }

    private static Object attribute(ObjectName bean, String name) {
        if (!attributes(bean).contains(name)) {
            fail(name + " is documented but not registered on " + bean);
        }
        try {
            return JMX.getAttribute(bean, name);
        } catch (Exception e) {
            throw new AssertionError("reading " + name + " of " + bean, e);
        }
    }
}
