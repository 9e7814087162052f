package io.kcintercom.connect.table;

import static io.kcintercom.connect.table.ColumnType.BOOLEAN;
import static io.kcintercom.connect.table.ColumnType.DOUBLE;
import static io.kcintercom.connect.table.ColumnType.INT;
import static io.kcintercom.connect.table.ColumnType.JSON;
import static io.kcintercom.connect.table.ColumnType.STRING;
import static io.kcintercom.connect.table.ColumnType.TIMESTAMP;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The 22 tables of the contract ({@code spec/tables.md}), as data.
 *
 * <p>Column paths name today's v2 field first where it differs from the column name, then the
 * legacy field, so the same definition reads either shape.
 */
public final class Tables {
    public static final String USERS = "users";
    public static final String USERS_TAGS = "users_tags";
    public static final String USERS_SEGMENTS = "users_segments";
    public static final String USERS_COMPANIES = "users_companies";
    public static final String USERS_SOCIAL_PROFILES = "users_social_profiles";
    public static final String NOTES = "notes";
    public static final String EVENTS_SUMMARY = "events_summary";
    public static final String LEADS = "leads";
    public static final String LEADS_TAGS = "leads_tags";
    public static final String LEADS_SEGMENTS = "leads_segments";
    public static final String LEADS_COMPANIES = "leads_companies";
    public static final String LEADS_SOCIAL_PROFILES = "leads_social_profiles";
    public static final String COMPANIES = "companies";
    public static final String ADMINS = "admins";
    public static final String TAGS = "tags";
    public static final String SEGMENTS = "segments";
    public static final String CONVERSATIONS = "conversations";
    public static final String CONVERSATIONS_ATTACHMENTS = "conversations_attachments";
    public static final String CONVERSATIONS_TAGS = "conversations_tags";
    public static final String CONVERSATIONS_CUSTOMERS = "conversations_customers";
    public static final String CONVERSATION_PARTS = "conversation_parts";
    public static final String CONVERSATION_PARTS_ATTACHMENTS = "conversation_parts_attachments";

    /**
     * The {@code type} of every {@code users} row, as the table reference says ("Value is user"):
     * API v2 calls every contact {@code contact}, which {@code leads} rows keep.
     */
    public static final String USER_TYPE = "user";

    private static final Map<String, TableDef> ALL;

