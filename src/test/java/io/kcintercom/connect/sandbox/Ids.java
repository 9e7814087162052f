package io.kcintercom.connect.sandbox;

import java.util.Comparator;
import java.util.SplittableRandom;

/** Deterministic ids and random streams, so that the same seed always yields the same workspace. */
final class Ids {

    /**
     * Total order used wherever the fake sorts by id. Shorter first, then lexicographic: this is numeric order
     * for Intercom's numeric-string ids ("99" before "100") and plain order for fixed-length hex ids.
     */
    static final Comparator<String> ORDER = Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder());

    // Stream numbers keep the random sequences of different kinds of object independent of each other,
    // so that e.g. adding conversations to the Sizes does not change any contact.
    static final int ADMIN = 1;
    static final int TEAM = 2;
    static final int TAG = 3;
    static final int SEGMENT = 4;
    static final int COMPANY = 5;
    static final int CONTACT = 6;
    static final int CONVERSATION = 7;
    static final int TIME = 8;
    static final int MUTATION = 9;
    static final int APP = 10;

    private Ids() {
    }

    /** SplitMix64 finaliser: a bijection on longs, so distinct inputs give distinct ids. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static SplittableRandom rng(long seed, int stream, long index) {
        return new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + mix(((long) stream << 40) + index)));
    }

    /** A 24-hex id shaped like Intercom's (Mongo ObjectId: creation second, then unique bits). */
    static String objectId(long createdAtSeconds, long seed, int stream, long index) {
        long unique = mix(seed + ((long) stream << 48) + index);
        return hex(createdAtSeconds & 0xFFFFFFFFL, 8) + hex(unique, 16);
    }

    private static String hex(long value, int width) {
        String s = Long.toHexString(value);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
