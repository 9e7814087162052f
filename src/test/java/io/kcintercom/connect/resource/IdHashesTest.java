package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The compact id set behind the companies scroll, the sweeps' seen ids and segment members. */
class IdHashesTest {
    @Test
    void aHundredThousandSeenIdsAreFoundAndOthersAreNot() {
        IdHashes seen = new IdHashes();
        for (int i = 0; i < 100_000; i++) {
            seen.add("6" + i);
        }
        assertTrue(seen.contains("60"));
        assertTrue(seen.contains("699999"));
        assertFalse(seen.contains("6100000"));
        assertFalse(seen.contains(""));
        assertEquals(100_000, seen.size());
    }

    @Test
    void memberHashesAnswerForWhatWasAddedAcrossGrowthAndLateAdds() {
        IdHashes hashes = new IdHashes();
        for (int i = 0; i < 5_000; i += 2) {
            hashes.add("c" + i);
        }
        assertTrue(hashes.contains("c4998"));
        assertFalse(hashes.contains("c4999"));
        hashes.add("c4999");
        assertTrue(hashes.contains("c4999"), "an id added after a lookup is found too");
        assertFalse(hashes.contains("c1"));
    }

    @Test
    void theSeenSetHoldsFiftyThousandIdsCompactlyAndTellsThemApart() {
        IdHashes seen = new IdHashes();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            ids.add(String.format("%024x", 0x5f1e3c0000000000L + i)); // Intercom-like hex ids, all alike
        }
        ids.forEach(id -> assertTrue(seen.add(id)));
        assertFalse(seen.add(ids.get(123)), "added once");
        assertEquals(50_000, seen.size());
        assertTrue(ids.stream().allMatch(seen::contains));
        for (int i = 50_000; i < 60_000; i++) {
            assertFalse(seen.contains(String.format("%024x", 0x5f1e3c0000000000L + i)));
        }
    }
}
