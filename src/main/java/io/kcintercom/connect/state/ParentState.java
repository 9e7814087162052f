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
 * table later changes nothing stored).
 */
public record ParentState(String parentId, Map<String, SortedSet<String>> children) {
    private static final List<String> TABLES = List.copyOf(Tables.all().keySet());

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

    /** The in-memory form: ASCII bytes, tables by a one-letter code. */
    byte[] toCompact() {
        return text(true).getBytes(StandardCharsets.US_ASCII);
    }

    private String text(boolean coded) {
        StringBuilder text = new StringBuilder(KeyText.escape(parentId));
        children.forEach((table, keys) -> {
            text.append(';').append(coded ? code(table) : table).append('=');
            text.append(String.join(",", keys));
        });
        return text.toString();
    }

    /** Reads either form back; a table this version does not know is dropped. */
    public static ParentState parse(String text) {
        String[] parts = text.split(";", -1);
        TreeMap<String, SortedSet<String>> children = new TreeMap<>(ParentState::byContractOrder);
        for (int i = 1; i < parts.length; i++) {
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
        return new ParentState(KeyText.unescape(parts[0]), children);
    }

    static ParentState fromCompact(byte[] compact) {
        return parse(new String(compact, StandardCharsets.US_ASCII));
    }

    /** The escaped id at the start of a compact form, compared without decoding the rest. */
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
        int end = 0;
        while (end < compact.length && compact[end] != ';') {
            end++;
        }
        return KeyText.unescape(new String(compact, 0, end, StandardCharsets.US_ASCII));
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
