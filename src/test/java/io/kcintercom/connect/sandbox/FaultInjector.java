package io.kcintercom.connect.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/** Queues of faults per endpoint template; each matching request takes the next one. */
final class FaultInjector {

    private final Map<String, Deque<FakeIntercom.Fault>> queued = new HashMap<>();

    synchronized void add(String template, int times, FakeIntercom.Fault fault) {
        Deque<FakeIntercom.Fault> q = queued.computeIfAbsent(template, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            q.addLast(fault);
        }
    }

    /** The fault for this request, or null to serve it normally. */
    synchronized FakeIntercom.Fault next(String template) {
        Deque<FakeIntercom.Fault> q = queued.get(template);
        return q == null ? null : q.pollFirst();
    }

    synchronized void clear() {
        queued.clear();
    }
}
