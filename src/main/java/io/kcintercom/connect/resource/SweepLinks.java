package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.state.EmittedKeys;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@link SearchSweep} compares for each listed object the store knows: its inline links (tags
 * and companies of a contact, the full list where Intercom truncates it; tags of a conversation) and
 * a contact's quiet children ({@link QuietContactChildren}), against the stored keys.
 */
final class SweepLinks {
    private static final Logger log = LoggerFactory.getLogger(SweepLinks.class);
    private final Resource resource;
    private final IntercomClient client;
    private final RecordFactory records;
    private final EmittedKeys keys;
    private final AtomicLong retractions;
    private final String parentTable;
    /** Contacts' social profiles and notes, which change without updated_at moving; null for conversations. */
    private final QuietContactChildren quietChildren;
    private long requests;

    /** @param retractions counts the groups retracting links */
    SweepLinks(Resource resource, IntercomClient client, RecordFactory records, AtomicLong retractions) {
        this.resource = resource;
        this.client = client;
        this.records = records;
        this.keys = records.emitted();
        this.retractions = retractions;
        this.parentTable = parentTable(resource);
        this.quietChildren = resource == Resource.CONVERSATIONS ? null
                : new QuietContactChildren(resource, client, records);
    }

    static String parentTable(Resource resource) {
        return resource == Resource.CONVERSATIONS ? Tables.CONVERSATIONS : RoleTables.of(resource).parent();
    }

    /** Requests made for truncated lists and quiet children. */
    long requests() {
        return requests;
    }

    /**
     * A group holding the object and its current links of every covered table, when any differs
     * from the stored keys; null when they all match.
     */
    RecordFactory.Group changed(String id, JsonNode object) {
        try {
            return compared(id, object);
        } catch (IntercomApiException e) {
            if (!FollowUpPlan.revealsDelete(e)) {
                throw e;
            }
            // Deleted or merged since the page was listed: retracted as a pass's follow-up would, with
            // every child row stored for it, rather than failing the sweep and listing again from page 1.
            log.info("{}: {} was not found when the sweep read its lists (HTTP {}: deleted or merged); its rows "
                    + "are retracted", resource.id(), id, e.status());
            retractions.incrementAndGet();
            return records.group(resource, "sweep: " + resource.id() + " " + id + " gone").parent(parentTable, id)
                    .removeParent();
        }
    }

    private RecordFactory.Group compared(String id, JsonNode object) {
        Map<String, List<JsonNode>> links = currentLinks(id, object);
        boolean differs = false;
        boolean retracts = false;
        for (Map.Entry<String, List<JsonNode>> table : links.entrySet()) {
            Set<String> now = new HashSet<>();
            table.getValue().forEach(item -> {
                String childId = JsonPaths.text(item, "id");
                if (childId != null) {
                    now.add(childId);
                }
            });
            Set<String> stored = keys.childIds(resource, id, table.getKey());
            differs |= !now.equals(stored);
            retracts |= !now.containsAll(stored);
        }
        QuietContactChildren.Changes quiet = quietChildren == null ? null : quietChildren.compare(id, object);
        if (quiet != null && quiet.any()) {
            differs = true;
            retracts |= quiet.retracts();
        }
        if (!differs) {
            return null;
        }
        String parentKey = parentTable + "_pk";
        Set<String> covered = new HashSet<>(links.keySet());
        if (quiet != null) {
            covered.addAll(quiet.tables());
        }
        RecordFactory.Group group = records.group(resource, "sweep: " + resource.id() + " " + id + " links")
                .parent(parentTable, id).covering(covered);
        group.add(parentTable, object);
        if (!group.lastSkipped()) {
            links.forEach((table, items) -> items.forEach(item -> group.addChild(table, item, parentKey, id)));
            if (quiet != null && quiet.any()) {
                requests += quietChildren.addCurrent(group, id, object, quiet);
            }
        }
        if (retracts) {
            retractions.incrementAndGet();
        }
        return group;
    }

    /** The enabled link tables the sweep compares, each with the object's current items. */
    private Map<String, List<JsonNode>> currentLinks(String id, JsonNode object) {
        Map<String, List<JsonNode>> links = new LinkedHashMap<>();
        if (resource == Resource.CONVERSATIONS) {
            if (records.enabled(Tables.CONVERSATIONS_TAGS)) {
                links.put(Tables.CONVERSATIONS_TAGS, SubLists.itemsOf(object.get("tags"), "tags"));
            }
            return links;
        }
        RoleTables tables = RoleTables.of(resource);
        if (records.enabled(tables.tags())) {
            links.put(tables.tags(), fullList(id, object, "tags"));
        }
        if (records.enabled(tables.companies())) {
            links.put(tables.companies(), fullList(id, object, "companies"));
        }
        return links;
    }

    /** A contact's inline list, or the whole list from its URL where Intercom truncated it (as {@link ContactGroups}). */
    private List<JsonNode> fullList(String id, JsonNode contact, String field) {
        JsonNode inline = contact.get(field);
        if (!SubLists.isTruncated(inline)) {
            return SubLists.itemsOf(inline, field);
        }
        String url = SubLists.listUrl(inline, "/contacts/" + SubLists.encode(id) + "/" + field);
        requests++;
        return SubLists.fetchAll(client, url, resource.id() + " sweep contact " + id + " " + field, field);
    }
}
