package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kcintercom.connect.sandbox.Model.Admin;
import io.kcintercom.connect.sandbox.Model.Company;
import io.kcintercom.connect.sandbox.Model.Segment;
import io.kcintercom.connect.sandbox.Model.Tag;
import io.kcintercom.connect.sandbox.Model.Team;
import java.util.List;
import java.util.function.Function;

/** Admins, teams, tags, segments and companies in the v2 API's JSON shapes. */
final class DirectoryJson {

    private DirectoryJson() {
    }

    static ObjectNode admin(Admin a, boolean withAvatar) {
        ObjectNode o = Json.typed("admin");
        o.put("email", a.email());
        o.put("id", a.id());
        o.put("name", a.name());
        o.put("job_title", a.jobTitle());
        o.put("away_mode_enabled", a.awayModeEnabled());
        o.put("away_mode_reassign", a.awayModeReassign());
        o.put("has_inbox_seat", a.hasInboxSeat());
        o.set("team_ids", Json.intIds(a.teamIds()));
        if (withAvatar) {
            o.set("avatar", Json.typed("avatar").put("image_url", a.avatarUrl()));
        }
        return o;
    }

    /** The admin object embedded as a note's author. */
    static ObjectNode noteAuthor(Admin a) {
        return Json.typed("admin").put("id", a.id()).put("name", a.name()).put("email", a.email())
                .put("away_mode_enabled", a.awayModeEnabled()).put("away_mode_reassign", a.awayModeReassign());
    }

    static ObjectNode me(Admin a, String appId, String timeZone, long appCreatedAt) {
        ObjectNode o = Json.typed("admin");
        o.put("id", a.id());
        o.put("email", a.email());
        o.put("name", a.name());
        o.put("email_verified", true);
        ObjectNode app = Json.typed("app");
        app.put("id_code", appId);
        app.put("name", "Sample Workspace " + appId);
        app.put("created_at", appCreatedAt);
        app.put("secure", false);
        app.put("identity_verification", false);
        app.put("timezone", timeZone);
        app.put("region", "US");
        o.set("app", app);
        o.set("avatar", Json.typed("avatar").put("image_url", a.avatarUrl()));
        o.put("has_inbox_seat", a.hasInboxSeat());
        return o;
    }

    static ObjectNode team(Team t) {
        ObjectNode o = Json.typed("team");
        o.put("id", t.id());
        o.put("name", t.name());
        o.set("admin_ids", Json.intIds(t.adminIds()));
        ObjectNode priority = Json.object();
        priority.set("primary_admin_ids", Json.intIds(t.adminIds().stream().limit(1).toList()));
        priority.set("secondary_admin_ids", Json.intIds(t.adminIds().stream().skip(1).toList()));
        o.set("admin_priority_level", priority);
        return o;
    }

    static ObjectNode tag(Tag t) {
        return Json.typed("tag").put("id", t.id()).put("name", t.name());
    }

    /** @param count null unless the caller asked for include_count */
    static ObjectNode segment(Segment s, Integer count) {
        ObjectNode o = Json.typed("segment").put("id", s.id()).put("name", s.name()).put("created_at", s.createdAt())
                .put("updated_at", s.updatedAt()).put("person_type", s.personType());
        if (count != null) {
            o.put("count", count);
        }
        return o;
    }

    /** Like the GET company example, absent optional fields are left out rather than sent as null. */
    static ObjectNode company(Company c, Function<String, Tag> tags) {
        ObjectNode o = Json.typed("company");
        o.put("company_id", c.companyId());
        o.put("id", c.id());
        o.put("app_id", c.appId());
        o.put("name", c.name());
        o.put("remote_created_at", c.remoteCreatedAt());
        o.put("created_at", c.createdAt());
        o.put("updated_at", c.updatedAt());
        if (c.lastRequestAt() != null) {
            o.put("last_request_at", c.lastRequestAt());
        }
        if (c.monthlySpend() instanceof Double d) {
            o.put("monthly_spend", d);
        } else {
            o.put("monthly_spend", c.monthlySpend().intValue());
        }
        o.put("session_count", c.sessionCount());
        o.put("user_count", c.userCount());
        if (c.size() != null) {
            o.put("size", c.size());
        }
        if (c.website() != null) {
            o.put("website", c.website());
        }
        if (c.industry() != null) {
            o.put("industry", c.industry());
        }
        ArrayNode tagArray = Json.array();
        c.tagIds().forEach(id -> tagArray.add(tag(tags.apply(id))));
        o.set("tags", Json.typed("tag.list").set("tags", tagArray));
        o.set("segments", Json.typed("segment.list").set("segments", refs("segment", c.segmentIds())));
        o.set("plan", c.planId() == null ? Json.object()
                : Json.typed("plan").put("id", c.planId()).put("name", c.planName()));
        o.set("custom_attributes", Json.object().put("tier", c.tier()).put("employees", c.employees())
                .put("profile_revision", c.revision()));
        return o;
    }

    private static ArrayNode refs(String type, List<String> ids) {
        ArrayNode a = Json.array();
        ids.forEach(id -> a.add(Json.typed(type).put("id", id)));
        return a;
    }
}
