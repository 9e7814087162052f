package io.kcintercom.connect.docs;

import io.kcintercom.connect.config.IntercomSourceConnectorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The README's configuration reference, generated from the connector's {@code ConfigDef} so it
 * never drifts from the code. {@code main} rewrites the README section in place;
 * {@link ConfigReferenceTest} fails when the README is stale.
 */
public final class ConfigReference {
    static final String BEGIN = "<!-- config-reference:begin (generated from the ConfigDef; run ConfigReference) -->";
    static final String END = "<!-- config-reference:end -->";

    private ConfigReference() {
    }

    static String markdown() {
        StringBuilder out = new StringBuilder();
        String group = null;
        List<ConfigDef.ConfigKey> keys = IntercomSourceConnectorConfig.CONFIG_DEF.configKeys().values().stream()
                .filter(k -> !k.internalConfig)
                .toList();
        for (ConfigDef.ConfigKey key : keys) {
            if (!key.group.equals(group)) {
                group = key.group;
                out.append("\n#### ").append(group).append("\n\n");
                out.append("| key | type | default | valid values | description |\n");
                out.append("|---|---|---|---|---|\n");
            }
            out.append("| `").append(key.name).append("` | ").append(key.type.name().toLowerCase())
                    .append(" | ").append(defaultOf(key))
                    .append(" | ").append(key.validator == null ? "" : escape(key.validator.toString()))
                    .append(" | ").append(escape(key.documentation)).append(" |\n");
        }
        return out.toString();
    }

    private static String defaultOf(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "(required)";
        }
        Object value = key.defaultValue;
        String text = value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                : String.valueOf(value);
        return text.isEmpty() ? "\"\"" : "`" + text + "`";
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    static String withReference(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException("README has no config reference markers");
        }
        return readme.substring(0, begin + BEGIN.length()) + "\n" + markdown() + "\n" + readme.substring(end);
    }

    public static void main(String[] args) throws IOException {
        Path readme = Path.of(args.length > 0 ? args[0] : "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        Files.writeString(readme, withReference(text), StandardCharsets.UTF_8);
    }
}
