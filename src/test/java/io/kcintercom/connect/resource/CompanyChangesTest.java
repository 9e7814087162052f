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
}
