package io.kcintercom.connect.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workspace the access token reads: the app's {@code id_code} from {@code GET /me}, learned
 * once per task by the first resource to need it and shared by the others.
 *
 * <p>It is asked on a resource's own thread, not in {@code start()}: a request that keeps failing
 * (5xx, timeouts) is retried by the client's policy and then waited out by the resource's
 * supervisor like any other transient failure, never failing the task and never holding up
 * {@code start()} or {@code stop()}; a refused token (401, 403) fails the task as on any request.
 * An answer without an id_code, or a 404, leaves the offsets unbound (with a WARN) rather than
 * stopping the sync.
 */
public final class Workspace {
    private static final Logger log = LoggerFactory.getLogger(Workspace.class);

    private final Supplier<JsonNode> me;
    private String id;

    Workspace(Supplier<JsonNode> me) {
        this.me = me;
    }

    /** The workspace of the token the client sends. */
    public static Workspace of(IntercomClient client) {
        return new Workspace(() -> client.get("/me", "workspace id"));
    }

    /**
     * The app's id_code, or "" when {@code /me} names none (offsets are then not bound to a
     * workspace). Asks Intercom on the first call only; until an answer, each call asks again and
     * throws what the request throws. Callers wait for one another meanwhile: one request at a time.
     */
    public synchronized String id() {
        if (id == null) {
            JsonNode code = appIdCode();
            if (code.isTextual() && !code.asText().isBlank()) {
                id = code.asText().trim();
                log.info("The access token reads workspace {} (app id_code from GET /me)", id);
            } else {
                id = "";
                log.warn("GET /me named no app id_code: offsets are not bound to a workspace, so a token moved to "
                        + "another workspace would resume from this one's positions");
            }
        }
        return id;
    }

    private JsonNode appIdCode() {
        try {
            return me.get().path("app").path("id_code");
        } catch (IntercomApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
            // Intercom always serves /me; a proxy in front of it may not. Reading goes on unbound.
            return MissingNode.getInstance();
        }
    }
}
