package io.kcintercom.connect.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's run command, {@code ./quickstart}, as a user would: it starts a real Kafka
 * broker and a separate Connect worker from Kafka's own jars, installs the plugin from the built
 * archive onto plugin.path (the worker's classpath has no connector classes), syncs the sample
 * workspace and, with --verify, compares every one of the 22 topics with the workspace's expected
 * keys. A second run resumes from the stored offsets and emits nothing new.
 */
class QuickstartIT {
    private static final Path WORK = Path.of("target/quickstart-it");

    @Test
    void quickstartSyncsTheSampleWorkspaceFromThePluginArchiveAndResumes() throws Exception {
        Result first = run("--reset", "--until-caught-up", "--verify");
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("Verified: every table holds exactly the expected keys."), first.output());
        assertTrue(first.output().contains("Installed kcintercom-kafka-connect-intercom-"), first.output());

        Result second = run("--until-caught-up", "--verify");
        assertEquals(0, second.exitCode(), second.output());
        assertTrue(second.output().contains("Verified"), second.output());
        // Resumed from the stored offsets: the same record counts, no full re-read.
        assertEquals(recordCounts(first.output()), recordCounts(second.output()), second.output());
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        Path log = Files.createTempFile("quickstart", ".log");
        List<String> command = new java.util.ArrayList<>(List.of("bash", "quickstart", "--work-dir", WORK.toString(),
                "--timeout-seconds", "420"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("INTERCOM_ACCESS_TOKEN");
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
