package io.kcintercom.connect.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The limiter against a model of Intercom's counting, in simulated time (no sleeping): many
 * concurrent requests, each reaching the server after a random delay and answered after another;
 * the server counts a request when it arrives, in 10-second windows, refuses with 429 beyond the
 * limit and reports limit, remaining and reset on every answer. Wherever the requests in flight
 * could spend more than a window, the limiter must never draw a 429 (it must not forget requests
 * on their way) and, when requests reach the server in the order they were sent, keep every window
 * full (it must not count them twice). When the way there varies so much that requests overtake
 * each other, an answer cannot tell which of the earlier requests it already counts; the limiter
 * then stays on the safe side, and this only bounds what it leaves unused.
 */
class RateLimiterSimulationTest {
    private static final long START_MS = 1_700_000_000_000L; // on a 10-second boundary
    private static final long WINDOW_MS = 10_000;
    private static final int WINDOWS = 6;

    private enum Kind { TRY, ARRIVE, ANSWER }

    private record Event(long atMs, long order, Kind kind, Request request) {
    }

    private static final class Request {
        long ticket;
        boolean refused;
        long remaining;
        long resetSeconds;
    }

    @ParameterizedTest(name = "{0} in flight, {1} per 10 s, {2}-{3} ms to the server")
    @CsvSource({
        // requests arrive in the order they left: every window must be full
        "32, 167, 20, 20, 0.99", "64, 167, 20, 20, 0.99", "64, 83, 20, 20, 0.99", "64, 1667, 20, 20, 0.99",
        "194, 1667, 20, 20, 0.99", "256, 500, 20, 20, 0.99",
        // they overtake each other on the way: still no 429, at the cost of some unused budget
        "32, 167, 5, 65, 0.70", "64, 167, 5, 65, 0.70", "64, 1667, 5, 65, 0.70", "194, 1667, 5, 65, 0.70"})
    void noWindowIsOverspentAndTheBudgetIsUsed(int concurrency, int limit, int toServerMinMs, int toServerMaxMs,
                                               double minShareUsed) {
        long[] now = {START_MS};
        RateLimiter limiter = new RateLimiter(() -> now[0]);
        Random random = new Random(concurrency * 31L + limit);
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.atMs() != b.atMs()
                ? Long.compare(a.atMs(), b.atMs()) : Long.compare(a.order(), b.order()));
        long[] order = {0};
        for (int i = 0; i < concurrency; i++) {
            events.add(new Event(START_MS, order[0]++, Kind.TRY, new Request()));
        }
        TreeMap<Long, Integer> servedPerWindow = new TreeMap<>();
        int refused = 0;
        long end = START_MS + WINDOWS * WINDOW_MS;
        while (!events.isEmpty() && events.peek().atMs() < end) {
            Event e = events.poll();
            now[0] = e.atMs();
            Request r = e.request();
            switch (e.kind()) {
                case TRY -> {
                    RateLimiter.Admission admission = limiter.tryAcquire();
                    if (admission.ticket() > 0) {
                        r.ticket = admission.ticket();
                        // The way back always varies; the way there too in the overtaking cases.
                        long toServer = toServerMinMs + random.nextInt(toServerMaxMs - toServerMinMs + 1);
                        events.add(new Event(now[0] + toServer, order[0]++, Kind.ARRIVE, r));
                    } else {
                        events.add(new Event(now[0] + admission.waitMs(), order[0]++, Kind.TRY, r));
                    }
                }
                case ARRIVE -> {
                    long window = (now[0] - START_MS) / WINDOW_MS;
                    int served = servedPerWindow.getOrDefault(window, 0);
                    r.refused = served >= limit;
                    if (r.refused) {
                        refused++;
                    } else {
                        servedPerWindow.put(window, ++served);
                    }
                    r.remaining = Math.max(0, limit - served);
                    r.resetSeconds = (START_MS + (window + 1) * WINDOW_MS) / 1000;
                    events.add(new Event(now[0] + 50 + random.nextInt(200), order[0]++, Kind.ANSWER, r));
                }
                case ANSWER -> {
                    limiter.update(r.ticket, limit, r.remaining, r.resetSeconds);
                    if (r.refused) {
                        limiter.rateLimited(r.resetSeconds);
                    }
                    limiter.release(r.ticket, true);
                    events.add(new Event(now[0], order[0]++, Kind.TRY, new Request()));
                }
            }
        }
        assertEquals(0, refused, "429s; served per window " + servedPerWindow);
        List<Integer> full = new ArrayList<>(servedPerWindow.values());
        for (int window = 0; window < WINDOWS; window++) {
            int served = full.get(window);
            assertTrue(served >= limit * minShareUsed, "window " + window + " carried " + served + " of " + limit
                    + " requests: the limiter held back requests the window had room for; all: " + servedPerWindow);
        }
    }
}
