package io.kcintercom.bench;

import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.state.KeyStore;
import io.kcintercom.connect.state.ParentState;
import io.kcintercom.connect.state.StateRecords;
import io.kcintercom.connect.state.StateTopic;
import io.kcintercom.connect.table.Tables;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The store of emitted keys at scale (issue 16): the heap it takes and the time a task needs to
 * load it, for N contacts with three child rows each (one tag, one company, one social profile),
 * ids shaped like Intercom's (24 hex digits for contacts and companies, 7 digits for tags).
 *
 * <pre>
 * java -Xmx512m -cp ... io.kcintercom.bench.StateBench [--contacts 1000000] [--bootstrap host:port]
 * </pre>
 *
 * Without {@code --bootstrap}: the records as JsonConverter (schemas off) serializes them are parsed
 * and loaded from memory, which is the loader's CPU share. With it: they are produced to a fresh
 * compacted topic and read back through {@link StateTopic#open}, as a starting task does.
 */
public final class StateBench {
    private StateBench() {
    }

    public static void main(String[] args) throws Exception {
        int contacts = 1_000_000;
        String bootstrap = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--contacts" -> contacts = Integer.parseInt(args[i + 1]);
                case "--bootstrap" -> bootstrap = args[i + 1];
                default -> throw new IllegalArgumentException("unknown flag " + args[i]);
            }
        }
        long before = usedAfterGc();
        long started = System.nanoTime();
        EmittedKeys store;
        long bytes = 0;
        if (bootstrap == null) {
            KeyStore keys = new KeyStore("bench-state", List.of(Resource.USERS));
            for (int i = 0; i < contacts; i++) {
                byte[][] record = serialized(i);
                bytes += record[0].length + record[1].length;
                StateRecords.Entry entry = StateRecords.parse(record[0], record[1]);
                keys.load(entry.resource(), entry.parentId(), entry.state());
            }
            store = keys;
        } else {
            String topic = "__intercom-state.bench-" + System.currentTimeMillis();
            Map<String, Object> settings = new HashMap<>(Map.of("bootstrap.servers", bootstrap));
            // Creates the topic (and finds it empty), as a first task start would.
            StateTopic.open(settings, null, topic, List.of(Resource.USERS), "state.kafka.bootstrap.servers");
            long producing = System.nanoTime();
            Map<String, Object> producerSettings = new HashMap<>(settings);
            producerSettings.put("linger.ms", 20);
            producerSettings.put("batch.size", 256 * 1024);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings,
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < contacts; i++) {
                    byte[][] record = serialized(i);
                    bytes += record[0].length + record[1].length;
                    producer.send(new ProducerRecord<>(topic, record[0], record[1]));
                }
            }
            System.out.printf("produced %,d state records (%,d bytes of keys and values) in %.1f s%n", contacts,
                    bytes, (System.nanoTime() - producing) / 1e9);
            before = usedAfterGc();
            started = System.nanoTime();
            store = StateTopic.open(settings, null, topic, List.of(Resource.USERS), "state.kafka.bootstrap.servers");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long after = usedAfterGc();
        System.out.printf("contacts: %,d; stored parents: %,d; serialized state: %,d bytes (%.0f per contact)%n",
                contacts, store.size(Resource.USERS), bytes, bytes / (double) contacts);
        System.out.printf("load time: %.1f s (%,.0f records/s)%n", seconds, contacts / seconds);
        System.out.printf("heap held by the store: %,.1f MB (%.0f bytes per contact)%n", (after - before) / 1e6,
                (after - before) / (double) contacts);
        if (!store.contains(Resource.USERS, contactId(contacts / 2))) {
            throw new AssertionError("a loaded contact is missing");
        }
        System.out.println("child ids of one contact: " + store.childIds(Resource.USERS, contactId(7),
                Tables.USERS_SOCIAL_PROFILES));
    }

    /** Key and value as JsonConverter without schemas writes their Structs (the texts are plain ASCII, never escaped). */
    private static byte[][] serialized(int i) {
        String id = contactId(i);
        ParentState state = new ParentState(id, Map.of(
                Tables.USERS_TAGS, new TreeSet<>(List.of(String.valueOf(1_000_000 + i % 5_000))),
                Tables.USERS_COMPANIES, new TreeSet<>(List.of(hex24(0x5a5a_0000L + i % 50_000))),
                Tables.USERS_SOCIAL_PROFILES, new TreeSet<>(List.of("twitter:https%3A%2F%2Ftwitter.com%2Fuser" + i))));
        SourceRecord record = StateRecords.record("t", Map.of(), Map.of(), Resource.USERS, id, state);
        Struct key = (Struct) record.key();
        Struct value = (Struct) record.value();
        return new byte[][] {json("{\"id\":\"" + key.getString("id") + "\"}"),
                json("{\"id\":\"" + value.getString("id") + "\",\"state\":\"" + value.getString("state") + "\"}")};
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String contactId(int i) {
        return hex24(0x6af0_0000_0000L + i * 2_654_435_761L);
    }

    private static String hex24(long n) {
        return String.format("%024x", n & Long.MAX_VALUE);
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
