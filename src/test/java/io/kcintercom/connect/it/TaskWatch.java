package io.kcintercom.connect.it;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * Watches a connector while a test runs, as an operator's monitoring would: its tasks' state on
 * the REST API and each resource's health attributes on JMX, every 200 ms on a thread of its own.
 * Records every task state other than RUNNING once the tasks ran, and per resource the states and
 * the longest outage seen.
 */
final class TaskWatch implements AutoCloseable {
    private final EmbeddedConnectCluster connect;
    private final String connector;
    private final Thread thread;
    private final List<String> notRunning = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Set<String>> statesSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> longestOutageSeconds = new ConcurrentHashMap<>();
    private final Map<String, String> causesSeen = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private volatile boolean tasksStarted;
    private volatile int statusReads;

    TaskWatch(EmbeddedConnectCluster connect, String connector) {
        this.connect = connect;
        this.connector = connector;
        this.thread = new Thread(this::watch, "task-watch-" + connector);
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        while (running) {
            readStatus();
            readHealth();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void readStatus() {
        try {
            ConnectorStateInfo info = connect.connectorStatus(connector);
            statusReads++;
            for (ConnectorStateInfo.TaskState task : info.tasks()) {
                if ("RUNNING".equals(task.state())) {
                    tasksStarted = true;
                } else if (tasksStarted) {
                    notRunning.add("task " + task.id() + " " + task.state() + " " + firstLine(task.trace()));
                }
            }
            if (tasksStarted && info.tasks().isEmpty()) {
                notRunning.add("no tasks");
            }
        } catch (RuntimeException e) {
            if (tasksStarted) {
                notRunning.add("status unreadable: " + e.getClass().getSimpleName());
            }
        }
    }

    private void readHealth() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName name : resourceBeans(server, connector)) {
                String resource = name.getKeyProperty("resource");
                statesSeen.computeIfAbsent(resource, r -> ConcurrentHashMap.newKeySet())
                        .add(String.valueOf(server.getAttribute(name, "state")));
                long outage = ((Number) server.getAttribute(name, "outage-seconds")).longValue();
                longestOutageSeconds.merge(resource, outage, Math::max);
                String cause = String.valueOf(server.getAttribute(name, "outage-cause"));
                if (!cause.isEmpty()) {
                    causesSeen.putIfAbsent(resource, cause);
                }
            }
        } catch (Exception e) {
            // the task is starting or stopping: its MBeans come and go
        }
    }

    /** The per-resource MBeans of a connector: those tagged with exactly connector, task and resource. */
    static Set<ObjectName> resourceBeans(MBeanServer server, String connector) throws Exception {
        Set<ObjectName> names = server.queryNames(new ObjectName(
                "kafka.connect.intercom:type=intercom-source-task-metrics,connector=" + connector + ",*"), null);
        names.removeIf(n -> n.getKeyPropertyList().size() != 4 || n.getKeyProperty("resource") == null);
        return names;
    }

    /** An attribute of one resource's health MBean, now. */
    static Object health(String connector, String resource, String attribute) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : resourceBeans(server, connector)) {
            if (resource.equals(name.getKeyProperty("resource"))) {
                return server.getAttribute(name, attribute);
            }
        }
        throw new AssertionError("no health MBean for " + resource + " of " + connector);
    }

    static long healthLong(String connector, String resource, String attribute) throws Exception {
        return ((Number) health(connector, resource, attribute)).longValue();
    }

    /** Task states other than RUNNING seen after the tasks first ran (empty when RUNNING throughout). */
    List<String> notRunning() {
        synchronized (notRunning) {
            return List.copyOf(notRunning);
        }
    }

    int statusReads() {
        return statusReads;
    }

    Set<String> statesSeen(String resource) {
        return statesSeen.getOrDefault(resource, Set.of());
    }

    long longestOutageSeconds(String resource) {
        return longestOutageSeconds.getOrDefault(resource, 0L);
    }

    String causeSeen(String resource) {
        return causesSeen.getOrDefault(resource, "");
    }

    private static String firstLine(String trace) {
        return trace == null ? "" : trace.lines().findFirst().orElse("");
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
