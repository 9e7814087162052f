package io.kcintercom.connect.resource;

import io.kcintercom.connect.table.Tables;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A unit of work: one Intercom resource, read by one reader in exactly one task, with its own
 * source partition. Each resource feeds a fixed set of tables.
 */
public enum Resource {
    USERS(List.of(Tables.USERS, Tables.USERS_TAGS, Tables.USERS_SEGMENTS, Tables.USERS_COMPANIES,
            Tables.USERS_SOCIAL_PROFILES, Tables.NOTES, Tables.EVENTS_SUMMARY)),
    LEADS(List.of(Tables.LEADS, Tables.LEADS_TAGS, Tables.LEADS_SEGMENTS, Tables.LEADS_COMPANIES,
            Tables.LEADS_SOCIAL_PROFILES, Tables.NOTES, Tables.EVENTS_SUMMARY)),
    COMPANIES(List.of(Tables.COMPANIES)),
    ADMINS(List.of(Tables.ADMINS)),
    TAGS(List.of(Tables.TAGS)),
    SEGMENTS(List.of(Tables.SEGMENTS)),
    CONVERSATIONS(List.of(Tables.CONVERSATIONS, Tables.CONVERSATIONS_ATTACHMENTS, Tables.CONVERSATIONS_TAGS,
            Tables.CONVERSATIONS_CUSTOMERS, Tables.CONVERSATION_PARTS, Tables.CONVERSATION_PARTS_ATTACHMENTS));

    private final List<String> tables;

    Resource(List<String> tables) {
        this.tables = tables;
    }

    /** The tables this resource's reader can emit. */
    public List<String> tables() {
        return tables;
    }

    /** The name used in configs, offsets and logs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Resource fromId(String id) {
        return valueOf(id.trim().toUpperCase(Locale.ROOT));
    }

    /** The resources that must be read to produce the given tables. */
    public static Set<Resource> forTables(Collection<String> tables) {
        Set<Resource> resources = EnumSet.noneOf(Resource.class);
        for (Resource resource : values()) {
            if (resource.tables.stream().anyMatch(tables::contains)) {
                resources.add(resource);
            }
        }
        return resources;
    }
}
