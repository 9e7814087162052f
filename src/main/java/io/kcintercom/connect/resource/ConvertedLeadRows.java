package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.List;

/** The rows a vanished lead shares with the users side when it was converted in place ({@link SearchSweep}). */
final class ConvertedLeadRows {
    private final IntercomClient client;
    private final RecordFactory records;
    private long requests;

    ConvertedLeadRows(IntercomClient client, RecordFactory records) {
        this.client = client;
        this.records = records;
    }

    long requests() {
        return requests;
    }

    /**
     * Notes and event summaries are keyed without the role, so the users side of a lead converted in
     * place emits the same keys the lead's removal just retracted. For a lead that is now a user (one
     * GET per vanished lead: deleted, merged or converted, all rare), those rows are emitted again
     * after the tombstones, as rows of no parent: the users side owns them in the store.
     */
    List<RecordFactory.Group> ifNowAUser(String id) {
        if (!records.enabled(Tables.NOTES) && !records.enabled(Tables.EVENTS_SUMMARY)) {
            return List.of();
        }
        String context = "leads sweep contact " + id;
        JsonNode contact;
        try {
            requests++;
            contact = client.get("/contacts/" + SubLists.encode(id), context);
        } catch (IntercomApiException e) {
            if (FollowUpPlan.revealsDelete(e)) {
                return List.of(); // deleted or merged: its rows go with it
            }
            throw e;
        }
        if (!"user".equals(JsonPaths.text(contact, "role"))) {
            return List.of();
        }
        RecordFactory.Group group = records.group(Resource.LEADS, "sweep: lead " + id + " became a user");
        if (records.enabled(Tables.NOTES)) {
            requests++;
            SubLists.fetchAll(client, "/contacts/" + SubLists.encode(id) + "/notes?per_page=50", context + " notes",
                    "notes").forEach(note -> group.add(Tables.NOTES, ContactGroups.aboutContact(note, id)));
        }
        if (records.enabled(Tables.EVENTS_SUMMARY)) {
            requests++;
            JsonNode events = client.get("/events?type=user&summary=true&intercom_user_id=" + SubLists.encode(id),
                    context + " event summary");
            SubLists.itemsOf(events.get("events"), "events")
                    .forEach(event -> group.addChild(Tables.EVENTS_SUMMARY, event, "user_id", id));
        }
        return group.isEmpty() ? List.of() : List.of(group);
    }
}
