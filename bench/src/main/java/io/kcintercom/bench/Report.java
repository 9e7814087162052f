package io.kcintercom.bench;

import static io.kcintercom.bench.Bench.fmt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The one table of figures, and RESULTS.md with the details behind each figure. */
final class Report {
    Instant started;
    Instant finished;
    String machine;
    String code;
    String loadAtStart;
    String loadAtEnd;
    Bench.RateRun rate;
    Bench.RateRun faults;
    final List<Bench.RateRun> mifCompare = new ArrayList<>();
    Bench.RateRun mif1;
    Bench.ThroughputRun e2e;
    Bench.TaskAloneRun taskAlone;
    Bench.ThroughputRun memory;
    Map<String, double[]> jmh;
    String jmhLoad;

    private record Row(String figure, String measured, String goal, String status) {
    }

    private List<Row> rows(Bench.Options o) {
        List<Row> rows = new ArrayList<>();
        double perSecond = o.rateLimitPer10s / 10.0;
        if (rate != null) {
            rows.add(new Row("1 Rate-limit use: full `all` sync, wall / floor (max.in.flight.requests=" + rate.mif
                    + ", default)",
                    String.format("%s / %s = **%s** (%,d requests at %s/s%s)", secs(rate.wallSeconds),
                            secs(rate.floorSeconds), fmt(rate.ratio(), "%.2f"), rate.requests,
                            fmt(perSecond, "%.1f"), rate.completed ? "" : ", NOT completed"),
                    "<= 1.10", status(rate.completed && rate.ratio() <= 1.10)));
            rows.add(new Row("1 429s received with the headers honoured", String.valueOf(rate.fake429s), "0",
                    status(rate.fake429s == 0)));
        }
        if (faults != null) {
            rows.add(new Row("1 Forced 429s: failed tasks; rows", String.format("%d failed tasks with %d injected "
                            + "429s (%d 429s in all; each stops every task until the window resets); %s; %s",
                    faults.failedTasks, faults.injected, faults.fake429s,
                    faults.completed ? "sync completed in " + secs(faults.wallSeconds) : "sync NOT completed",
                    faults.keyCheck), "0 failed, no row lost",
                    status(faults.failedTasks == 0 && faults.completed && faults.keyCheck.contains(" 0 missing"))));
        }
        if (mif1 != null) {
            double wall1 = mif1.completed ? mif1.wallSeconds : mif1.projectedWallSeconds;
            String speedup = rate == null ? "" : String.format("; speed-up of the default: **%s x**",
                    fmt(wall1 / rate.wallSeconds, "%.1f"));
            rows.add(new Row("1 Same sync, max.in.flight.requests=1 (one request at a time per task)",
                    String.format("%s%s (ratio %s)%s", mif1.completed ? "" : "projected ", secs(wall1),
                            fmt(wall1 / mif1.floorSeconds, "%.2f"), speedup), "(comparison)", "-"));
        }
        for (Bench.RateRun m : mifCompare) {
            rows.add(new Row("1 Same sync, max.in.flight.requests=" + m.mif + " (comparison)",
                    String.format("%s / %s = **%s**, %d 429s", secs(m.wallSeconds), secs(m.floorSeconds),
                            fmt(m.ratio(), "%.2f"), m.fake429s), "<= 1.10, 0 429s",
                    m.completed && m.ratio() <= 1.10 && m.fake429s > 0 ? "ratio met; **429s not 0**"
                            : status(m.completed && m.ratio() <= 1.10)));
        }
        if (rate != null) {
            rows.add(new Row("2 Requests per row, all tables of the `all` sync", String.format("**%s** (%,d requests"
                            + " / %,d rows); per table below", fmt((double) rate.requests / rate.totalRows(), "%.3f"),
                    rate.requests, rate.totalRows()), "(as low as the API allows)", "-"));
            rows.add(new Row("2 Requests made twice within a pass", String.format("**%d** of %,d distinct requests",
                    rate.repeated.size(), rate.distinctRequests), "0", status(rate.repeated.isEmpty())));
        }
        if (jmh != null) {
            for (String t : List.of("users", "conversations", "parts")) {
                double[] conv = jmh.get(t + "_convert");
                double[] parse = jmh.get(t + "_parseTree");
                if (conv != null && parse != null) {
                    rows.add(new Row("3 RowConverter vs Jackson readTree (JMH), " + t, String.format(
                            "**%s x** (%s rows/s convert, %s rows/s parse; medians)", fmt(conv[0] / parse[0], "%.2f"),
                            rps(conv[0]), rps(parse[0])), ">= 0.5 x", status(conv[0] / parse[0] >= 0.5)));
                }
            }
        }
        if (e2e != null) {
            StringBuilder m = new StringBuilder(String.format("**%s rows/s** with %s users (%s ms of JIT compilation "
                    + "per 1,000 rows in so short a run)", rps(e2e.rowsPerSecond), count(e2e.users),
                    fmt(jitCpu(e2e) * 1_000_000 / Math.max(1, e2e.rows), "%.0f")));
            boolean met = e2e.completed && e2e.rowsPerSecond >= 50_000;
            if (memory != null && memory.completed) {
                m.append(String.format("; **%s rows/s** with %s (steady %s)", rps(memory.rowsPerSecond),
                        count(memory.users), rps(memory.steadyRowsPerSecond)));
                met |= memory.rowsPerSecond >= 50_000;
            }
            Bench.ThroughputRun longest = memory != null && memory.completed ? memory : e2e;
            m.append(String.format(". Load %s. Reader and search threads: %s rows per CPU-second; whole stack on %d "
                            + "idle cores: <= %s rows/s", longest.loadAfter, rps(longest.rows / readerCpu(longest)),
                    Runtime.getRuntime().availableProcessors(), rps(stackCapacity(longest))));
            rows.add(new Row("3 End-to-end users rows/s through the worker, zero latency", m.toString(), ">= 50,000",
                    status(met)));
        }
        if (taskAlone != null) {
            rows.add(new Row("3 The users task alone (polled in the bench JVM: no worker, converter or broker; "
                    + "answers replayed from memory), zero latency", String.format("**%s rows/s** with %s users "
                            + "(%s); connector threads %s CPU s: **%s rows per connector CPU-second**; load %s -> %s",
                    rps(taskAlone.rowsPerSecond), count(taskAlone.users),
                    taskAlone.completed ? "completed in " + secs(taskAlone.seconds) : "NOT completed",
                    fmt(taskAlone.connectorCpu, "%.1f"), rps(taskAlone.rows / Math.max(1e-9, taskAlone.connectorCpu)),
                    taskAlone.loadBefore, taskAlone.loadAfter),
                    ">= 50,000 per task", status(taskAlone.completed && taskAlone.rowsPerSecond >= 50_000)));
        }
        if (memory != null) {
            rows.add(new Row("4 " + count(memory.users) + "-contact sync, worker at 256 MB heap",
                    String.format("%s in %s, **%s rows/s**; peak heap %s MB (before GC), <= %s MB after GC, live "
                                    + "%s MB at 50%% / %s MB at the end", memory.completed ? "completed" : "NOT completed",
                            secs(memory.syncSeconds), rps(memory.rowsPerSecond), fmt(memory.peakHeapMb, "%.0f"),
                            fmt(memory.peakAfterGcMb, "%.0f"), fmt(memory.liveMidMb, "%.0f"),
                            fmt(memory.liveEndMb, "%.0f")), "completes", status(memory.completed
                            && memory.failedTasks == 0)));
            if (e2e != null) {
                // Live heap (after a forced full GC) is what would grow with the workspace; the heap left
                // after a young GC also holds old-generation garbage G1 has not marked yet.
                double growth = memory.liveEndMb / e2e.liveEndMb;
                rows.add(new Row("4 Heap vs workspace size (" + count(e2e.users) + " -> " + count(memory.users) + ")",
                        String.format("live heap after the sync %s -> %s MB (**%s x** for %s x the rows); peak used "
                                        + "%s -> %s MB", fmt(e2e.liveEndMb, "%.0f"), fmt(memory.liveEndMb, "%.0f"),
                                fmt(growth, "%.2f"), fmt((double) memory.users / e2e.users, "%.0f"),
                                fmt(e2e.peakHeapMb, "%.0f"), fmt(memory.peakHeapMb, "%.0f")),
                        "no growth (<= 1.5 x)", status(growth > 0 && growth <= 1.5)));
            }
        }
        return rows;
    }