    static {
        Map<String, TableDef> all = new LinkedHashMap<>();
        Stream.of(
                table(USERS, List.of("id"), contactColumns(USER_TYPE)),
                reference(USERS_TAGS, "users_pk"),
                reference(USERS_SEGMENTS, "users_pk"),
                reference(USERS_COMPANIES, "users_pk"),
                socialProfiles(USERS_SOCIAL_PROFILES, "users_pk"),
                table(NOTES, List.of("id"),
                        Column.of("type", STRING),
                        Column.required("id", STRING),
                        Column.of("created_at", TIMESTAMP),
                        Column.of("body", STRING),
                        Column.of("user_type", STRING, "contact.type", "user.type"),
                        Column.of("user_id", STRING, "contact.id", "user.id"),
                        Column.of("author_type", STRING, "author.type"),
                        Column.of("author_id", STRING, "author.id")),
                table(EVENTS_SUMMARY, List.of("user_id", "name"),
                        Column.required("user_id", STRING),
                        Column.required("name", STRING),
                        Column.of("count", INT),
                        Column.of("first", TIMESTAMP),
                        Column.of("last", TIMESTAMP),
                        Column.of("description", STRING)),
                table(LEADS, List.of("id"), contactColumns(null)),
                reference(LEADS_TAGS, "leads_pk"),
                reference(LEADS_SEGMENTS, "leads_pk"),
                reference(LEADS_COMPANIES, "leads_pk"),
                socialProfiles(LEADS_SOCIAL_PROFILES, "leads_pk"),
                table(COMPANIES, List.of("id"),
                        Column.of("type", STRING),
                        Column.required("id", STRING),
                        Column.of("created_at", TIMESTAMP),
                        Column.of("remote_created_at", TIMESTAMP),
                        Column.of("updated_at", TIMESTAMP),
                        Column.of("company_id", STRING),
                        Column.of("name", STRING),
                        Column.of("session_count", INT),
                        Column.of("monthly_spend", DOUBLE),
                        Column.of("user_count", INT),
                        Column.derived("plan", STRING, Tables::planName),
                        Column.of("custom_attributes", JSON)),
                table(ADMINS, List.of("id"),
                        Column.of("type", STRING),
                        Column.required("id", STRING),
                        Column.of("name", STRING),
                        Column.of("email", STRING)),
                table(TAGS, List.of("id"),
                        Column.of("type", STRING),
                        Column.required("id", STRING),
                        Column.of("name", STRING)),
                table(SEGMENTS, List.of("id"),
                        Column.of("type", STRING),
                        Column.required("id", STRING),
                        Column.of("name", STRING),
                        Column.of("created_at", TIMESTAMP),
                        Column.of("updated_at", TIMESTAMP),
                        Column.of("count", INT),
                        Column.of("person_type", STRING)),
                table(CONVERSATIONS, List.of("id"),
                        Column.of("type", STRING),
                        Column.required("id", STRING),
                        Column.of("created_at", TIMESTAMP),
                        Column.of("updated_at", TIMESTAMP),
                        Column.of("waiting_since", TIMESTAMP),
                        Column.of("snoozed_until", TIMESTAMP),
                        Column.derived("user_type", STRING, c -> firstContactField(c, "type")),
                        Column.derived("user_id", STRING, c -> firstContactField(c, "id")),
                        Column.derived("assignee_type", STRING, Tables::assigneeType),
                        Column.derived("assignee_id", STRING, Tables::assigneeId),
                        Column.of("conversation_message_type", STRING, "source.type", "conversation_message.type"),
                        Column.of("conversation_message_id", STRING, "source.id", "conversation_message.id"),
                        Column.of("conversation_message_subject", STRING,
                                "source.subject", "conversation_message.subject"),
                        Column.of("conversation_message_body", STRING, "source.body", "conversation_message.body"),
                        Column.of("conversation_message_author_type", STRING,
                                "source.author.type", "conversation_message.author.type"),
                        Column.of("conversation_message_author_id", STRING,
                                "source.author.id", "conversation_message.author.id"),
                        Column.of("conversation_message_url", STRING, "source.url", "conversation_message.url"),
                        Column.of("open", BOOLEAN),
                        Column.of("read", BOOLEAN),
                        Column.of("state", STRING),
                        Column.of("metadata", JSON, "metadata", "custom_attributes")),
                attachments(CONVERSATIONS_ATTACHMENTS, "conversations_pk"),
                table(CONVERSATIONS_TAGS, List.of("conversations_pk", "id"), referenceColumns("conversations_pk")),
                table(CONVERSATIONS_CUSTOMERS, List.of("conversations_pk", "id"),
                        referenceColumns("conversations_pk")),
                table(CONVERSATION_PARTS, List.of("id"),
                        Column.of("type", STRING),
                        Column.required("id", STRING),
                        Column.of("part_type", STRING),
                        Column.of("body", STRING),
                        Column.of("created_at", TIMESTAMP),
                        Column.of("updated_at", TIMESTAMP),
                        Column.of("notified_at", TIMESTAMP),
                        Column.of("assigned_to_type", STRING, "assigned_to.type"),
                        Column.of("assigned_to_id", STRING, "assigned_to.id"),
                        Column.of("author_type", STRING, "author.type"),
                        Column.of("author_id", STRING, "author.id"),
                        Column.of("external_id", STRING),
                        Column.of("conversations_pk", STRING)),
                attachments(CONVERSATION_PARTS_ATTACHMENTS, "conversation_parts_pk"))
            .forEach(t -> all.put(t.name(), t));
        ALL = Collections.unmodifiableMap(all);
    }

    private Tables() {
    }

    /** Every table, in contract order. */
    public static Map<String, TableDef> all() {
        return ALL;
    }

    public static TableDef get(String name) {
        TableDef table = ALL.get(name);
        if (table == null) {
            throw new IllegalArgumentException("Unknown table: " + name);
        }
        return table;
    }

    private static TableDef table(String name, List<String> key, Column... columns) {
        return new TableDef(name, key, List.of(columns));
    }

    private static TableDef table(String name, List<String> key, List<Column> columns) {
        return new TableDef(name, key, columns);
    }

