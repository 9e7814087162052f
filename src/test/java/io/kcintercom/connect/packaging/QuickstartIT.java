package io.kcintercom.connect.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's run command, {@code ./quickstart}, as a user would: it starts a real Kafka
 * broker and a separate Connect worker from Kafka's own jars, installs the plugin from the built
 * archive onto plugin.path (the worker's classpath has no connector classes), syncs the sample
 * workspace and, with --verify, compares every one of the 22 topics with the workspace's expected
 * keys. A second run resumes from the stored offsets and emits nothing new. Ctrl-C, sent as a
 * terminal sends it, stops the stack cleanly.
 */
class QuickstartIT {
    private static final Path WORK = Path.of("target/quickstart-it");

    @Test
    void quickstartSyncsTheSampleWorkspaceFromThePluginArchiveAndResumes() throws Exception {
        Result first = run("--reset", "--until-caught-up", "--verify");
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("Verified: every table holds exactly the expected keys."), first.output());
        assertTrue(first.output().contains("Installed kcintercom-kafka-connect-intercom-"), first.output());
        assertTrue(Files.isDirectory(WORK.resolve("sample/kafka-data")), "the sample's state in its own folder");

        Result second = run("--until-caught-up", "--verify");
        assertEquals(0, second.exitCode(), second.output());
        assertTrue(second.output().contains("Verified"), second.output());
        // Resumed from the stored offsets: the same record counts, no full re-read.
        assertEquals(recordCounts(first.output()), recordCounts(second.output()), second.output());
    }

    /**
     * A real workspace never resumes from the sample's offsets: its state has a folder of its own,
     * and state shared by every workspace (left by earlier quickstarts) is refused until --reset.
     */
    @Test
    void eachWorkspaceKeepsItsOwnStateAndSharedOldStateAsksForReset() throws Exception {
        Path work = Path.of("target/quickstart-it-workspaces");
        Files.createDirectories(work.resolve("sample"));
        Files.writeString(work.resolve("state.properties"), "broker.port=1\n");
        Result shared = run(work, "", "--until-caught-up");
        assertEquals(1, shared.exitCode(), shared.output());
        assertTrue(shared.output().contains("run ./quickstart --reset"), shared.output());
        assertFalse(shared.output().contains("Starting Kafka"), shared.output());

        // With a token (not a real one: Intercom, or the lack of a network, refuses it), --reset clears
        // the old shared state and the run uses a folder named after the token, not the sample's.
        Result real = run(work, "not-a-real-token", "--reset", "--until-caught-up");
        assertEquals(1, real.exitCode(), real.output());
        assertTrue(real.output().contains("Kafka Connect refused the connector"), real.output());
        assertFalse(real.output().contains("\tat "), "a refusal is a message, not a stack trace:\n" + real.output());
        assertFalse(Files.exists(work.resolve("state.properties")));
        try (Stream<Path> folders = Files.list(work)) {
            List<String> names = folders.map(p -> p.getFileName().toString()).toList();
            assertEquals(1, names.size(), names.toString());
            assertTrue(names.get(0).matches("workspace-[0-9a-f]{12}"), names.toString());
        }
        assertFalse(real.output().contains("not-a-real-token"), "the token is never printed");
        assertEquals(List.of(), stackProcesses(work.toAbsolutePath()), "processes left behind");
    }

    /**
     * A terminal sends SIGINT to its foreground process group: the quickstart's, which must not hold
     * the broker and worker, or they die before the worker can stop cleanly.
     */
    @Test
    void ctrlCStopsTheWorkerThenTheBrokerCleanlyAndLeavesNoProcess() throws Exception {
        Path work = Path.of("target/quickstart-it-ctrl-c").toAbsolutePath();
        Path log = Files.createTempFile("quickstart-ctrl-c", ".log");
        // setsid: a process group of its own, as a shell gives a foreground job. env --default-signal:
        // a JVM started by a non-interactive shell in the background inherits SIGINT ignored.
        ProcessBuilder builder = new ProcessBuilder("setsid", "env", "--default-signal=INT", "bash", "quickstart",
                "--reset", "--work-dir", work.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("INTERCOM_ACCESS_TOKEN");
        Process quickstart = builder.start();
        try {
            long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(5);
            while (!Files.readString(log).contains("rows in") && quickstart.isAlive()
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            String before = Files.readString(log);
            assertTrue(before.contains("rows in"), "syncing before Ctrl-C:\n" + before);
            assertFalse(stackProcesses(work).isEmpty(), "the broker and worker run:\n" + before);
            // The README's way to reach this run's REST API, as written but for the work folder.
            String readmeCommand = Files.readString(Path.of("README.md")).lines()
                    .flatMap(l -> java.util.regex.Pattern.compile("`(curl [^`]*connect\\.url[^`]*)`").matcher(l)
                            .results().map(m -> m.group(1)))
                    .findFirst().orElseThrow(() -> new AssertionError("the README says how to reach the quickstart"));
            Process curl = new ProcessBuilder("bash", "-c", readmeCommand.replace(".quickstart/", work + "/"))
                    .redirectErrorStream(true).start();
            String answer = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, curl.waitFor(), answer);
            assertTrue(answer.contains("\"name\":\"intercom\""), readmeCommand + " answered " + answer);

            long sent = System.nanoTime();
            assertEquals(0, new ProcessBuilder("kill", "-INT", "--", "-" + quickstart.pid()).start().waitFor());
            boolean exited = quickstart.waitFor(15, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - sent) / 1e9;
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(exited, "still running 15 s after Ctrl-C:\n" + output);
            assertTrue(seconds < 15, seconds + " s");

            String afterCtrlC = output.substring(before.length());
            assertEquals(1, afterCtrlC.lines().filter(l -> l.contains("stopped in")).count(), afterCtrlC);
            for (String crash : List.of("Exception", "\tat ", "failed", "exited (code")) {
                assertFalse(output.contains(crash), "'" + crash + "' in the output:\n" + output);
            }
            assertEquals(List.of(), stackProcesses(work), "processes left behind");
            String workerLog = Files.readString(work.resolve("sample/logs/connect.log"));
            assertFalse(workerLog.contains("failed to properly shut down"), "the worker stopped its connector");
        } finally {
            quickstart.destroyForcibly();
            stackProcesses(work).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The broker and worker JVMs of the run in {@code work} (their command lines name their config files there). */
    private static List<ProcessHandle> stackProcesses(Path work) {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info().commandLine().map(c -> c.contains(work.toString())).orElse(false))
                    .toList();
        }
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        return run(WORK, "", args);
    }

    /** Runs ./quickstart on {@code work}, with the token (blank: the sample workspace). */
    private static Result run(Path work, String token, String... args) throws IOException, InterruptedException {
        Path log = Files.createTempFile("quickstart", ".log");
        List<String> command = new java.util.ArrayList<>(List.of("bash", "quickstart", "--work-dir", work.toString(),
                "--timeout-seconds", "420"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("INTERCOM_ACCESS_TOKEN");
        if (!token.isEmpty()) {
            builder.environment().put("INTERCOM_ACCESS_TOKEN", token);
        }
        Process process = builder.start();
        if (!process.waitFor(9, TimeUnit.MINUTES)) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            process.destroyForcibly();
            return new Result(-1, "timed out\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The "records N" column of the verification table, per table. */
    private static List<String> recordCounts(String output) {
        return output.lines().filter(l -> l.contains(" records ") && l.contains(" expected "))
                .map(l -> l.replaceAll(".*?(\\S+)\\s+expected.* records\\s+([\\d,]+).*", "$1=$2"))
                .toList();
    }
}
