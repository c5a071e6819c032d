package dev.vccheck.collect.logs;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program with its arguments as words (never through a shell), standard input closed, standard output and
 * error together, for at most {@code timeoutSeconds}; keeps only the last {@code maxBytes} of what it printed.
 */
public final class Commands {
    public record Result(int exit, String output, boolean timedOut, boolean truncated) {
        public String firstLine() {
            return output.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("(no output)");
        }
    }

    private Commands() {
    }

    /** The first of {@code names} found on PATH (from the given environment), as an absolute path. */
    public static Optional<String> which(Map<String, String> env, String... names) {
        String path = env.getOrDefault("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
        for (String n : names) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, n);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }

    /** docker, else podman (same CLI for what vccheck runs), from PATH. */
    public static Optional<String> containerTool(Map<String, String> env) {
        return which(env, "docker", "podman");
    }

    public static Result run(List<String> command, Map<String, String> env, int timeoutSeconds, int maxBytes) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (env.containsKey("PATH")) pb.environment().put("PATH", env.get("PATH"));
        Process p = pb.start();
        Tail tail = new Tail(maxBytes);
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                byte[] buf = new byte[8192];
                for (int n; (n = in.read(buf)) > 0; ) tail.write(buf, n);
            } catch (IOException e) {
                // The process ended or was killed: keep what was read.
            }
        }, "vccheck-command-output");
        reader.setDaemon(true);
        reader.start();
        boolean done;
        try {
            done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Result(done ? p.exitValue() : -1, tail.text(), !done, tail.truncated);
    }

    /** The last {@code max} bytes written, cut at a line start when truncated. */
    static final class Tail {
        private final int max;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean truncated;

        Tail(int max) {
            this.max = max;
        }

        synchronized void write(byte[] b, int n) {
            buf.write(b, 0, n);
            if (buf.size() > 2 * max) {
                byte[] all = buf.toByteArray();
                buf.reset();
                buf.write(all, all.length - max, max);
                truncated = true;
            }
        }

        synchronized String text() {
            byte[] all = buf.toByteArray();
            int from = Math.max(0, all.length - max);
            if (from > 0) truncated = true;
            String s = new String(all, from, all.length - from, StandardCharsets.UTF_8);
            if (truncated) {
                int nl = s.indexOf('\n');
                if (nl >= 0) s = s.substring(nl + 1);
            }
            return s;
        }
    }
}
