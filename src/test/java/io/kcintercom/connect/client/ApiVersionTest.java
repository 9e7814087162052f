package io.kcintercom.connect.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ApiVersion}: what each configured version offers the connector. */
class ApiVersionTest {

    /** Moved from DeletedConversationsSweepTest, where the parsing used to live. */
    @Test
    void theListingExistsFromApi216() {
        assertFalse(ApiVersion.of("2.11").listsDeletedConversations());
        assertFalse(ApiVersion.of("2.15").listsDeletedConversations());
        assertTrue(ApiVersion.of("2.16").listsDeletedConversations());
        assertTrue(ApiVersion.of("2.17").listsDeletedConversations());
        assertTrue(ApiVersion.of("Unstable").listsDeletedConversations());
        assertFalse(ApiVersion.of("1.4").listsDeletedConversations());
    }

    @Test
    void exactSecondContactSearchFromApi217() {
        assertFalse(ApiVersion.of("2.11").exactSecondContactSearch());
        assertFalse(ApiVersion.of("2.16").exactSecondContactSearch());
        assertTrue(ApiVersion.of("2.17").exactSecondContactSearch());
        assertTrue(ApiVersion.of("2.20").exactSecondContactSearch());
        assertTrue(ApiVersion.of("3").exactSecondContactSearch());
        assertTrue(ApiVersion.of("Preview").exactSecondContactSearch());
        assertTrue(ApiVersion.of("Unstable").exactSecondContactSearch());
        assertFalse(ApiVersion.of("1.4").exactSecondContactSearch());
    }

    @Test
    void theNameIsKeptTrimmed() {
        assertEquals("2.17", ApiVersion.of(" 2.17 ").toString());
        assertTrue(ApiVersion.of("2.17").atLeast(2, 17));
        assertFalse(ApiVersion.of("2.16").atLeast(2, 17));
    }
}
