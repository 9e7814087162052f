package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomAuthException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The token's workspace from GET /me: its app's id_code, asked once. */
class WorkspaceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theAppsIdCodeIsAskedOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Workspace workspace = new Workspace(() -> {
            calls.incrementAndGet();
            try {
                return JSON.readTree(getClass().getResourceAsStream("/intercom-examples/2.11-me.json"));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("this_is_an_id1_that_should_be_at_least_40", workspace.id());
        assertEquals("this_is_an_id1_that_should_be_at_least_40", workspace.id());
        assertEquals(1, calls.get());
    }

    @Test
    void noIdCodeOrNoMeEndpointLeavesTheOffsetsUnbound() {
        assertEquals("", new Workspace(() -> JSON.createObjectNode().put("type", "admin")).id());
        assertEquals("", new Workspace(() -> {
            throw new IntercomApiException("GET /me (workspace id): HTTP 404", 404, "not_found");
        }).id());
    }

    @Test
    void aRefusedTokenIsThrown() {
        Workspace workspace = new Workspace(() -> {
            throw new IntercomAuthException("refused", 401, "unauthorized");
        });
        assertThrows(IntercomAuthException.class, workspace::id);
    }
}
