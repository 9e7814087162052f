package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.table.JsonPaths;
import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a page of conversations into their groups of records: the conversation with its
 * attachments, tags and customers (all from the search result), then its parts and their
 * attachments, which only {@code GET /conversations/{id}} returns. Those requests, one per
 * changed conversation, run concurrently through {@link FollowUps}.
 */
final class ConversationGroups implements GroupBuilder {
    private static final Logger log = LoggerFactory.getLogger(ConversationGroups.class);

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
    public java.util.Map<String, java.util.function.LongSupplier> counters() {
        return java.util.Map.of("vanished-objects", vanished::get, "truncated-conversations", truncated::get);
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
        List<Callable<JsonNode>> calls = new ArrayList<>();
        if (needParts) {
            for (JsonNode conversation : conversations) {
                String id = JsonPaths.text(conversation, "id");
                calls.add(() -> detail(id));
            }
        }
        return PendingGroups.of(followUps.submitAll(calls),
                details -> assemble(conversations, needParts, details));
    }

    private List<RecordFactory.Group> assemble(List<JsonNode> conversations, boolean needParts,
                                               List<JsonNode> details) {
        List<RecordFactory.Group> groups = new ArrayList<>(conversations.size());
        for (int i = 0; i < conversations.size(); i++) {
            JsonNode conversation = conversations.get(i);
            String id = JsonPaths.text(conversation, "id");
            RecordFactory.Group group = records.group(Resource.CONVERSATIONS, "conversation " + id);
            group.add(Tables.CONVERSATIONS, conversation);
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
            if (needParts && details.get(i) != null) {
                addParts(group, id, details.get(i));
            }
            groups.add(group);
        }
        return groups;
    }

    private void addParts(RecordFactory.Group group, String conversationId, JsonNode detail) {
        JsonNode list = detail.get("conversation_parts");
        int received = 0;
        for (JsonNode part : JsonPaths.items(list, "conversation_parts")) {
            received++;
            group.addChild(Tables.CONVERSATION_PARTS, part, "conversations_pk", conversationId);
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
