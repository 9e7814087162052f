package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a page of contacts (users or leads) into their groups of records: the contact, its tags,
 * companies and social profiles (inline, or from the list URL when Intercom truncated the inline
 * list), and, when their tables are enabled, its segments, notes and event summary, which each
 * need a request of their own. Those requests run concurrently through {@link FollowUps}.
 */
final class ContactGroups implements GroupBuilder {
    private static final Logger log = LoggerFactory.getLogger(ContactGroups.class);

    private final Resource resource;
    private final IntercomClient client;
    private final RecordFactory records;
    private final FollowUps followUps;
    private final String parentTable;
    private final String parentKey;
    private final String tagsTable;
    private final String segmentsTable;
    private final String companiesTable;
    private final String socialTable;
    private final AtomicLong vanished = new AtomicLong();

    ContactGroups(Resource resource, IntercomClient client, RecordFactory records, FollowUps followUps) {
        this.resource = resource;
        this.client = client;
        this.records = records;
        this.followUps = followUps;
        boolean users = resource == Resource.USERS;
        this.parentTable = users ? Tables.USERS : Tables.LEADS;
        this.parentKey = parentTable + "_pk";
        this.tagsTable = users ? Tables.USERS_TAGS : Tables.LEADS_TAGS;
        this.segmentsTable = users ? Tables.USERS_SEGMENTS : Tables.LEADS_SEGMENTS;
        this.companiesTable = users ? Tables.USERS_COMPANIES : Tables.LEADS_COMPANIES;
        this.socialTable = users ? Tables.USERS_SOCIAL_PROFILES : Tables.LEADS_SOCIAL_PROFILES;
    }

    @Override
    public java.util.Map<String, java.util.function.LongSupplier> counters() {
        return java.util.Map.of("vanished-objects", vanished::get);
    }

    /** Contacts that vanished (404) between the search and a follow-up request. */
    long vanishedCount() {
        return vanished.get();
    }

    @Override
    public PendingGroups start(List<JsonNode> contacts) {
        // Contacts of this page already counted as vanished (each has several follow-ups).
        Set<String> vanishedIds = ConcurrentHashMap.newKeySet();
        List<Callable<List<JsonNode>>> calls = new ArrayList<>();
        List<int[]> callRanges = new ArrayList<>();
        for (JsonNode contact : contacts) {
            int first = calls.size();
            String id = JsonPaths.text(contact, "id");
            String encoded = SubLists.encode(id);
            addIfTruncated(calls, vanishedIds, contact, "tags", tagsTable, "/contacts/" + encoded + "/tags", id,
                    "tags");
            addIfTruncated(calls, vanishedIds, contact, "companies", companiesTable,
                    "/contacts/" + encoded + "/companies", id, "companies");
            if (records.enabled(segmentsTable)) {
                calls.add(followUp(vanishedIds, id, "segments",
                        () -> SubLists.fetchAll(client, "/contacts/" + encoded + "/segments", context(id, "segments"),
                                "segments")));
            }
            if (records.enabled(Tables.NOTES)) {
                calls.add(followUp(vanishedIds, id, "notes",
                        () -> SubLists.fetchAll(client, "/contacts/" + encoded + "/notes?per_page=50",
                                context(id, "notes"), "notes")));
            }
            if (records.enabled(Tables.EVENTS_SUMMARY)) {
                calls.add(followUp(vanishedIds, id, "event summary", () -> eventSummaries(id, encoded)));
            }
            callRanges.add(new int[] {first, calls.size()});
        }
        return PendingGroups.of(followUps.submitAll(calls),
                results -> assemble(contacts, callRanges, results));
    }

