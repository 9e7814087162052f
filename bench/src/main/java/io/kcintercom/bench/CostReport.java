package io.kcintercom.bench;

import io.kcintercom.bench.CostModel.Driver;
import io.kcintercom.bench.CostModel.Fit;
import io.kcintercom.bench.CostModel.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cost model's arithmetic and its section of RESULTS.md: the calibration (each endpoint's
 * requests at the three sizes and the fitted line), then the three scenarios at the target size
 * next to the review's figures for the code before issue 17.
 */
final class CostReport {
    static final String BEGIN = "<!-- cost-model: begin (written by bench/cost-model) -->";
    static final String END = "<!-- cost-model: end -->";
    private static final double DAY_S = 86_400;
    private static final String DELETED_LISTING = "GET /conversations/deleted";

    private CostReport() {
    }

    static String render(CostModel model, List<Sample> firstSync, List<Sample> idle, List<Sample> changes,
                         List<Sample> sweeps, List<Sample> gatedSweeps, List<Sample> fullSweeps) {
        Map<String, Fit> first = CostModel.fit(firstSync);
        Map<String, Fit> idleFit = CostModel.fit(idle);
        Map<String, Fit> changeFit = CostModel.fit(changes);
        Map<String, Fit> sweepFit = CostModel.fit(sweeps);
        Map<String, Fit> gatedFit = CostModel.fit(gatedSweeps);
        Map<String, Fit> fullFit = CostModel.fit(fullSweeps);
        double pollS = model.defaults().pollIntervalMs() / 1000.0;
        double companiesS = model.defaults().companiesPollIntervalMs() / 1000.0;
        double refreshS = model.defaults().refreshIntervalMs() / 1000.0;

        // Per refresh of admins, teams, tags and segments; per pass of the companies scroll.
        Map<String, Double> perRefresh = new LinkedHashMap<>();
        first.forEach((e, f) -> {
            if (CostModel.driverOf(e) == Driver.ONE && !e.equals(DELETED_LISTING)) {
                perRefresh.put(e, f.at(1));
            }
        });
        double scrollPerPass = at(first, "GET /companies/scroll", CostModel.TARGET_COMPANIES);
        double companiesPassesPerDay = DAY_S / (companiesS + scrollPerPass * CostModel.LATENCY_S);

        // First sync: every object once, plus the scrolls and refreshes that fall into its duration.
        Map<String, Double> firstSyncModel = new LinkedHashMap<>();
        double core = 0;
        for (Map.Entry<String, Fit> e : first.entrySet()) {
            Driver d = CostModel.driverOf(e.getKey());
            if (d != Driver.ONE && d != Driver.COMPANIES) {
                double v = e.getValue().at(CostModel.target(d));
                firstSyncModel.put(e.getKey(), v);
                core += v;
            }
        }
        double syncS = core / CostModel.RATE_PER_MIN * 60;
        firstSyncModel.put("GET /companies/scroll",
                scrollPerPass * (1 + syncS / (companiesS + scrollPerPass * CostModel.LATENCY_S)));
        perRefresh.forEach((e, v) -> firstSyncModel.put(e, v * (1 + Math.floor(syncS / refreshS))));
        // The deleted conversations listing after each conversations pass: as many as the passes over 0.7 h.
        double deletedPerPass = at(idleFit, DELETED_LISTING, 1);
        firstSyncModel.put(DELETED_LISTING, deletedPerPass * Math.ceil(syncS / pollS));

        // A change day: passes of each search resource poll.interval.ms apart, as passes that emit are
        // (about 10 contact changes a pass; a conversations pass without change backs off, so this is
        // an upper bound).
        double contactIdlePages = at(idleFit, "POST /contacts/search", CostModel.TARGET_CONTACTS) / 2;
        double conversationIdlePages = at(idleFit, "POST /conversations/search", CostModel.TARGET_CONVERSATIONS);
        double contactPasses = DAY_S / (pollS + contactIdlePages * CostModel.LATENCY_S);
        double conversationPasses = DAY_S / (pollS + conversationIdlePages * CostModel.LATENCY_S);
        // A day without change: after the last pass that emitted, the waits the readers chose.
        double contactIdlePasses = idlePassesPerDay(model, contactIdlePages * CostModel.LATENCY_S);
        double conversationIdlePasses = idlePassesPerDay(model, conversationIdlePages * CostModel.LATENCY_S);
        Map<String, Double> idleDay = new LinkedHashMap<>();
        idleDay.put("POST /contacts/search", 2 * contactIdlePasses * contactIdlePages);
        idleDay.put("POST /conversations/search", conversationIdlePasses * conversationIdlePages);
        // API 2.16+: the deleted conversations listing after each conversations pass (a request when none).
        idleDay.put(DELETED_LISTING, conversationIdlePasses * deletedPerPass);
        idleDay.put("GET /companies/scroll", companiesPassesPerDay * scrollPerPass);
        perRefresh.forEach((e, v) -> idleDay.put(e, v * DAY_S / refreshS));

        Map<String, Double> changeDay = new LinkedHashMap<>(idleDay);
        double changedPerContactPass = CostModel.DAY_CONTACT_CHANGES / contactPasses; // both roles
        // A pass reads at least what an idle one does: the fit's line runs below 2 pages at few changes.
        double contactChangePages = Math.max(2 * contactIdlePages,
                at(changeFit, "POST /contacts/search", changedPerContactPass));
        changeDay.put("POST /contacts/search", contactPasses * contactChangePages);
        double changedPerConversationPass = CostModel.DAY_CONVERSATION_CHANGES / conversationPasses;
        changeDay.put("POST /conversations/search", conversationPasses * Math.max(conversationIdlePages,
                at(changeFit, "POST /conversations/search", changedPerConversationPass)));
        changeDay.put(DELETED_LISTING, conversationPasses * deletedPerPass);
        changeDay.put("GET /conversations/{id}", CostModel.DAY_CONVERSATION_CHANGES
                * slope(changeFit, "GET /conversations/{id}"));
        changeDay.put("GET /events", CostModel.DAY_CONTACT_CHANGES * slope(changeFit, "GET /events"));
        changeDay.put("GET /contacts/{id}/notes", CostModel.DAY_CONTACT_CHANGES * CostModel.TARGET_NOTES_SHARE
                * slope(changeFit, "GET /contacts/{id}/notes"));

        // Segment membership: one segment sweep at the end of the first sync and one per reconcile interval;
        // each segment of the target beyond the sample's costs one more partial page per role.
        double sweepSearch = at(sweepFit, CostModel.SWEEP_SEARCH, CostModel.target(Driver.MEMBERSHIPS))
                + 2.0 * (CostModel.TARGET_SEGMENTS - CostModel.SAMPLE_SEGMENTS);
        double sweepList = at(sweepFit, CostModel.SWEEP_LIST, 1);
        double sweepsPerDay = model.defaults().reconcileIntervalMs() > 0
                ? DAY_S * 1000 / model.defaults().reconcileIntervalMs() : 0;
        firstSyncModel.put(CostModel.SWEEP_SEARCH, sweepSearch);
        firstSyncModel.put(CostModel.SWEEP_LIST, sweepList);
        // The daily sweep is gated by counts (a page per resource, and per segment and role, the target's
        // 14 more segments included); one in fullIntervalMs / intervalMs lists everything instead.
        double extraSegmentPages = 2.0 * (CostModel.TARGET_SEGMENTS - CostModel.SAMPLE_SEGMENTS);
        Map<String, Double> gatedSweep = new LinkedHashMap<>();
        gatedFit.forEach((e, f) -> gatedSweep.put(e, f.at(1)
                + (e.equals(CostModel.GATED + "POST /contacts/search") ? extraSegmentPages : 0)));
        Map<String, Double> fullSweep = new LinkedHashMap<>();
        fullFit.forEach((e, f) -> fullSweep.put(e, f.at(CostModel.target(CostModel.driverOf(e)))
                + (e.equals(CostModel.FULL + "POST /contacts/search") ? extraSegmentPages : 0)));
        double fullEveryDays = model.defaults().reconcileFullIntervalMs() / 86_400_000.0;
        for (Map<String, Double> day : List.of(idleDay, changeDay)) {
            gatedSweep.forEach((e, v) -> day.put(e, sweepsPerDay * v));
        }
        Map<String, Double> fullSweepDay = new LinkedHashMap<>(idleDay);
        gatedSweep.keySet().forEach(fullSweepDay::remove);
        fullSweep.forEach((e, v) -> fullSweepDay.put(e, v));

        StringBuilder out = new StringBuilder();
        out.append(BEGIN).append("\n\n## Cost model at 2M contacts (issue 17)\n\n");
        out.append("`bench/cost-model` runs the connector's readers (`Readers.create`, template `all`) against the ")
                .append("sample-workspace fake at three sizes, fits each endpoint's requests to what drives them, ")
                .append("and extrapolates to 2M contacts (half users, half leads, 5 % with notes, none with more ")
                .append("than 10 tags or companies), 300k conversations and 50k companies at the defaults ")
                .append(String.format(Locale.ROOT, "(poll.interval.ms %.0f s, poll.interval.max.ms %.0f s, "
                        + "companies.poll.interval.ms %.0f s, ", pollS, model.defaults().pollIntervalMaxMs() / 1000.0,
                        companiesS))
                .append(String.format(Locale.ROOT, "refresh.interval.ms %.0f s), 0.5 s a request, 10,000 ", refreshS))
                .append("requests a minute; a change day is 30,000 contact and 3,000 conversation changes.\n\n");
        out.append("### Model (requests; the review's figures are the code before issue 17)\n\n");
        out.append("| endpoint | first sync | 30k-change day | no-change day | no-change day of the full sweep |\n"
                + "|---|---:|---:|---:|---:|\n");
        TreeSet<String> endpoints = new TreeSet<>(firstSyncModel.keySet());
        endpoints.addAll(changeDay.keySet());
        endpoints.addAll(fullSweepDay.keySet());
        for (String e : endpoints) {
            out.append("| `").append(e).append("` | ").append(n(firstSyncModel.getOrDefault(e, 0.0))).append(" | ")
                    .append(n(changeDay.getOrDefault(e, 0.0))).append(" | ").append(n(idleDay.getOrDefault(e, 0.0)))
                    .append(" | ").append(n(fullSweepDay.getOrDefault(e, 0.0))).append(" |\n");
        }
        double firstTotal = sum(firstSyncModel);
        out.append("| **total** | **").append(n(firstTotal)).append("** | **").append(n(sum(changeDay)))
                .append("** | **").append(n(sum(idleDay))).append("** | **").append(n(sum(fullSweepDay)))
                .append("** |\n");
        out.append("| review, before issue 17 | 6,350,000 | 318,000 | 217,000 (contact search alone) | |\n\n");
        out.append(String.format(Locale.ROOT, "- Reconciliation: the daily sweep is gated by counts, %s requests "
                        + "(a page per resource, per segment and role, and the search for active contacts); one "
                        + "sweep in %.0f days (intercom.reconcile.full.interval.ms) lists everything instead, %s "
                        + "requests; over a week without change, %s requests a day on average.%n",
                n(sum(gatedSweep)), fullEveryDays, n(sum(fullSweep)),
                n(sum(idleDay) + (sum(fullSweep) - sum(gatedSweep)) / fullEveryDays)));
        double events = firstSyncModel.getOrDefault("GET /events", 0.0);
        // The event summary backfill runs after the first pass of each role: one contact search page
        // per 150 contacts (both roles) and one GET /events per contact; the measured first sync holds both.
        double backfillPages = Math.ceil(CostModel.TARGET_CONTACTS / 2 / 150) * 2;
        out.append(String.format(Locale.ROOT, "- First sync: %s requests, %.1f h at 10,000/min, of which the "
                        + "event summary backfill that follows the users and leads passes is %s (%s summaries and "
                        + "about %s search pages). Without the backfill %s (aim: <= 500,000), %.1f h until users, "
                        + "leads, companies and conversations are complete.%n",
                n(firstTotal), firstTotal / CostModel.RATE_PER_MIN / 60, n(events + backfillPages), n(events),
                n(backfillPages), n(firstTotal - events - backfillPages),
                (firstTotal - events - backfillPages) / CostModel.RATE_PER_MIN / 60));
        out.append(String.format(Locale.ROOT, "- Segment membership (no per-contact call): a segment sweep of both "
                        + "roles costs %s requests at %s memberships in %d segments (%.4f search pages per "
                        + "membership, fitted), at the end of the first sync and in each full sweep; the %.1f "
                        + "daily sweep(s) in between (intercom.reconcile.interval.ms) read a page per segment and "
                        + "role while its count is unchanged.%n",
                n(sweepSearch + sweepList), n(CostModel.target(Driver.MEMBERSHIPS)), CostModel.TARGET_SEGMENTS,
                slope(sweepFit, CostModel.SWEEP_SEARCH), sweepsPerDay));
        out.append(String.format(Locale.ROOT, "- Event summaries: %.3f requests per contact (aim: exactly 1).%n",
                slope(first, "GET /events")));
        out.append(String.format(Locale.ROOT, "- Contact search: %.2f page(s) per idle pass per role; %.0f passes a "
                        + "day per role on a change day, where every pass emits; a change-day pass holds %.1f changes "
                        + "(both roles) and reads %.2f pages.%n",
                contactIdlePages, contactPasses, changedPerContactPass, contactChangePages));
        out.append(String.format(Locale.ROOT, "- Idle passes back off: the waits a users reader chose after "
                        + "successive passes that emitted nothing, measured: %s s (after one that emitted: %.0f s); "
                        + "so a day without change holds %.0f passes per role and %.0f of conversations "
                        + "(aim for the whole day: <= 5,000 requests).%n",
                model.idleWaitsMs().stream().map(w -> String.format(Locale.ROOT, "%.0f", w / 1000.0)).toList(),
                pollS, contactIdlePasses, conversationIdlePasses));
        out.append(String.format(Locale.ROOT, "- Companies: %s requests a scroll, %.1f scrolls a day holding the "
                        + "scroll lock %.0f %% of the day (the companies.poll.interval.ms default; the aim is under 5 %%).%n",
                n(scrollPerPass), companiesPassesPerDay,
                100 * companiesPassesPerDay * scrollPerPass * CostModel.LATENCY_S / DAY_S));
        out.append("\n### Calibration (requests measured against the fake; fit: requests = a + b x driver)\n\n");
        calibration(out, "first sync", firstSync, first);
        calibration(out, "idle pass", idle, idleFit);
        calibration(out, "pass after 10 % changed", changes, changeFit);
        calibration(out, "segment sweep, both roles (6 segments)", sweeps, sweepFit);
        calibration(out, "sweep gated by counts, a day later (beyond an idle pass)", gatedSweeps, gatedFit);
        calibration(out, "full sweep, a full interval later (beyond an idle pass)", fullSweeps, fullFit);
        out.append("\n").append(END).append("\n");
        return out.toString();
    }

