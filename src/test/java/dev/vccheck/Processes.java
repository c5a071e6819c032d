package dev.vccheck;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs vccheck (the jar, the launcher) as a process of its own, as a user would, for the *IT tests. */
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
     * {@code cmd} in {@code dir}, with none of this machine's database settings (PG*, DB_*) or VCCHECK_JAVA_OPTS,
     * NO_COLOR set and nothing on standard input; output captured in files; an AssertionError after {@code limit}.
     */
    public static Result run(Path dir, List<String> cmd, Duration limit) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DB_") || k.equals("VCCHECK_JAVA_OPTS"));
        pb.environment().put("NO_COLOR", "1");
        Path out = Files.createTempFile(dir, "stdout", ".txt"), err = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("no end within " + limit.toSeconds() + " s (a hang): " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
