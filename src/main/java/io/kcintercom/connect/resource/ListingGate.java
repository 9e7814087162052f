package io.kcintercom.connect.resource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The count gate of a {@link SearchSweep} (issue 17): whether a gated listing may stop after its
 * first page, and what a full listing learns for the next gated one. The search's
 * {@code total_count} must equal the parents the store holds plus those Intercom counts that the
 * store never holds ({@link NeverStored}); an object on the first page that the store does not
 * hold but can (something stored is gone, or a creation is not emitted yet) lists in full too.
 */
final class ListingGate {
    /** The sweep's logger: its count line stays where log configurations already look for it. */
    private static final Logger log = LoggerFactory.getLogger(SearchSweep.class);

    private final Resource resource;
    /** The listing may stop after its first page when the counts agree and exceed this; -1: never. */
    private long above = -1;
    private NeverStored learned = new NeverStored();
    /** Objects this listing showed that the store does not hold and never will. */
    private long neverStored;

    ListingGate(Resource resource) {
        this.resource = resource;
    }

    void above(long minObjects) {
        this.above = minObjects;
    }

    /** Where full listings keep what they count and gated ones read it: the resource's, across sweeps. */
    void learnsInto(NeverStored holder) {
        this.learned = holder;
    }

    boolean on() {
        return above >= 0;
    }

    /** The listing showed an object the store does not hold and never will (counted once per id). */
    void neverStored() {
        neverStored++;
    }

    /** The listing went to its last page: what it counted is what Intercom counts beyond the store. */
    void listedInFull() {
        learned.objectsListed(neverStored);
    }

    /**
     * Whether the listing stops after its first page, which showed {@code total} (-1: no total_count)
     * and an object the store can hold but does not ({@code storableUnknown}); logs the counts.
     *
     * @param stored the parents the store holds, -1 without a store
     */
    boolean stops(long total, long stored, boolean storableUnknown) {
        long known = learned.objects();
        String verdict;
        if (total < 0 || stored < 0) {
            verdict = "listing in full";
        } else if (total <= above) {
            verdict = "listing in full (at most intercom.reconcile.gate.min.objects objects)";
        } else if (known == NeverStored.UNKNOWN) {
            verdict = "listing in full (what the store never holds is not counted since the start)";
        } else if (total != stored + known) {
            verdict = "listing in full";
        } else if (storableUnknown) {
            verdict = "listing in full (the first page shows an object the store does not hold yet)";
        } else {
            verdict = null;
        }
        log.info("{}: count-gated sweep: the search counts {}, the store holds {}, never stored {}: {}",
                resource.id(), total < 0 ? "none (no total_count)" : total, stored < 0 ? "none (no store)" : stored,
                known == NeverStored.UNKNOWN ? "not known" : known,
                verdict == null ? "the listing stops at its first page" : verdict);
        return verdict == null;
    }
}
