package io.kcintercom.connect.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.it.ExpectedRows;
import io.kcintercom.connect.sandbox.SampleWorkspace.Sizes;
import io.kcintercom.connect.table.Tables;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The integration tests compare the compacted topics with {@link ExpectedRows}: this proves that it drops
 * exactly the rows each removal of the sample workspace takes away, and nothing else, so a connector that
 * leaves a stale row fails them.
 */
class ExpectedRowsFollowRemovalsTest {

    private static final Instant GENERATED_AT = Instant.parse("2026-03-10T15:00:00Z");

    private final SampleWorkspace ws = SampleWorkspace.generate(21, Sizes.builder().users(30).leads(12).companies(15)
            .conversations(20).build(), GENERATED_AT);
    private final Map<String, Set<String>> gone = new HashMap<>();
    private final Map<String, Set<String>> moved = new HashMap<>();

    @Test
    void everyRemovalTakesExactlyItsRowsAway() {
        List<String> tables = List.copyOf(Tables.all().keySet());
        Map<String, Set<String>> before = ExpectedRows.forWorkspace(ws, tables);

        List<String> users = ws.contactIds("user");
        String tagged = users.stream().filter(id -> !ws.contactTags(id).isEmpty()).findFirst().orElseThrow();
        String tag = ws.contactTags(tagged).get(0).get("id").asText();
        ws.untagContact(tagged, tag);
        gone(Tables.USERS_TAGS, tagged + "|" + tag);

        String withCompany = users.stream().filter(id -> ws.contactCompanies(id).size() > 1).findFirst().orElseThrow();
        String detached = ws.contactCompanies(withCompany).get(0).get("id").asText();
        ws.detachCompany(withCompany, detached);
        gone(Tables.USERS_COMPANIES, withCompany + "|" + detached);

        String inSegment = users.stream().filter(id -> !ws.contactSegments(id).isEmpty()).findFirst().orElseThrow();
        String segment = ws.contactSegments(inSegment).get(0).get("id").asText();
        ws.moveSegmentMembership(inSegment, segment, false);
        gone(Tables.USERS_SEGMENTS, inSegment + "|" + segment);

        String social = users.stream().filter(id -> ws.contact(id).at("/social_profiles/data").size() > 0)
                .findFirst().orElseThrow();
        JsonNode profile = ws.contact(social).at("/social_profiles/data/0");
        ws.dropSocialProfile(social);
        gone(Tables.USERS_SOCIAL_PROFILES, social + "|" + profile.get("name").asText() + "|" + profile.get("url").asText());

        String noted = users.stream().filter(id -> !ws.notes(id).isEmpty()).findFirst().orElseThrow();
        String note = ws.notes(noted).get(0).get("id").asText();
        ws.removeNote(noted, note);
        gone(Tables.NOTES, note);

        JsonNode conversation = ws.conversations().stream().filter(c -> c.at("/tags/tags").size() > 0)
                .findFirst().orElseThrow();
        String conversationTag = conversation.at("/tags/tags/0/id").asText();
        ws.untagConversation(conversation.get("id").asText(), conversationTag);
        gone(Tables.CONVERSATIONS_TAGS, conversation.get("id").asText() + "|" + conversationTag);

        String deletedConversation = ws.conversations().get(ws.conversations().size() - 1).get("id").asText();
        goneWithChildren(before, deletedConversation, "conversations");
        for (JsonNode part : ws.parts(deletedConversation)) {
            String partId = part.get("id").asText();
            gone(Tables.CONVERSATION_PARTS, partId);
            goneWithChildren(before, partId, Tables.CONVERSATION_PARTS_ATTACHMENTS);
        }
        ws.deleteConversation(deletedConversation);

        String company = ws.companies().get(0).get("id").asText();
        gone(Tables.COMPANIES, company);
        for (String table : List.of(Tables.USERS_COMPANIES, Tables.LEADS_COMPANIES)) {
            before.get(table).stream().filter(k -> k.endsWith("|" + company)).forEach(k -> gone(table, k));
        }
        ws.deleteCompany(company);

        String deletedUser = users.get(users.size() - 1);
        contactGone(before, deletedUser, "users");
        ws.deleteContact(deletedUser);

        List<String> leads = ws.contactIds("lead");
        String merged = leads.get(0);
        contactGone(before, merged, "leads");
        ws.mergeLead(merged, users.get(0));

        String converted = leads.get(1);
        for (String suffix : List.of("", "_tags", "_segments", "_companies", "_social_profiles")) {
            before.get("leads" + suffix).stream().filter(k -> k.equals(converted) || k.startsWith(converted + "|"))
                    .filter(k -> !gone.getOrDefault("leads" + suffix, Set.of()).contains(k))
                    .forEach(k -> {
                        gone("leads" + suffix, k);
                        moved.computeIfAbsent("users" + suffix, t -> new HashSet<>()).add(k);
                    });
        }
        ws.convertLead(converted);

        Map<String, Set<String>> after = ExpectedRows.forWorkspace(ws, tables);
        assertTrue(tables.containsAll(gone.keySet()), () -> "unknown tables in " + gone.keySet());
        assertTrue(gone.keySet().containsAll(tables.stream().filter(t -> !List.of(Tables.ADMINS, Tables.TAGS,
                Tables.SEGMENTS).contains(t) && !t.endsWith("attachments")).toList()),
                () -> "the removals reach every contact, company and conversation table: " + gone.keySet());
        for (String table : tables) {
            Set<String> expected = new HashSet<>(before.get(table));
            Set<String> removed = gone.getOrDefault(table, Set.of());
            assertTrue(expected.containsAll(removed), () -> table + ": a removed row was never expected");
            expected.removeAll(removed);
            expected.addAll(moved.getOrDefault(table, Set.of()));
            assertEquals(expected, after.get(table), table);
        }
        assertFalse(moved.getOrDefault(Tables.USERS, Set.of()).isEmpty(), "the converted lead is a user now");
    }

    private void gone(String table, String key) {
        gone.computeIfAbsent(table, t -> new HashSet<>()).add(key);
    }

    /** The row keyed {@code id} and every child row keyed "id|…" of the tables named prefix*. */
    private void goneWithChildren(Map<String, Set<String>> before, String id, String prefix) {
        before.forEach((table, keys) -> {
            if (table.startsWith(prefix)) {
                keys.stream().filter(k -> k.equals(id) || k.startsWith(id + "|")).forEach(k -> gone(table, k));
            }
        });
    }

    /** A deleted or merged contact takes its own rows, its notes and its event summaries. */
    private void contactGone(Map<String, Set<String>> before, String id, String prefix) {
        goneWithChildren(before, id, prefix);
        ws.notes(id).forEach(n -> gone(Tables.NOTES, n.get("id").asText()));
        goneWithChildren(before, id, Tables.EVENTS_SUMMARY);
    }
}
