package io.kcintercom.connect.resource;

import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.client.IntercomApiException;
import io.kcintercom.connect.client.IntercomClient;
import io.kcintercom.connect.client.IntercomTransientException;
import io.kcintercom.connect.client.RetriesExhaustedException;
import io.kcintercom.connect.state.EmittedKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleted companies, found at the end of a pass whose scroll read to its end: Intercom lists no
 * deletions, so a company the store of emitted keys holds that the scroll did not return is a
 * candidate. That the scroll returns every company is not documented (the list and the search
 * leave out companies without users), so each candidate is asked for with {@code GET
 * /companies/{id}}: a 404 is a delete, whose rows the pass then retracts; an answer keeps the
 * company (counted, its id at DEBUG only). Runs on the pass's own thread once the scroll is over,
 * so the workspace's one scroll is free meanwhile and no scroll_param expires.
 */
final class CompaniesVanished {
    private static final Logger log = LoggerFactory.getLogger(CompaniesVanished.class);

    /**
     * What the check found: the companies to retract; those still answering; and those left
     * unchecked because Intercom kept failing, which the next pass checks again.
     */
    record Found(List<String> deleted, int kept, int unchecked) {
        static final Found NOTHING = new Found(List.of(), 0, 0);
    }

    private final IntercomClient client;
    private final EmittedKeys keys;

    CompaniesVanished(IntercomClient client, EmittedKeys keys) {
        this.client = client;
        this.keys = keys;
    }

    /**
     * The stored companies the scroll did not return, each confirmed by Intercom. Without a store
     * nothing is known to have been emitted, so nothing is checked.
     */
    Found check(Predicate<String> returnedByScroll) {
        if (!keys.enabled()) {
            return Found.NOTHING;
        }
        List<String> candidates = new ArrayList<>();
        keys.forEachParent(Resource.COMPANIES, id -> {
            if (!returnedByScroll.test(id)) {
                candidates.add(id);
            }
        });
        if (candidates.isEmpty()) {
            return Found.NOTHING;
        }
        List<String> deleted = new ArrayList<>();
        int kept = 0;
        int checked = 0;
        for (String id : candidates) {
            if (Thread.currentThread().isInterrupted()) {
                throw new ClientStoppedException();
            }
            try {
                client.get("/companies/" + SubLists.encode(id), "company " + id);
                kept++;
                log.debug("companies: company {} was not in the scroll but Intercom still has it; kept", id);
            } catch (IntercomTransientException | RetriesExhaustedException e) {
                // Intercom keeps failing: the deletes found so far are retracted, the rest waits for the next pass.
                break;
            } catch (IntercomApiException e) {
                if (!FollowUpPlan.revealsDelete(e)) {
                    throw e; // the token or the config: the resource's supervision reports it
                }
                deleted.add(id);
            }
            checked++;
        }
        Found found = new Found(deleted, kept, candidates.size() - checked);
        log.info("companies: {} stored companies were not in the scroll: {} deleted (their rows are retracted), "
                + "{} still answer (kept), {} left for the next pass", candidates.size(), found.deleted().size(),
                found.kept(), found.unchecked());
        return found;
    }
}
