package io.kcintercom.connect.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import io.kcintercom.connect.table.Column;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The keys every table should hold for a sample workspace, computed from the workspace's live state, so
 * they follow every removal (untagged, detached, segment moves, dropped social profiles and notes, deleted
 * contacts, companies and conversations, converted and merged leads): a row a connector failed to
 * retract is an extra key. sandbox/ExpectedRowsFollowRemovalsTest proves it.
 */
public final class ExpectedRows {
    private ExpectedRows() {
    }

    /** The key of a row as "a|b", the key columns' values in table order. */
    public static String keyOf(String table, JsonNode key) {
        List<String> parts = new ArrayList<>();
        for (Column column : Tables.get(table).keyColumns()) {
            JsonNode value = key.get(column.name());
            parts.add(value == null || value.isNull() ? "" : value.asText());
        }
        return String.join("|", parts);
    }

    public static Map<String, Set<String>> forWorkspace(SampleWorkspace ws, List<String> tables) {
        return forWorkspace(ws, tables, List.of("user", "lead"));
    }

    /**
     * As {@link #forWorkspace(SampleWorkspace, List)}, with notes and event summaries only of the
     * contacts of {@code roles}: those tables are fed by whichever of users and leads is read.
     */
    public static Map<String, Set<String>> forWorkspace(SampleWorkspace ws, java.util.Collection<String> tables,
                                                        List<String> roles) {
        Map<String, Set<String>> expected = new java.util.LinkedHashMap<>();
        tables.forEach(t -> expected.put(t, new LinkedHashSet<>()));
        for (String role : roles) {
            String prefix = role.equals("user") ? "users" : "leads";
            for (JsonNode contact : ws.contacts(role)) {
                String id = contact.get("id").asText();
                add(expected, prefix, id);
                ws.contactTags(id).forEach(t -> add(expected, prefix + "_tags", id + "|" + t.get("id").asText()));
                ws.contactSegments(id).forEach(s -> add(expected, prefix + "_segments", id + "|" + s.get("id").asText()));
                ws.contactCompanies(id).forEach(c -> add(expected, prefix + "_companies",
                        id + "|" + c.get("id").asText()));
                for (JsonNode profile : contact.path("social_profiles").path("data")) {
                    add(expected, prefix + "_social_profiles",
                            id + "|" + profile.path("name").asText() + "|" + profile.path("url").asText());
                }
                ws.notes(id).forEach(n -> add(expected, Tables.NOTES, n.get("id").asText()));
                ws.eventSummaries(id).forEach(e -> add(expected, Tables.EVENTS_SUMMARY,
                        id + "|" + e.get("name").asText()));
            }
        }
        ws.companies().forEach(c -> add(expected, Tables.COMPANIES, c.get("id").asText()));
        ws.admins().forEach(a -> add(expected, Tables.ADMINS, a.get("id").asText()));
        ws.teams().forEach(a -> add(expected, Tables.ADMINS, a.get("id").asText()));
        ws.tags().forEach(t -> add(expected, Tables.TAGS, t.get("id").asText()));
        ws.segments().forEach(s -> add(expected, Tables.SEGMENTS, s.get("id").asText()));
        for (JsonNode conversation : ws.conversations()) {
            String id = conversation.get("id").asText();
            add(expected, Tables.CONVERSATIONS, id);
            for (JsonNode a : conversation.path("source").path("attachments")) {
                add(expected, Tables.CONVERSATIONS_ATTACHMENTS, id + "|" + a.get("url").asText());
            }
            for (JsonNode t : conversation.path("tags").path("tags")) {
                add(expected, Tables.CONVERSATIONS_TAGS, id + "|" + t.get("id").asText());
            }
            for (JsonNode c : conversation.path("contacts").path("contacts")) {
                add(expected, Tables.CONVERSATIONS_CUSTOMERS, id + "|" + c.get("id").asText());
            }
            List<JsonNode> parts = ws.parts(id);
            // The API returns only the 500 most recent parts; older ones are unreachable.
            for (JsonNode part : parts.subList(Math.max(0, parts.size() - 500), parts.size())) {
                String partId = part.get("id").asText();
                add(expected, Tables.CONVERSATION_PARTS, partId);
                for (JsonNode a : part.path("attachments")) {
                    add(expected, Tables.CONVERSATION_PARTS_ATTACHMENTS, partId + "|" + a.get("url").asText());
                }
            }
        }
        return expected;
    }

    /**
     * Per table of {@code want} whose keys in {@code have} differ: "extra [..], missing [..]", sorted by
     * table; empty when every table holds exactly the keys it should (a table absent from {@code have}
     * holds none).
     */
    public static Map<String, String> differences(Map<String, Set<String>> have, Map<String, Set<String>> want) {
        Map<String, String> differences = new TreeMap<>();
        want.forEach((table, wanted) -> {
            Set<String> held = have.getOrDefault(table, Set.of());
            Set<String> extra = new TreeSet<>(held);
            extra.removeAll(wanted);
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(held);
            if (!extra.isEmpty() || !missing.isEmpty()) {
                differences.put(table, "extra " + extra + ", missing " + missing);
            }
        });
        return differences;
    }

    private static void add(Map<String, Set<String>> expected, String table, String key) {
        Set<String> keys = expected.get(table);
        if (keys != null) {
            keys.add(key);
        }
    }
}
