package io.kcintercom.connect.sandbox;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What tests and benchmarks assert on: requests per endpoint template, concurrency, 429s, API version. */
final class RequestStats {

    private final Map<String, LongAdder> perTemplate = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder withoutApiVersion = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private volatile String lastApiVersion;

    void started(String template, String apiVersion) {
        perTemplate.computeIfAbsent(template, k -> new LongAdder()).increment();
        total.increment();
        if (apiVersion == null) {
            withoutApiVersion.increment();
        } else {
            lastApiVersion = apiVersion;
        }
    }

    void enter() {
        peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    void rateLimited() {
        rateLimited.increment();
    }

    Map<String, Long> counts() {
        Map<String, Long> snapshot = new TreeMap<>();
        perTemplate.forEach((k, v) -> snapshot.put(k, v.sum()));
        return snapshot;
    }

    long count(String template) {
        LongAdder a = perTemplate.get(template);
        return a == null ? 0 : a.sum();
    }

    long total() {
        return total.sum();
    }

    long rateLimitedCount() {
        return rateLimited.sum();
    }

    long withoutApiVersion() {
        return withoutApiVersion.sum();
    }

    int peak() {
        return peak.get();
    }

    String lastApiVersion() {
        return lastApiVersion;
    }

    /** Clears the counters; requests in flight stay counted as in flight. */
    void reset() {
        perTemplate.clear();
        total.reset();
        rateLimited.reset();
        withoutApiVersion.reset();
        peak.set(inFlight.get());
    }
}
