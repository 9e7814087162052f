package io.kcintercom.connect.resource;

import static io.kcintercom.connect.resource.CompaniesReaderTest.company;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link CompanyChanges}: which companies a pass emits, without HTTP or threads. */
class CompanyChangesTest {
    static final long T = ReaderTestSupport.T;

    @Test
    void theFirstPassEmitsEveryCompany() {
        CompanyChanges changes = new CompanyChanges(-1, T * 1000, Map.of());
        assertTrue(changes.changed(company("A", 1)));
        assertTrue(changes.changed(company("B", T)));
    }

    @Test
    void companiesAtOrBelowTheWatermarkAreSkipped() {
        CompanyChanges changes = new CompanyChanges(T - 1000, T * 1000, Map.of());
        assertFalse(changes.changed(company("A", T - 1001)));
        assertFalse(changes.changed(company("B", T - 1000)));
        assertTrue(changes.changed(company("C", T - 999)));
    }

    @Test
    void aCompanyTheLastPassEmittedWithTheSameUpdatedAtIsSkippedAChangedOneIsNot() {
        CompanyChanges changes = new CompanyChanges(T - 1000, T * 1000, Map.of("A", T - 10, "B", T - 10));
        assertFalse(changes.changed(company("A", T - 10)));
        assertTrue(changes.changed(company("B", T - 5)));
    }

    @Test
    void theWatermarkIsTheNewestUpdatedAtLessThePassDurationAndTheMarginNeverTheWorkersClock() {
        long startMs = (T + 7200) * 1000; // the worker's clock, two hours ahead of Intercom's
        CompanyChanges changes = new CompanyChanges(T - 5000, startMs, Map.of());
        changes.changed(company("A", T - 9000));
        changes.changed(company("B", T - 20));
        changes.changed(company("C", T - 4000));

        long watermark = changes.nextWatermark(startMs + 99_001, -1); // a pass of 99.001 s: 100 s
        assertEquals(T - 20 - 100 - CompaniesReader.WATERMARK_MARGIN_SECONDS, watermark);
        assertEquals(Map.of("B", T - 20), changes.emittedAbove(watermark), "B is compared by id next time");
    }

    @Test
    void aPassThatSawNoNewerCompanyKeepsTheWatermarkAndAnImplausibleUpdatedAtIsNotTakenForIntercomsTime() {
        CompanyChanges changes = new CompanyChanges(T - 100, T * 1000, Map.of());
        changes.changed(company("A", T - 9000));
        changes.changed(company("B", T + 10 * 86_400)); // ten days ahead: bad data, not Intercom's clock
        assertEquals(T - 100, changes.nextWatermark(T * 1000, -1));
    }

    @Test
    void theDateHeaderOfTheScrollsOpeningLessTheMarginIsTheWatermarkWhenItIsHigher() {
        long startMs = (T + 7200) * 1000; // the worker's clock, two hours ahead of Intercom's
        CompanyChanges changes = new CompanyChanges(T - 5000, startMs, Map.of());
        changes.changed(company("A", T - 9000));
        changes.changed(company("B", T - 20));

        long watermark = changes.nextWatermark(startMs + 5_000, T * 1000);
        assertEquals(T - CompaniesReader.WATERMARK_MARGIN_SECONDS, watermark, "Intercom's time at the opening");
        assertEquals(Map.of("B", T - 20), changes.emittedAbove(watermark));
        assertEquals(T - 20 - 5 - CompaniesReader.WATERMARK_MARGIN_SECONDS,
                changes.nextWatermark(startMs + 5_000, T * 1000 - 100_000), "an older Date does not lower it");
    }
}
