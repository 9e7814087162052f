package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.Model.Admin;
import io.kcintercom.connect.sandbox.Model.Contact;
import io.kcintercom.connect.sandbox.Model.ContactProfile;
import io.kcintercom.connect.sandbox.Model.Device;
import io.kcintercom.connect.sandbox.Model.EventSummary;
import io.kcintercom.connect.sandbox.Model.Location;
import io.kcintercom.connect.sandbox.Model.Note;
import io.kcintercom.connect.sandbox.Model.SocialProfile;
import io.kcintercom.connect.sandbox.Model.Tag;
import io.kcintercom.connect.sandbox.Model.TagLink;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/** Contacts and their sub-resources in the v2 API's JSON shapes (see the 2.11/2.14 example payloads). */
final class ContactJson {

    /** Contacts inline at most this many tags, notes and companies; the rest need the sub-resource call. */
    static final int INLINE_LIMIT = 10;

    /** Newest first, as GET /contacts/{id}/notes lists them. */
    static final Comparator<Note> NEWEST_FIRST =
            Comparator.comparingLong(Note::createdAt).reversed().thenComparing(Note::id, Ids.ORDER.reversed());

    private ContactJson() {
    }

    /**
     * @param singleGet GET /contacts/{id} carries utm_*, referrer and enabled_push_messaging; search and list
     *                  results do not
     */
    static ObjectNode contact(Contact c, String workspaceId, boolean singleGet) {
        ContactProfile p = c.profile();
        ObjectNode o = Json.typed("contact");
        o.put("id", c.id());
        o.put("workspace_id", workspaceId);
        o.put("external_id", c.externalId());
        o.put("role", c.role());
        o.put("email", c.email());
        o.put("email_domain", c.email() == null ? null : c.email().substring(c.email().indexOf('@') + 1));
        o.put("phone", p.phone());
        o.put("name", c.name());
        if (p.avatarUrl() == null) {
            o.putNull("avatar");
        } else {
            o.set("avatar", Json.typed("avatar").put("image_url", p.avatarUrl()));
        }
        o.put("owner_id", p.ownerId());
        o.set("social_profiles", socialProfiles(p.socialProfiles()));
        o.put("has_hard_bounced", p.hasHardBounced());
        o.put("marked_email_as_spam", p.markedEmailAsSpam());
        o.put("unsubscribed_from_emails", p.unsubscribedFromEmails());
        o.put("created_at", c.createdAt());
        o.put("updated_at", c.updatedAt());
        o.put("signed_up_at", c.signedUpAt());
        o.put("last_seen_at", c.lastSeenAt());
        o.put("last_replied_at", p.lastRepliedAt());
        o.put("last_contacted_at", p.lastContactedAt());
        o.put("last_email_opened_at", p.lastEmailOpenedAt());
        o.put("last_email_clicked_at", p.lastEmailClickedAt());
        o.put("language_override", p.languageOverride());
        o.put("browser", p.browser());
        o.put("browser_version", p.browserVersion());
        o.put("browser_language", p.browserLanguage());
        o.put("os", p.os());
        o.set("location", location(p.location()));
        device(o, "android", p.device());
        device(o, "ios", p.device());
        o.set("custom_attributes", customAttributes(c));
        o.set("tags", addressable(c.id(), "tags", c.tags(), TagLink::tagId, "tag", "/tags/"));
        List<Note> notes = c.notes().stream().sorted(NEWEST_FIRST).toList();
        o.set("notes", addressable(c.id(), "notes", notes, Note::id, "note", "/notes/"));
        o.set("companies", addressable(c.id(), "companies", c.companyIds(), id -> id, "company", "/companies/"));
        // The sample workspace has no subscription types; the lists are there because the real payload has them.
        o.set("opted_out_subscription_types", addressable(c.id(), "subscriptions", List.<String>of(), id -> id, "subscription", "/subscriptions/"));
        o.set("opted_in_subscription_types", addressable(c.id(), "subscriptions", List.<String>of(), id -> id, "subscription", "/subscriptions/"));
        if (singleGet) {
            o.put("utm_campaign", p.utmCampaign());
            o.putNull("utm_content");
            o.put("utm_medium", p.utmSource() == null ? null : "cpc");
            o.put("utm_source", p.utmSource());
            o.putNull("utm_term");
            o.put("referrer", p.referrer());
            o.putNull("enabled_push_messaging");
        }
        return o;
    }

