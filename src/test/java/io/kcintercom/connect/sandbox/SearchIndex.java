package io.kcintercom.connect.sandbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * What search sees of one kind of record, as lists sorted ascending by (sort value, id). A client paging
 * through 100k contacts asks for the same order and the same total_count hundreds of times, so each order is
 * sorted once and each query counted once, until the next mutation. While a mutation is younger than the
 * index lag, the view depends on the clock and is computed per request instead.
 */
final class SearchIndex<T> {

    /** Enough distinct queries for any client; past it, counts are simply recomputed. */
    private static final int MAX_CACHED_COUNTS = 1024;

    /** The records one request searches: sorted ascending, plus the total_count cache of their snapshot. */
    record View<T>(List<T> ascending, Map<String, Integer> counts) {

        /** @param queryKey identifies the filter, e.g. the query's JSON text */
        int count(String queryKey, Predicate<T> filter) {
            Integer cached = counts == null ? null : counts.get(queryKey);
            if (cached != null) {
                return cached;
            }
            int n = 0;
            for (T t : ascending) {
                if (filter.test(t)) {
                    n++;
                }
            }
            if (counts != null && counts.size() < MAX_CACHED_COUNTS) {
                counts.put(queryKey, n);
            }
            return n;
        }
    }

    private static final class Snapshot<T> {
        final Map<String, List<T>> byOrder = new ConcurrentHashMap<>();
        final Map<String, Integer> counts = new ConcurrentHashMap<>();
    }

    private final Collection<Versioned<T>> records;
    private final Function<T, String> idOf;
    private volatile Snapshot<T> snapshot = new Snapshot<>();
    private volatile long lastChangeMillis = Long.MIN_VALUE;

    /** @param records a live view of the store, e.g. a concurrent map's values() */
    SearchIndex(Collection<Versioned<T>> records, Function<T, String> idOf) {
        this.records = records;
        this.idOf = idOf;
    }

    /** Call after the store changed. A reader that started before keeps using (and filling) the old snapshot. */
    void changed(long nowMillis) {
        lastChangeMillis = nowMillis;
        snapshot = new Snapshot<>();
    }

    View<T> view(String orderName, ToLongFunction<T> sortKey, long nowMillis, long lagMillis) {
        Snapshot<T> s = snapshot; // read before lastChangeMillis, which changed() writes first
        if (nowMillis - lagMillis < lastChangeMillis) {
            return new View<>(build(sortKey, nowMillis, lagMillis), null);
        }
        List<T> sorted = s.byOrder.computeIfAbsent(orderName, k -> build(sortKey, Long.MAX_VALUE, 0));
        return new View<>(sorted, s.counts);
    }

    private List<T> build(ToLongFunction<T> sortKey, long nowMillis, long lagMillis) {
        List<T> visible = new ArrayList<>(records.size());
        for (Versioned<T> v : records) {
            T t = v.searchable(nowMillis, lagMillis);
            if (t != null) {
                visible.add(t);
            }
        }
        visible.sort(Comparator.comparingLong(sortKey).thenComparing(idOf, Ids.ORDER));
        return List.copyOf(visible);
    }
}
