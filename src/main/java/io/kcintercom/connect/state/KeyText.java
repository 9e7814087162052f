package io.kcintercom.connect.state;

import io.kcintercom.connect.table.TableDef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.connect.data.Struct;

/**
 * The text form of a child row's key, as the state remembers it: the key fields after the parent's
 * reference (a tag id; a social profile's name and url), or every key field where the key does
 * not start with the parent (a note, a conversation part, a part's attachment).
 *
 * <p>Everything outside {@code [A-Za-z0-9_.-]} is percent-escaped, so the text is plain ASCII
 * that no converter rewrites (JSON escapes only quotes, backslashes and control characters; Avro
 * and Protobuf write strings verbatim) and the separators of the state text never occur in a value.
 */
public final class KeyText {
    /** Separates the fields of a key with several fields after the parent's reference. */
    static final char FIELD = ':';
    /** A null key field (a social profile without url), distinct from an empty one. */
    static final String NULL = "~";
    /** Key columns that hold the parent's id: a child key starting with one is stored without it. */
    private static final Set<String> PARENT_REFERENCES = Set.of("users_pk", "leads_pk", "conversations_pk");

    private KeyText() {
    }

    /** Whether the table's key starts with its parent's id, which the state then leaves out. */
    static boolean startsWithParent(TableDef table) {
        List<String> names = table.keyColumns().stream().map(c -> c.name()).toList();
        return names.size() > 1 && (PARENT_REFERENCES.contains(names.get(0))
                // events_summary rows hang below their contact by user_id
                || "user_id".equals(names.get(0)));
    }

    /** The child key text of a row key of {@code table}. */
    public static String of(TableDef table, Struct key) {
        List<String> names = table.keyColumns().stream().map(c -> c.name()).toList();
        StringBuilder text = new StringBuilder();
        for (int i = startsWithParent(table) ? 1 : 0; i < names.size(); i++) {
            if (text.length() > 0) {
                text.append(FIELD);
            }
            Object value = key.get(names.get(i));
            text.append(value == null ? NULL : escape(value.toString()));
        }
        return text.toString();
    }

    /** The row key of {@code table} that {@code childKey} (made by {@link #of}) names under {@code parentId}. */
    public static Struct toKey(TableDef table, String parentId, String childKey) {
        List<String> names = table.keyColumns().stream().map(c -> c.name()).toList();
        Struct key = new Struct(table.keySchema());
        int field = 0;
        if (startsWithParent(table)) {
            key.put(names.get(0), parentId);
            field = 1;
        }
        int start = 0;
        for (; field < names.size(); field++) {
            int end = childKey.indexOf(FIELD, start);
            if (end < 0) {
                end = childKey.length();
            }
            String part = childKey.substring(start, end);
            key.put(names.get(field), NULL.equals(part) ? null : unescape(part));
            start = Math.min(end + 1, childKey.length());
        }
        return key;
    }

    /** The key fields of {@code childKey} unescaped and joined by U+001F, for {@link EmittedKeys#childIds}. */
    static String toIds(String childKey) {
        if (childKey.indexOf(FIELD) < 0) {
            return NULL.equals(childKey) ? "" : unescape(childKey);
        }
        List<String> parts = new ArrayList<>();
        for (String part : childKey.split(String.valueOf(FIELD), -1)) {
            parts.add(NULL.equals(part) ? "" : unescape(part));
        }
        return String.join("\u001f", parts);
    }

    static String escape(String value) {
        StringBuilder out = null;
        byte[] bytes = null;
        for (int i = 0; i < value.length(); i++) {
            if (!plain(value.charAt(i))) {
                bytes = value.getBytes(StandardCharsets.UTF_8);
                out = new StringBuilder(bytes.length + 8);
                break;
            }
        }
        if (out == null) {
            return value;
        }
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if (b >= 0 && plain(c)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static String unescape(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        byte[] out = new byte[text.length()];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length()) {
                out[n++] = (byte) Integer.parseInt(text, i + 1, i + 3, 16);
                i += 2;
            } else {
                out[n++] = (byte) c;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private static boolean plain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '_' || c == '.' || c == '-';
    }
}
