package io.kcintercom.connect.sandbox;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Faults per endpoint template: queues (each matching request takes the next one) and timed
 * outages (every matching request gets the fault while the outage lasts). An outage can wait for
 * a number of requests to reach the fake before it starts, so a test can put it in the middle of
 * a sync without knowing the sync's timing.
 */
final class FaultInjector {

    private final Map<String, Deque<FakeIntercom.Fault>> queued = new HashMap<>();
    private final List<Outage> outages = new ArrayList<>();
    private long requests;

    /** A timed outage; {@code startedAtNanos} is set by the first request past {@code startAfterRequest}. */
    private static final class Outage {
        final String template;
        final FakeIntercom.Fault fault;
        final long startAfterRequest;
        final long durationNanos;
        long startedAtNanos = -1;

        Outage(String template, FakeIntercom.Fault fault, long startAfterRequest, long durationNanos) {
            this.template = template;
            this.fault = fault;
            this.startAfterRequest = startAfterRequest;
            this.durationNanos = durationNanos;
        }

        boolean over(long now) {
            return startedAtNanos >= 0 && now - startedAtNanos >= durationNanos;
        }
    }

    synchronized void add(String template, int times, FakeIntercom.Fault fault) {
        Deque<FakeIntercom.Fault> q = queued.computeIfAbsent(template, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.addLast(fault);
        }
    }

    /** {@code template} is an endpoint template or {@link FakeIntercom#ALL_ENDPOINTS}. */
    synchronized void outage(String template, FakeIntercom.Fault fault, long afterRequests, long durationMs) {
        outages.add(new Outage(template, fault, requests + afterRequests, durationMs * 1_000_000L));
        if (afterRequests == 0) {
            outages.get(outages.size() - 1).startedAtNanos = System.nanoTime();
        }
    }

    /** The fault for this request, or null to serve it normally. A running outage wins over a queued fault. */
    synchronized FakeIntercom.Fault next(String template) {
        requests++;
        long now = System.nanoTime();
        FakeIntercom.Fault hit = null;
        for (Outage o : outages) {
            if (o.startedAtNanos < 0 && requests > o.startAfterRequest) {
                o.startedAtNanos = now;
            }
            boolean matches = o.template.equals(FakeIntercom.ALL_ENDPOINTS) || o.template.equals(template);
            if (hit == null && matches && o.startedAtNanos >= 0 && !o.over(now)) {
                hit = o.fault;
            }
        }
        outages.removeIf(o -> o.over(now));
        if (hit != null) {
            return hit;
        }
        Deque<FakeIntercom.Fault> q = queued.get(template);
        return q == null ? null : q.pollFirst();
    }

    /** Outages started or waiting to start that have not ended. */
    synchronized int outagesPending() {
        long now = System.nanoTime();
        outages.removeIf(o -> o.over(now));
        return outages.size();
    }

    /** Whether an outage is running now (started and not over). */
    synchronized boolean outageRunning() {
        long now = System.nanoTime();
        return outages.stream().anyMatch(o -> o.startedAtNanos >= 0 && !o.over(now));
    }

    synchronized void clear() {
        queued.clear();
        outages.clear();
    }
}
