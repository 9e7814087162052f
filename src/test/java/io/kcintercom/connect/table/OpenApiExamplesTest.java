package io.kcintercom.connect.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

/**
 * Intercom's own example payloads (copied from its OpenAPI description into
 * {@code src/test/resources/intercom-examples/}) through the converter, table by table, the way the
 * readers feed them: child rows get their parent's id in {@code <parent>_pk}, parts get
 * {@code conversations_pk}, event summaries get {@code user_id}.
 */
class OpenApiExamplesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final List<String> CONTACT_FILES = List.of("2.11-contact.json", "2.14-contact.json");
    private static final List<String> CONTACT_LIST_FILES = List.of("2.11-contact-search.schema-example.json",
            "2.11-contact-list.json", "2.11-contact-search.json");
    private static final List<String> NOTE_LIST_FILES = List.of("2.11-contact-notes.json");
    private static final List<String> NOTE_FILES = List.of("2.11-note.json");
    private static final List<String> EVENT_SUMMARY_FILES = List.of("2.11-event-summaries.json",
            "2.11-event-summaries.schema-example.json");
    private static final List<String> COMPANY_FILES = List.of("2.11-company.json", "2.11-company.schema-example.json");
    private static final List<String> COMPANY_LIST_FILES = List.of("2.11-company-list.json",
            "2.11-company-scroll.json", "2.11-contact-companies.json");
    private static final List<String> ADMIN_FILES = List.of("2.11-admin.json", "2.11-me.json");
    private static final List<String> ADMIN_LIST_FILES = List.of("2.11-admin-list.json");
    private static final List<String> TEAM_FILES = List.of("2.11-team.json");
    private static final List<String> TEAM_LIST_FILES = List.of("2.11-team-list.json",
            "2.11-team-list.schema-example.json");
    private static final List<String> TAG_LIST_FILES = List.of("2.11-tag-list.json", "2.11-contact-tags.json");
    private static final List<String> SEGMENT_LIST_FILES = List.of("2.11-segment-list.json",
            "2.11-contact-segments.json");
    private static final List<String> CONVERSATION_FILES = List.of("2.11-conversation.json",
            "2.11-conversation-with-parts.json", "2.14-conversation.json");
    private static final List<String> CONVERSATION_LIST_FILES = List.of("2.11-conversation-list.json",
            "2.11-conversation-search.json");
    /** Used by the client tests as error bodies. */
    private static final List<String> ERROR_FILES = List.of("2.11-error-401.json", "2.11-error-403.json",
            "2.11-error-404-company.json", "2.11-error-404-contact.json", "2.11-error-404-conversation.json",
            "2.14-error-429.json");

    // ---------------------------------------------------------------------------------------------
    // Contacts → users / leads and their child tables

    @Test
    void contactsBecomeUsersAndLeadsRowsWithTheirChildTables() {
        List<JsonNode> contacts = contacts();
        assertEquals(3, contacts.size(), "2 single contacts and 1 in the search schema example");
        int tags = 0;
        int companies = 0;
        int profiles = 0;
        for (JsonNode contact : contacts) {
            for (String parent : List.of("users", "leads")) {
                Struct row = convert(parent, contact);
                String id = contact.get("id").asText();
                assertEquals(id, row.get("id"));
                // users rows say "user" as the table reference does; leads keep the API's "contact".
                assertEquals(parent.equals("users") ? "user" : "contact", row.get("type"));
                assertEquals(date(contact, "created_at"), row.get("created_at"));
                assertEquals(date(contact, "updated_at"), row.get("updated_at"));
                assertEquals(date(contact, "signed_up_at"), row.get("signed_up_at"));
                assertEquals(date(contact, "last_seen_at"), row.get("last_request_at"));
                assertEquals(contact.get("external_id").asText(), row.get("user_id"));
                assertEquals(contact.get("email").asText(), row.get("email"));
                assertEquals(contact.get("name").asText(), row.get("name"));
                assertEquals(textOrNull(contact.get("phone")), row.get("phone"));
                assertEquals("{}", row.get("custom_attributes"));
                assertEquals(Boolean.FALSE, row.get("anonymous"), "role user");
                assertEquals(contact.get("has_hard_bounced").asBoolean(), row.get("has_hard_bounced"));
                assertEquals(contact.get("unsubscribed_from_emails").asBoolean(), row.get("unsubscribed_from_emails"));
                assertEquals(textOrNull(contact.path("location").get("city")), row.get("location_data_city_name"));
                assertEquals(textOrNull(contact.path("location").get("country")),
                        row.get("location_data_country_name"));
                assertEquals(textOrNull(contact.path("avatar").get("image_url")), row.get("avatar_image_url"));
                assertNull(row.get("session_count"));
                if (parent.equals("leads")) {
                    assertNull(row.get("remote_created_at"));
                }

                String pk = parent + "_pk";
                for (JsonNode tag : JsonPaths.items(contact.get("tags"), "tags")) {
                    Struct child = convertChild(parent + "_tags", tag, pk, id);
                    assertEquals(tag.get("id").asText(), child.get("id"));
                    assertEquals(tag.get("type").asText(), child.get("type"));
                    assertEquals(id, child.get(pk));
                    tags++;
                }
                for (JsonNode company : JsonPaths.items(contact.get("companies"), "companies")) {
                    Struct child = convertChild(parent + "_companies", company, pk, id);
                    assertEquals(company.get("id").asText(), child.get("id"));
                    assertEquals("company", child.get("type"));
                    assertEquals(id, child.get(pk));
                    companies++;
                }
                for (JsonNode profile : JsonPaths.items(contact.get("social_profiles"), "social_profiles")) {
                    RowConverter.Row child = RowConverter.convert(Tables.get(parent + "_social_profiles"),
                            withParent(profile, pk, id));
                    assertEquals("Facebook", child.value().get("name"));
                    assertEquals("http://twitter.com/th1sland", child.value().get("url"));
                    assertEquals("social_profile", child.value().get("type"));
                    assertEquals(id, child.key().get(pk));
                    assertEquals("Facebook", child.key().get("name"));
                    assertEquals("http://twitter.com/th1sland", child.key().get("url"));
                    profiles++;
                }
            }
        }
        assertEquals(2, tags, "the schema example's one inline tag, for users and leads");
        assertEquals(2, companies);
        assertEquals(2, profiles);

        Struct full = convert("users", contacts.get(2));
        assertEquals("+1123456789", full.get("phone"));
        assertEquals(new Date(1_571_672_154_000L), full.get("last_request_at"));
        assertEquals("https://example.org/128Wash.jpg", full.get("avatar_image_url"));
        assertEquals("Dublin", full.get("location_data_city_name"));
        assertEquals("Ireland", full.get("location_data_country_name"));
        assertEquals("Dublin", full.get("location_data_region_name"));
        assertEquals(Boolean.TRUE, full.get("marked_email_as_spam"));
        Struct real = convert("users", contacts.get(0));
        assertEquals("667d60a98a68186f43bafdb9", real.get("id"));
        assertEquals(new Date(1_719_492_777_000L), real.get("created_at"));
        assertNull(real.get("avatar_image_url"));
        assertNull(real.get("last_request_at"));
    }

    @Test
    void contactSubListsBecomeChildRowsAndReferenceRows() {
        String parentId = "667d60a98a68186f43bafdb9";
        List<JsonNode> tags = items("2.11-contact-tags.json", "tags");
        assertEquals(1, tags.size());
        for (String parent : List.of("users", "leads")) {
            Struct tag = convertChild(parent + "_tags", tags.get(0), parent + "_pk", parentId);
            assertEquals("93", tag.get("id"));
            assertEquals("tag", tag.get("type"));
            assertEquals(parentId, tag.get(parent + "_pk"));

            List<JsonNode> segments = items("2.11-contact-segments.json", "segments");
            assertEquals(1, segments.size());
            Struct segment = convertChild(parent + "_segments", segments.get(0), parent + "_pk", parentId);
            assertEquals("667d60998a68186f43bafda1", segment.get("id"));
            assertEquals("segment", segment.get("type"));
            assertEquals(parentId, segment.get(parent + "_pk"));

            List<JsonNode> companies = items("2.11-contact-companies.json", "companies");
            assertEquals(1, companies.size());
            Struct company = convertChild(parent + "_companies", companies.get(0), parent + "_pk", parentId);
            assertEquals("667d60938a68186f43bafd91", company.get("id"));
            assertEquals(parentId, company.get(parent + "_pk"));
        }
    }

    @Test
    void notesCarryTheContactAndAuthor() {
        List<JsonNode> notes = new ArrayList<>();
        NOTE_LIST_FILES.forEach(f -> notes.addAll(items(f, "notes")));
        NOTE_FILES.forEach(f -> notes.add(load(f)));
        assertEquals(4, notes.size());
        for (JsonNode note : notes) {
            Struct row = convert("notes", note);
            assertEquals(note.get("id").asText(), row.get("id"));
            assertEquals("note", row.get("type"));
            assertEquals(date(note, "created_at"), row.get("created_at"));
            assertEquals("<p>This is a note.</p>", row.get("body"));
            assertEquals(note.at("/contact/id").asText(), row.get("user_id"));
            assertEquals("contact", row.get("user_type"));
            assertEquals("admin", row.get("author_type"));
            assertEquals(note.at("/author/id").asText(), row.get("author_id"));
        }
        Struct first = convert("notes", notes.get(0));
        assertEquals("29", first.get("id"));
        assertEquals(new Date(1_718_887_958_000L), first.get("created_at"));
        assertEquals("667d60968a68186f43bafd9c", first.get("user_id"));
        assertEquals("991267491", first.get("author_id"));
    }

    @Test
    void eventSummariesBecomeRowsWithTheContactId() {
        int rows = 0;
        for (String file : EVENT_SUMMARY_FILES) {
            JsonNode summary = load(file);
            String contactId = summary.get("intercom_user_id").asText();
            for (JsonNode event : JsonPaths.items(summary.get("events"), "events")) {
                RowConverter.Row row = RowConverter.convert(Tables.get("events_summary"),
                        withParent(event, "user_id", contactId));
                assertEquals("63a0979a5eeebeaf28dd56ba", row.value().get("user_id"));
                assertEquals("placed-order", row.value().get("name"));
                assertEquals(1L, row.value().get("count"));
                // "2014-01-16T23:12:21.000+00:00" and the schema's "...+00:00 " with a trailing space
                assertEquals(new Date(1_389_913_941_000L), row.value().get("first"));
                assertEquals(new Date(1_389_913_941_000L), row.value().get("last"));
                assertEquals("A user placed an order", row.value().get("description"));
                assertEquals(contactId, row.key().get("user_id"));
                assertEquals("placed-order", row.key().get("name"));
                rows++;
            }
        }
        assertEquals(1, rows, "the real example has no events, the schema example one");
    }

    // ---------------------------------------------------------------------------------------------
    // Companies, admins and teams, tags, segments

    @Test
    void companiesKeepIdsAsStringsPlanNameAndCustomAttributesAsJson() throws IOException {
        List<JsonNode> companies = new ArrayList<>();
        COMPANY_FILES.forEach(f -> companies.add(load(f)));
        COMPANY_LIST_FILES.forEach(f -> companies.addAll(items(f, "companies")));
        assertEquals(5, companies.size());
        for (JsonNode company : companies) {
            Struct row = convert("companies", company);
            assertEquals(company.get("id").asText(), row.get("id"));
            assertEquals(company.get("company_id").textValue(), row.get("company_id"));
            assertEquals("company", row.get("type"));
            assertEquals(company.get("name").asText(), row.get("name"));
            assertEquals(date(company, "created_at"), row.get("created_at"));
            assertEquals(date(company, "updated_at"), row.get("updated_at"));
            assertEquals(date(company, "remote_created_at"), row.get("remote_created_at"));
            assertEquals(company.get("monthly_spend").asDouble(), row.get("monthly_spend"));
            assertEquals(company.get("session_count").asLong(), row.get("session_count"));
            assertEquals(company.get("user_count").asLong(), row.get("user_count"));
            assertEquals(textOrNull(company.get("plan").get("name")), row.get("plan"));
            assertEquals(company.get("custom_attributes"), MAPPER.readTree((String) row.get("custom_attributes")));
        }
        Struct pro = convert("companies", load("2.11-company.schema-example.json"));
        assertEquals("Pro", pro.get("plan"));
        assertEquals("6", pro.get("company_id"));
        assertEquals(100.0, pro.get("monthly_spend"));
        assertEquals(MAPPER.readTree("{\"paid_subscriber\":true,\"monthly_spend\":155.5,\"team_mates\":9}"),
                MAPPER.readTree((String) pro.get("custom_attributes")));
        Struct noPlan = convert("companies", load("2.11-company.json"));
        assertNull(noPlan.get("plan"), "plan {} means no plan");
        assertEquals("{}", noPlan.get("custom_attributes"));
        assertEquals(new Date(1_719_492_736_000L), noPlan.get("created_at"));
    }

    @Test
    void adminsAndTeamsBecomeAdminsRows() {
        List<JsonNode> admins = new ArrayList<>();
        ADMIN_FILES.forEach(f -> admins.add(load(f)));
        ADMIN_LIST_FILES.forEach(f -> admins.addAll(items(f, "admins")));
        assertEquals(3, admins.size());
        for (JsonNode admin : admins) {
            Struct row = convert("admins", admin);
            assertEquals("admin", row.get("type"));
            assertEquals(admin.get("id").textValue(), row.get("id"));
            assertEquals(admin.get("name").textValue(), row.get("name"));
            assertEquals(admin.get("email").textValue(), row.get("email"));
        }
        assertEquals("991267390", convert("admins", load("2.11-me.json")).get("id"));

        List<JsonNode> teams = new ArrayList<>();
        TEAM_FILES.forEach(f -> teams.add(load(f)));
        TEAM_LIST_FILES.forEach(f -> teams.addAll(items(f, "teams")));
        assertEquals(2, teams.size(), "team.json and the schema example's one team; the real list is empty");
        for (JsonNode team : teams) {
            Struct row = convert("admins", team);
            assertEquals("team", row.get("type"));
            assertEquals(team.get("id").textValue(), row.get("id"));
            assertEquals(team.get("name").textValue(), row.get("name"));
            assertNull(row.get("email"));
        }
    }

    @Test
    void tagsFromEveryPlaceTheyAppear() {
        List<JsonNode> tags = new ArrayList<>();
        TAG_LIST_FILES.forEach(f -> tags.addAll(items(f, "tags")));
        tags.addAll(list(load("2.11-company.schema-example.json").get("tags"), "tags"));
        tags.addAll(list(load("2.14-conversation.json").get("tags"), "tags"));
        assertEquals(4, tags.size());
        for (JsonNode tag : tags) {
            Struct row = convert("tags", tag);
            assertEquals("tag", row.get("type"));
            assertEquals(tag.get("id").textValue(), row.get("id"));
            assertEquals(tag.get("name").textValue(), row.get("name"));
        }
        assertEquals("Manual tag 1", convert("tags", tags.get(0)).get("name"));
    }

    @Test
    void segmentsFromEveryPlaceTheyAppear() {
        List<JsonNode> segments = new ArrayList<>();
        SEGMENT_LIST_FILES.forEach(f -> segments.addAll(items(f, "segments")));
        segments.addAll(list(load("2.11-company.schema-example.json").get("segments"), "segments"));
        assertEquals(4, segments.size());
        for (JsonNode segment : segments) {
            Struct row = convert("segments", segment);
            assertEquals("segment", row.get("type"));
            assertEquals(segment.get("id").textValue(), row.get("id"));
            assertEquals(segment.get("name").textValue(), row.get("name"));
            assertEquals(date(segment, "created_at"), row.get("created_at"));
            assertEquals(date(segment, "updated_at"), row.get("updated_at"));
            assertEquals(segment.get("person_type").textValue(), row.get("person_type"));
            assertEquals(segment.has("count") ? segment.get("count").asLong() : null, row.get("count"));
        }
        Struct withCount = convert("segments", segments.get(3));
        assertEquals(3L, withCount.get("count"));
        assertEquals(new Date(1_394_622_004_000L), withCount.get("updated_at"));
    }

    // ---------------------------------------------------------------------------------------------
    // Conversations and parts

    @Test
    void conversationsWithTheirChildTables() throws IOException {
        List<JsonNode> conversations = conversations();
        assertEquals(5, conversations.size());
        int attachments = 0;
        int tagRows = 0;
        int customers = 0;
        for (JsonNode conversation : conversations) {
            String id = conversation.get("id").textValue();
            Struct row = convert("conversations", conversation);
            assertEquals(id, row.get("id"));
            assertEquals("conversation", row.get("type"));
            assertEquals(date(conversation, "created_at"), row.get("created_at"));
            assertEquals(date(conversation, "updated_at"), row.get("updated_at"));
            assertNull(row.get("waiting_since"));
            assertNull(row.get("snoozed_until"));
            assertEquals("admin", row.get("assignee_type"), "admin_assignee_id wins over team_assignee_id");
            assertEquals("991267715", row.get("assignee_id"));
            JsonNode firstContact = conversation.at("/contacts/contacts/0");
            assertEquals("contact", row.get("user_type"));
            assertEquals(firstContact.get("id").textValue(), row.get("user_id"));
            JsonNode source = conversation.get("source");
            assertEquals("conversation", row.get("conversation_message_type"));
            assertEquals(source.get("id").textValue(), row.get("conversation_message_id"));
            assertEquals("", row.get("conversation_message_subject"));
            assertEquals("<p>this is the message body</p>", row.get("conversation_message_body"));
            assertEquals("admin", row.get("conversation_message_author_type"));
            assertEquals(source.at("/author/id").textValue(), row.get("conversation_message_author_id"));
            assertNull(row.get("conversation_message_url"));
            assertEquals(Boolean.FALSE, row.get("open"));
            assertEquals(conversation.get("read").booleanValue(), row.get("read"));
            assertEquals("closed", row.get("state"));
            assertEquals(conversation.get("custom_attributes"), MAPPER.readTree((String) row.get("metadata")));

            for (JsonNode attachment : JsonPaths.items(source.get("attachments"), "attachments")) {
                Struct child = convertChild("conversations_attachments", attachment, "conversations_pk", id);
                assertEquals(id, child.get("conversations_pk"));
                attachments++;
            }
            for (JsonNode tag : JsonPaths.items(conversation.get("tags"), "tags")) {
                Struct child = convertChild("conversations_tags", tag, "conversations_pk", id);
                assertEquals(tag.get("id").textValue(), child.get("id"));
                assertEquals("tag", child.get("type"));
                assertEquals(id, child.get("conversations_pk"));
                tagRows++;
            }
            for (JsonNode contact : JsonPaths.items(conversation.get("contacts"), "contacts")) {
                RowConverter.Row child = RowConverter.convert(Tables.get("conversations_customers"),
                        withParent(contact, "conversations_pk", id));
                assertEquals(contact.get("id").textValue(), child.value().get("id"));
                assertEquals("contact", child.value().get("type"));
                assertEquals(id, child.key().get("conversations_pk"));
                assertEquals(contact.get("id").textValue(), child.key().get("id"));
                customers++;
            }
        }
        assertEquals(0, attachments, "no example has an attachment");
        assertEquals(1, tagRows, "the 2.14 example's one tag");
        assertEquals(5, customers);

        Struct billing = convert("conversations", load("2.11-conversation-with-parts.json"));
        assertEquals(MAPPER.readTree("{\"issue_type\":\"Billing\",\"priority\":\"High\"}"),
                MAPPER.readTree((String) billing.get("metadata")));
        assertEquals(Boolean.TRUE, billing.get("read"));
        assertEquals(new Date(1_719_492_834_000L), billing.get("updated_at"));
    }

    @Test
    void conversationPartsCarryTheirConversationAndStringIds() {
        int parts = 0;
        int partAttachments = 0;
        List<String> ids = new ArrayList<>();
        for (String file : CONVERSATION_FILES) {
            JsonNode conversation = load(file);
            String conversationId = conversation.get("id").textValue();
            for (JsonNode part : JsonPaths.items(conversation.get("conversation_parts"), "conversation_parts")) {
                RowConverter.Row row = RowConverter.convert(Tables.get("conversation_parts"),
                        withParent(part, "conversations_pk", conversationId));
                Struct value = row.value();
                String partId = part.get("id").asText();
                assertEquals(partId, value.get("id"), "ids as strings, whether the example has \"96\" or 1");
                assertEquals(partId, row.key().get("id"));
                assertEquals(conversationId, value.get("conversations_pk"));
                assertEquals("conversation_part", value.get("type"));
                assertEquals(part.get("part_type").textValue(), value.get("part_type"));
                assertEquals(textOrNull(part.get("body")), value.get("body"));
                assertEquals(date(part, "created_at"), value.get("created_at"));
                assertEquals(date(part, "updated_at"), value.get("updated_at"));
                assertEquals(date(part, "notified_at"), value.get("notified_at"));
                assertEquals(textOrNull(part.path("assigned_to").get("type")), value.get("assigned_to_type"));
                assertEquals(textOrNull(part.path("assigned_to").get("id")), value.get("assigned_to_id"));
                assertEquals(part.at("/author/type").textValue(), value.get("author_type"));
                assertEquals(part.at("/author/id").textValue(), value.get("author_id"));
                assertEquals(textOrNull(part.get("external_id")), value.get("external_id"));
                ids.add((String) value.get("id"));
                parts++;
                for (JsonNode attachment : JsonPaths.items(part.get("attachments"), "attachments")) {
                    Struct child = convertChild("conversation_parts_attachments", attachment,
                            "conversation_parts_pk", partId);
                    assertEquals(partId, child.get("conversation_parts_pk"));
                    partAttachments++;
                }
            }
        }
        assertEquals(6, parts, "2 parts in the 2.11 example with parts, 4 in the 2.14 one");
        assertEquals(List.of("96", "97", "1", "2", "3", "4"), ids);
        assertEquals(0, partAttachments);

        JsonNode first214 = load("2.14-conversation.json").at("/conversation_parts/conversation_parts/0");
        Struct comment = convert("conversation_parts", withParent(first214, "conversations_pk", "503"));
        assertEquals("comment", comment.get("part_type"));
        assertEquals("<p>Okay!</p>", comment.get("body"));
        assertEquals("contact", comment.get("assigned_to_type"));
        assertEquals("1a2b3c", comment.get("assigned_to_id"));
        assertEquals("abcd1234", comment.get("external_id"));
        assertEquals(new Date(1_663_597_223_000L), comment.get("created_at"));
        assertEquals(new Date(1_663_597_260_000L), comment.get("updated_at"));
    }

    // ---------------------------------------------------------------------------------------------
    // Every copied example is used

    @Test
    void everyCopiedExampleFileIsFedThroughTheConverterOrTheClientTests() throws IOException, URISyntaxException {
        URL dir = OpenApiExamplesTest.class.getResource("/intercom-examples/");
        assertNotNull(dir, "src/test/resources/intercom-examples/ must be on the test classpath");
        Set<String> present = new HashSet<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json") && !n.equals("index.json"))
                    .forEach(present::add);
        }
        Set<String> used = new HashSet<>();
        Stream.of(CONTACT_FILES, CONTACT_LIST_FILES, NOTE_LIST_FILES, NOTE_FILES, EVENT_SUMMARY_FILES, COMPANY_FILES,
                COMPANY_LIST_FILES, ADMIN_FILES, ADMIN_LIST_FILES, TEAM_FILES, TEAM_LIST_FILES, TAG_LIST_FILES,
                SEGMENT_LIST_FILES, CONVERSATION_FILES, CONVERSATION_LIST_FILES, ERROR_FILES).forEach(used::addAll);
        assertEquals(present, used);
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private static List<JsonNode> contacts() {
        List<JsonNode> contacts = new ArrayList<>();
        CONTACT_FILES.forEach(f -> contacts.add(load(f)));
        CONTACT_LIST_FILES.forEach(f -> contacts.addAll(items(f, "contacts")));
        return contacts;
    }

    private static List<JsonNode> conversations() {
        List<JsonNode> conversations = new ArrayList<>();
        CONVERSATION_FILES.forEach(f -> conversations.add(load(f)));
        CONVERSATION_LIST_FILES.forEach(f -> conversations.addAll(items(f, "conversations")));
        return conversations;
    }

    private static Struct convert(String table, JsonNode object) {
        RowConverter.Row row = RowConverter.convert(Tables.get(table), object);
        row.value().validate();
        row.key().validate();
        return row.value();
    }

    private static Struct convertChild(String table, JsonNode item, String parentKey, String parentId) {
        return convert(table, withParent(item, parentKey, parentId));
    }

    /** What the readers do for a child row: a copy of the item with the parent's id added. */
    private static JsonNode withParent(JsonNode item, String parentKey, String parentId) {
        ObjectNode copy = ((ObjectNode) item).deepCopy();
        copy.put(parentKey, parentId);
        return copy;
    }

    private static List<JsonNode> items(String file, String key) {
        return list(load(file), key);
    }

    private static List<JsonNode> list(JsonNode envelope, String key) {
        List<JsonNode> items = new ArrayList<>();
        JsonPaths.items(envelope, key).forEach(items::add);
        return items;
    }

    private static Date date(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : new Date(value.longValue() * 1000);
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    static JsonNode load(String file) {
        try (InputStream in = OpenApiExamplesTest.class.getResourceAsStream("/intercom-examples/" + file)) {
            assertNotNull(in, "missing test resource intercom-examples/" + file);
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
