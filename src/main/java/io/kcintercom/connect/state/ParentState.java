package io.kcintercom.connect.state;

import io.kcintercom.connect.table.Tables;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One parent's state: its id and the child keys ({@link KeyText}) emitted under it, per child
 * table. Its text is {@code <id>;<table>=<key>,<key>;<table>=<key>}, ids and keys escaped; the
 * state topic names tables in full, memory by a one-letter code (never persisted, so adding a
 * table later changes nothing stored). A parent emitted at a version (a company's updated_at) ends
 * with it: {@code ...;@=<version>} ('@' names no table).
 */
public record ParentState(String parentId, Map<String, SortedSet<String>> children, String version) {
    private static final List<String> TABLES = List.copyOf(Tables.all().keySet());
    private static final String VERSION = "@=";

    /** A parent without a version. */
    public ParentState(String parentId, Map<String, SortedSet<String>> children) {
        this(parentId, children, null);
    }

    public ParentState {
        TreeMap<String, SortedSet<String>> copy = new TreeMap<>(ParentState::byContractOrder);
        children.forEach((table, keys) -> {
            if (!keys.isEmpty()) {
                copy.put(table, Collections.unmodifiableSortedSet(new TreeSet<>(keys)));
            }
        });
        children = Collections.unmodifiableSortedMap(copy);
    }

    public static ParentState empty(String parentId) {
        return new ParentState(parentId, Map.of());
    }

    public SortedSet<String> keys(String table) {
        SortedSet<String> keys = children.get(table);
        return keys == null ? Collections.emptySortedSet() : keys;
    }

    public Set<String> tables() {
        return children.keySet();
    }

    /** The text on the state topic: tables by name, so any version of the connector reads it. */
    public String toTopicText() {
        return text(false);
    }

    /** The in-memory form: ASCII bytes, tables by a one-letter code, long hex runs packed ({@link HexPacking}). */
    byte[] toCompact() {
        return HexPacking.pack(text(true).getBytes(StandardCharsets.US_ASCII));
    }

    private String text(boolean coded) {
        StringBuilder text = new StringBuilder(KeyText.escape(parentId));
        children.forEach((table, keys) -> {
            text.append(';').append(coded ? code(table) : table).append('=');
            text.append(String.join(",", keys));
        });
        if (version != null) {
            text.append(';').append(VERSION).append(KeyText.escape(version));
        }
        return text.toString();
    }

    /** Reads either form back; a table this version does not know is dropped. */
    public static ParentState parse(String text) {
        String[] parts = text.split(";", -1);
        TreeMap<String, SortedSet<String>> children = new TreeMap<>(ParentState::byContractOrder);
        String version = null;
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].startsWith(VERSION)) {
                version = KeyText.unescape(parts[i].substring(VERSION.length()));
                continue;
            }
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String table = table(parts[i].substring(0, eq));
            if (table != null) {
                SortedSet<String> keys = new TreeSet<>();
                for (String key : parts[i].substring(eq + 1).split(",", -1)) {
                    keys.add(key);
                }
                children.put(table, keys);
            }
        }
        return new ParentState(KeyText.unescape(parts[0]), children, version);
    }

    static ParentState fromCompact(byte[] compact) {
        return parse(new String(HexPacking.unpack(compact), StandardCharsets.US_ASCII));
    }

    /** The compact form of an id alone, as it starts the compact form of its state. */
    static byte[] compactId(String parentId) {
        return HexPacking.pack(KeyText.escape(parentId).getBytes(StandardCharsets.US_ASCII));
    }

    /** The compact id ({@link #compactId}) at the start of a compact form, compared without decoding the rest. */
    static boolean hasId(byte[] compact, byte[] escapedId) {
        if (compact.length < escapedId.length
                || (compact.length > escapedId.length && compact[escapedId.length] != ';')) {
            return false;
        }
        for (int i = 0; i < escapedId.length; i++) {
            if (compact[i] != escapedId[i]) {
                return false;
            }
        }
        return true;
    }

    /** The parent id of a compact form. */
    static String idOf(byte[] compact) {
        byte[] id = HexPacking.unpack(java.util.Arrays.copyOf(compact, HexPacking.indexOfText(compact, (byte) ';')));
        return KeyText.unescape(new String(id, StandardCharsets.US_ASCII));
    }

    private static char code(String table) {
        return (char) ('A' + TABLES.indexOf(table));
    }

    private static String table(String token) {
        if (token.length() == 1) {
            int index = token.charAt(0) - 'A';
            return index >= 0 && index < TABLES.size() ? TABLES.get(index) : null;
        }
        return TABLES.contains(token) ? token : null;
    }

    static int byContractOrder(String a, String b) {
        return Integer.compare(TABLES.indexOf(a), TABLES.indexOf(b));
    }

    /** Child keys unescaped into ids, for {@link EmittedKeys#childIds}. */
    Set<String> ids(String table) {
        List<String> ids = new ArrayList<>();
        keys(table).forEach(key -> ids.add(KeyText.toIds(key)));
        return Set.copyOf(ids);
    }
}
