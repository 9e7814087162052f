package io.kcintercom.connect.table;

import static io.kcintercom.connect.table.RowConverterTest.json;
import static io.kcintercom.connect.table.RowConverterTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Date;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one timestamp parser: each form Intercom sends, and for each the ordering key a reader uses
 * and the column it emits say the same second.
 */
class TimestampsTest {
    /** Holds the rows and the first assertion of RowConverterTest's former timestampsFromEveryShape. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unix seconds                | 1719492777                          | 1719492777000",
        "unix milliseconds           | 1719492777123                       | 1719492777123",
        "seconds as a string         | \"1719492777\"                      | 1719492777000",
        "seconds, blanks around      | \" 1719492777 \"                    | 1719492777000",
        "milliseconds as a string    | \"1719492777123\"                   | 1719492777123",
        "fractional seconds          | 1719492777.5                        | 1719492777500",
        "fractional seconds, .999    | 1719492777.999                      | 1719492777999",
        "fractional seconds string   | \"1719492777.25\"                   | 1719492777250",
        "fractional milliseconds     | 1719492777123.9                     | 1719492777123",
        "largest seconds             | 99999999999                         | 99999999999000",
        "smallest milliseconds       | 100000000000                        | 100000000000",
        "before 1970                 | -86400                              | -86400000",
        "before 1970, milliseconds   | -100000000000                       | -100000000000",
        "before 1970, fractional     | -0.5                                | -500",
        "ISO-8601 with offset        | \"2014-01-16T23:12:21.000+00:00\"   | 1389913941000",
        "ISO-8601 with trailing space| \"2014-01-16T23:12:21.000+00:00 \"  | 1389913941000",
        "ISO-8601 Z                  | \"2014-01-16T23:12:21Z\"            | 1389913941000",
        "ISO-8601 Z with millis      | \"2014-01-16T23:12:21.999Z\"        | 1389913941999",
        "ISO-8601 +0000              | \"2014-01-16T23:12:21.000+0000\"    | 1389913941000",
        "ISO-8601 +0100              | \"2014-01-17T00:12:21.000+0100\"    | 1389913941000",
        "ISO-8601 -05:00 no millis   | \"2014-01-16T18:12:21-05:00\"       | 1389913941000",
    })
    void everyAcceptedFormIsOrderedByTheSameInstantItIsEmittedAs(String form, String json, long expectedMillis) {
        JsonNode node = json(json);
        Struct summary = value("events_summary", "{\"user_id\":\"u\",\"name\":\"n\",\"first\":" + json + "}");
        Date updatedAtColumn = (Date) usersRow(json).get("updated_at");

        assertEquals(new Date(expectedMillis), summary.get("first"), form);
        assertEquals(new Date(expectedMillis), updatedAtColumn, form);
        assertEquals(expectedMillis, Timestamps.epochMillis(node), form);
        assertEquals(new Date(expectedMillis), Timestamps.toDate(node), form);
        // The ordering key: the emitted instant rounded down to its second.
        assertEquals(Math.floorDiv(updatedAtColumn.getTime(), 1000), Timestamps.epochSeconds(node), form);
        assertEquals(Math.floorDiv(expectedMillis, 1000), Timestamps.epochSeconds(node), form);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"null", "\"\"", "\"   \"", "{}"})
    void absentAndEmptyValuesAreNoTimestampInBothUses(String json) {
        assertNull(Timestamps.epochMillis(json(json)), json);
        assertEquals(Timestamps.NONE, Timestamps.epochSeconds(json(json)), json);
        assertNull(usersRow(json).get("updated_at"), json);
    }

    @Test
    void aMissingFieldIsNoTimestamp() {
        assertNull(Timestamps.epochMillis(null));
        assertNull(Timestamps.epochMillis(MissingNode.getInstance()));
        assertEquals(Timestamps.NONE, Timestamps.epochSeconds(null));
        assertEquals(Timestamps.NONE, Timestamps.epochSeconds(json("{}").get("updated_at")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "\"yesterday\"", "\"2014-01-16\"", "\"2014-13-45T23:12:21Z\"", "\"1e9\"", "\"+1719492777\"", "true",
        "[1719492777]", "{\"at\":1719492777}", "1e30", "\"123456789012345678901234567890\"",
    })
    void aMalformedValueIsUnusableForOrderingAndFailsTheColumn(String json) {
        assertThrows(RuntimeException.class, () -> Timestamps.epochMillis(json(json)), json);
        assertEquals(Timestamps.NONE, Timestamps.epochSeconds(json(json)), json);
        DataException e = assertThrows(DataException.class, () -> usersRow(json));
        assertTrue(e.getMessage().contains("'updated_at'"), e.getMessage());
    }

    @Test
    void plainDecimalCheckAgreesWithItsRegex() {
        for (String text : new String[] {"0", "17", "-17", "1700000000", "1700000000.5", "1.", ".5", "-", "",
                "1e9", "1,5", "+1", "12a", "1.2.3", "--1", "\u0661\u0662", "2023-01-01T00:00:00Z", " 1"}) {
            assertEquals(text.matches("-?\\d+(\\.\\d+)?"),
                    Timestamps.isPlainDecimal(text), text);
        }
    }

    /** A users row, whose updated_at column is the search readers' ordering key. */
    private static Struct usersRow(String updatedAtJson) {
        return value("users", "{\"type\":\"contact\",\"id\":\"c1\",\"updated_at\":" + updatedAtJson + "}");
    }
}
