package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A contact's child rows that change without its {@code updated_at} moving and that the sweep's
 * listing shows at no extra request: social profiles (inline and complete) and notes (their inline
 * ids, or the inline {@code total_count} where Intercom truncates the list). Tags and companies are
 * compared by {@link SearchSweep} itself. A dropped social profile or a deleted note is retracted
 * within one sweep; changed notes cost one notes request for that contact, for their bodies.
 */
final class QuietContactChildren {
    /** Separates a social profile's name and url as {@link EmittedKeys#childIds} joins key fields. */
    private static final String FIELD_SEPARATOR = "\u001f";

    private final Resource resource;
    private final IntercomClient client;
    private final RecordFactory records;
    private final EmittedKeys keys;
    private final RoleTables tables;

    QuietContactChildren(Resource resource, IntercomClient client, RecordFactory records) {
        this.resource = resource;
        this.client = client;
        this.records = records;
        this.keys = records.emitted();
        this.tables = RoleTables.of(resource);
    }

    /** What differs from the stored keys: the tables to cover, and whether any stored key is gone. */
    record Changes(Set<String> tables, boolean retracts) {
        boolean any() {
            return !tables.isEmpty();
        }
    }

    Changes compare(String id, JsonNode contact) {
        Set<String> changed = new LinkedHashSet<>();
        boolean retracts = false;
        if (records.enabled(tables.social())) {
            Set<String> now = socialIds(contact.get("social_profiles"));
            Set<String> stored = keys.childIds(resource, id, tables.social());
            if (!now.equals(stored)) {
                changed.add(tables.social());
                retracts = !now.containsAll(stored);
            }
        }
        if (records.enabled(Tables.NOTES)) {
            JsonNode inline = contact.get("notes");
            Set<String> stored = keys.childIds(resource, id, Tables.NOTES);
            if (inline != null && inline.isObject() && SubLists.isTruncated(inline)) {
                int total = inline.path("total_count").asInt(-1);
                if (total >= 0 && total != stored.size()) {
                    changed.add(Tables.NOTES);
                    retracts |= total < stored.size();
                }
            } else if (inline != null && inline.isObject()) {
                Set<String> now = ids(SubLists.itemsOf(inline, "notes"));
                if (!now.equals(stored)) {
                    changed.add(Tables.NOTES);
                    retracts |= !now.containsAll(stored);
                }
            }
        }
        return new Changes(changed, retracts);
    }

    /** Adds the contact's current rows of the changed tables; returns the requests it made. */
    int addCurrent(RecordFactory.Group group, String id, JsonNode contact, Changes changes) {
        int requests = 0;
        if (changes.tables().contains(tables.social())) {
            group.addChildren(tables.social(), contact.get("social_profiles"), tables.parentKey(), id,
                    "social_profiles");
        }
        // Notes covered with no row when the inline list says there are none left: no request needed.
        if (changes.tables().contains(Tables.NOTES) && ContactGroups.mayHaveNotes(contact.get("notes"))) {
            requests++;
            String path = "/contacts/" + SubLists.encode(id) + "/notes?per_page=50";
            SubLists.fetchAll(client, path, resource.id() + " sweep contact " + id + " notes", "notes")
                    .forEach(note -> group.add(Tables.NOTES, ContactGroups.aboutContact(note, id)));
        }
        return requests;
    }

    /** A social profile's key fields as the store gives them back: name and url, a missing one empty. */
    private static Set<String> socialIds(JsonNode list) {
        Set<String> ids = new HashSet<>();
        for (JsonNode profile : SubLists.itemsOf(list, "social_profiles")) {
            String name = JsonPaths.text(profile, "name");
            String url = JsonPaths.text(profile, "url");
            ids.add((name == null ? "" : name) + FIELD_SEPARATOR + (url == null ? "" : url));
        }
        return ids;
    }

    private static Set<String> ids(List<JsonNode> items) {
        Set<String> ids = new HashSet<>();
        items.forEach(item -> {
            String id = JsonPaths.text(item, "id");
            if (id != null) {
                ids.add(id);
            }
        });
        return ids;
    }
}