    private List<RecordFactory.Group> assemble(List<JsonNode> contacts, List<int[]> callRanges,
                                               List<List<JsonNode>> results) {
        List<RecordFactory.Group> groups = new ArrayList<>(contacts.size());
        for (int i = 0; i < contacts.size(); i++) {
            JsonNode contact = contacts.get(i);
            String id = JsonPaths.text(contact, "id");
            int next = callRanges.get(i)[0];
            RecordFactory.Group group = records.group(resource, context(id, "contact"));
            group.add(parentTable, contact);

            List<JsonNode> tags = isTruncated(contact, "tags", tagsTable) ? results.get(next++) : inline(contact, "tags");
            tags.forEach(tag -> group.addChild(tagsTable, tag, parentKey, id));
            List<JsonNode> companies = isTruncated(contact, "companies", companiesTable)
                    ? results.get(next++) : inline(contact, "companies");
            companies.forEach(company -> group.addChild(companiesTable, company, parentKey, id));
            group.addChildren(socialTable, contact.get("social_profiles"), parentKey, id, "social_profiles");
            if (records.enabled(segmentsTable)) {
                results.get(next++).forEach(segment -> group.addChild(segmentsTable, segment, parentKey, id));
            }
            if (records.enabled(Tables.NOTES)) {
                results.get(next++).forEach(note -> group.add(Tables.NOTES, aboutContact(note, id)));
            }
            if (records.enabled(Tables.EVENTS_SUMMARY)) {
                results.get(next++).forEach(event -> group.addChild(Tables.EVENTS_SUMMARY, event, "user_id", id));
            }
            groups.add(group);
        }
        return groups;
    }

    /** Notes name their contact; one that does not is still about the contact it was listed under. */
    private static JsonNode aboutContact(JsonNode note, String contactId) {
        if (!note.isObject() || JsonPaths.text(note, "contact.id") != null) {
            return note;
        }
        ObjectNode copy = ((ObjectNode) note).deepCopy();
        copy.putObject("contact").put("type", "contact").put("id", contactId);
        return copy;
    }

    private void addIfTruncated(List<Callable<List<JsonNode>>> calls, Set<String> vanishedIds, JsonNode contact,
                                String field, String table, String fallbackUrl, String id, String itemKey) {
        if (isTruncated(contact, field, table)) {
            String url = JsonPaths.text(contact, field + ".url");
            String listUrl = url == null || url.isBlank() ? fallbackUrl : url;
            calls.add(followUp(vanishedIds, id, field,
                    () -> SubLists.fetchAll(client, listUrl, context(id, field), itemKey)));
        }
    }

    /** Intercom inlines at most 10 entries of these lists; {@code has_more} says there are others. */
    private boolean isTruncated(JsonNode contact, String field, String table) {
        if (!records.enabled(table)) {
            return false;
        }
        JsonNode list = contact.get(field);
        if (list == null || !list.isObject()) {
            return false;
        }
        JsonNode hasMore = list.get("has_more");
        if (hasMore != null && hasMore.asBoolean(false)) {
            return true;
        }
        JsonNode total = list.get("total_count");
        return total != null && total.canConvertToInt() && total.asInt() > countOf(list);
    }

    private static int countOf(JsonNode list) {
        int n = 0;
        for (JsonNode ignored : JsonPaths.items(list)) {
            n++;
        }
        return n;
    }

    private static List<JsonNode> inline(JsonNode contact, String field) {
        List<JsonNode> items = new ArrayList<>();
        JsonPaths.items(contact.get(field), field).forEach(items::add);
        return items;
    }

    private List<JsonNode> eventSummaries(String id, String encoded) {
        JsonNode body = client.get("/events?type=user&summary=true&intercom_user_id=" + encoded,
                context(id, "event summary"));
        List<JsonNode> events = new ArrayList<>();
        JsonPaths.items(body.get("events"), "events").forEach(events::add);
        return events;
    }

    /** A follow-up whose 404 means the contact was deleted or merged meanwhile: no rows, counted. */
    private Callable<List<JsonNode>> followUp(Set<String> vanishedIds, String id, String what,
                                              Supplier<List<JsonNode>> call) {
        return () -> {
            try {
                return call.get();
            } catch (IntercomApiException e) {
                if (e.isNotFound()) {
                    if (vanishedIds.add(id)) {
                        vanished.incrementAndGet();
                    }
                    log.info("{}: contact {} was not found when reading its {} (deleted or merged since the "
                            + "search); its {} rows are skipped", resource.id(), id, what, what);
                    return List.of();
                }
                throw e;
            }
        };
    }

    private String context(String id, String what) {
        return resource.id() + " contact " + id + " " + what;
    }
}
