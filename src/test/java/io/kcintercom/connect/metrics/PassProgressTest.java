package io.kcintercom.connect.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress of a pass: its counts, the request rate, the ETA and the line logged once a minute. */
class PassProgressTest {
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final PassProgress progress = new PassProgress(clock::get);

    @Test
    void presentBeforeTheFirstPassAsUnknownAndZero() {
        assertEquals(-1, progress.expectedObjects());
        assertEquals(0, progress.doneObjects());
        assertEquals(0, progress.passRequests());
        assertEquals(0, progress.passSeconds());
        assertEquals(0, progress.requestsPerMinute());
        assertEquals(-1, progress.etaSeconds());
        assertFalse(progress.running());
    }

    @Test
    void etaIsTheRemainingObjectsAtThePassesAveragePace() {
        progress.started();
        progress.expect(1_998_312);
        assertEquals(-1, progress.etaSeconds(), "nothing read yet: no pace");
        clock.addAndGet(10 * 60_000L);
        progress.read(412_000);
        // 412,000 objects in 600 s: 686.67 a second; 1,586,312 left take 2,310.2 s.
        assertEquals(2_311, progress.etaSeconds());
        assertEquals(600, progress.passSeconds());
        clock.addAndGet(60_000);
        progress.read(100_000);
        // 512,000 in 660 s; 1,486,312 left: 1,915.95 s.
        assertEquals(1_916, progress.etaSeconds());
        progress.read(1_486_312);
        assertEquals(0, progress.etaSeconds(), "every expected object read");
        progress.ended();
        assertEquals(-1, progress.etaSeconds(), "no ETA between passes");
        assertEquals(1_998_312, progress.doneObjects(), "the last pass's counts stay until the next starts");
        assertEquals(660, progress.passSeconds());
    }

    @Test
    void noEtaWhileTheTotalIsNotKnown() {
        progress.started();
        clock.addAndGet(60_000);
        progress.readSoFar(12_000);
        assertEquals(-1, progress.etaSeconds());
        assertEquals(12_000, progress.doneObjects());
        assertEquals("companies: 12,000 objects read in 1 min (total not known), 0 req/min",
                progress.line("companies"));
    }

    @Test
    void requestsPerMinuteCountsTheLastMinuteOnly() {
        progress.started();
        for (int i = 0; i < 120; i++) {
            progress.answered();
            clock.addAndGet(1_000);
        }
        long rate = progress.requestsPerMinute();
        assertTrue(rate >= 55 && rate <= 60, "one answer a second is about 60 a minute: " + rate);
        assertEquals(120, progress.passRequests());
        clock.addAndGet(61_000);
        assertEquals(0, progress.requestsPerMinute(), "a minute without answers");
        assertEquals(120, progress.passRequests());
    }

    @Test
    void aNewPassStartsItsCountsAfresh() {
        progress.started();
        progress.expect(300);
        progress.read(300);
        progress.answered();
        progress.ended();
        progress.started();
        assertEquals(-1, progress.expectedObjects());
        assertEquals(0, progress.doneObjects());
        assertEquals(0, progress.passRequests());
    }

    @Test
    void aPassResumedInsideTheTaskGoesOnCounting() {
        progress.started();
        progress.expect(1_000);
        progress.read(450);
        progress.resumed();
        assertEquals(1_000, progress.expectedObjects());
        assertEquals(450, progress.doneObjects());
    }

    @Test
    void aPassResumedAfterTheTaskRestartedHasNoKnownTotal() {
        progress.resumed();
        assertTrue(progress.running());
        assertEquals(-1, progress.expectedObjects());
        assertEquals(0, progress.doneObjects());
    }

    @Test
    void theLineComesAMinuteIntoThePassAndThenAtMostOnceAMinute() {
        progress.started();
        progress.expect(1_998_312);
        List<String> lines = new ArrayList<>();
        for (int second = 1; second <= 300; second++) {
            clock.addAndGet(1_000);
            progress.read(1_373);
            for (int i = 0; i < 160; i++) {
                progress.answered();
            }
            // The worker asks about once a second, more often when records flow.
            for (int ask = 0; ask < 3; ask++) {
                String line = progress.lineIfDue("users");
                if (line != null) {
                    lines.add(line);
                }
            }
        }
        assertEquals(5, lines.size(), lines.toString());
        assertEquals("users: 82,380 of 1,998,312 (4 %), 9,600 req/min, ETA 24 min", lines.get(0));
        assertEquals("users: 411,900 of 1,998,312 (20 %), 9,600 req/min, ETA 20 min", lines.get(4));
    }

    @Test
    void noLineWhenNoPassRunsOrWithinAPassesFirstMinute() {
        for (int second = 0; second < 600; second++) {
            clock.addAndGet(1_000);
            assertNull(progress.lineIfDue("users"), "idle before the first pass");
        }
        progress.started();
        progress.expect(150);
        clock.addAndGet(59_000);
        progress.read(150);
        assertNull(progress.lineIfDue("users"), "a pass within its first minute");
        progress.ended();
        for (int second = 0; second < 600; second++) {
            clock.addAndGet(1_000);
            assertNull(progress.lineIfDue("users"), "caught up");
        }
        progress.started();
        clock.addAndGet(60_000);
        assertNotNull(progress.lineIfDue("users"), "a long pass again");
    }

    @Test
    void durationsRoundUpToTheMinute() {
        assertEquals("< 1 min", PassProgress.duration(59));
        assertEquals("1 min", PassProgress.duration(60));
        assertEquals("41 min", PassProgress.duration(40 * 60 + 1));
        assertEquals("3 h 5 min", PassProgress.duration(3 * 3600 + 5 * 60));
    }
}
