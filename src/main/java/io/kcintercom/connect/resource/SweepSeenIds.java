package io.kcintercom.connect.resource;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ids a sweep has seen, kept as 64-bit hashes in a growable {@code long[]} sorted once the
 * listing is over: 2M ids take 16 MB (a {@code HashSet<String>} of them would take over 200 MB).
 * Two ids sharing a hash make an unseen id look seen, which only keeps a row a sweep might have
 * retracted (1 chance in about 10^7 at 2M ids); it never retracts a row that exists.
 */
final class SweepSeenIds {
    private long[] hashes = new long[1024];
    private int size;
    private boolean sorted;

    void add(String id) {
        if (sorted) {
            throw new IllegalStateException("ids are added before the sweep asks which it saw");
        }
        if (size == hashes.length) {
            hashes = Arrays.copyOf(hashes, hashes.length * 2);
        }
        hashes[size++] = hash(id);
    }

    /** Whether the id was added; the first call ends the adding. */
    boolean contains(String id) {
        if (!sorted) {
            Arrays.sort(hashes, 0, size);
            sorted = true;
        }
        return Arrays.binarySearch(hashes, 0, size, hash(id)) >= 0;
    }

    int size() {
        return size;
    }

    /** FNV-1a over the UTF-8 bytes, then SplitMix64's finalizer to spread the bits of short, similar ids. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
