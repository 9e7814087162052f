package io.kcintercom.connect.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** intercom.rate.limit.share and the internal limiter scope. */
class RateLimitShareConfigTest {
    private static Map<String, String> props(String... keyValues) {
        Map<String, String> props = new HashMap<>(Map.of("name", "intercom", "intercom.access.token", "t0ken"));
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    @Test
    void theWholeLimitByDefaultAndAnyPartOfIt() {
        assertEquals(1.0, new IntercomSourceConnectorConfig(props()).rateLimitShare());
        assertEquals(0.25, new IntercomSourceConnectorConfig(props(
                IntercomSourceConnectorConfig.RATE_LIMIT_SHARE, "0.25")).rateLimitShare());
    }

    @Test
    void aShareOutsideZeroToOneNamesTheKey() {
        for (String share : new String[] {"0", "-0.1", "1.01"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> new IntercomSourceConnectorConfig(props(
                    IntercomSourceConnectorConfig.RATE_LIMIT_SHARE, share)));
            assertTrue(e.getMessage().contains(IntercomSourceConnectorConfig.RATE_LIMIT_SHARE), e.getMessage());
        }
    }

    @Test
    void tasksShareOneLimiterPerWorkerUnlessTheScopeIsTheTask() {
        assertEquals("", new IntercomSourceConnectorConfig(props(IntercomSourceConnectorConfig.TASK_ID, "1"))
                .rateLimiterScope());
        String first = new IntercomSourceConnectorConfig(props(IntercomSourceConnectorConfig.TASK_ID, "1",
                IntercomSourceConnectorConfig.RATE_LIMIT_SCOPE, "task")).rateLimiterScope();
        String second = new IntercomSourceConnectorConfig(props(IntercomSourceConnectorConfig.TASK_ID, "2",
                IntercomSourceConnectorConfig.RATE_LIMIT_SCOPE, "task")).rateLimiterScope();
        assertNotEquals(first, second);
        assertThrows(ConfigException.class, () -> new IntercomSourceConnectorConfig(props(
                IntercomSourceConnectorConfig.RATE_LIMIT_SCOPE, "cluster")));
    }

    @Test
    void theScopeIsNotAUserKey() {
        assertTrue(IntercomSourceConnectorConfig.CONFIG_DEF.configKeys()
                .containsKey(IntercomSourceConnectorConfig.RATE_LIMIT_SHARE));
        assertTrue(!IntercomSourceConnectorConfig.CONFIG_DEF.configKeys()
                .containsKey(IntercomSourceConnectorConfig.RATE_LIMIT_SCOPE));
    }
}
