package io.kcintercom.connect.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigReferenceTest {
    @Test
    void readmeConfigReferenceMatchesTheConfigDef() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        assertEquals(ConfigReference.withReference(readme), readme,
                "README.md's configuration reference is stale: regenerate it as the README's Development section says "
                        + "(ConfigReference.main)");
    }

    @Test
    void everyUserFacingKeyIsDocumented() {
        String reference = ConfigReference.markdown();
        IntercomSourceConnectorConfig.CONFIG_DEF.configKeys().values().stream()
                .filter(k -> !k.internalConfig)
                .forEach(k -> assertTrue(reference.contains("`" + k.name + "`"), k.name));
    }
}
