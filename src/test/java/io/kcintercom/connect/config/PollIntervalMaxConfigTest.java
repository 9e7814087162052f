package io.kcintercom.connect.config;

import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.POLL_INTERVAL_MAX_MS;
import static io.kcintercom.connect.config.IntercomSourceConnectorConfig.POLL_INTERVAL_MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.IntercomSourceConnector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;

/** poll.interval.max.ms: its default, a poll interval above it, and a maximum set below the interval. */
class PollIntervalMaxConfigTest {
    private static Map<String, String> props(String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put(IntercomSourceConnectorConfig.ACCESS_TOKEN, "tok-poll-max");
        props.put(IntercomSourceConnectorConfig.TOKEN_CHECK, "false");
        props.put(IntercomSourceConnectorConfig.TABLES, "users");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    @Test
    void defaultsToFiveMinutes() {
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props());
        assertEquals(30_000, config.pollIntervalMs());
        assertEquals(300_000, config.pollIntervalMaxMs());
    }

    @Test
    void aPollIntervalAboveTheDefaultMaximumIsItsOwnMaximumWhenTheMaximumIsNotSet() {
        // A config from before the key existed, e.g. the tests' and the bench's 10-minute intervals.
        IntercomSourceConnectorConfig config = new IntercomSourceConnectorConfig(props(POLL_INTERVAL_MS, "600000"));
        assertEquals(600_000, config.pollIntervalMaxMs());
    }

    @Test
    void anExplicitMaximumIsKept() {
        assertEquals(3_600_000, new IntercomSourceConnectorConfig(props(POLL_INTERVAL_MAX_MS, "3600000"))
                .pollIntervalMaxMs());
        assertEquals(30_000, new IntercomSourceConnectorConfig(props(POLL_INTERVAL_MAX_MS, "30000"))
                .pollIntervalMaxMs(), "equal to the interval: no backoff");
    }

    @Test
    void aMaximumBelowTheIntervalIsRefusedNamingBothKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> new IntercomSourceConnectorConfig(
                props(POLL_INTERVAL_MS, "60000", POLL_INTERVAL_MAX_MS, "10000")));
        assertTrue(e.getMessage().contains(POLL_INTERVAL_MAX_MS) && e.getMessage().contains(POLL_INTERVAL_MS + " (60000)"),
                e.getMessage());
    }

    @Test
    void validateReportsItOnceOnTheMaximum() {
        List<ConfigValue> values = new IntercomSourceConnector().validate(
                props(POLL_INTERVAL_MS, "60000", POLL_INTERVAL_MAX_MS, "10000")).configValues();
        Map<String, List<String>> errors = new HashMap<>();
        values.stream().filter(v -> !v.errorMessages().isEmpty()).forEach(v -> errors.put(v.name(), v.errorMessages()));
        assertEquals(List.of(POLL_INTERVAL_MAX_MS), List.copyOf(errors.keySet()), errors.toString());
        assertEquals(1, errors.get(POLL_INTERVAL_MAX_MS).size());
        assertTrue(errors.get(POLL_INTERVAL_MAX_MS).get(0).contains(POLL_INTERVAL_MS), errors.toString());

        List<ConfigValue> fine = new IntercomSourceConnector().validate(props(POLL_INTERVAL_MS, "600000"))
                .configValues();
        assertTrue(fine.stream().allMatch(v -> v.errorMessages().isEmpty()),
                "an interval above the default maximum, the maximum not set: valid");
    }
}
