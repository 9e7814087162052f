package io.kcintercom.connect.warehouse;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One of every removal Intercom makes silently or by deleting (issue 16), applied to a sample
 * workspace after a first sync: each on a contact of its own, so that no removal hides another.
 * The warehouse test and the kill test (eos/RemovalsKillTest) apply the same set, then compare
 * with {@link io.kcintercom.connect.it.ExpectedRows}, which follows the workspace.
 *
 * @param untaggedContact     a user that lost a tag
 * @param detachedContact     a user detached from a company
 * @param segmentLeaver       a user that left a segment (no updated_at change)
 * @param segmentJoiner       a user that joined a user segment (no updated_at change)
 * @param profileDropped      a user whose first social profile is gone
 * @param noteRemovedFrom     a user one of whose notes is deleted
 * @param deletedContact      a deleted user
 * @param convertedLead       a lead that became a user (same id)
 * @param mergedLead          a lead merged into a user (gone)
 * @param deletedCompany      a deleted company (also gone from every contact's companies)
 * @param deletedConversation a deleted conversation
 * @param untaggedConversation a conversation that lost a tag
 */
public record Removals(String untaggedContact, String detachedContact, String segmentLeaver, String segmentJoiner,
                       String profileDropped, String noteRemovedFrom, String deletedContact, String convertedLead,
                       String mergedLead, String deletedCompany, String deletedConversation,
                       String untaggedConversation) {

    /** Applies every removal; the workspace needs users with tags, companies, segments, profiles and notes. */
    public static Removals apply(SampleWorkspace ws) {
        Set<String> used = new HashSet<>();
        List<String> users = ws.contactIds("user");

        String untagged = pick(users, used, id -> !ws.contactTags(id).isEmpty());
        ws.untagContact(untagged, ws.contactTags(untagged).get(0).get("id").asText());

        String detached = pick(users, used, id -> !ws.contactCompanies(id).isEmpty());
        String detachedFrom = ws.contactCompanies(detached).get(0).get("id").asText();
        ws.detachCompany(detached, detachedFrom);

        String leaver = pick(users, used, id -> !ws.contactSegments(id).isEmpty());
        ws.moveSegmentMembership(leaver, ws.contactSegments(leaver).get(0).get("id").asText(), false);
        String userSegment = ws.segments().stream().filter(s -> "user".equals(s.path("person_type").asText()))
                .map(s -> s.get("id").asText()).findFirst().orElseThrow();
        String joiner = pick(users, used, id -> ws.contactSegments(id).stream()
                .noneMatch(s -> s.get("id").asText().equals(userSegment)));
        ws.moveSegmentMembership(joiner, userSegment, true);

        String profile = pick(users, used, id -> ws.contact(id).path("social_profiles").path("data").size() > 0);
        ws.dropSocialProfile(profile);

        String noted = pick(users, used, id -> !ws.notes(id).isEmpty());
        ws.removeNote(noted, ws.notes(noted).get(0).get("id").asText());

        String deletedContact = pick(users, used, id -> true);
        ws.deleteContact(deletedContact);

        List<String> leads = ws.contactIds("lead");
        String converted = pick(leads, used, id -> true);
        String merged = pick(leads, used, id -> true);
        String mergedInto = pick(users, used, id -> true);
        ws.convertLead(converted);
        ws.mergeLead(merged, mergedInto);

        // A company some contact still links to, so its deletion also retracts *_companies rows.
        List<String> companies = ws.companies().stream().map(c -> c.get("id").asText()).toList();
        String deletedCompany = pick(companies, used, id -> !id.equals(detachedFrom)
                && users.stream().filter(u -> !used.contains(u)).anyMatch(u -> ws.contactCompanies(u).stream()
                        .anyMatch(c -> c.get("id").asText().equals(id))));
        ws.deleteCompany(deletedCompany);

        List<JsonNode> conversations = ws.conversations();
        String untaggedConversation = pick(ids(conversations), used,
                id -> tagsOf(ws, id).size() > 0);
        ws.untagConversation(untaggedConversation, tagsOf(ws, untaggedConversation).get(0).get("id").asText());
        String deletedConversation = pick(ids(conversations), used, id -> true);
        ws.deleteConversation(deletedConversation);

        return new Removals(untagged, detached, leaver, joiner, profile, noted, deletedContact, converted, merged,
                deletedCompany, deletedConversation, untaggedConversation);
    }

    private static JsonNode tagsOf(SampleWorkspace ws, String conversationId) {
        return ws.conversations().stream().filter(c -> c.get("id").asText().equals(conversationId)).findFirst()
                .orElseThrow().path("tags").path("tags");
    }

    private static List<String> ids(List<JsonNode> objects) {
        return objects.stream().map(o -> o.get("id").asText()).toList();
    }

    /** The first id not used by another removal that fits, marked used. */
    private static String pick(List<String> ids, Set<String> used, Predicate<String> fits) {
        for (String id : ids) {
            if (!used.contains(id) && fits.test(id)) {
                used.add(id);
                return id;
            }
        }
        throw new NoSuchElementException("the workspace has no object left for this removal");
    }
}
