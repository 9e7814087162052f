package io.kcintercom.connect.eos;

import io.kcintercom.connect.eos.KillTestSupport.Result;
import io.kcintercom.connect.eos.KillTestSupport.Scenario;
import io.kcintercom.connect.sandbox.SampleWorkspace;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The kill test, large form, as a benchmark: the same checks as {@link ExactlyOnceKillTest} on a
 * workspace of about 60,000 rows, killed ten times (five without exactly-once). Not part of
 * {@code mvn verify}; run it with
 *
 * <pre>
 * mvn -B test -Dtest='io.kcintercom.connect.eos.ExactlyOnceKillBenchmarkTest' \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dkill.test.large=true \
 *     [-Dkill.test.kills=10] [-Dkill.test.seed=618] [-Dkill.test.scale=1]
 * </pre>
 *
 * <p>{@code kill.test.scale} multiplies the number of users, leads, companies and conversations.
 * Each run's report (rows per table, duplicates, records in flight at each kill, times) is in
 * {@code target/eos-kill/<scenario>/report.txt} and in the test's output
 * ({@code target/surefire-reports/io.kcintercom.connect.eos.ExactlyOnceKillBenchmarkTest-output.txt}).
 */
@EnabledIfSystemProperty(named = "kill.test.large", matches = "true")
class ExactlyOnceKillBenchmarkTest extends KillTestLifecycle {
    private static final int KILLS = Integer.getInteger("kill.test.kills", 10);
    private static final int SCALE = Integer.getInteger("kill.test.scale", 1);
    private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(10);
    /** About 60,000 rows at scale 1: 3,000 users, 1,000 leads, 600 companies, 1,000 conversations. */
    private static SampleWorkspace.Sizes largeWorkspace() {
        return SampleWorkspace.Sizes.builder()
                .users(3_000 * SCALE).leads(1_000 * SCALE).companies(600 * SCALE).admins(20).teams(5).tags(60)
                .segments(12).conversations(1_000 * SCALE).build();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void exactlyOnceLarge() throws Exception {
        Scenario scenario = Scenario.builder("eos-large", true)
                .workspace(42, largeWorkspace())
                .intercom(5, 15, 6_000)
                .kills(KILLS, ExactlyOnceKillTest.KILL_SEED, 0.03, 0.9)
                .connector(3, 200, 8)
                .timing(3_000, SYNC_TIMEOUT)
                .build();
        Result result = KillTestSupport.run(kafka, scenario);
        System.out.println(result.report());
        System.out.printf("exactly-once, large: %d rows, %d kills, %.1f s, %.0f rows/s including restarts%n",
                result.totalRows(), result.kills().size(), result.totalMs() / 1000.0,
                result.totalRows() * 1000.0 / result.totalMs());

        result.assertExactlyOnce();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void atLeastOnceLarge() throws Exception {
        Scenario scenario = Scenario.builder("alo-large", false)
                .workspace(43, largeWorkspace())
                .intercom(5, 15, 6_000)
                .kills(Math.max(1, KILLS / 2), ExactlyOnceKillTest.KILL_SEED, 0.03, 0.9)
                .connector(3, 200, 8)
                .timing(3_000, SYNC_TIMEOUT)
                .build();
        Result result = KillTestSupport.run(kafka, scenario);
        System.out.println(result.report());
        int worst = result.duplicatesByKillByTask().stream().flatMap(m -> m.values().stream())
                .mapToInt(Integer::intValue).max().orElse(0);
        System.out.printf("at-least-once, large: %d rows, %d duplicates, at most %d per kill per task, %d kills, "
                        + "%.1f s%n", result.totalRows(), result.totalDuplicates(), worst, result.kills().size(),
                result.totalMs() / 1000.0);

        result.assertAtLeastOnce();
    }
}
