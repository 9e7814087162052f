package io.kcintercom.connect.resource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waits between passes, in simulated time: no clock, only the waits the schedule hands out. */
class PassScheduleTest {
    private static final long DAY_MS = 86_400_000L;

    @Test
    void idlePassesDoubleTheWaitUpToTheMaximum() {
        PassSchedule schedule = new PassSchedule(30_000, 300_000);
        assertEquals(30_000, schedule.waitAfterPass(true), "a pass that emitted: poll.interval.ms");
        List<Long> idle = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            idle.add(schedule.waitAfterPass(false));
        }
        assertEquals(List.of(60_000L, 120_000L, 240_000L, 300_000L, 300_000L, 300_000L), idle);
    }

    @Test
    void aPassThatEmitsResetsTheWait() {
        PassSchedule schedule = new PassSchedule(30_000, 300_000);
        for (int i = 0; i < 10; i++) {
            schedule.waitAfterPass(false);
        }
        assertEquals(300_000, schedule.lastWaitMs());
        assertEquals(30_000, schedule.waitAfterPass(true));
        assertEquals(60_000, schedule.waitAfterPass(false), "the doubling starts over from poll.interval.ms");
    }

    @Test
    void theFirstPassAfterAStartDoublesFromTheInterval() {
        PassSchedule schedule = new PassSchedule(30_000, 300_000);
        assertEquals(30_000, schedule.lastWaitMs());
        assertEquals(60_000, schedule.waitAfterPass(false), "a restart on a quiet workspace backs off at once");
    }

    @Test
    void aMaximumThatIsNoMultipleOfTheIntervalIsReachedExactly() {
        PassSchedule schedule = new PassSchedule(1_000, 5_500);
        List<Long> idle = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            idle.add(schedule.waitAfterPass(false));
        }
        assertEquals(List.of(2_000L, 4_000L, 5_500L, 5_500L, 5_500L), idle);
    }

    @Test
    void aFixedScheduleAlwaysWaitsTheInterval() {
        PassSchedule schedule = PassSchedule.fixed(30_000);
        for (int i = 0; i < 5; i++) {
            assertEquals(30_000, schedule.waitAfterPass(i % 2 == 0));
        }
    }

    @Test
    void aMaximumBelowTheIntervalIsTheInterval() {
        PassSchedule schedule = new PassSchedule(60_000, 10_000);
        assertEquals(60_000, schedule.waitAfterPass(false));
        assertEquals(60_000, schedule.waitAfterPass(false));
    }

    @Test
    void aZeroIntervalStillBacksOffToTheMaximum() {
        PassSchedule schedule = new PassSchedule(0, 300_000);
        assertEquals(1, schedule.waitAfterPass(false));
        assertEquals(2, schedule.waitAfterPass(false));
        long wait = 0;
        for (int i = 0; i < 40; i++) {
            wait = schedule.waitAfterPass(false);
        }
        assertEquals(300_000, wait);
        assertEquals(0, schedule.waitAfterPass(true), "a pass that emits: straight on");
    }

    @Test
    void aNegativeIntervalIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PassSchedule(-1, 300_000));
    }

    /**
     * Issue 17's no-change day: at the defaults (30 s, 5 min) a search resource makes at most 288
     * passes plus the ramp, against 2,880 at a fixed 30 s; one search page each.
     */
    @Test
    void aDayWithoutChangeAtTheDefaultsIsUnder300PassesPerResource() {
        assertEquals(2_880, passesInADay(PassSchedule.fixed(30_000), false));
        long backedOff = passesInADay(new PassSchedule(30_000, 300_000), false);
        // 0, 60, 180, 420 s, then every 300 s.
        assertEquals(290, backedOff, "passes in a quiet day");
        assertEquals(2_880, passesInADay(new PassSchedule(30_000, 300_000), true),
                "passes that keep emitting keep the interval");
    }

    /** Passes started in a simulated day, each taking no time, the first at midnight. */
    private static long passesInADay(PassSchedule schedule, boolean everyPassEmits) {
        long now = 0;
        long passes = 0;
        while (now < DAY_MS) {
            passes++;
            now += schedule.waitAfterPass(everyPassEmits);
        }
        return passes;
    }
}
