package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/**
 * What the worker stores for a PATCH or DELETE of the offsets, after the connector's
 * alterOffsets: it must be under the JSON texts the tasks look up.
 */
class OffsetAlterationsTest {
    private static final String USERS = "[\"intercom\",{\"resource\":\"users\"}]";
    private static final String USERS_V1 = "[\"intercom\",{\"resource\":\"users\",\"protocol\":\"1\"}]";
    private static final String LEADS = "[\"intercom\",{\"resource\":\"leads\"}]";
    private static final String LEADS_V1 = "[\"intercom\",{\"resource\":\"leads\",\"protocol\":\"1\"}]";

    @Test
    void aResetOfOneResourceAlsoClearsWhatEarlierVersionsStoredForIt() {
        Map<Map<String, ?>, Map<String, ?>> request = WorkerJson.request("{\"resource\":\"users\"}", null);
        OffsetAlterations.prepare(request);
        Map<String, String> expected = new HashMap<>();
        expected.put(USERS, null);
        expected.put(USERS_V1, null);
        assertEquals(expected, WorkerJson.written("intercom", request));
    }

    @Test
    void aRewindIsStoredUnderTheOneKeyPartition() {
        Map<Map<String, ?>, Map<String, ?>> request = WorkerJson.request(
                "{\"resource\":\"leads\"}", "{\"updated_at\":1719792000}");
        OffsetAlterations.prepare(request);
        Map<String, String> expected = new HashMap<>();
        expected.put(LEADS, "{\"updated_at\":1719792000}");
        expected.put(LEADS_V1, null);
        assertEquals(expected, WorkerJson.written("intercom", request));
    }

    /** DELETE lists every stored partition, the protocol-1 ones in Connect's key order. */
    @Test
    void aResetOfEverythingReachesTheProtocolOneOffsetsInTheirStoredKeyOrder() {
        Map<Map<String, ?>, Map<String, ?>> request = WorkerJson.request(
                "{\"resource\":\"users\"}", null,
                "{\"protocol\":\"1\",\"resource\":\"users\"}", null,
                "{\"protocol\":\"1\",\"resource\":\"leads\"}", null);
        OffsetAlterations.prepare(request);
        Map<String, String> expected = new HashMap<>();
        expected.put(USERS, null);
        expected.put(USERS_V1, null);
        expected.put(LEADS, null);
        expected.put(LEADS_V1, null);
        assertEquals(expected, WorkerJson.written("intercom", request));
    }

    @Test
    void anOffsetGivenUnderTheProtocolOnePartitionMovesToTheOneKeyPartition() {
        Map<Map<String, ?>, Map<String, ?>> request = WorkerJson.request(
                "{\"protocol\":\"1\",\"resource\":\"users\"}", "{\"updated_at\":5,\"id\":\"a\"}");
        OffsetAlterations.prepare(request);
        assertEquals("{\"updated_at\":5,\"id\":\"a\"}", WorkerJson.written("intercom", request).get(USERS));
        assertTrue(WorkerJson.written("intercom", request).containsKey(USERS_V1));
        assertEquals(null, WorkerJson.written("intercom", request).get(USERS_V1));
    }

    @Test
    void theOneKeyPartitionsOffsetWinsOverTheProtocolOnePartitionsOfTheSameResource() {
        Map<Map<String, ?>, Map<String, ?>> request = WorkerJson.request(
                "{\"protocol\":\"1\",\"resource\":\"users\"}", "{\"updated_at\":5}",
                "{\"resource\":\"users\"}", "{\"updated_at\":7}");
        OffsetAlterations.prepare(request);
        assertEquals("{\"updated_at\":7}", WorkerJson.written("intercom", request).get(USERS));
        assertEquals(2, request.size());
    }

