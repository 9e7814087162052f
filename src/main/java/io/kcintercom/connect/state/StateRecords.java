package io.kcintercom.connect.state;

import io.kcintercom.connect.resource.Resource;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The records of the state topic. Key: {@code <resource>/<parentId>}; value: the parent's
 * {@link ParentState} text, or null once the parent is gone (a tombstone, which compaction drops).
 * They pass through the connector's converters and transforms like every record, so both are
 * plain-ASCII strings framed by fixed markers, and the loader finds them back in the serialized
 * bytes whatever the converter wrote around them (a JSON envelope, an Avro or Protobuf header).
 */
public final class StateRecords {
    static final String KEY_MARKER = "#intercom-state-key#";
    static final String VALUE_MARKER = "#intercom-state#";
    /** Ends both texts; escaped ids and keys never contain it. */
    static final char END = '#';
    private static final byte[] KEY_BYTES = KEY_MARKER.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUE_BYTES = VALUE_MARKER.getBytes(StandardCharsets.US_ASCII);

    private StateRecords() {
    }

    /** A state record of one parent, in the source partition and at the offset of its group. */
    public static SourceRecord record(String topic, Map<String, ?> partition, Map<String, ?> offset,
                                      Resource resource, String parentId, ParentState state) {
        String key = keyText(resource, parentId);
        if (state == null) {
            // No value schema either: converters turn a null value with a schema into an envelope, not a tombstone.
            return new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, key, null, null);
        }
        return new SourceRecord(partition, offset, topic, null, Schema.STRING_SCHEMA, key,
                Schema.STRING_SCHEMA, VALUE_MARKER + state.toTopicText() + END);
    }

    static String keyText(Resource resource, String parentId) {
        return KEY_MARKER + resource.id() + "/" + KeyText.escape(parentId) + END;
    }

    /** One state record read back: whose state it is, and the state (null: the parent is gone). */
    public record Entry(Resource resource, String parentId, ParentState state) {
    }

    /**
     * Reads a state record's serialized key and value; null when the key holds no state key (a
     * record some other writer put on the topic) or names a resource this version does not know.
     */
    public static Entry parse(byte[] key, byte[] value) {
        String keyText = framed(key, KEY_BYTES);
        if (keyText == null) {
            return null;
        }
        int slash = keyText.indexOf('/');
        Resource resource;
        try {
            resource = slash <= 0 ? null : Resource.fromId(keyText.substring(0, slash));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (resource == null) {
            return null;
        }
        String parentId = KeyText.unescape(keyText.substring(slash + 1));
        String valueText = framed(value, VALUE_BYTES);
        // A value without the marker is a tombstone as some converter wrote it (an envelope around null).
        return new Entry(resource, parentId, valueText == null ? null : ParentState.parse(valueText));
    }

    /** The text between {@code marker} and the next {@link #END}, or null. */
    static String framed(byte[] bytes, byte[] marker) {
        if (bytes == null) {
            return null;
        }
        int start = indexOf(bytes, marker);
        if (start < 0) {
            return null;
        }
        start += marker.length;
        int end = start;
        while (end < bytes.length && bytes[end] != END) {
            end++;
        }
        return end < bytes.length ? new String(bytes, start, end - start, StandardCharsets.US_ASCII) : null;
    }

    private static int indexOf(byte[] bytes, byte[] marker) {
        outer:
        for (int i = 0; i + marker.length <= bytes.length; i++) {
            for (int j = 0; j < marker.length; j++) {
                if (bytes[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
