package io.kcintercom.connect.resource;

import java.nio.charset.StandardCharsets;

/**
 * A set of ids kept as 64-bit hashes in an open-addressing {@code long[]}: 8 to 16 bytes an id
 * (2M ids: 16 to 32 MB; a {@code HashSet<String>} of them takes over 200 MB). It holds what a
 * listing returned: the companies a scroll read (a restarted scroll skips them, and the end of the
 * pass looks up which stored companies it did not return), the objects a sweep saw, a segment's
 * members.
 *
 * <p>Two ids sharing a hash make the second look present. Where the set decides a retraction, that
 * only keeps a row a listing might have retracted; it never retracts a row that exists. The chance
 * is about one in 10^10 at 50,000 ids, one in 10^7 at 2 million, against a memory ten times smaller.
 */
final class IdHashes {
    /** Marks an empty slot; an id hashing to it is stored as {@link #ZERO_STANDIN}. */
    private static final long EMPTY = 0L;
    private static final long ZERO_STANDIN = 1L;

    private long[] slots = new long[1024];
    private int size;

    /** Adds the id; false when it was there already. */
    boolean add(String id) {
        if ((size + 1) * 3L > slots.length * 2L) { // at most two thirds full
            grow();
        }
        long hash = hash(id);
        int mask = slots.length - 1;
        for (int slot = home(hash, mask); ; slot = (slot + 1) & mask) {
            if (slots[slot] == hash) {
                return false;
            }
            if (slots[slot] == EMPTY) {
                slots[slot] = hash;
                size++;
                return true;
            }
        }
    }

    boolean contains(String id) {
        long hash = hash(id);
        int mask = slots.length - 1;
        for (int slot = home(hash, mask); slots[slot] != EMPTY; slot = (slot + 1) & mask) {
            if (slots[slot] == hash) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length - 1;
        for (long hash : old) {
            if (hash != EMPTY) {
                int slot = home(hash, mask);
                while (slots[slot] != EMPTY) {
                    slot = (slot + 1) & mask;
                }
                slots[slot] = hash;
            }
        }
    }

    private static int home(long hash, int mask) {
        return (int) (hash ^ (hash >>> 32)) & mask;
    }

    /** FNV-1a over the UTF-8 bytes, then SplitMix64's finalizer, so similar ids spread over the table. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h == EMPTY ? ZERO_STANDIN : h;
    }
}