    @Test
    void anInvalidRequestIsRejectedBeforeAnythingIsRewritten() {
        Map<Map<String, ?>, Map<String, ?>> request = WorkerJson.request(
                "{\"resource\":\"users\"}", null,
                "{\"resource\":\"leads\"}", "{\"updated_at\":\"yesterday\"}");
        Map<Map<String, ?>, Map<String, ?>> before = new HashMap<>(request);
        ConnectException e = assertThrows(ConnectException.class, () -> OffsetAlterations.prepare(request));
        assertTrue(e.getMessage().contains("leads") && e.getMessage().contains("updated_at"), e.getMessage());
        assertEquals(before, request);
    }

    @Test
    void theLastFullSweepIsAcceptedAsUnixSecondsAndRoundTripsThroughThePosition() throws Exception {
        Map<Map<String, ?>, Map<String, ?>> request = WorkerJson.request(
                "{\"resource\":\"users\"}", "{\"updated_at\":5,\"swept_at\":9,\"full_swept_at\":7}");
        OffsetAlterations.prepare(request);
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"updated_at\":5,\"swept_at\":9,\"full_swept_at\":7}"),
                json.readTree(WorkerJson.written("intercom", request).get(USERS)));
        SearchPosition position = SearchPosition.fromMap(Map.of("updated_at", 5L, "swept_at", 9L, "full_swept_at", 7L), 0);
        assertEquals(7L, position.fullSweptAt());
        assertEquals(7L, position.toMap().get(SearchPosition.FULL_SWEPT_AT));

        Map<Map<String, ?>, Map<String, ?>> invalid = WorkerJson.request(
                "{\"resource\":\"users\"}", "{\"updated_at\":5,\"full_swept_at\":\"last week\"}");
        ConnectException e = assertThrows(ConnectException.class, () -> OffsetAlterations.prepare(invalid));
        assertTrue(e.getMessage().contains("full_swept_at"), e.getMessage());
    }

    @Test
    void secondsGivenInMillisecondsAndAScopeThatIsNotANumberAreRefusedNamingTheField() {
        Map<Map<String, ?>, Map<String, ?>> millis = WorkerJson.request(
                "{\"resource\":\"users\"}", "{\"updated_at\":5,\"full_swept_at\":1764979200000}");
        ConnectException e = assertThrows(ConnectException.class, () -> OffsetAlterations.prepare(millis));
        assertTrue(e.getMessage().contains("full_swept_at") && e.getMessage().contains("milliseconds"), e.getMessage());

        Map<Map<String, ?>, Map<String, ?>> scope = WorkerJson.request(
                "{\"resource\":\"users\"}", "{\"updated_at\":5,\"since\":\"2024-01-01\"}");
        e = assertThrows(ConnectException.class, () -> OffsetAlterations.prepare(scope));
        assertTrue(e.getMessage().contains("since"), e.getMessage());

        Map<Map<String, ?>, Map<String, ?>> valid = WorkerJson.request(
                "{\"resource\":\"users\"}", "{\"updated_at\":5,\"since\":1704067200}");
        assertDoesNotThrow(() -> OffsetAlterations.prepare(valid));
        assertEquals(1704067200L, SearchPosition.fromMap(Map.of("updated_at", 5L, "since", 1704067200L), 0).since());
    }

    /** A worker that passed a read-only map: resets still go through, a protocol-1 offset cannot. */
    @Test
    void onAReadOnlyRequestOnlyAProtocolOneOffsetIsRefused() {
        Map<Map<String, ?>, Map<String, ?>> reset = Collections.unmodifiableMap(
                WorkerJson.request("{\"resource\":\"users\"}", null));
        assertDoesNotThrow(() -> OffsetAlterations.prepare(reset));
        Map<Map<String, ?>, Map<String, ?>> legacy = Collections.unmodifiableMap(
                WorkerJson.request("{\"protocol\":\"1\",\"resource\":\"users\"}", "{\"updated_at\":5}"));
        ConnectException e = assertThrows(ConnectException.class, () -> OffsetAlterations.prepare(legacy));
        assertTrue(e.getMessage().contains("{\"resource\": ...}"), e.getMessage());
    }
}