    /**
     * users and leads: a v2 contact, read through its legacy column names.
     *
     * @param type the constant {@code type} of the table's rows ({@code users}), or null to read the
     *             contact's own ({@code leads}, which also has {@code remote_created_at})
     */
    private static List<Column> contactColumns(String type) {
        boolean lead = type == null;
        List<Column> columns = new ArrayList<>(List.of(
                lead ? Column.required("type", STRING) : Column.constant("type", STRING, type),
                Column.required("id", STRING),
                Column.of("created_at", TIMESTAMP),
                Column.of("signed_up_at", TIMESTAMP),
                Column.of("updated_at", TIMESTAMP),
                Column.of("email", STRING),
                Column.of("phone", STRING),
                Column.of("user_id", STRING, "external_id", "user_id"),
                Column.of("last_request_at", TIMESTAMP, "last_seen_at", "last_request_at"),
                Column.of("session_count", INT),
                Column.of("unsubscribed_from_emails", BOOLEAN),
                Column.of("marked_email_as_spam", BOOLEAN),
                Column.of("has_hard_bounced", BOOLEAN),
                Column.of("user_agent_data", STRING),
                Column.of("last_seen_ip", STRING),
                Column.of("pseudonym", STRING),
                Column.derived("anonymous", BOOLEAN, Tables::anonymous),
                Column.of("name", STRING),
                Column.of("location_data_city_name", STRING, "location.city", "location_data.city_name"),
                Column.of("location_data_continent_code", STRING,
                        "location.continent_code", "location_data.continent_code"),
                Column.of("location_data_country_code", STRING,
                        "location.country_code", "location_data.country_code"),
                Column.of("location_data_country_name", STRING, "location.country", "location_data.country_name"),
                Column.of("location_data_latitude", DOUBLE, "location.latitude", "location_data.latitude"),
                Column.of("location_data_longitude", DOUBLE, "location.longitude", "location_data.longitude"),
                Column.of("location_data_postal_code", STRING, "location.postal_code", "location_data.postal_code"),
                Column.of("location_data_region_name", STRING, "location.region", "location_data.region_name"),
                Column.of("location_data_timezone", STRING, "location.timezone", "location_data.timezone"),
                Column.derived("avatar_image_url", STRING, Tables::avatarUrl),
                Column.of("custom_attributes", JSON)));
        if (lead) {
            columns.add(Column.of("remote_created_at", TIMESTAMP));
        }
        return columns;
    }

    /** A link table: a reference {type, id} to another object, plus the parent's id. */
    private static TableDef reference(String name, String parentKey) {
        return table(name, List.of(parentKey, "id"), referenceColumns(parentKey));
    }

    private static List<Column> referenceColumns(String parentKey) {
        return List.of(Column.of("type", STRING), Column.of("id", STRING), Column.of(parentKey, STRING));
    }

    private static TableDef socialProfiles(String name, String parentKey) {
        return table(name, List.of(parentKey, "name", "url"),
                Column.of("type", STRING),
                Column.of("id", STRING),
                Column.of("name", STRING),
                Column.of("username", STRING),
                Column.of("url", STRING),
                Column.of(parentKey, STRING));
    }

    private static TableDef attachments(String name, String parentKey) {
        return table(name, List.of(parentKey, "url"),
                Column.of("type", STRING),
                Column.of("name", STRING),
                Column.of("url", STRING),
                Column.of("content_type", STRING),
                Column.of("filesize", INT),
                Column.of("width", INT),
                Column.of("height", INT),
                Column.of(parentKey, STRING));
    }

    private static JsonNode anonymous(JsonNode contact) {
        JsonNode explicit = contact.get("anonymous");
        if (explicit != null && !explicit.isNull()) {
            return explicit;
        }
        JsonNode role = contact.get("role");
        return role == null || role.isNull() ? null : BooleanNode.valueOf("lead".equals(role.asText()));
    }

    private static JsonNode avatarUrl(JsonNode contact) {
        JsonNode avatar = contact.get("avatar");
        if (avatar != null && avatar.isObject()) {
            return avatar.get("image_url");
        }
        if (avatar != null && avatar.isTextual()) {
            return avatar;
        }
        return contact.get("avatar_image_url");
    }

    private static JsonNode planName(JsonNode company) {
        JsonNode plan = company.get("plan");
        if (plan == null || plan.isNull()) {
            return null;
        }
        return plan.isObject() ? plan.get("name") : plan;
    }

    private static JsonNode firstContactField(JsonNode conversation, String field) {
        for (JsonNode contact : JsonPaths.items(conversation.get("contacts"), "contacts")) {
            return contact.get(field);
        }
        JsonNode legacyUser = conversation.get("user");
        return legacyUser == null ? null : legacyUser.get(field);
    }

    private static JsonNode assigneeId(JsonNode conversation) {
        JsonNode admin = conversation.get("admin_assignee_id");
        if (admin != null && !admin.isNull()) {
            return admin;
        }
        JsonNode team = conversation.get("team_assignee_id");
        if (team != null && !team.isNull()) {
            return team;
        }
        return JsonPaths.at(conversation, "assignee.id");
    }

    private static JsonNode assigneeType(JsonNode conversation) {
        JsonNode admin = conversation.get("admin_assignee_id");
        if (admin != null && !admin.isNull()) {
            return JsonNodeFactory.instance.textNode("admin");
        }
        JsonNode team = conversation.get("team_assignee_id");
        if (team != null && !team.isNull()) {
            return JsonNodeFactory.instance.textNode("team");
        }
        return JsonPaths.at(conversation, "assignee.type");
    }
}
