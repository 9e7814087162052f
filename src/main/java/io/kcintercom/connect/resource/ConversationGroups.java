package io.kcintercom.connect.resource;

import static io.kcintercom.connect.resource.ConversationGroups.ConversationFollowUp.WITH_PARTS;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
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

    /** Conversations that vanished (404) between the search and the request for their parts. */
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
        group.add(Tables.CONVERSATIONS, conversation);
        if (group.lastSkipped()) {
            return group; // its child rows are skipped with it
        }
        JsonNode attachments = JsonPaths.at(conversation, "source.attachments");
        if (attachments == null) {
            attachments = JsonPaths.at(conversation, "conversation_message.attachments");
        }
        group.addChildren(Tables.CONVERSATIONS_ATTACHMENTS, attachments, "conversations_pk", id, "attachments");
        group.addChildren(Tables.CONVERSATIONS_TAGS, conversation.get("tags"), "conversations_pk", id, "tags");
        JsonNode customers = conversation.get("contacts");
        if (customers == null) {
            customers = conversation.get("customers");
        }
        group.addChildren(Tables.CONVERSATIONS_CUSTOMERS, customers, "conversations_pk", id, "contacts",
                "customers");
        // Not planned when no parts table is enabled; null when the conversation vanished meanwhile.
        JsonNode withParts = results.orElse(WITH_PARTS, null);
        if (withParts != null) {
            addParts(group, id, withParts);
        }
        return group;
    }

    @Override
    public RecordFactory.Group unusable(SearchQuery.Unusable conversation, String context) {
        return records.group(Resource.CONVERSATIONS, "search result at " + context)
                .skip(Tables.CONVERSATIONS, conversation.object(), conversation.column(), conversation.reason());
    }

    private void addParts(RecordFactory.Group group, String conversationId, JsonNode detail) {
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
        }
    }

    private JsonNode detail(String id) {
        try {
            return client.get("/conversations/" + SubLists.encode(id), "conversations conversation " + id + " parts");
        } catch (IntercomApiException e) {
            if (e.isNotFound()) {
                vanished.incrementAndGet();
                log.info("conversations: conversation {} was not found when reading its parts (deleted since "
                        + "the search); its parts are skipped", id);
                return null;
            }
            throw e;
        }
    }
}
