package io.kcintercom.connect.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * How a {@link BudgetShare} learns that the others left (issue 19): whole server windows are judged
 * from the lowest figure answered to us against the number of our answers, so others are forgotten
 * only after {@value BudgetShare#QUIET_WINDOWS_TO_FORGET} windows in a row in which the server counted
 * nobody else, and the share's hold at {@value BudgetShare#SHARED_MAX_FRACTION} lifts then.
 */
class BudgetShareTest {
    private static final long LIMIT = 100;
    private static final long WINDOW_MS = 10_000;

    private final BudgetShare.OtherSpenders others = new BudgetShare.OtherSpenders();

    @Test
    void othersAreForgottenAfterEnoughWindowsInWhichTheServerCountedOnlyUs() {
        others.seen();
        for (int window = 0; window < BudgetShare.QUIET_WINDOWS_TO_FORGET; window++) {
            onlyOurs(window, 40);
            assertTrue(others.known(), "window " + window + " is judged only once the next one is over");
        }
        onlyOurs(BudgetShare.QUIET_WINDOWS_TO_FORGET, 40);
        onlyOurs(BudgetShare.QUIET_WINDOWS_TO_FORGET + 1, 40);
        assertFalse(others.known(), "six windows in a row counted nobody else");
    }

    @Test
    void aWindowInWhichOthersWereCountedStartsTheRunAgain() {
        others.seen();
        int window = 0;
        for (; window < BudgetShare.QUIET_WINDOWS_TO_FORGET - 1; window++) {
            onlyOurs(window, 40);
        }
        // 40 answers of ours, but the figure fell by 43: a peer spent 3.
        for (int i = 1; i <= 40; i++) {
            others.counted(LIMIT, LIMIT - i - (i > 20 ? 3 : 0), reset(window));
        }
        window++;
        for (int quiet = 0; quiet < BudgetShare.QUIET_WINDOWS_TO_FORGET; quiet++, window++) {
            onlyOurs(window, 40);
        }
        assertTrue(others.known(), "the run of quiet windows started again after the peer's spending");
        onlyOurs(window++, 40);
        onlyOurs(window, 40);
        assertFalse(others.known());
    }

    @Test
    void aWindowAfterItsEndAndAnswersReportingNothingLeftAreCountedRight() {
        others.seen();
        for (int window = 0; window < BudgetShare.QUIET_WINDOWS_TO_FORGET + 2; window++) {
            // 30 of ours counted; the answers of the last 5 come only after the next window's
            // first answer, and 3 more were refused (a 429 reports nothing left and is not counted).
            for (int i = 1; i <= 25; i++) {
                others.counted(LIMIT, LIMIT - i, reset(window));
            }
            others.counted(LIMIT, 0, reset(window));
            others.counted(LIMIT, LIMIT - 1, reset(window + 1));
            for (int i = 26; i <= 30; i++) {
                others.counted(LIMIT, LIMIT - i, reset(window));
            }
            others.counted(LIMIT, 0, reset(window));
            others.counted(LIMIT, 0, reset(window));
            others.counted(LIMIT, LIMIT - 2, reset(window + 1));
        }
        assertFalse(others.known(), "late answers and 429s are nobody else's spending");
    }

    @Test
    void windowsInWhichWeSentNothingNeitherCountNorBreakTheRun() {
        others.seen();
        int window = 0;
        for (; window < BudgetShare.QUIET_WINDOWS_TO_FORGET - 1; window++) {
            onlyOurs(window, 10);
        }
        window += 5; // idle: no answer names these windows
        onlyOurs(window++, 10);
        assertTrue(others.known());
        onlyOurs(window++, 10);
        onlyOurs(window, 10);
        assertFalse(others.known());
    }

    /**
     * Through the share: a limiter that saw another spender holds its fraction at
     * {@value BudgetShare#SHARED_MAX_FRACTION}; once the windows counted only its own requests for a
     * minute, the hold lifts and the fraction doubles back to the whole; the next foreign spending
     * holds it again at once.
     */
    @Test
    void theHoldOnTheShareLiftsOnceTheOthersAreForgottenAndComesBackWithThem() {
        BudgetShare share = new BudgetShare();
        long ticket = 0;
        long remaining = LIMIT - 1;
        share.answered(++ticket, LIMIT, remaining, reset(0), ticket);
        // Two of ours go; the answer to the first shows 10 more spent by someone else.
        long sent = ticket + 2;
        share.answered(++ticket, LIMIT, remaining -= 11, reset(0), sent);
        assertTrue(share.fraction() <= BudgetShare.SHARED_MAX_FRACTION, "share " + share.fraction());
        ticket = sent;
        for (int window = 1; window <= BudgetShare.QUIET_WINDOWS_TO_FORGET + 2; window++) {
            remaining = LIMIT;
            for (int i = 0; i < 20; i++) {
                share.held();
                share.answered(++ticket, LIMIT, --remaining, reset(window), ticket);
            }
            boolean forgotten = window > BudgetShare.QUIET_WINDOWS_TO_FORGET;
            assertTrue(forgotten || share.fraction() <= BudgetShare.SHARED_MAX_FRACTION,
                    "window " + window + ": share " + share.fraction());
        }
        assertEquals(1.0, share.fraction(), "alone for a minute: the whole again");
        long window = BudgetShare.QUIET_WINDOWS_TO_FORGET + 3;
        share.answered(++ticket, LIMIT, LIMIT - 1, reset(window), ticket);
        share.answered(++ticket, LIMIT, LIMIT - 12, reset(window), ticket);
        assertTrue(share.fraction() <= BudgetShare.SHARED_MAX_FRACTION, "held again at once: " + share.fraction());
    }

    /** One window in which the server counted exactly our {@code requests}. */
    private void onlyOurs(long window, int requests) {
        for (int i = 1; i <= requests; i++) {
            others.counted(LIMIT, LIMIT - i, reset(window));
        }
    }

    private static long reset(long window) {
        return 1_700_000_010_000L + window * WINDOW_MS;
    }
}