    /**
     * Passes in a day after a pass that emitted: poll.interval.ms, then the measured idle waits, the
     * last one repeated, each pass taking {@code passS}.
     */
    private static double idlePassesPerDay(CostModel model, double passS) {
        List<Long> waits = new ArrayList<>();
        waits.add(model.defaults().pollIntervalMs());
        waits.addAll(model.idleWaitsMs());
        double t = 0;
        int passes = 0;
        while (t < DAY_S) {
            t += waits.get(Math.min(passes, waits.size() - 1)) / 1000.0 + passS;
            passes++;
        }
        return passes;
    }

    private static void calibration(StringBuilder out, String phase, List<Sample> samples, Map<String, Fit> fits) {
        out.append("**").append(phase).append("**\n\n| endpoint | driver | (driver, requests) at the three sizes | a | b | R² |\n")
                .append("|---|---|---|---:|---:|---:|\n");
        fits.forEach((e, f) -> {
            Driver d = CostModel.driverOf(e);
            StringBuilder points = new StringBuilder();
            for (Sample s : samples) {
                points.append(points.length() == 0 ? "" : ", ").append("(").append(s.drivers().get(d)).append(", ")
                        .append(s.requests().getOrDefault(e, 0L)).append(")");
            }
            out.append(String.format(Locale.ROOT, "| `%s` | %s | %s | %.2f | %.4f | %.4f |%n", e,
                    d.name().toLowerCase(Locale.ROOT), points, f.intercept(), f.slope(), f.r2()));
        });
        out.append("\n");
    }

    private static double at(Map<String, Fit> fits, String endpoint, double x) {
        Fit f = fits.get(endpoint);
        return f == null ? 0 : f.at(x);
    }

    private static double slope(Map<String, Fit> fits, String endpoint) {
        Fit f = fits.get(endpoint);
        return f == null ? 0 : f.slope();
    }

    private static double sum(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static String n(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** Puts the section between its markers, or appends it after the kept analysis part. */
    static void replaceSection(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "";
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        String updated = begin >= 0 && end > begin
                ? text.substring(0, begin) + section.strip() + text.substring(end + END.length())
                : text + (text.endsWith("\n") ? "\n" : "\n\n") + section;
        Files.writeString(file, updated);
    }
}
