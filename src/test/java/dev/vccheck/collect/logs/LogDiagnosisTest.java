package dev.vccheck.collect.logs;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log diagnosis with the database down, from real PostgreSQL output ({@link RealLogs}: a VectorChord-only
 * server whose postgresql.auto.conf still preloads vectors.so, after a run with pgvecto.rs's library gone and a
 * non-superuser owner's CREATE EXTENSION vchord), read through --log and through a recording docker whose logs
 * prints it and whose exec fails like a stopped container. Immich's server lines are Immich v2.7.5's texts
 * (server/src/services/database.service.ts, server/src/repositories/database.repository.ts at tag v2.7.5) in its
 * NestJS console format, with the PostgreSQL error the real server gave.
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class LogDiagnosisTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static RealLogs.Logs logs;

    @TempDir
    Path dir;

    @BeforeAll
    static void produce() throws Exception {
        logs = RealLogs.get();
    }

    /** The real server's line for a text, without its timestamp and pid. */
    static String pgLine(String contains) {
        return logs.all().lines().filter(l -> l.contains(contains)).findFirst().orElseThrow(() -> new AssertionError("no '" + contains + "' in\n" + logs.all()));
    }

    static String immichLog() {
        String denied = pgLine("permission denied to create extension").replaceFirst("^.*?ERROR:\\s+", "");
        // Immich v2.7.5 DatabaseService.createExtension: logger.fatal(messages.createFailed(...)), then the PostgresError rethrown.
        return """
                [Nest] 7  - 12/02/2026, 3:41:29 PM     LOG [Microservices:DatabaseRepository] Creating VectorChord extension
                [Nest] 7  - 12/02/2026, 3:41:29 PM   FATAL [Microservices:DatabaseService] Failed to activate VectorChord extension.
                    Please ensure the Postgres instance has VectorChord installed.

                    If the Postgres instance already has VectorChord installed, Immich may not have the necessary permissions to activate it.
                    In this case, please run 'CREATE EXTENSION IF NOT EXISTS vchord CASCADE' manually as a superuser.
                    See https://docs.immich.app/guides/database-queries for how to query the database.
                PostgresError: %s
                    at ErrorResponse (file:///usr/src/app/server/node_modules/postgres/src/connection.js:794:26)
                microservices worker exited with code 1
                """.formatted(denied);
    }

    record Scan(int exit, JsonNode report, String out, String err) {
        JsonNode finding(String id) {
            for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
            throw new AssertionError("no " + id + " in " + out);
        }

        String status(String id) {
            return finding(id).get("status").asText();
        }

        String remediation(String id) {
            StringBuilder sb = new StringBuilder();
            finding(id).get("remediation").forEach(r -> sb.append(r.path("title").asText()).append('\n').append(r.get("text").asText()).append('\n'));
            return sb.toString();
        }
    }

    static Scan scan(Map<String, String> env, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("scan", "--format", "json"));
        a.addAll(List.of(args));
        Cli.Result r = Cli.runWithEnv(false, env, a.toArray(String[]::new));
        if (r.exit() == 2 || r.exit() == 4) throw new AssertionError(r.toString());
        return new Scan(r.exit(), JSON.readTree(r.out()), r.out(), r.err());
    }

    @Test
    void theRealFailuresReadFromALogFile() throws Exception {
        Path log = dir.resolve("postgresql.log");
        Files.writeString(log, logs.all());
        Scan s = scan(Map.of(), "--log", log.toString());
        assertEquals(1, s.exit(), "a diagnosed cause fails the gate: " + s.out());
        assertEquals("skip", s.status("pg.connect"), "no database target");
        assertEquals("fail", s.status("logs.pg.preload-missing"));
        assertTrue(s.finding("logs.pg.preload-missing").get("message").asText().contains("names vectors.so"), s.out());
        assertTrue(s.remediation("logs.pg.preload-missing").contains("sed -i '/^shared_preload_libraries/d' postgresql.auto.conf"), s.out());
        assertFalse(s.remediation("logs.pg.preload-missing").contains("docker run"), "no docker advice for a file: " + s.out());
        assertEquals("fail", s.status("logs.pg.library-gone"), "LOAD '$libdir/vectors' while running");
        assertEquals("fail", s.status("logs.immich.create-extension-denied"));
        assertTrue(s.remediation("logs.immich.create-extension-denied").contains("CREATE EXTENSION IF NOT EXISTS vchord CASCADE;"), s.out());
        assertEquals("pass", s.status("logs.unrecognized"), "every failure line of these logs is diagnosed: " + s.finding("logs.unrecognized"));
        assertEquals("pass", s.status("logs.immich.no-vector-extension"));
    }

    @Test
    void theFixForAServerThatDoesNotStartAsPrintedMakesItStart() throws Exception {
        // The state again, whatever ran before on this data folder: ALTER SYSTEM's value naming the missing vectors.so.
        String failed = logs.startWithAutoConfLine("shared_preload_libraries = 'vchord.so, vectors.so'");
        assertTrue(failed.contains("FATAL:  could not access file \"vectors.so\""), failed);
        Path log = dir.resolve("postgresql.log");
        Files.writeString(log, failed);
        Scan s = scan(Map.of(), "--log", log.toString());
        JsonNode steps = s.finding("logs.pg.preload-missing").get("remediation");
        assertEquals(1, steps.size(), steps.toString());
        String shell = steps.get(0).get("text").asText();
        String started = logs.fixAndStart(shell);
        assertFalse(started.lines().findFirst().orElse("").contains("vectors"), "preloads: " + started);
        assertTrue(started.contains("ready to accept connections"), started);
    }

    @Test
    void aBrokenPostgresqlAutoConfIsNamedWithItsLineAndTheFixAsPrintedMakesItStart() throws Exception {
        // The stale preload first removed (as the preload-missing fix does), then a line PostgreSQL cannot parse.
        logs.fixAndStart("cd \"$PGDATA\" && sed -i '/^shared_preload_libraries/d' postgresql.auto.conf");
        String broken = logs.startWithAutoConfLine("shared_preload_libraries = 'vchord.so");
        Path log = dir.resolve("postgresql.log");
        Files.writeString(log, broken);
        Scan s = scan(Map.of(), "--log", log.toString());
        JsonNode f = s.finding("logs.pg.config-file");
        assertEquals("fail", f.get("status").asText(), broken + s.out());
        assertTrue(f.get("message").asText().contains("postgresql.auto.conf has a line it cannot parse (line 3)"), f.toString());
        assertEquals("pass", s.status("logs.unrecognized"), s.out());
        String shell = f.get("remediation").get(0).get("text").asText();
        assertTrue(shell.contains("sed -i 3d postgresql.auto.conf"), shell);
        String started = logs.fixAndStart(shell);
        assertTrue(started.contains("ready to accept connections"), started);
    }

    @Test
    void standardInput() throws Exception {
        var stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(logs.failedStart().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            Scan s = scan(Map.of(), "--log", "-");
            assertEquals("fail", s.status("logs.pg.preload-missing"), s.out());
            assertTrue(s.finding("logs.pg.preload-missing").get("evidence").toString().contains("stdin: FATAL: could not access file"), s.out());
        } finally {
            System.setIn(stdin);
        }
    }

    /** A docker on PATH that records its arguments (one per line), prints the logs, and fails exec like a stopped container. */
    Path fakeDocker(String dbLog, String immichLog) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("db.log"), dbLog);
        if (immichLog != null) Files.writeString(dir.resolve("immich.log"), immichLog);
        Path docker = bin.resolve("docker");
        Files.writeString(docker, """
                #!/bin/sh
                for a in "$@"; do printf '%%s\\n' "$a"; done >> '%1$s/calls'
                echo -- >> '%1$s/calls'
                case "$1" in
                  logs)
                    eval c=\\${$#}
                    if [ "$c" = immich_postgres ]; then cat '%1$s/db.log'; exit 0; fi
                    if [ "$c" = immich_server ] && [ -f '%1$s/immich.log' ]; then cat '%1$s/immich.log' >&2; exit 0; fi
                    echo "Error response from daemon: No such container: $c" >&2; exit 1 ;;
                  exec)
                    echo "Error response from daemon: container 4f1e2a9c0b7d is not running" >&2; exit 1 ;;
                esac
                exit 2
                """.formatted(dir));
        Files.setPosixFilePermissions(docker, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    static Map<String, String> path(Path bin) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", bin + ":/usr/bin:/bin");
        return env;
    }

    @Test
    void dockerWithTheDatabaseDown() throws Exception {
        Path bin = fakeDocker(logs.all(), immichLog());
        Scan s = scan(path(bin), "--docker", "immich_postgres");
        assertEquals(1, s.exit(), s.out());
        assertEquals("error", s.status("pg.connect"));
        assertTrue(s.finding("pg.connect").get("message").asText().contains("container 4f1e2a9c0b7d is not running"), s.out());
        assertEquals("fail", s.status("logs.pg.preload-missing"));
        String fix = s.remediation("logs.pg.preload-missing");
        assertTrue(fix.contains("docker run --rm --volumes-from immich_postgres busybox grep -n shared_preload_libraries /var/lib/postgresql/data/postgresql.auto.conf"), fix);
        assertTrue(fix.contains("docker start immich_postgres"), fix);
        assertFalse(fix.contains("kubectl"), fix);
        assertEquals("fail", s.status("logs.immich.create-extension-denied"));
        JsonNode ev = s.finding("logs.immich.create-extension-denied").get("evidence").get("lines");
        assertTrue(ev.toString().contains("docker:immich_server: PostgresError: permission denied to create extension \\\"vchord\\\""), ev.toString());
        String calls = Files.readString(dir.resolve("calls"));
        assertTrue(calls.contains("logs\n--tail\n2000\nimmich_postgres\n--"), "arguments as words: " + calls);
        assertTrue(calls.contains("logs\n--tail\n2000\nimmich_server\n--"), calls);
        assertTrue(calls.contains("exec\n-i\nimmich_postgres\npsql\n"), "the catalog is read through docker exec ... psql: " + calls);
    }

    @Test
    void noImmichContainerIsNoError() throws Exception {
        Path bin = fakeDocker(logs.failedStart(), null);
        Scan s = scan(path(bin), "--docker", "immich_postgres", "--immich-container", "immich_server");
        assertEquals(1, s.exit(), s.out());
        JsonNode target = s.report().get("target").get("logs");
        assertEquals("ok", target.get("status").asText(), target.toString());
        assertFalse(target.has("message"), "an absent immich_server is not an error: " + target);
        assertEquals("pass", s.status("logs.pg.library-gone"), "that line is in the run before, not in this log");
    }

    @Test
    void immichStartupTextsFromItsSource() throws Exception {
        // Immich v2.7.5 texts (server/src/services/database.service.ts messages and onBootstrap's throw;
        // server/src/repositories/database.repository.ts getVectorExtension), as its server prints them.
        Path log = dir.resolve("immich.log");
        Files.writeString(log, """
                [Nest] 17  - 12/02/2026, 3:50:01 PM   ERROR [Microservices:DatabaseService] Error: Invalid PostgreSQL version. Found 13.23, but needed >=14.0.0. Please use a supported version.
                Error: No vector extension found. Available extensions: vchord, vector
                    at getVectorExtension (/usr/src/app/server/dist/repositories/database.repository.js:51:15)
                Error: The pgvector extension is not available in this Postgres instance.
                    If using a container image, ensure the image has the extension installed.
                [Nest] 17  - 12/02/2026, 3:50:02 PM    WARN [Microservices:DatabaseService] The VectorChord extension can be updated to 0.5.3.
                    Immich attempted to update the extension, but failed to do so.
                    This may be because Immich does not have the necessary permissions to update the extension.
                """);
        Scan s = scan(Map.of(), "--log", log.toString());
        assertEquals("fail", s.status("logs.immich.postgres-version"));
        assertTrue(s.finding("logs.immich.postgres-version").get("message").asText().contains("Found 13.23, but needed >=14.0.0"), s.out());
        assertEquals("fail", s.status("logs.immich.no-vector-extension"));
        assertTrue(s.finding("logs.immich.no-vector-extension").get("message").asText().contains("(vchord, vector)"), s.out());
        assertEquals("fail", s.status("logs.immich.extension-not-available"));
        assertEquals("fail", s.status("logs.immich.vchord-update-failed"));
        assertTrue(s.remediation("logs.immich.vchord-update-failed").contains("ALTER EXTENSION vchord UPDATE;"), s.out());
        assertEquals("pass", s.status("logs.pg.preload-missing"));
    }

    @Test
    void withTheDatabaseReadTheCatalogJudgesAndTheLogRuleSkips() throws Exception {
        var server = TestServers.shared(16, TestServers.VCHORD_ONLY, "vchord.so");
        String db = TestServers.newDatabaseName("logs");
        server.sql("postgres", "CREATE DATABASE " + db);
        Path log = dir.resolve("postgresql.log");
        Files.writeString(log, logs.all());
        Scan s = scan(Map.of(), "--db-url", TestServers.url(server, db, "postgres"), "--log", log.toString());
        assertEquals("pass", s.status("pg.connect"));
        assertEquals("skip", s.status("logs.pg.preload-missing"), "one finding per cause: " + s.finding("logs.pg.preload-missing"));
        assertTrue(s.finding("logs.pg.preload-missing").get("message").asText().contains("pg.vchord.preload"), s.out());
        assertEquals("skip", s.status("logs.immich.create-extension-denied"));
    }

    @Test
    void redactionOfLogLinesInEveryFormat() throws Exception {
        Path log = dir.resolve("immich.log");
        Files.writeString(log, logs.failedStart() + """
                [Nest] 7  - 12/02/2026, 3:41:29 PM   ERROR [Api:DatabaseRepository] connect to postgresql://immichadmin:s3cretPw@db.internal.example:5432/photos failed: FATAL:  password authentication failed for user "immichadmin"
                """);
        for (String format : List.of("json", "text", "markdown", "html", "junit")) {
            Cli.Result r = Cli.run("scan", "--log", log.toString(), "--redact", "all", "--format", format);
            assertEquals(1, r.exit(), r.toString());
            assertTrue(r.out().contains("vccheck has no diagnosis") || r.out().contains("no diagnosis"), format + ": the line is in the report\n" + r.out());
            for (String secret : List.of("s3cretPw", "db.internal.example", "immichadmin", "photos")) {
                assertFalse(r.out().contains(secret), format + " shows " + secret + ":\n" + r.out());
            }
            assertTrue(r.out().contains("host-1") && r.out().contains("user-1"), format + ": placeholders\n" + r.out());
        }
        Cli.Result bundle = Cli.run("collect", "--log", log.toString());
        assertFalse(bundle.out().contains("s3cretPw"), "the default (secrets) removes the password from the bundle: " + bundle.out());
        assertTrue(bundle.out().contains("could not access file"), bundle.out());
    }
}
