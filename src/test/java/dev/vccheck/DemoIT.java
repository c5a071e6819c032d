package dev.vccheck;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's first command, run from the built jar: as whoever runs the build, and as an unprivileged user. */
class DemoIT {
    private static Processes.Result run(List<String> cmd, Path dir) throws Exception {
        return Processes.run(dir, cmd, Duration.ofMinutes(5));
    }

    private static String java() {
        return Processes.java();
    }

    private static void assertDemo(Processes.Result r, Path reports) throws Exception {
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
        Processes.Result r = run(List.of(java(), "-jar", repo("target/vccheck.jar").toString(), "demo", "-o", reports.toString()), dir);
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
        Processes.Result r = run(cmd, dir);
        assertDemo(r, reports);
    }
}
