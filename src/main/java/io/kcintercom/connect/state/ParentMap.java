package io.kcintercom.connect.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Parent id to compact state ({@link ParentState#toCompact}), sized for millions of parents: an
 * open-addressing table of 64-bit id hashes and byte arrays that start with the escaped id (so a
 * hash collision is told apart, and the ids can be listed without another copy of them). About
 * 100 bytes per contact with three child rows, against about 300 for a HashMap of Strings.
 * Not thread-safe: {@link KeyStore} locks around it.
 */
final class ParentMap {
    private static final int MIN_CAPACITY = 16;

    private long[] hashes = new long[MIN_CAPACITY];
    private byte[][] values = new byte[MIN_CAPACITY][];
    private int size;

    int size() {
        return size;
    }

    byte[] get(String parentId) {
        byte[] escaped = escaped(parentId);
        int slot = find(hash(escaped), escaped);
        return slot < 0 ? null : values[slot];
    }

    void put(String parentId, byte[] compact) {
        byte[] escaped = escaped(parentId);
        long hash = hash(escaped);
        int slot = find(hash, escaped);
        if (slot >= 0) {
            values[slot] = compact;
            return;
        }
        if ((size + 1) * 3L > values.length * 2L) { // keep at most two thirds full
            resize(values.length * 2);
        }
        insert(hash, compact);
        size++;
    }

    void remove(String parentId) {
        byte[] escaped = escaped(parentId);
        int slot = find(hash(escaped), escaped);
        if (slot < 0) {
            return;
        }
        // Backward-shift deletion: later entries of the probe run move up, so no tombstone slot is needed.
        int mask = values.length - 1;
        int hole = slot;
        int next = (hole + 1) & mask;
        while (values[next] != null) {
            int home = home(hashes[next], mask);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                values[hole] = values[next];
                hashes[hole] = hashes[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        values[hole] = null;
        hashes[hole] = 0;
        size--;
    }

    /** A copy of the table's references (with empty slots), so callers may change the map while they walk it. */
    byte[][] snapshot() {
        return Arrays.copyOf(values, values.length);
    }

    private int find(long hash, byte[] escaped) {
        int mask = values.length - 1;
        for (int slot = home(hash, mask); values[slot] != null; slot = (slot + 1) & mask) {
            if (hashes[slot] == hash && ParentState.hasId(values[slot], escaped)) {
                return slot;
            }
        }
        return -1;
    }

    private void insert(long hash, byte[] compact) {
        int mask = values.length - 1;
        int slot = home(hash, mask);
        while (values[slot] != null) {
            slot = (slot + 1) & mask;
        }
        hashes[slot] = hash;
        values[slot] = compact;
    }

    private void resize(int capacity) {
        long[] oldHashes = hashes;
        byte[][] oldValues = values;
        hashes = new long[capacity];
        values = new byte[capacity][];
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                insert(oldHashes[i], oldValues[i]);
            }
        }
    }

    private static int home(long hash, int mask) {
        return (int) (hash ^ (hash >>> 32)) & mask;
    }

    private static byte[] escaped(String parentId) {
        return KeyText.escape(parentId).getBytes(StandardCharsets.US_ASCII);
    }

    /** FNV-1a, then a murmur finalizer so sequential ids (conversations) spread over the table. */
    static long hash(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
