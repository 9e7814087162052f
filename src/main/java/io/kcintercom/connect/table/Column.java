package io.kcintercom.connect.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One column of a table: its name, type, and where its value comes from in the API object.
 *
 * <p>A column lists candidate JSON paths (dot separated); the first one present and not null
 * wins. That is how one definition accepts both today's v2 field names and the legacy names
 * users know (e.g. {@code last_request_at} or {@code last_seen_at}). A few columns are derived
 * from several fields and carry a function instead.
 */
public final class Column {
    private final String name;
    private final ColumnType type;
    private final boolean required;
    private final List<String[]> paths;
    private final Function<JsonNode, JsonNode> derivation;

    private Column(String name, ColumnType type, boolean required, List<String> paths,
                   Function<JsonNode, JsonNode> derivation) {
        this.name = Objects.requireNonNull(name);
        this.type = Objects.requireNonNull(type);
        this.required = required;
        this.paths = paths.stream().map(p -> p.split("\\.")).toList();
        this.derivation = derivation;
    }

    /** A column read from the same-named field, or from the given paths in order. */
    public static Column of(String name, ColumnType type, String... paths) {
        return new Column(name, type, false, paths.length == 0 ? List.of(name) : List.of(paths), null);
    }

    /** A required column (its absence in a payload is a malformed payload). */
    public static Column required(String name, ColumnType type, String... paths) {
        return new Column(name, type, true, paths.length == 0 ? List.of(name) : List.of(paths), null);
    }

    /** A required column whose value is the same for every row of its table, whatever the object says. */
    public static Column constant(String name, ColumnType type, String value) {
        JsonNode node = JsonNodeFactory.instance.textNode(value);
        return new Column(name, type, true, List.of(), object -> node);
    }

    /** A column computed from the whole object. */
    public static Column derived(String name, ColumnType type, Function<JsonNode, JsonNode> derivation) {
        return new Column(name, type, false, List.of(), derivation);
    }

    public String name() {
        return name;
    }

    public ColumnType type() {
        return type;
    }

    public boolean required() {
        return required;
    }

    /** The raw JSON value of this column in {@code object}, or null when absent. */
    JsonNode locate(JsonNode object) {
        if (derivation != null) {
            return derivation.apply(object);
        }
        for (String[] path : paths) {
            JsonNode node = JsonPaths.at(object, path);
            if (node != null && !node.isNull()) {
                return node;
            }
        }
        return null;
    }
}
