package io.kcintercom.connect.state;

import java.io.ByteArrayOutputStream;

/**
 * Halves the long lowercase-hex runs of an ASCII text, in memory only: Intercom's ids are 24 hex
 * digits (contacts, companies, segments) or long numbers (conversations, parts), and they are most
 * of what the store holds. A run of 8 or more of {@code [0-9a-f]} becomes a 0x01 byte, a count of
 * bytes and two digits per byte (an odd last digit stays as text). The texts packed are escaped
 * ({@link KeyText}), so they never contain a control byte and the packing is unambiguous.
 */
final class HexPacking {
    private static final int MARKER = 0x01;
    private static final int MIN_RUN = 8;
    private static final int MAX_BYTES = 255;

    private HexPacking() {
    }

    static byte[] pack(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length);
        int i = 0;
        while (i < text.length) {
            int run = 0;
            while (i + run < text.length && isHex(text[i + run])) {
                run++;
            }
            if (run < MIN_RUN) {
                out.write(text[i]);
                i++;
                continue;
            }
            int end = i + run;
            while (end - i >= 2) {
                int bytes = Math.min(MAX_BYTES, (end - i) / 2);
                out.write(MARKER);
                out.write(bytes);
                for (int b = 0; b < bytes; b++, i += 2) {
                    out.write((nibble(text[i]) << 4) | nibble(text[i + 1]));
                }
            }
            if (i < end) {
                out.write(text[i]);
                i++;
            }
        }
        return out.toByteArray();
    }

    static byte[] unpack(byte[] packed) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 2);
        for (int i = 0; i < packed.length; i++) {
            if (packed[i] != MARKER) {
                out.write(packed[i]);
                continue;
            }
            int bytes = packed[++i] & 0xff;
            for (int b = 0; b < bytes; b++) {
                int value = packed[++i] & 0xff;
                out.write(Character.forDigit(value >> 4, 16));
                out.write(Character.forDigit(value & 0xf, 16));
            }
        }
        return out.toByteArray();
    }

    /** Where {@code b} first stands as text in a packed form (packed digits may hold any byte), or the length. */
    static int indexOfText(byte[] packed, byte b) {
        for (int i = 0; i < packed.length; i++) {
            if (packed[i] == MARKER) {
                i += 1 + (packed[i + 1] & 0xff);
            } else if (packed[i] == b) {
                return i;
            }
        }
        return packed.length;
    }

    private static boolean isHex(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f');
    }

    private static int nibble(byte b) {
        return b <= '9' ? b - '0' : b - 'a' + 10;
    }
}
