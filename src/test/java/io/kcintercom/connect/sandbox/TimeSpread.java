package io.kcintercom.connect.sandbox;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks created_at/updated_at pairs over the 30 days before the generation time. A share of records lands
 * on a few "burst" seconds, which sit on both sides of local midnights (New York and UTC), because
 * same-second ties and day boundaries are exactly where incremental sync goes wrong.
 */
final class TimeSpread {

    static final long WINDOW_SECONDS = 30L * 86_400;
    private static final int[] BURST_DAYS_AGO = {0, 1, 2, 5, 9, 14, 21};
    private static final ZoneId[] BURST_ZONES = {ZoneId.of("America/New_York"), ZoneOffset.UTC};
    private static final int RANDOM_BURSTS = 6;

    private final long generatedAt;
    private final long earliest;
    private final long[] bursts;

    TimeSpread(long seed, long generatedAt) {
        this.generatedAt = generatedAt;
        this.earliest = generatedAt - WINDOW_SECONDS;
        SplittableRandom r = Ids.rng(seed, Ids.TIME, 0);
        long[] b = new long[BURST_DAYS_AGO.length * BURST_ZONES.length * 2 + RANDOM_BURSTS];
        int n = 0;
        for (ZoneId zone : BURST_ZONES) {
            LocalDate today = Instant.ofEpochSecond(generatedAt).atZone(zone).toLocalDate();
            for (int daysAgo : BURST_DAYS_AGO) {
                long midnight = today.minusDays(daysAgo).atStartOfDay(zone).toEpochSecond();
                b[n++] = midnight - 1;
                b[n++] = midnight;
            }
        }
        for (int i = 0; i < RANDOM_BURSTS; i++) {
            b[n++] = between(r, earliest + 3600, generatedAt - 3600);
        }
        this.bursts = Arrays.stream(b, 0, n).filter(t -> t >= earliest && t <= generatedAt).sorted().distinct().toArray();
    }

    long generatedAt() {
        return generatedAt;
    }

    /** Returns {created_at, updated_at}; about 30% were never updated after creation. */
    long[] createdAndUpdated(SplittableRandom r) {
        long updated = r.nextInt(100) < 15 ? bursts[r.nextInt(bursts.length)] : between(r, earliest, generatedAt);
        long created = r.nextInt(100) < 30 ? updated : between(r, earliest, updated);
        return new long[] {created, updated};
    }

    /** Uniform in [from, to], tolerating an empty range. */
    static long between(SplittableRandom r, long from, long to) {
        return to <= from ? from : from + r.nextLong(to - from + 1);
    }
}
