package dev.vccheck.collect.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failures that need the libraries' own _PG_init: the C stand-ins of pgvecto.rs and VectorChord (src/test/c,
 * built here with PGXS against Debian's postgresql-server-dev-15 into a folder of this test, not installed; the server
 * finds them through dynamic_library_path) on Debian's PostgreSQL 15. Real log output of:
 * LOAD of each library outside the preload ("... must be loaded via shared_preload_libraries."), and a database-level
 * vchordrq.prewarm_dim (what Immich v1.133-v1.134 set) meeting the preloaded VectorChord that reserves the prefix.
 * The printed RESET is then run on that server, and the next session logs no warning.
 * The printed preload list is then set with ALTER SYSTEM, the server restarted (it must start), and its new log passes.
 * Needs gcc/make and postgresql-15 with postgresql-server-dev-15 (.ci/run installs them; under CI=true their absence fails the test).
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class CStandInLogsTest {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    @TempDir
    Path dir;

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> as(List<String> cmd) {
        if (!root()) return cmd;
        List<String> l = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
        l.addAll(cmd);
        return l;
    }

    private static String run(List<String> cmd, Path cwd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd == null ? null : cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        return out;
    }

    private static void open(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.toList()) {
                File x = f.toFile();
                x.setReadable(true, false);
                x.setWritable(true, false);
                if (Files.isDirectory(f) || f.toString().endsWith(".so")) x.setExecutable(true, false);
            }
        }
    }

    @Test
    void preloadRequiredAndReservedPrefixFromTheLibrariesThemselves() throws Exception {
        Path src = Path.of(System.getProperty("vccheck.cstandin", repo("src/test/c").toString()));
        Assumptions.assumeTrue(Files.isRegularFile(src.resolve("vchord.c")) && Files.isRegularFile(src.resolve("vectors.c")),
                "the C stand-ins (src/test/c) are not in this tree");
        dev.vccheck.Tools.require(Files.isExecutable(BIN.resolve("pg_config")) && Files.isExecutable(BIN.resolve("postgres")),
                "Debian's postgresql-15 and postgresql-server-dev-15");
        Path lib = Files.createDirectories(dir.resolve("lib"));
        try (Stream<Path> s = Files.list(src)) {
            for (Path f : s.toList()) Files.copy(f, lib.resolve(f.getFileName()));
        }
        run(List.of("make", "PG_CONFIG=" + BIN.resolve("pg_config")), lib);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        open(dir);
        if (root()) run(List.of("chown", "-R", "nobody", data.toString()), null);
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        run(as(List.of(BIN.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust", "--no-sync")), null);
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        List<String> postgres = as(List.of(BIN.resolve("postgres").toString(), "-D", data.toString(), "-p", String.valueOf(port), "-k", dir.toString(),
                "-c", "listen_addresses=localhost", "-c", "log_line_prefix=%m [%p] ", "-c", "fsync=off", "-c", "dynamic_library_path=" + lib + ":$libdir"));
        String psql = BIN.resolve("psql").toString();
        List<String> psqlBase = List.of(psql, "-X", "-h", "localhost", "-p", String.valueOf(port), "-U", "postgres", "-v", "ON_ERROR_STOP=0");

        Path log1 = dir.resolve("run1.log");
        Process p = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(log1.toFile()).start();
        try {
            waitReady(psqlBase);
            run(concat(psqlBase, "-d", "postgres", "-c", "CREATE DATABASE immich"), null);
            runIgnoringErrors(concat(psqlBase, "-d", "immich", "-c", "LOAD 'vectors'"));
            runIgnoringErrors(concat(psqlBase, "-d", "immich", "-c", "LOAD 'vchord'"));
            // Immich v1.133-v1.134 set this (the prefix not yet reserved); VectorChord is then preloaded.
            run(concat(psqlBase, "-d", "immich", "-c", "ALTER DATABASE immich SET vchordrq.prewarm_dim = '512,640'",
                    "-c", "ALTER SYSTEM SET shared_preload_libraries = 'vchord'"), null);
        } finally {
            stop(data, p);
        }
        Path log2 = dir.resolve("run2.log");
        p = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(log2.toFile()).start();
        try {
            waitReady(psqlBase);
            run(concat(psqlBase, "-d", "immich", "-c", "SELECT 1"), null);
            String log = Files.readString(log1) + Files.readString(log2);
            Path file = dir.resolve("postgresql.log");
            Files.writeString(file, log);

            Cli.Result r = Cli.run("scan", "--log", file.toString(), "--format", "json");
            JsonNode report = new ObjectMapper().readTree(r.out());
            assertEquals(1, r.exit(), r.toString());
            JsonNode req = finding(report, "logs.pg.preload-required");
            assertEquals("fail", req.get("status").asText(), req.toString());
            assertTrue(req.get("message").asText().contains("vectors.so and vchord.so") || req.get("message").asText().contains("vchord.so and vectors.so"), req.toString());
            JsonNode prefix = finding(report, "logs.pg.reserved-prefix");
            assertEquals("fail", prefix.get("status").asText(), prefix.toString());
            String reset = prefix.get("remediation").get(0).get("text").asText();
            assertTrue(reset.startsWith("ALTER DATABASE immich RESET \"vchordrq.prewarm_dim\";"), reset);
            assertEquals("pass", finding(report, "logs.unrecognized").get("status").asText(), finding(report, "logs.unrecognized").toString());

            // The fix as printed, on the server in that state: the next session is not warned any more.
            run(concat(psqlBase, "-d", "immich", "-c", reset.lines().findFirst().orElseThrow()), null);
            long before = Files.size(log2);
            run(concat(psqlBase, "-d", "immich", "-c", "SELECT 2"), null);
            Thread.sleep(300);
            String after = Files.readString(log2).substring((int) before);
            assertFalse(after.contains("vchordrq"), "still warned after the RESET: " + after);

            // logs.pg.preload-required's SQL as printed (both libraries' own errors are in the log, so both files
            // exist and both are listed), then a restart that must succeed, and the next run's log passes the rule.
            JsonNode sql = null;
            for (JsonNode step : req.get("remediation")) if (step.get("kind").asText().equals("sql")) sql = step;
            assertTrue(sql != null, req.toString());
            assertEquals("ALTER SYSTEM SET shared_preload_libraries = 'vchord.so', 'vectors.so';  -- keep any other library already listed",
                    sql.get("text").asText());
            run(concat(psqlBase, "-d", "immich", "-c", sql.get("text").asText()), null);
        } finally {
            stop(data, p);
        }
        Path log3 = dir.resolve("run3.log");
        p = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(log3.toFile()).start();
        try {
            waitReady(psqlBase);
            // What Immich does at start with the libraries preloaded: loading them into a session works now.
            String loaded = run(concat(psqlBase, "-d", "immich", "-c", "LOAD 'vectors'", "-c", "LOAD 'vchord'", "-c", "SHOW shared_preload_libraries"), null);
            assertTrue(loaded.contains("\"vchord.so\", \"vectors.so\""), loaded);
            Cli.Result r = Cli.run("scan", "--log", log3.toString(), "--format", "json");
            JsonNode report = new ObjectMapper().readTree(r.out());
            assertEquals("pass", finding(report, "logs.pg.preload-required").get("status").asText(), r.out());
            assertEquals(0, r.exit(), r.toString());
        } finally {
            stop(data, p);
        }
    }

    private static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
        throw new AssertionError("no " + id);
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> l = new ArrayList<>(base);
        l.addAll(List.of(more));
        return l;
    }

    private static void runIgnoringErrors(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
    }

    private static void waitReady(List<String> psqlBase) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            Process p = new ProcessBuilder(concat(psqlBase, "-d", "postgres", "-c", "SELECT 1")).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) return;
            Thread.sleep(200);
        }
        throw new IllegalStateException("PostgreSQL 15 did not start");
    }

    private static void stop(Path data, Process p) throws Exception {
        runIgnoringErrors(as(List.of(BIN.resolve("pg_ctl").toString(), "stop", "-D", data.toString(), "-m", "fast", "-w")));
        if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
    }
}
