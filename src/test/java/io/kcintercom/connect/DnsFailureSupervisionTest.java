package io.kcintercom.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.client.RetryCause;
import io.kcintercom.connect.metrics.ResourceHealth;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.resource.ResourceReader;
import io.kcintercom.connect.sandbox.FakeIntercom;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Dns;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a DNS failure (the resolver down, a name briefly missing) is waited out like any
 * transient failure. A real {@link IntercomClient} against the sample workspace, through a
 * resolver that fails for 4 s, under the resource supervision the task uses: the resource backs
 * off, counts its retries as DNS failures, and resumes once the name resolves, without failing.
 *
 * <p>Scaled down for CI: 4 s of failing DNS against a request retry budget of 300 ms
 * ({@code retry.max.time.ms}), so the wait is carried by the resource's supervision, not by the
 * request's own retries.
 */
class DnsFailureSupervisionTest {
    private static final String HOST = "intercom.dns-test";

    /** Fails every lookup until {@code healsAtMs}, then resolves the fake's host to 127.0.0.1. */
    private static final class FailingDns implements Dns {
        final long healsAtMs;
        final AtomicInteger failures = new AtomicInteger();

        FailingDns(long healsAtMs) {
            this.healsAtMs = healsAtMs;
        }

        @Override
        public List<InetAddress> lookup(String hostname) throws UnknownHostException {
            if (System.currentTimeMillis() < healsAtMs) {
                failures.incrementAndGet();
                throw new UnknownHostException(hostname + ": temporary failure in name resolution");
            }
            return List.of(InetAddress.getByAddress(HOST, new byte[] {127, 0, 0, 1}));
        }
    }

    /** Lists the admins on each poll, one record per poll numbered from its offset. */
    private static final class AdminsReader implements ResourceReader {
        final IntercomClient client;
        long next;

        AdminsReader(IntercomClient client, Map<String, ?> offset) {
            this.client = client;
            this.next = offset == null ? 0 : ((Number) offset.get("n")).longValue();
        }

        @Override
        public Resource resource() {
            return Resource.ADMINS;
        }

        @Override
        public List<SourceRecord> poll(int maxRecords) {
            int admins = client.get("/admins", "admins").path("admins").size();
            SourceRecord record = new SourceRecord(Map.of("r", "admins"), Map.of("n", next + 1), "t", null,
                    next * 1000 + admins);
            next++;
            return List.of(record);
        }

        @Override
        public long nextDueMs() {
            return 0;
        }
    }

    @Test
    void aResourceWaitsOutDnsFailingForAWhileAndResumes() throws Exception {
        SampleWorkspace ws = SampleWorkspace.generate(155, SampleWorkspace.Sizes.builder()
                .users(2).leads(1).companies(1).admins(3).teams(1).tags(1).segments(1).conversations(0).build());
        try (FakeIntercom fake = FakeIntercom.start(ws)) {
            FailingDns dns = new FailingDns(System.currentTimeMillis() + 4_000);
            IntercomClient client = new IntercomClient(new IntercomClient.Settings(
                    "http://" + HOST + ":" + fake.port(), fake.options().token(), "2.11", 2_000, 20, 300), dns);
            ResourceHealth health = new ResourceHealth("admins", System::currentTimeMillis);
            ResourceWorker.ReaderFactory factory = offset -> new AdminsReader(client, offset);
            ReaderLoop.Slot slot = new ReaderLoop.Slot(factory.create(null), factory, health);
            Set<ResourceHealth.State> states = new HashSet<>();
            long longestOutageMs = 0;
            List<SourceRecord> records = new ArrayList<>();
            try (ReaderLoop loop = new ReaderLoop("dns-test", List.of(slot), 100, millis -> {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, System::currentTimeMillis, batch -> { }, new ResourceWorker.Supervision(100, 1_000, 0))) {
                loop.start();
                long deadline = System.currentTimeMillis() + 30_000;
                while (records.size() < 5 && System.currentTimeMillis() < deadline) {
                    List<SourceRecord> batch = loop.poll(100);
                    if (batch != null) {
                        records.addAll(batch);
                    }
                    states.add(health.state());
                    longestOutageMs = Math.max(longestOutageMs, health.outageMs());
                }
            } finally {
                client.close();
            }
            assertTrue(records.size() >= 5, "the resource resumed once DNS answered: " + records.size());
            assertEquals(3, ((Number) records.get(0).value()).longValue() % 1000, "the admins were read");
            assertTrue(dns.failures.get() >= 3, "lookups failed " + dns.failures.get() + " times");
            assertTrue(health.retries(RetryCause.DNS_FAILURE) >= 2,
                    "retries counted as DNS failures: " + health.retries(RetryCause.DNS_FAILURE));
            assertTrue(states.contains(ResourceHealth.State.BACKING_OFF), "states seen " + states);
            assertTrue(longestOutageMs >= 2_000, "an outage was reported while DNS failed: " + longestOutageMs);
            assertEquals(-1, health.outageStartMs(), "healed once DNS answered");
            assertTrue(health.lastSuccessMs() >= dns.healsAtMs, "success only after DNS came back");
        }
    }
}
