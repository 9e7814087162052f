package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class OffsetsTest {
    /**
     * The worker finds stored offsets by the partition's serialized bytes; a new worker JVM must
     * produce the same bytes as the one that wrote them (Map.of's order changes between JVMs).
     */
    @Test
    void partitionsSerializeInOneFixedOrder() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), true);
        for (Resource resource : Resource.values()) {
            byte[] bytes = converter.fromConnectData("", null, List.of("intercom", Offsets.partition(resource)));
            assertEquals("[\"intercom\",{\"resource\":\"" + resource.id() + "\",\"protocol\":\"1\"}]",
                    new String(bytes, StandardCharsets.UTF_8));
        }
    }

    @Test
    void searchPositionsSerializeInOneFixedOrder() {
        JsonConverter converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", "false"), false);
        byte[] bytes = converter.fromConnectData("", null, new SearchPosition(5, "a", 4, "c").toMap());
        assertEquals("{\"updated_at\":5,\"id\":\"a\",\"pass_from\":4,\"cursor\":\"c\"}",
                new String(bytes, StandardCharsets.UTF_8));
    }
}
