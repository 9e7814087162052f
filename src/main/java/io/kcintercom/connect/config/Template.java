package io.kcintercom.connect.config;

import io.kcintercom.connect.table.Tables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The ready-made table selections users know: {@code basic}, {@code conversations}, {@code all}. */
public enum Template {
    BASIC(List.of(Tables.USERS, Tables.USERS_TAGS, Tables.USERS_SEGMENTS, Tables.USERS_COMPANIES,
            Tables.USERS_SOCIAL_PROFILES, Tables.NOTES, Tables.EVENTS_SUMMARY, Tables.LEADS, Tables.LEADS_TAGS,
            Tables.LEADS_SEGMENTS, Tables.LEADS_COMPANIES, Tables.LEADS_SOCIAL_PROFILES, Tables.COMPANIES,
            Tables.ADMINS, Tables.TAGS, Tables.SEGMENTS)),
    CONVERSATIONS(List.of(Tables.CONVERSATIONS, Tables.CONVERSATIONS_ATTACHMENTS, Tables.CONVERSATIONS_TAGS,
            Tables.CONVERSATIONS_CUSTOMERS, Tables.CONVERSATION_PARTS, Tables.CONVERSATION_PARTS_ATTACHMENTS)),
    ALL(concat(BASIC.tables, CONVERSATIONS.tables));

    private final List<String> tables;

    Template(List<String> tables) {
        this.tables = tables;
    }

    public List<String> tables() {
        return tables;
    }

    public String configValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Template fromConfig(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    public static List<String> configValues() {
        return Arrays.stream(values()).map(Template::configValue).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
