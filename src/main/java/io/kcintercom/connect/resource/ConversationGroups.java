package io.kcintercom.connect.resource;

import static io.kcintercom.connect.resource.ConversationGroups.ConversationFollowUp.WITH_PARTS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a page of conversations into their groups of records: the conversation with its
 * attachments, tags and customers (all from the search result), then its parts and their
 * attachments, which only {@code GET /conversations/{id}} returns. Those requests, one per
 * changed conversation when a parts table is enabled, are planned in a {@link FollowUpPlan} and
 * run concurrently through {@link FollowUps}.
 *
 * <p>That request answering 404 (or 410) reveals the conversation is deleted: its group then
 * holds tombstones for the conversation and the attachments, tags and customers its search result
 * names, with the positions its rows would have had. Its parts cannot be named (only the request
 * that failed lists them), so their rows stay until issue 16's reconciliation sweep; without a
 * parts table no request is made and a delete is not seen here.
 */
final class ConversationGroups implements GroupBuilder {
    private static final Logger log = LoggerFactory.getLogger(ConversationGroups.class);

    /** A conversation's follow-up: {@code GET /conversations/{id}}, the only answer carrying its parts. */
    enum ConversationFollowUp {
        WITH_PARTS
    }

    private final IntercomClient client;
    private final RecordFactory records;
    private final FollowUps followUps;
    private final AtomicLong vanished = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();

    ConversationGroups(IntercomClient client, RecordFactory records, FollowUps followUps) {
        this.client = client;
        this.records = records;
        this.followUps = followUps;
    }

    @Override
    public Map<String, LongSupplier> counters() {
        return Map.of("vanished-objects", vanished::get, "truncated-conversations", truncated::get);
    }

    /** Conversations whose parts Intercom cut to the most recent 500. */
    long truncatedCount() {
        return truncated.get();
    }

    /** Conversations that vanished (404 or 410) between the search and the request for their parts. */
    long vanishedCount() {
        return vanished.get();
    }

    @Override
    public PendingGroups start(List<JsonNode> conversations) {
        boolean needParts = records.enabled(Tables.CONVERSATION_PARTS)
                || records.enabled(Tables.CONVERSATION_PARTS_ATTACHMENTS);
        FollowUpPlan<ConversationFollowUp, JsonNode> plan = new FollowUpPlan<>(ConversationFollowUp.class);
        for (JsonNode conversation : conversations) {
            String id = JsonPaths.text(conversation, "id");
            plan.add(conversation, needParts ? Map.of(WITH_PARTS, () -> detail(id)) : Map.of());
        }
        return plan.start(followUps, this::assemble);
    }

    private RecordFactory.Group assemble(JsonNode conversation,
                                         FollowUpPlan.Results<ConversationFollowUp, JsonNode> results) {
        String id = JsonPaths.text(conversation, "id");
        RecordFactory.Group group = records.group(Resource.CONVERSATIONS, "conversation " + id);
        JsonNode attachments = JsonPaths.at(conversation, "source.attachments");
        if (attachments == null) {
            attachments = JsonPaths.at(conversation, "conversation_message.attachments");
        }
        JsonNode customers = conversation.get("contacts");
        if (customers == null) {
            customers = conversation.get("customers");
        }
        // Not planned when no parts table is enabled; missing when the conversation is gone.
        JsonNode withParts = results.orElse(WITH_PARTS, null);
        if (withParts != null && withParts.isMissingNode()) {
            return group.remove(Tables.CONVERSATIONS, conversation)
                    .removeChildren(Tables.CONVERSATIONS_ATTACHMENTS, attachments, "conversations_pk", id,
                            "attachments")
                    .removeChildren(Tables.CONVERSATIONS_TAGS, conversation.get("tags"), "conversations_pk", id,
                            "tags")
                    .removeChildren(Tables.CONVERSATIONS_CUSTOMERS, customers, "conversations_pk", id, "contacts",
                            "customers")
                    .parent(Tables.CONVERSATIONS, id).removeParent(); // and every child row stored for it
        }
        group.add(Tables.CONVERSATIONS, conversation);
        if (group.lastSkipped()) {
            return group; // its child rows are skipped with it
        }
        group.addChildren(Tables.CONVERSATIONS_ATTACHMENTS, attachments, "conversations_pk", id, "attachments");
        group.addChildren(Tables.CONVERSATIONS_TAGS, conversation.get("tags"), "conversations_pk", id, "tags");
        group.addChildren(Tables.CONVERSATIONS_CUSTOMERS, customers, "conversations_pk", id, "contacts",
                "customers");
        List<String> complete = new ArrayList<>(List.of(Tables.CONVERSATIONS_ATTACHMENTS, Tables.CONVERSATIONS_TAGS,
                Tables.CONVERSATIONS_CUSTOMERS));
        // Parts are listed completely when read, unless Intercom truncated them (older parts are not gone).
        if (withParts != null && addParts(group, id, withParts)) {
            complete.addAll(List.of(Tables.CONVERSATION_PARTS, Tables.CONVERSATION_PARTS_ATTACHMENTS));
        }
        return group.parent(Tables.CONVERSATIONS, id).covering(complete);
    }

    @Override
    public RecordFactory.Group unusable(SearchQuery.Unusable conversation, String context) {
        return records.group(Resource.CONVERSATIONS, "search result at " + context)
                .skip(Tables.CONVERSATIONS, conversation.object(), conversation.column(), conversation.reason());
    }

    /** Adds the conversation's parts; false when Intercom returned only the most recent. */
    private boolean addParts(RecordFactory.Group group, String conversationId, JsonNode detail) {
        JsonNode list = detail.get("conversation_parts");
        int received = 0;
        for (JsonNode part : JsonPaths.items(list, "conversation_parts")) {
            received++;
            group.addChild(Tables.CONVERSATION_PARTS, part, "conversations_pk", conversationId);
            if (group.lastSkipped()) {
                continue; // the part's attachments are skipped with it
            }
            String partId = JsonPaths.text(part, "id");
            group.addChildren(Tables.CONVERSATION_PARTS_ATTACHMENTS, part.get("attachments"),
                    "conversation_parts_pk", partId, "attachments");
        }
        JsonNode total = list == null ? null : list.get("total_count");
        if (total != null && total.canConvertToLong() && total.asLong() > received) {
            truncated.incrementAndGet();
            log.warn("conversations: conversation {} has {} parts but Intercom returned only the {} most recent; "
                    + "older parts cannot be read through the API", conversationId, total.asLong(), received);
            return false;
        }
        return true;
    }

    /** The conversation with its parts, or a missing node when Intercom says it is gone. */
    private JsonNode detail(String id) {
        try {
            return client.get("/conversations/" + SubLists.encode(id), "conversations conversation " + id + " parts");
        } catch (IntercomApiException e) {
            if (FollowUpPlan.revealsDelete(e)) {
                vanished.incrementAndGet();
                log.info("conversations: conversation {} was not found when reading its parts (HTTP {}: deleted); "
                        + "its rows are retracted", id, e.status());
                return MissingNode.getInstance();
            }
            throw e;
        }
    }
}
