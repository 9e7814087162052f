package io.kcintercom.connect.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Date;

/**
 * Intercom's timestamps, read one way for every use: the key a reader orders objects by
 * ({@link #epochSeconds}) and the TIMESTAMP column it emits ({@link #toDate}) come from the same
 * parse, so the two cannot disagree about an object.
 *
 * <p>The forms Intercom sends, all accepted:
 * <ul>
 *   <li>a number of unix seconds, a fraction kept to the millisecond;</li>
 *   <li>a number of milliseconds: any magnitude of {@value #MILLIS_THRESHOLD} or more, which as
 *       seconds would be the year 5138;</li>
 *   <li>either as a string of digits ({@code -?\d+(\.\d+)?}), blanks around it ignored;</li>
 *   <li>an ISO-8601 string with an offset: {@code 2014-01-16T23:12:21.000+00:00}, {@code +0000}
 *       or {@code Z}, with or without the milliseconds.</li>
 * </ul>
 * Null, a blank string and an empty object mean "no timestamp". Anything else is malformed.
 */
public final class Timestamps {
    /** Anything this large cannot be seconds (year 5138) and is taken as milliseconds. */
    public static final long MILLIS_THRESHOLD = 100_000_000_000L;
    private static final BigInteger MILLIS_THRESHOLD_BIG = BigInteger.valueOf(MILLIS_THRESHOLD);
    private static final DateTimeFormatter COMPACT_OFFSET = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]XX");

    /**
     * What {@link #epochSeconds} returns for no usable timestamp. Instants before 1970 are negative
     * too; no object a reader orders is that old, so readers take any negative value as unusable.
     */
    public static final long NONE = -1;

    private Timestamps() {
    }

    /**
     * The timestamp as epoch milliseconds, or null when there is none.
     *
     * @throws IllegalArgumentException (or a subclass) when the value fits none of the forms
     * @throws ArithmeticException when a number is beyond the range of epoch milliseconds
     */
    public static Long epochMillis(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            // The common case, once per row: no BigDecimal.
            long number = node.longValue();
            return number >= MILLIS_THRESHOLD || number <= -MILLIS_THRESHOLD ? number : number * 1000;
        }
        if (node.isNumber()) {
            return fromEpochNumber(node.decimalValue());
        }
        if (node.isTextual()) {
            String text = node.textValue().trim();
            if (text.isEmpty()) {
                return null;
            }
            if (isPlainDecimal(text)) {
                return fromEpochNumber(new BigDecimal(text));
            }
            return parseIsoInstant(text).toEpochMilli();
        }
        if (node.isObject() && node.isEmpty()) {
            return null;
        }
        throw new IllegalArgumentException("not a timestamp");
    }

    /** The timestamp as the value of a TIMESTAMP column; null when there is none. */
    public static Date toDate(JsonNode node) {
        Long millis = epochMillis(node);
        return millis == null ? null : new Date(millis);
    }

    /**
     * The timestamp in unix seconds (the milliseconds rounded down), for ordering objects; {@link
     * #NONE} when there is none or it is malformed.
     */
    public static long epochSeconds(JsonNode node) {
        Long millis;
        try {
            millis = epochMillis(node);
        } catch (RuntimeException malformed) {
            return NONE;
        }
        return millis == null ? NONE : Math.floorDiv(millis, 1000L);
    }

    private static long fromEpochNumber(BigDecimal number) {
        BigInteger whole = number.toBigInteger();
        if (whole.abs().compareTo(MILLIS_THRESHOLD_BIG) >= 0) {
            return whole.longValueExact();
        }
        // Below the threshold the milliseconds fit a long with room to spare.
        return number.movePointRight(3).longValue();
    }

    /** {@code -?\d+(\.\d+)?}, checked by hand: this runs per row, and a regex costs more than the check. */
    static boolean isPlainDecimal(String text) {
        int i = text.startsWith("-") ? 1 : 0;
        int digitsBefore = 0;
        while (i < text.length() && isAsciiDigit(text.charAt(i))) {
            i++;
            digitsBefore++;
        }
        if (digitsBefore == 0) {
            return false;
        }
        if (i == text.length()) {
            return true;
        }
        if (text.charAt(i) != '.') {
            return false;
        }
        i++;
        int digitsAfter = 0;
        while (i < text.length() && isAsciiDigit(text.charAt(i))) {
            i++;
            digitsAfter++;
        }
        return digitsAfter > 0 && i == text.length();
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static Instant parseIsoInstant(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            // e.g. "2014-01-16T23:12:21.000+0000" or a bare instant
            try {
                return OffsetDateTime.parse(text, COMPACT_OFFSET).toInstant();
            } catch (DateTimeParseException ignored) {
                return Instant.parse(text);
            }
        }
    }
}