    String table(Bench.Options o) {
        StringBuilder s = new StringBuilder();
        s.append("| figure | measured | goal | status |\n|---|---|---|---|\n");
        for (Row r : rows(o)) {
            s.append("| ").append(r.figure).append(" | ").append(r.measured).append(" | ").append(r.goal)
                    .append(" | ").append(r.status).append(" |\n");
        }
        return s.toString();
    }

    void write(Path file, Bench.Options o) throws IOException {
        String kept = "";
        if (Files.exists(file)) {
            String old = Files.readString(file);
            int at = old.indexOf(Bench.ANALYSIS_MARKER);
            if (at >= 0) {
                kept = old.substring(at + Bench.ANALYSIS_MARKER.length());
            }
        }
        StringBuilder s = new StringBuilder();
        DateTimeFormatter iso = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
        s.append("# Benchmark results\n\n");
        s.append("Generated by `bench/run` on ").append(iso.format(started)).append(" (took ")
                .append(Duration.between(started, finished).toMinutes()).append(" min).\n\n");
        s.append("- **Code under test**: ").append(code).append("\n");
        s.append("- **Machine**: ").append(machine).append("\n");
        s.append("- **Load average** (1/5/15 min) at start ").append(loadAtStart).append(", at end ").append(loadAtEnd)
                .append(". The machine is shared with other jobs; on 2 cores a load above 2 means every process "
                        + "here got less than the CPU it asked for, which lowers the CPU-bound figures (3, 4) "
                        + "and leaves the latency-bound ones (1, 2) almost unchanged.\n");
        s.append("- **Setup**: fake Intercom (the sample workspace of src/test/.../sandbox) in the bench's own JVM; "
                + "a Kafka broker (KRaft) and a Kafka Connect distributed worker as separate JVMs from Apache "
                + "Kafka 4.1.2's Maven-resolved jars, the connector loaded from plugin.path (the plugin archive), "
                + "JSON converters without schemas, all on 127.0.0.1.\n");
        s.append(String.format("- **Rate-limited syncs** (figures 1, 2): %,d users, %,d leads, %,d companies, %,d "
                        + "conversations; latency %d-%d ms uniform per request; %d requests per 10-second window%s; "
                        + "template `all`, tasks.max=%d, worker -Xmx512m; connector "
                        + "defaults otherwise; requests recorded by a counting proxy in front of the fake.%n",
                o.users, o.leads, o.companies, o.conversations, o.latencyMin, o.latencyMax, o.rateLimitPer10s,
                o.rateLimitPer10s == 1666 ? " (Intercom's 10,000/min)" : "", o.tasksMax));
        s.append("- **Zero-latency syncs** (figures 3, 4): users only (`intercom.tables=users`), no latency, no "
                + "rate limit, tasks.max=1, worker -Xms256m -Xmx256m (G1), JFR profile during the sync.\n\n");
        s.append("## Figures\n\n").append(table(o)).append("\n");

        if (rate != null) {
            s.append("## 1. Rate-limit use: the syncs\n\n");
            s.append("Wall = first request at the fake to the last expected row in Kafka. Floor = requests made / "
                    + "allowed rate. Mean in flight = summed request time / active span.\n\n");
            s.append("| run | done | requests | 429s | wall | wall from connector creation | floor | wall/floor | "
                    + "peak concurrent at fake | worker CPU s | load before -> after |\n");
            s.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            List<Bench.RateRun> all = new ArrayList<>();
            for (Bench.RateRun r : new Bench.RateRun[] {rate, faults}) {
                if (r != null) {
                    all.add(r);
                }
            }
            all.addAll(mifCompare);
            if (mif1 != null) {
                all.add(mif1);
            }
            for (Bench.RateRun r : all) {
                double wall = r.completed ? r.wallSeconds : r.projectedWallSeconds;
                s.append(String.format("| %s (mif=%d%s) | %s | %,d | %d | %s%s | %s | %s | %s | %d | %s | %s -> %s |%n",
                        r.name, r.mif, r.forced429s > 0 ? ", " + r.injected + " forced 429s" : "",
                        r.completed ? "yes" : "stopped at " + secs(r.wallSeconds), r.requests, r.fake429s,
                        r.completed ? "" : "projected ", secs(wall), secs(r.wallFromCreateSeconds),
                        secs(r.floorSeconds), fmt(wall / r.floorSeconds, "%.2f"), r.peakConcurrent,
                        fmt(r.workerCpu, "%.1f"), r.loadBefore, r.loadAfter));
            }
            s.append("\nPer resource (one task each): requests, active span, achieved request rate and mean "
                    + "requests in flight.\n\n");
            s.append("| resource |");
            List<Bench.RateRun> runs = new ArrayList<>();
            runs.add(rate);
            runs.addAll(mifCompare);
            if (mif1 != null) {
                runs.add(mif1);
            }
            runs.forEach(r -> s.append(" ").append(r.name).append(": requests, span, req/s, in flight |"));
            s.append("\n|---|").append("---|".repeat(runs.size())).append("\n");
            for (String res : rate.resources.keySet()) {
                s.append("| ").append(res).append(" |");
                for (Bench.RateRun r : runs) {
                    Bench.RateRun.Resource x = r.resources.get(res);
                    if (x == null) {
                        s.append(" - |");
                        continue;
                    }
                    double span = Math.max(1, x.last - x.first) / 1000.0;
                    s.append(String.format(" %,d, %s, %s, %s |", x.requests, secs(span), fmt(x.requests / span, "%.1f"),
                            fmt(x.busyMs / 1000.0 / span, "%.1f")));
                }
                s.append("\n");
            }
            s.append("\nRequests per 10 s since the first request (").append(rate.name).append("; the limit is ")
                    .append(o.rateLimitPer10s).append(" per window):\n\n```\n");
            rate.perWindow.forEach((w, n) -> s.append(String.format("%4d-%4d s %6d %s%n", w * 10, w * 10 + 10, n,
                    "#".repeat((int) Math.min(80, n * 60 / Math.max(1, o.rateLimitPer10s))))));
            s.append("```\n\n");
            for (Bench.RateRun m : mifCompare) {
                s.append("Same for ").append(m.name).append(":\n\n```\n");
                m.perWindow.forEach((w, n) -> s.append(String.format("%4d-%4d s %6d %s%n", w * 10,
                        w * 10 + 10, n, "#".repeat((int) Math.min(80, n * 60 / Math.max(1, o.rateLimitPer10s))))));
                s.append("```\n\n");
            }
            s.append("Keys check (every topic read back against the workspace's expected rows): ")
                    .append(rate.name).append(": ").append(rate.keyCheck);
            if (faults != null) {
                s.append("; ").append(faults.name).append(": ").append(faults.keyCheck);
            }
            s.append(".\n\n");

            s.append("## 2. Requests per row (").append(rate.name).append(")\n\n");
            s.append("Requests counted per table they fetch (inline child lists cost no request of their own: "
                    + "their rows come with the parent's page).\n\n");
            s.append("| table | rows emitted | expected | requests | requests/row |\n|---|---|---|---|---|\n");
            for (String t : Bench.ALL_TABLES) {
                long rowsT = rate.rows.getOrDefault(t, 0L);
                long req = rate.requestsByTable.getOrDefault(t, 0L);
                s.append(String.format("| %s | %,d | %,d | %,d | %s |%n", t, rowsT, rate.expectedRows.getOrDefault(t,
                        0L), req, rowsT == 0 ? "-" : fmt((double) req / rowsT, "%.3f")));
            }
            s.append(String.format("| **all** | %,d | %,d | %,d | %s |%n%n", rate.totalRows(),
                    rate.expectedRows.values().stream().mapToLong(Long::longValue).sum(), rate.requests,
                    fmt((double) rate.requests / rate.totalRows(), "%.3f")));
            s.append("Requests per endpoint (the fake's own counts): ").append(rate.endpointCounts).append("\n\n");
            s.append("Requests made twice or more with the same method, path, query and body and a 2xx answer "
                    + "(companies scroll calls excepted: the API returns the next page for the same scroll_param): ")
                    .append(rate.repeated.isEmpty() ? "none" : rate.repeated.toString()).append(".\n\n");
        }

        if (jmh != null) {
            s.append("## 3. Conversion speed (JMH, one fork, rows/s, higher is better)\n\n");
            s.append("Payloads: the sample workspace's own JSON (500 users, 500 conversations as search returns them, "
                    + "2,000 parts with `conversations_pk`). `parseTree` = `ObjectMapper.readTree(byte[])`, Jackson's "
                    + "parse of a body from its bytes; `parseTreeViaString` = `readTree(new String(bytes))`, what "
                    + "IntercomClient does today; `parseTokens` = a bare token scan; `convert` = "
                    + "`RowConverter.convert(table, node)` on parsed nodes; `copyAndConvert` = deepCopy + put + "
                    + "convert as `RecordFactory.Group.addChild` does. Load during JMH: ").append(jmhLoad)
                    .append(".\n\n| benchmark | rows/s (median of iterations) | min - max | JMH mean +- error |\n"
                            + "|---|---|---|---|\n");
            jmh.forEach((k, v) -> s.append(String.format("| %s | %s | %s - %s | %s +- %s |%n", k, rps(v[0]), rps(v[1]),
                    rps(v[2]), rps(v[3]), rps(v[4]))));
            s.append("\n");
        }
        for (Bench.ThroughputRun t : new Bench.ThroughputRun[] {e2e, memory}) {
            if (t == null) {
                continue;
            }
            s.append("## ").append(t == e2e ? "3" : "4").append(". Users through the worker: ").append(count(t.users))
                    .append(" users (").append(t.name).append(")\n\n");
            s.append(String.format("- %s; %,d rows in %s from the first row (%s from connector creation to the "
                            + "first row): **%s rows/s**, %s rows/s between 10%% and 90%%.%n",
                    t.completed ? "completed" : "NOT completed", t.rows, secs(t.syncSeconds),
                    secs(t.secondsToFirstRow), rps(t.rowsPerSecond), rps(t.steadyRowsPerSecond)));
            s.append(String.format("- CPU seconds during the sync: worker %s, broker %s, fake + bench driver %s "
                            + "(of %s core-seconds available on %d cores); load %s -> %s.%n",
                    fmt(t.workerCpu, "%.1f"), fmt(t.brokerCpu, "%.1f"), fmt(t.fakeCpu, "%.1f"),
                    fmt(t.syncSeconds * Runtime.getRuntime().availableProcessors(), "%.0f"),
                    Runtime.getRuntime().availableProcessors(), t.loadBefore, t.loadAfter));
            if (t.rows > 0) {
                double jit = t.threadCpu.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                        .mapToDouble(Map.Entry::getValue).sum();
                double perK = 1000.0 / t.rows;
                double total = (t.workerCpu - jit + t.brokerCpu + t.fakeCpu) * perK;
                s.append(String.format("- CPU per 1,000 rows: worker %s ms (+ %s ms of JIT compilation), broker %s ms, "
                                + "fake + driver %s ms: %s ms in all without JIT, so %d idle cores could carry at most "
                                + "about %s rows/s of this whole stack.%n", fmt((t.workerCpu - jit) * 1000 * perK, "%.0f"),
                        fmt(jit * 1000 * perK, "%.0f"), fmt(t.brokerCpu * 1000 * perK, "%.0f"),
                        fmt(t.fakeCpu * 1000 * perK, "%.0f"), fmt(total * 1000, "%.0f"),
                        Runtime.getRuntime().availableProcessors(),
                        rps(Runtime.getRuntime().availableProcessors() * 1000 / total)));
            }
            if (!t.threadCpu.isEmpty()) {
                List<String> parts = new ArrayList<>();
                t.threadCpu.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .limit(8).forEach(e -> parts.add("`" + e.getKey() + "` " + fmt(e.getValue(), "%.1f")));
                s.append("- Worker CPU seconds by thread (Linux names, 15 characters): ")
                        .append(String.join(", ", parts)).append(".");
                double reader = readerCpu(t);
                if (reader > 0) {
                    s.append(String.format(" The connector's reader and search threads (`intercom-reader`, "
                                    + "`intercom-search`) used %s CPU s for %,d rows: %s rows per CPU-second of "
                                    + "theirs.", fmt(reader, "%.1f"), t.rows, rps(t.rows / reader)));
                }
                s.append("\n");
            }
            s.append(String.format("- Worker heap (256 MB, G1): %d GCs; peak used %s MB (before a GC); max left after "
                            + "a GC per quarter of the sync %s / %s / %s / %s MB; live heap (after a forced full GC) "
                            + "%s MB at 50%% and %s MB after the sync.%n",
                    t.gcCount, fmt(t.peakHeapMb, "%.0f"), fmt(t.afterGcQuarters[0], "%.0f"),
                    fmt(t.afterGcQuarters[1], "%.0f"), fmt(t.afterGcQuarters[2], "%.0f"),
                    fmt(t.afterGcQuarters[3], "%.0f"), fmt(t.liveMidMb, "%.0f"), fmt(t.liveEndMb, "%.0f")));
            s.append(String.format("- Fake: workspace generated in %s, %s MB of the fake JVM's heap.%n",
                    secs(t.generateSeconds), fmt(t.fakeHeapMb, "%.0f")));
            if (t.profile != null && t.profile.samples > 0) {
                JfrSummary p = t.profile;
                s.append(String.format("- Worker profile (JFR execution samples, %,d): by thread: ", p.samples));
                List<String> parts = new ArrayList<>();
                p.byThread.forEach((k, v) -> parts.add(k + " " + p.percent(v)));
                s.append(String.join("; ", parts)).append(".\n");
                s.append("  Samples passing through: ");
                parts.clear();
                p.markers.forEach((k, v) -> parts.add(k.trim() + " " + p.percent(v)));
                s.append(String.join("; ", parts)).append(".\n");
                p.waits.forEach((role, kinds) -> {
                    List<String> w = new ArrayList<>();
                    kinds.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(5)
                            .forEach(e -> w.add(e.getKey() + " " + fmt(e.getValue() / 1000, "%.1f s")));
                    s.append("  Waits of the ").append(role).append(" over the ").append(secs(t.jfrSeconds))
                            .append(" recording (1 ms or more each): ").append(String.join("; ", w)).append(".\n");
                });
                s.append("  Hottest methods (self): ");
                parts.clear();
                p.topSelf.forEach(e -> parts.add("`" + e.getKey() + "` " + p.percent(e.getValue())));
                s.append(String.join(", ", parts)).append(".\n");
            }
            s.append("\n");
        }
        if (taskAlone != null) {
            Bench.TaskAloneRun t = taskAlone;
            s.append("## 3. The users task alone: ").append(count(t.users)).append(" users (").append(t.name)
                    .append(")\n\n");
            s.append(String.format("- %s; %,d rows in %s: **%s rows/s**; %,d answers replayed from memory, %,d "
                            + "forwarded to the fake (after a first, recording run that also warmed the JIT); "
                            + "load %s -> %s.%n", t.completed ? "completed" : "NOT completed", t.rows, secs(t.seconds),
                    rps(t.rowsPerSecond), t.replayHits, t.replayMisses, t.loadBefore, t.loadAfter));
            List<String> parts = new ArrayList<>();
            t.connectorThreads.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .forEach(e -> parts.add("`" + e.getKey() + "` " + fmt(e.getValue(), "%.1f")));
            s.append(String.format("- CPU seconds: connector threads %s (%s), the poll loop standing in for the "
                            + "worker's task thread %s, replay server %s, the whole JVM %s (GC and JIT included), of "
                            + "%s core-seconds on %d cores. Rows per connector CPU-second: **%s**.%n%n",
                    fmt(t.connectorCpu, "%.1f"), String.join(", ", parts), fmt(t.pollThreadCpu, "%.1f"),
                    fmt(t.serverCpu, "%.1f"), fmt(t.processCpu, "%.1f"),
                    fmt(t.seconds * Runtime.getRuntime().availableProcessors(), "%.0f"),
                    Runtime.getRuntime().availableProcessors(), rps(t.rows / Math.max(1e-9, t.connectorCpu))));
        }
        s.append(Bench.ANALYSIS_MARKER);
        s.append(kept.isEmpty() ? "\n" : kept);
        Files.writeString(file, s.toString());
    }

