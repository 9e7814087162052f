package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.Model.Attachment;
import io.kcintercom.connect.sandbox.Model.Author;
import io.kcintercom.connect.sandbox.Model.Conversation;
import io.kcintercom.connect.sandbox.Model.Part;
import io.kcintercom.connect.sandbox.Model.Tag;
import io.kcintercom.connect.sandbox.Model.TagLink;
import java.util.List;
import java.util.function.Function;

/** Conversations and conversation parts in the v2 API's JSON shapes (see the 2.11 conversation examples). */
final class ConversationJson {

    private ConversationJson() {
    }

    /**
     * @param maxParts  null for search/list items, which carry no parts; otherwise the API's cap, which keeps
     *                  the most recent parts
     * @param plainText display_as=plaintext
     */
    static ObjectNode conversation(Conversation c, Function<String, Tag> tags, Integer maxParts, boolean plainText) {
        ObjectNode o = Json.typed("conversation");
        o.put("id", c.id());
        o.put("created_at", c.createdAt());
        o.put("updated_at", c.updatedAt());
        o.put("waiting_since", c.waitingSince());
        o.put("snoozed_until", c.snoozedUntil());
        o.set("source", source(c, plainText));
        ArrayNode contacts = Json.array();
        c.contacts().forEach(ref -> contacts.add(Json.typed("contact").put("id", ref.id()).put("external_id", ref.externalId())));
        o.set("contacts", Json.typed("contact.list").set("contacts", contacts));
        o.set("first_contact_reply", firstContactReply(c));
        o.put("admin_assignee_id", c.adminAssigneeId());
        o.put("team_assignee_id", c.teamAssigneeId());
        o.put("open", c.open());
        o.put("state", c.state());
        o.put("read", c.read());
        o.set("tags", Json.typed("tag.list").set("tags", appliedTags(c.tags(), tags)));
        o.put("priority", c.priority());
        o.putNull("sla_applied");
        o.set("statistics", statistics(c));
        o.putNull("conversation_rating");
        o.putNull("teammates");
        o.put("title", c.title());
        o.set("custom_attributes", c.issueType() == null ? Json.object() : Json.object().put("issue_type", c.issueType()));
        o.set("topics", Json.object());
        o.putNull("ticket");
        ObjectNode linked = Json.typed("list");
        linked.set("data", Json.array());
        linked.put("total_count", 0);
        linked.put("has_more", false);
        o.set("linked_objects", linked);
        o.putNull("ai_agent");
        o.put("ai_agent_participated", false);
        if (maxParts != null) {
            List<Part> parts = c.parts();
            List<Part> shown = parts.subList(Math.max(0, parts.size() - maxParts), parts.size());
            ArrayNode partArray = Json.array();
            shown.forEach(p -> partArray.add(part(p, plainText)));
            ObjectNode partList = Json.typed("conversation_part.list");
            partList.set("conversation_parts", partArray);
            partList.put("total_count", parts.size());
            o.set("conversation_parts", partList);
        }
        return o;
    }

    static ObjectNode part(Part p, boolean plainText) {
        ObjectNode o = Json.typed("conversation_part");
        o.put("id", p.id());
        o.put("part_type", p.partType());
        o.put("body", plainText ? Json.plainText(p.body()) : p.body());
        o.put("created_at", p.createdAt());
        o.put("updated_at", p.updatedAt());
        o.put("notified_at", p.notifiedAt());
        if (p.assignedToId() == null) {
            o.putNull("assigned_to");
        } else {
            o.set("assigned_to", Json.typed(p.assignedToType()).put("id", p.assignedToId()));
        }
        o.set("author", Json.object().put("id", p.author().id()).put("type", p.author().type())
                .put("name", p.author().name()).put("email", p.author().email()));
        o.set("attachments", attachments(p.attachments()));
        o.put("external_id", p.externalId());
        o.put("redacted", false);
        return o;
    }

