package dev.vccheck;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a process for a test with a time limit that can fire: output goes to files (never a pipe the test must drain
 * first), the test waits with {@code waitFor(limit)}, and a process still running at the limit is killed with its
 * children and reported as a hang with what it printed so far.
 */
public final class Processes {
    private Processes() {
    }

    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** This test JVM's java, to run the jar with. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * vccheck (the jar, the launcher) as a process of its own, as a user would run it, in {@code dir}: with none of this
     * machine's database settings (PG*, DB_*) or VCCHECK_JAVA_OPTS, NO_COLOR set and nothing on standard input.
     * What it prints is added to {@link PrintedOutput}.
     */
    public static Result run(Path dir, List<String> cmd, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DB_") || k.equals("VCCHECK_JAVA_OPTS"));
        pb.environment().put("NO_COLOR", "1");
        Result r = run(pb, limit);
        PrintedOutput.record("process, exit " + r.exit(), r.out(), r.err());
        return r;
    }

    /**
     * Any process (psql, kubectl, node, bash), built by the caller; standard input is /dev/null. With
     * {@code redirectErrorStream(true)} both streams are in {@code out}, in order.
     */
    public static Result run(ProcessBuilder pb, Duration limit) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vccheck-test-stdout", ".txt"), err = Files.createTempFile("vccheck-test-stderr", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            if (!pb.redirectErrorStream()) pb.redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("no end within " + limit.toMillis() + " ms (a hang): " + pb.command()
                        + "\n--- output so far\n" + Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
