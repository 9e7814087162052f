package io.kcintercom.connect.resource;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a resource's offset was written for, kept in the offset beside the position: the workspace
 * the token read ({@code "workspace"}, the app's {@code id_code} from {@code GET /me}) and the
 * resource's tables that were enabled ({@code "tables"}, their names sorted and joined by commas).
 *
 * <p>A position says how far one workspace was read into some tables. Resumed for another
 * workspace it would skip that workspace's history; resumed after a table was enabled it would
 * leave the new table without the rows of every object read before. Either way the resource
 * starts over from {@code intercom.since}: records are upserts by key, so rows already in the
 * topics are only sent again. A table disabled since needs nothing re-read. An offset without
 * these keys (earlier versions, or one written through the REST API) is adopted as it is.
 *
 * <p>The workspace stays out of the source partition: Connect's REST offsets API and the stored
 * offsets name the partition {@code {"resource": ...}} (see {@link Offsets}).
 */
final class OffsetBinding {
    static final String WORKSPACE = "workspace";
    static final String TABLES = "tables";
    static final Set<String> KEYS = Set.of(WORKSPACE, TABLES);

    private final Resource resource;
    private final String tables;

    OffsetBinding(Resource resource, Collection<String> enabledTables) {
        this.resource = resource;
        this.tables = resource.tables().stream().filter(enabledTables::contains).sorted().distinct()
                .collect(Collectors.joining(","));
    }

    Resource resource() {
        return resource;
    }

    /** The resource's enabled tables as the offset stores them: sorted names joined by commas. */
    String tables() {
        return tables;
    }

    /**
     * Why a stored offset must not be resumed from, naming what changed (ids and table names only),
     * or null when it may be.
     *
     * @param workspace the workspace the token reads now, "" when unknown (then not compared)
     */
    String reasonToStartOver(Map<String, ?> offset, String workspace) {
        if (offset == null || offset.isEmpty()) {
            return null;
        }
        String storedWorkspace = OffsetFields.stringValue(offset, WORKSPACE);
        if (storedWorkspace != null && !workspace.isEmpty() && !storedWorkspace.equals(workspace)) {
            return "the access token now reads workspace " + workspace + " and the offset was written for workspace "
                    + storedWorkspace;
        }
        String storedTables = OffsetFields.stringValue(offset, TABLES);
        if (storedTables != null) {
            Set<String> before = Arrays.stream(storedTables.split(",")).map(String::trim).collect(Collectors.toSet());
            List<String> enabled = Arrays.stream(tables.split(",")).filter(t -> !t.isEmpty() && !before.contains(t))
                    .toList();
            if (!enabled.isEmpty()) {
                return "table" + (enabled.size() > 1 ? "s " : " ") + String.join(", ", enabled)
                        + (enabled.size() > 1 ? " were" : " was") + " enabled since the offset was written";
            }
        }
        return null;
    }

    /** The offset to store for a position: its map and what it was read for. */
    Map<String, Object> bind(Map<String, ?> position, String workspace) {
        Map<String, Object> offset = position == null ? new LinkedHashMap<>() : new LinkedHashMap<>(position);
        if (!workspace.isEmpty()) {
            offset.put(WORKSPACE, workspace);
        }
        offset.put(TABLES, tables);
        return offset;
    }
}
