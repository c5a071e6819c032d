package dev.vccheck;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command, run from the built jar: as whoever runs the build, and as an unprivileged user. */
class DemoIT {
    record Run(int exit, String out, String err) {
    }

    private static Run run(List<String> cmd, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("NO_COLOR", "1");
        Path out = dir.resolve("stdout.txt"), err = dir.resolve("stderr.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("demo did not finish in 5 minutes");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static void assertDemo(Run r, Path reports) throws Exception {
        String all = r.out() + "\n--- stderr\n" + r.err();
        assertEquals(1, r.exit(), all);
        assertTrue(r.out().contains("migration state: pgvectors, path: dual"), all);
        assertTrue(r.out().contains("smart_search.embedding has 512 dimensions"), all);
        assertTrue(r.out().contains("FAIL ("), all);
        assertTrue(r.out().contains("ALTER SYSTEM SET shared_preload_libraries = 'vectors.so', 'vchord.so';"), all);
        assertTrue(Files.readString(reports.resolve("report.json")).contains("\"schema\" : \"vccheck.report/v1\""));
        assertTrue(Files.readString(reports.resolve("report.html")).contains("<span class=\"verdict v-fail\">fail</span>"));
    }

    @Test
    void demoAsTheCurrentUser(@TempDir Path dir) throws Exception {
        Path reports = dir.resolve("out");
        Run r = run(List.of(java(), "-jar", repo("target/vccheck.jar").toString(), "demo", "-o", reports.toString()), dir);
        assertDemo(r, reports);
    }

    @Test
    void demoAsAnUnprivilegedUser() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Assumptions.assumeTrue(root && Files.isExecutable(Path.of("/usr/sbin/runuser")),
                "needs root to switch to the unprivileged user nobody (as a normal user, demoAsTheCurrentUser covers it)");
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "vccheck-nobody-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path reports = dir.resolve("out");
        // A copy of the jar where nobody can read it, wherever the checkout is.
        Path jar = Files.copy(repo("target/vccheck.jar"), dir.resolve("vccheck.jar"));
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--", java(), "-Djava.io.tmpdir=" + dir,
                "-jar", jar.toString(), "demo", "-o", reports.toString()));
        Run r = run(cmd, dir);
        assertDemo(r, reports);
    }
}
