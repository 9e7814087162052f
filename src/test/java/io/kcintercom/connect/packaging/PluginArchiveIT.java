package io.kcintercom.connect.packaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.Version;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The plugin archive the build made (after package): what `confluent-hub install` and an unzip on
 * plugin.path need, and every local link of its doc/README.md found inside it.
 */
class PluginArchiveIT {
    private static final Pattern LOCAL_LINK = Pattern.compile("\\]\\((?!https?:|#)([^)#\\s]+)");

    @Test
    void theArchiveHoldsTheConnectorItsConfigsAndEveryDocTheReadmeLinks() throws Exception {
        String base = "kcintercom-kafka-connect-intercom-" + Version.get();
        try (ZipFile zip = new ZipFile(Path.of("target", base + ".zip").toFile())) {
            Set<String> entries = new TreeSet<>();
            zip.stream().forEach(e -> entries.add(e.getName()));
            for (String required : new String[] {"manifest.json", "lib/kafka-connect-intercom-" + Version.get() + ".jar",
                    "etc/all.json", "etc/intercom-secrets.properties.example", "doc/README.md", "doc/LICENSE",
                    "doc/docs/tables.md"}) {
                assertTrue(entries.contains(base + "/" + required), required + " in " + entries);
            }
            String readme = new String(zip.getInputStream(zip.getEntry(base + "/doc/README.md")).readAllBytes(),
                    StandardCharsets.UTF_8);
            Matcher link = LOCAL_LINK.matcher(readme);
            int docLinks = 0;
            while (link.find()) {
                String target = link.group(1);
                if (target.startsWith("docs/")) {
                    docLinks++;
                    assertTrue(entries.contains(base + "/doc/" + target), "doc/README.md links to " + target
                            + ", which the archive lacks");
                }
            }
            assertTrue(docLinks > 0, "the README links to docs/tables.md");
        }
    }
}