    private static ObjectNode source(Conversation c, boolean plainText) {
        Author a = c.sourceAuthor();
        ObjectNode s = Json.typed(c.sourceType());
        s.put("id", c.sourceId());
        s.put("delivered_as", c.deliveredAs());
        s.put("subject", c.subject());
        s.put("body", plainText ? Json.plainText(c.sourceBody()) : c.sourceBody());
        s.set("author", Json.typed(a.type()).put("id", a.id()).put("name", a.name()).put("email", a.email()));
        s.set("attachments", attachments(c.sourceAttachments()));
        s.put("url", c.sourceUrl());
        s.put("redacted", false);
        return s;
    }

    private static ArrayNode attachments(List<Attachment> attachments) {
        ArrayNode a = Json.array();
        attachments.forEach(at -> a.add(Json.typed(at.type()).put("name", at.name()).put("url", at.url())
                .put("content_type", at.contentType()).put("filesize", at.filesize())
                .put("width", at.width()).put("height", at.height())));
        return a;
    }

    private static ArrayNode appliedTags(List<TagLink> links, Function<String, Tag> tags) {
        ArrayNode a = Json.array();
        links.forEach(link -> {
            ObjectNode t = DirectoryJson.tag(tags.apply(link.tagId()));
            t.put("applied_at", link.appliedAt());
            t.set("applied_by", Json.typed("admin").put("id", link.appliedByAdminId()));
            a.add(t);
        });
        return a;
    }

    private static ObjectNode firstContactReply(Conversation c) {
        return c.parts().stream().filter(p -> isCustomer(p.author())).findFirst()
                .map(p -> Json.object().put("created_at", p.createdAt()).put("type", "conversation").put("url", c.sourceUrl()))
                .orElse(null);
    }

    /** Derived from the parts, so count_conversation_parts always agrees with the real part count. */
    private static ObjectNode statistics(Conversation c) {
        Long firstContactReply = null;
        Long firstAdminReply = null;
        Long lastContactReply = null;
        Long lastAdminReply = null;
        Long firstAssignment = null;
        Long lastAssignment = null;
        Long firstClose = null;
        Long lastClose = null;
        String lastClosedBy = null;
        int assignments = 0;
        int reopens = 0;
        for (Part p : c.parts()) {
            long t = p.createdAt();
            switch (p.partType()) {
                case "comment" -> {
                    if (isCustomer(p.author())) {
                        firstContactReply = firstContactReply == null ? t : firstContactReply;
                        lastContactReply = t;
                    } else {
                        firstAdminReply = firstAdminReply == null ? t : firstAdminReply;
                        lastAdminReply = t;
                    }
                }
                case "assignment" -> {
                    firstAssignment = firstAssignment == null ? t : firstAssignment;
                    lastAssignment = t;
                    assignments++;
                }
                case "close" -> {
                    firstClose = firstClose == null ? t : firstClose;
                    lastClose = t;
                    lastClosedBy = p.author().id();
                }
                case "open" -> reopens++;
                default -> {
                }
            }
        }
        ObjectNode s = Json.typed("conversation_statistics");
        s.put("time_to_assignment", firstAssignment == null ? null : firstAssignment - c.createdAt());
        s.put("time_to_admin_reply", firstAdminReply == null ? null : firstAdminReply - c.createdAt());
        s.put("time_to_first_close", firstClose == null ? null : firstClose - c.createdAt());
        s.put("time_to_last_close", lastClose == null ? null : lastClose - c.createdAt());
        s.putNull("median_time_to_reply");
        s.put("first_contact_reply_at", firstContactReply);
        s.put("first_assignment_at", firstAssignment);
        s.put("first_admin_reply_at", firstAdminReply);
        s.put("first_close_at", firstClose);
        s.put("last_assignment_at", lastAssignment);
        s.putNull("last_assignment_admin_reply_at");
        s.put("last_contact_reply_at", lastContactReply);
        s.put("last_admin_reply_at", lastAdminReply);
        s.put("last_close_at", lastClose);
        s.put("last_closed_by_id", lastClosedBy);
        s.put("count_reopens", reopens);
        s.put("count_assignments", assignments);
        s.put("count_conversation_parts", c.parts().size());
        return s;
    }

    private static boolean isCustomer(Author a) {
        return "user".equals(a.type()) || "lead".equals(a.type());
    }
}
