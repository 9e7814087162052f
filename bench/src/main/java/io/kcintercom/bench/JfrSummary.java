package io.kcintercom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the worker's time went during a sync, from a JFR recording: the share of CPU samples per
 * thread role, the hottest methods (self), how many samples pass through a few marker methods
 * (inclusive), and what the connector's reader thread and the worker's task thread waited on
 * (socket reads and parks of 1 ms or more, see {@link #settings}).
 */
final class JfrSummary {
    static final String READER = "connector reader loop (HTTP, parse, convert)";
    static final String TASK = "worker task thread (JsonConverter, producer.send)";

    /** Marker frames: a sample counts for a marker when any frame of its stack starts with one. */
    static final Map<String, String> MARKERS = new LinkedHashMap<>();

    static {
        MARKERS.put("HTTP client (okhttp/okio)", "okhttp3.|okio.");
        MARKERS.put("IntercomClient.bodyText (bytes to String)", "io.kcintercom.connect.client.IntercomClient.bodyText");
        MARKERS.put("Jackson readTree of response bodies", "com.fasterxml.jackson.databind.ObjectMapper.readTree");
        MARKERS.put("RowConverter.convert", "io.kcintercom.connect.table.RowConverter.convert");
        MARKERS.put("  of which Struct.put validation", "org.apache.kafka.connect.data.ConnectSchema.validateValue");
        MARKERS.put("  of which JsonNode.toString (JSON columns)",
                "com.fasterxml.jackson.databind.node.BaseJsonNode.toString|com.fasterxml.jackson.databind.node.InternalNodeMapper");
        MARKERS.put("  of which BigDecimal/BigInteger", "java.math.");
        MARKERS.put("  of which regex (String.matches, split)", "java.lang.String.matches|java.util.regex.|java.lang.String.split");
        MARKERS.put("RecordFactory.Group.addChild (deepCopy)", "io.kcintercom.connect.resource.RecordFactory$Group.addChild");
        MARKERS.put("SourceRecord building (toRecords)", "io.kcintercom.connect.resource.RecordFactory$Group.toRecords");
        MARKERS.put("JsonConverter.fromConnectData (worker)", "org.apache.kafka.connect.json.JsonConverter.fromConnectData");
        MARKERS.put("KafkaProducer.send (worker)", "org.apache.kafka.clients.producer.KafkaProducer.send");
        MARKERS.put("producer network I/O", "org.apache.kafka.clients.producer.internals.Sender.run");
    }

    private record Sample(long threadId, String thread, List<String> frames) {
    }

    private record Wait(long threadId, String kind, double ms, List<String> frames) {
    }

    final long samples;
    final Map<String, Long> byThread = new LinkedHashMap<>();
    final Map<String, Long> markers = new LinkedHashMap<>();
    final List<Map.Entry<String, Long>> topSelf;
    /** role -> what it waited on -> total ms (waits of 1 ms or more). */
    final Map<String, Map<String, Double>> waits = new TreeMap<>();
    final double seconds;

    JfrSummary(Path recording) throws IOException {
        List<Sample> all = new ArrayList<>();
        List<Wait> waitEvents = new ArrayList<>();
        Map<Long, String> roleById = new HashMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            String type = e.getEventType().getName();
            boolean sample = type.equals("jdk.ExecutionSample");
            boolean wait = type.equals("jdk.SocketRead") || type.equals("jdk.ThreadPark")
                    || type.equals("jdk.JavaMonitorWait");
            if (!sample && !wait) {
                continue;
            }
            RecordedThread thread = sample ? e.getThread("sampledThread") : e.getThread();
            if (thread == null) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            List<String> frames = new ArrayList<>();
            if (st != null) {
                for (RecordedFrame f : st.getFrames()) {
                    frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
                }
            }
            long id = thread.getJavaThreadId();
            String role = roleOf(thread.getJavaName(), frames);
            if (role != null) {
                roleById.put(id, role);
            }
            if (sample) {
                if (!frames.isEmpty()) {
                    all.add(new Sample(id, thread.getJavaName(), frames));
                    first = Math.min(first, e.getStartTime().toEpochMilli());
                    last = Math.max(last, e.getStartTime().toEpochMilli());
                }
            } else {
                waitEvents.add(new Wait(id, type, e.getDuration().toNanos() / 1e6, frames));
            }
        }
        seconds = all.isEmpty() ? 0 : (last - first) / 1000.0;
        samples = all.size();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> marks = new HashMap<>();
        for (Sample s : all) {
            threads.merge(roleById.getOrDefault(s.threadId, "other (" + s.thread.replaceAll("[-_ ]?\\d+$", "") + ")"),
                    1L, Long::sum);
            self.merge(s.frames.get(0), 1L, Long::sum);
            for (Map.Entry<String, String> m : MARKERS.entrySet()) {
                if (anyStartsWith(s.frames, m.getValue())) {
                    marks.merge(m.getKey(), 1L, Long::sum);
                }
            }
        }
        threads.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(en -> byThread.put(en.getKey(), en.getValue()));
        MARKERS.keySet().forEach(k -> markers.put(k, marks.getOrDefault(k, 0L)));
        topSelf = self.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .toList();
        for (Wait w : waitEvents) {
            String role = roleById.get(w.threadId);
            if (!READER.equals(role) && !TASK.equals(role)) {
                continue;
            }
            waits.computeIfAbsent(role, k -> new TreeMap<>()).merge(waitKind(w), w.ms, Double::sum);
        }
    }

    /** What a wait was for, from its stack. */
    private static String waitKind(Wait w) {
        if (w.kind.equals("jdk.SocketRead")) {
            return "socket read (waiting for the HTTP response)";
        }
        if (anyStartsWith(w.frames, "io.kcintercom.connect.ReaderLoop.run")
                && anyStartsWith(w.frames, "java.util.concurrent.ArrayBlockingQueue.offer")) {
            return "queue full (waiting for the worker to take records)";
        }
        if (anyStartsWith(w.frames, "io.kcintercom.connect.ReaderLoop.poll")) {
            return "poll() waiting for the reader's next batch";
        }
        if (anyStartsWith(w.frames, "io.kcintercom.connect.resource.FollowUps.runAll")) {
            return "waiting for follow-up requests";
        }
        if (anyStartsWith(w.frames, "io.kcintercom.connect.client.Sleeper")) {
            return "sleeping (rate limit, backoff, idle)";
        }
        if (anyStartsWith(w.frames, "org.apache.kafka.clients.producer")) {
            return "producer (buffer full or metadata)";
        }
        return "other park/wait (" + (w.frames.isEmpty() ? "?" : w.frames.get(Math.min(2, w.frames.size() - 1))) + ")";
    }

    /** The role of a thread, when its name or stack tells it; null when neither does. */
    private static String roleOf(String thread, List<String> frames) {
        if (thread.startsWith("intercom-reader") || anyStartsWith(frames, "io.kcintercom.connect.ReaderLoop.run")) {
            return READER;
        }
        if (thread.startsWith("intercom-follow-up")) {
            return "connector follow-up requests";
        }
        if (thread.startsWith("task-thread") || anyStartsWith(frames,
                "org.apache.kafka.connect.runtime.AbstractWorkerSourceTask.execute")) {
            return TASK;
        }
        if (thread.startsWith("kafka-producer-network-thread")) {
            return "producer network thread";
        }
        return null;
    }

    private static boolean anyStartsWith(List<String> frames, String prefixes) {
        String[] ps = prefixes.split("\\|");
        for (String f : frames) {
            for (String p : ps) {
                if (f.startsWith(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    String percent(long count) {
        return samples == 0 ? "-" : String.format("%.0f%%", 100.0 * count / samples);
    }

    /**
     * JDK's "profile" settings with socket reads and parks recorded from 1 ms (instead of 10 ms), so
     * the reader thread's waits add up to its wall time.
     */
    static Path settings(Path dir) throws IOException {
        Path profile = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
        String jfc = Files.readString(profile);
        jfc = jfc.replace("<setting name=\"threshold\" control=\"locking-threshold\">10 ms</setting>",
                "<setting name=\"threshold\" control=\"locking-threshold\">1 ms</setting>");
        jfc = jfc.replace("<setting name=\"threshold\" control=\"socket-threshold\">10 ms</setting>",
                "<setting name=\"threshold\" control=\"socket-threshold\">1 ms</setting>");
        Path out = dir.resolve("bench.jfc");
        Files.writeString(out, jfc);
        return out;
    }
}
