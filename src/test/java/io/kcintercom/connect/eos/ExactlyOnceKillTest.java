package io.kcintercom.connect.eos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kcintercom.connect.eos.KillTestSupport.Result;
import io.kcintercom.connect.eos.KillTestSupport.Scenario;
import io.kcintercom.connect.eos.KillTestSupport.TableCount;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kill test (issue 6), small form: a Connect worker in a JVM of its own syncs a sample
 * workspace of a few thousand rows across all 22 tables and is killed with SIGKILL at random
 * points; each time a new worker JVM takes over on the same Kafka, with the same group.id and
 * internal topics. A {@code read_committed} consumer then reads every topic.
 *
 * <ul>
 *   <li>With {@code exactly.once.source.support=enabled}: every expected key in every table, and no
 *       key twice, whether the kills come at random points or in the middle of the companies scroll.</li>
 *   <li>Without it: no key missing, no row written twice by one worker, and every row written again
 *       after a kill is one the killed worker wrote after its last offset commit (the stored offsets
 *       never lag behind what was delivered). Issue 6 asks for "at most one batch per restart per
 *       task": Connect commits offsets every {@code offset.flush.interval.ms} in this mode, not per
 *       batch, and a task writes a page of contacts (about 1,000 rows) in well under that, so a kill
 *       in such a burst re-sends several batches. The test reports the duplicates per kill per task
 *       rather than asserting that bound.</li>
 * </ul>
 *
 * <p>The numbers of each run (rows per table, duplicates, records in flight at each kill, times) go
 * to {@code target/eos-kill/<scenario>/report.txt} and to this test's output; the worker logs and
 * dumps of the offsets topic are next to them. The kill points are seeded: {@code
 * -Dkill.test.seed=N} tries other ones. The large form is {@link ExactlyOnceKillBenchmarkTest}.
 */
class ExactlyOnceKillTest extends KillTestLifecycle {
    static final long KILL_SEED = Long.getLong("kill.test.seed", 618L);
    /**
     * A worker killed while the companies scroll is open leaves it open: Intercom (and the fake) allow one per
     * workspace, and the next worker's companies reader waits 60 s for it to expire. So a sync may take that
     * much longer when a kill lands there.
     */
    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(100);
    /**
     * About 6,300 rows: 450 users and 150 leads (four search pages of 150 contacts, each about a second of
     * follow-up requests), 60 companies (two scroll pages), 120 conversations with their parts, and the
     * reference tables.
     */
    static SampleWorkspace.Sizes smallWorkspace() {
        return SampleWorkspace.Sizes.builder()
                .users(450).leads(150).companies(60).admins(8).teams(3).tags(30).segments(6)
                .conversations(120).notesPerContact(2).eventsPerContact(2).tagsPerContact(3).build();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void exactlyOnceSurvivesThreeSigkillsWithoutLossOrDuplicate() throws Exception {
        Scenario scenario = Scenario.builder("eos", true)
                .workspace(6, smallWorkspace())
                .intercom(5, 15, 4_000)
                .kills(3, KILL_SEED, 0.05, 0.8)
                .connector(3, 200, 8)
                .timing(1_000, SYNC_TIMEOUT)
                .build();
        Result result = KillTestSupport.run(kafka, scenario);
        System.out.println(result.report());

        assertEquals(3, result.kills().size());
        for (TableCount table : result.tables().values()) {
            assertTrue(table.expected() > 0, "the workspace feeds " + table.table());
        }
        result.assertExactlyOnce();
    }

    /**
     * A kill aimed at the companies pass (issue 19): more than 10,000 companies changed, so the pass streams them
     * in batches that all carry the old watermark, and the kill comes once some, not all, are committed. A restart
     * scrolls again from that watermark; it must not commit any company a second time, which it knows from the
     * state topic (each company's updated_at, committed with its row).
     */
    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void exactlyOnceSurvivesAKillInTheMiddleOfTheCompaniesPass() throws Exception {
        Scenario scenario = Scenario.builder("eos-companies", true)
                // Leads take two search pages, so the task spends a second on them between two turns of the
                // companies reader; users take three, so the sync goes on after the companies.
                .workspace(8, SampleWorkspace.Sizes.builder()
                        .users(450).leads(300).companies(10_500).admins(2).teams(1).tags(10).segments(2)
                        .conversations(0).notesPerContact(1).eventsPerContact(1).tagsPerContact(1).build())
                .intercom(5, 15, 4_000)
                .kills(1, KILL_SEED, 0, 0)
                .firstKillInCompaniesPass()
                .connector(3, 200, 8)
                .timing(1_000, SYNC_TIMEOUT)
                .build();
        Result result = KillTestSupport.run(kafka, scenario);
        System.out.println(result.report());

        for (TableCount table : result.tables().values()) {
            assertEquals(0, table.missing(), "missing keys in " + table.table() + result.report());
            assertEquals(0, table.duplicates(), "duplicate keys in " + table.table() + ": "
                    + table.sampleDuplicates() + result.report());
        }
    }

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void withoutExactlyOnceNothingIsLostAndOnlyWhatFollowedTheLastOffsetCommitIsSentAgain() throws Exception {
        Scenario scenario = Scenario.builder("alo", false)
                .workspace(7, SampleWorkspace.Sizes.builder()
                        .users(300).leads(150).companies(40).admins(4).teams(2).tags(15).segments(4)
                        .conversations(60).notesPerContact(2).eventsPerContact(2).tagsPerContact(3).build())
                // Slower answers than the other scenarios: this workspace is smaller, and at 5-15 ms a sync took
                // about 2 s, less than the wait for a worker's first offset commit, so the first kill came after it.
                .intercom(40, 80, 4_000)
                .kills(2, KILL_SEED, 0.05, 0.8)
                .connector(3, 200, 8)
                .timing(1_000, SYNC_TIMEOUT)
                .build();
        Result result = KillTestSupport.run(kafka, scenario);
        System.out.println(result.report());

        result.assertAtLeastOnce();
        // Issue 6 expects at most one batch per restart per task. Connect's at-least-once mode commits offsets
        // every offset.flush.interval.ms, not per batch, so that is not a bound the connector can keep: reported,
        // not asserted (see the class comment).
        int worst = result.duplicatesByKillByTask().stream().flatMap(m -> m.values().stream())
                .mapToInt(Integer::intValue).max().orElse(0);
        System.out.printf("at-least-once: at most %d duplicate(s) per kill per task (batch.max.records %d)%n", worst,
                scenario.batchMaxRecords());
    }
}