    static double jitCpu(Bench.ThroughputRun t) {
        return t.threadCpu.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Rows/s the whole stack (worker without JIT, broker, fake) could carry on all cores, from its CPU per row. */
    static double stackCapacity(Bench.ThroughputRun t) {
        double cpu = t.workerCpu - jitCpu(t) + t.brokerCpu + t.fakeCpu;
        return cpu <= 0 ? 0 : Runtime.getRuntime().availableProcessors() * t.rows / cpu;
    }

    /** CPU of the connector's reading threads: the reader loop and the search-page prefetch threads. */
    static double readerCpu(Bench.ThroughputRun t) {
        return t.threadCpu.entrySet().stream().filter(e -> e.getKey().startsWith("intercom-reader")
                        || e.getKey().startsWith("intercom-search")).mapToDouble(Map.Entry::getValue).sum();
    }

    private static String status(boolean met) {
        return met ? "met" : "**NOT met**";
    }

    static String secs(double s) {
        return s < 0 ? "-" : fmt(s, "%.1f s");
    }

    static String rps(double v) {
        return String.format("%,.0f", v);
    }

    static String count(int n) {
        return n >= 1_000_000 ? fmt(n / 1_000_000.0, "%.0fM") : n >= 1000 ? fmt(n / 1000.0, "%.0fk") : String.valueOf(n);
    }
}