    /** {type:"list", data:[{type,id,url}] (first 10 only), url, total_count, has_more}. */
    private static <T> ObjectNode addressable(String contactId, String path, List<T> items, Function<T, String> idOf,
                                              String itemType, String itemUrlPrefix) {
        ArrayNode data = Json.array();
        items.stream().limit(INLINE_LIMIT).forEach(item -> {
            String id = idOf.apply(item);
            data.add(Json.typed(itemType).put("id", id).put("url", itemUrlPrefix + id));
        });
        ObjectNode list = Json.typed("list");
        list.set("data", data);
        list.put("url", "/contacts/" + contactId + "/" + path);
        list.put("total_count", items.size());
        list.put("has_more", items.size() > INLINE_LIMIT);
        return list;
    }

    private static ObjectNode socialProfiles(List<SocialProfile> profiles) {
        ArrayNode data = Json.array();
        profiles.forEach(s -> data.add(Json.typed("social_profile").put("name", s.name()).put("url", s.url())));
        ObjectNode list = Json.typed("list");
        list.set("data", data);
        return list;
    }

    private static ObjectNode location(Location l) {
        return Json.typed("location").put("country", l.country()).put("region", l.region()).put("city", l.city())
                .put("country_code", l.countryCode()).put("continent_code", l.continentCode());
    }

    private static void device(ObjectNode o, String platform, Device d) {
        boolean on = d != null && d.platform().equals(platform);
        o.put(platform + "_app_name", on ? d.appName() : null);
        o.put(platform + "_app_version", on ? d.appVersion() : null);
        o.put(platform + "_device", on ? d.device() : null);
        o.put(platform + "_os_version", on ? d.osVersion() : null);
        o.put(platform + "_sdk_version", on ? d.sdkVersion() : null);
        o.put(platform + "_last_seen_at", on ? Long.valueOf(d.lastSeenAt()) : null);
    }

    private static ObjectNode customAttributes(Contact c) {
        ContactProfile p = c.profile();
        return Json.object().put("plan", p.plan()).put("seats", p.seats()).put("mrr", p.mrr())
                .put("beta_user", p.betaUser()).put("profile_revision", c.revision());
    }

    /** A tag as GET /contacts/{id}/tags returns it: with applied_at and an applied_by reference. */
    static ObjectNode appliedTag(Tag tag, TagLink link) {
        ObjectNode o = DirectoryJson.tag(tag);
        o.put("applied_at", link.appliedAt());
        o.set("applied_by", Json.typed("admin").put("id", link.appliedByAdminId()));
        return o;
    }

    static ObjectNode note(Note n, Admin author, String contactId) {
        ObjectNode o = Json.typed("note");
        o.put("id", n.id());
        o.put("created_at", n.createdAt());
        o.set("contact", Json.typed("contact").put("id", contactId));
        o.set("author", DirectoryJson.noteAuthor(author));
        o.put("body", n.body());
        return o;
    }

    static ObjectNode event(EventSummary e) {
        return Json.object().put("name", e.name()).put("first", Json.isoMillis(e.first()))
                .put("last", Json.isoMillis(e.last())).put("count", e.count()).put("description", e.description());
    }

    static ObjectNode eventSummary(Contact c) {
        ObjectNode o = Json.typed("event.summary");
        o.put("email", c.email());
        o.put("intercom_user_id", c.id());
        o.put("user_id", c.externalId());
        ArrayNode events = Json.array();
        c.events().forEach(e -> events.add(event(e)));
        o.set("events", events);
        return o;
    }
}
