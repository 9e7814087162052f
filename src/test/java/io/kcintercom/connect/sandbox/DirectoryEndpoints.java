package io.kcintercom.connect.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Map;

/** GET /me, /admins, /teams, /tags and /segments: small unpaginated lists. */
final class DirectoryEndpoints {

    private static final long APP_AGE_SECONDS = 400L * 86_400;

    private final SampleWorkspace ws;
    private final String timeZone;
    /** The app id_code /me answers with, when the token was moved to another workspace; null: the workspace's. */
    private volatile String movedToAppId;

    DirectoryEndpoints(SampleWorkspace ws, FakeIntercom.Options options) {
        this.ws = ws;
        this.timeZone = options.workspaceTimeZone().getId();
    }

    void register(Routes routes) {
        routes.add("GET", "/me", r -> DirectoryJson.me(ws.adminRecords().get(0), appId(), timeZone,
                        ws.generatedAt().getEpochSecond() - APP_AGE_SECONDS))
                .add("GET", "/admins", this::admins)
                .add("GET", "/teams", r -> list("team.list", "teams", ws.teams()))
                .add("GET", "/tags", r -> {
                    ArrayNode data = Json.array();
                    ws.tagRecords().forEach(t -> data.add(DirectoryJson.tag(t)));
                    return Json.typed("list").set("data", data);
                })
                .add("GET", "/segments", this::segments);
    }

    /** /me answers with {@code appId} from now on (null: the workspace's own again). */
    void answerMeAsApp(String appId) {
        movedToAppId = appId;
    }

    private String appId() {
        String moved = movedToAppId;
        return moved != null ? moved : ws.appId();
    }

    private JsonNode admins(ApiRequest r) {
        boolean avatars = "true".equals(r.param("display_avatar"));
        ArrayNode admins = Json.array();
        ws.adminRecords().forEach(a -> admins.add(DirectoryJson.admin(a, avatars)));
        return Json.typed("admin.list").set("admins", admins);
    }

    /** count is only present with include_count=true, as on the real endpoint. */
    private JsonNode segments(ApiRequest r) {
        Map<String, Integer> counts = "true".equals(r.param("include_count")) ? ws.segmentCounts() : null;
        ArrayNode segments = Json.array();
        ws.segmentRecords().forEach(s -> segments.add(
                DirectoryJson.segment(s, counts == null ? null : counts.getOrDefault(s.id(), 0))));
        return Json.typed("segment.list").set("segments", segments);
    }

    private static JsonNode list(String type, String key, Iterable<JsonNode> items) {
        ArrayNode a = Json.array();
        items.forEach(a::add);
        return Json.typed(type).set(key, a);
    }
}
