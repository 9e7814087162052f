package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import io.kcintercom.connect.table.Tables;
import java.util.List;

/**
 * The tables of one contact role ({@code users*} or {@code leads*}) and how a contact's rows, or
 * their tombstones, go into them. Notes and event summaries are not here: both roles share them.
 */
record RoleTables(String parent, String tags, String companies, String segments, String social) {
    private static final RoleTables USERS = new RoleTables(Tables.USERS, Tables.USERS_TAGS, Tables.USERS_COMPANIES,
            Tables.USERS_SEGMENTS, Tables.USERS_SOCIAL_PROFILES);
    private static final RoleTables LEADS = new RoleTables(Tables.LEADS, Tables.LEADS_TAGS, Tables.LEADS_COMPANIES,
            Tables.LEADS_SEGMENTS, Tables.LEADS_SOCIAL_PROFILES);

    /** The child rows of one contact that its rows or tombstones name. */
    record Children(List<JsonNode> tags, List<JsonNode> companies, JsonNode socialProfiles, List<JsonNode> segments) {
    }

    static RoleTables of(Resource resource) {
        return resource == Resource.USERS ? USERS : LEADS;
    }

    /** The column of child rows naming their contact. */
    String parentKey() {
        return parent + "_pk";
    }

    /** The contact's child rows (its own row is added first, by the caller, so a skipped contact takes them along). */
    void addChildren(RecordFactory.Group group, String id, Children children) {
        children.tags().forEach(tag -> group.addChild(tags, tag, parentKey(), id));
        children.companies().forEach(company -> group.addChild(companies, company, parentKey(), id));
        group.addChildren(social, children.socialProfiles(), parentKey(), id, "social_profiles");
        children.segments().forEach(segment -> group.addChild(segments, segment, parentKey(), id));
    }

    /** Tombstones for the contact's row and for every child row the lists name. */
    void remove(RecordFactory.Group group, JsonNode contact, String id, Children children) {
        group.remove(parent, contact);
        children.tags().forEach(tag -> group.removeChild(tags, tag, parentKey(), id));
        children.companies().forEach(company -> group.removeChild(companies, company, parentKey(), id));
        group.removeChildren(social, children.socialProfiles(), parentKey(), id, "social_profiles");
        children.segments().forEach(segment -> group.removeChild(segments, segment, parentKey(), id));
    }
}
