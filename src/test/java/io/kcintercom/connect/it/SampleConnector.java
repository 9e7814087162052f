package io.kcintercom.connect.it;

import io.kcintercom.connect.IntercomSourceConnector;
import io.kcintercom.connect.sandbox.FakeIntercom;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys every integration test's connector shares: the plugin, a token and the sample
 * workspace's loopback URL (a custom host, hence the opt-in), the topic prefix, and topics of one
 * partition and one replica. Each test adds what it is about; the map is its own to change.
 */
final class SampleConnector {
    private SampleConnector() {
    }

    static Map<String, String> config(FakeIntercom fake, String prefix) {
        return config(fake.options().token(), fake.baseUrl(), prefix);
    }

    static Map<String, String> config(String token, String apiUrl, String prefix) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", IntercomSourceConnector.class.getName());
        config.put("intercom.access.token", token);
        config.put("intercom.api.url", apiUrl);
        config.put("intercom.api.url.allow.custom", "true");
        config.put("topic.prefix", prefix);
        config.put("topic.creation.default.replication.factor", "1");
        config.put("topic.creation.default.partitions", "1");
        return config;
    }
}
