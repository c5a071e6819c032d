package dev.vccheck.collect.postgres;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.vccheck.demo.TestServers.DUAL;
import static dev.vccheck.demo.TestServers.PGVECTORS_ONLY;
import static dev.vccheck.demo.TestServers.VCHORD_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog read through a real psql (Debian's postgresql-client; .ci/run installs it) gives the same facts and
 * the same findings as through JDBC, on every PostgreSQL major of the test matrix and every migration state;
 * {@code --docker} runs through a stand-in {@code docker} put first on PATH that checks its exact arguments and what
 * it gets on standard input, then runs the real psql; each way the command can fail is a scan through the real CLI
 * that exits 3 and says what the command printed.
 */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class PsqlTransportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Where Debian's psql is; the stand-ins come first, and /usr/local/bin (a real docker, maybe) is left out. */
    public static final String SYSTEM_PATH = "/usr/bin:/bin";

    @TempDir
    Path dir;

    @BeforeAll
    static void psqlIsInstalled() {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/psql")), "psql is missing: apt-get install postgresql-client (.ci/run does)");
    }

    private record Case(int major, dev.vccheck.demo.StandIns.Profile profile, String preload, Spec spec, String user) {
    }

    @Test
    void psqlAndJdbcGiveTheSameFactsAndFindingsOnEveryVersionAndState() throws Exception {
        List<Case> cases = new ArrayList<>();
        for (int major : new int[]{13, 14, 16, 17, 18}) {
            for (Spec spec : List.of(Spec.of(State.PGVECTORS), Spec.of(State.COLUMNS_REAL).dimension(768), Spec.of(State.VCHORD_READY),
                    Spec.of(State.MIGRATED).leftovers(true), Spec.of(State.PGVECTOR))) {
                cases.add(new Case(major, DUAL, "vchord.so, vectors.so", spec, "postgres"));
            }
        }
        cases.add(new Case(16, VCHORD_ONLY, "vchord.so", Spec.of(State.MIGRATED).immich("2.1.0"), "postgres"));
        cases.add(new Case(16, PGVECTORS_ONLY, "vectors.so", Spec.of(State.PGVECTORS), "postgres"));
        cases.add(new Case(16, DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS).owner("immich"), "immich"));
        cases.add(new Case(16, DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "reader"));
        for (Case c : cases) {
            EmbeddedServer s = TestServers.shared(c.major(), c.profile(), c.preload());
            String db = TestServers.newDatabaseName("psql_" + c.spec().state().name().toLowerCase());
            ImmichDatabase.create(s, db, c.spec());
            if (c.user().equals("reader")) {
                s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader LOGIN; END IF; END $$");
            }
            String what = c.major() + " " + c.profile().key() + " " + c.spec().state() + " as " + c.user();
            Path viaJdbc = dir.resolve(db + "-jdbc.json");
            Path viaPsql = dir.resolve(db + "-psql.json");
            Cli.Result j = Cli.runWithEnv(false, Map.of("PATH", SYSTEM_PATH), "collect", "--db-url", TestServers.url(s, db, c.user()), "-o", viaJdbc.toString());
            Cli.Result p = Cli.runWithEnv(false, Map.of("PATH", SYSTEM_PATH), "collect", "--psql",
                    "psql -h localhost -p " + s.port() + " -U " + c.user() + " -d " + db, "-o", viaPsql.toString());
            assertEquals(0, j.exit(), () -> what + "\n" + j);
            assertEquals(0, p.exit(), () -> what + "\n" + p);
            JsonNode fj = JSON.readTree(viaJdbc.toFile());
            JsonNode fp = JSON.readTree(viaPsql.toFile());
            assertEquals("jdbc", fj.at("/collection/postgres/via").asText());
            assertEquals("psql", fp.at("/collection/postgres/via").asText());
            assertEquals(1, fp.at("/pg/connection/round_trips").asInt(), what);
            assertEquals(1, fj.at("/pg/connection/round_trips").asInt(), what);
            assertEquals(normalized(fj).toPrettyString(), normalized(fp).toPrettyString(), what);
            // The guarded parts ran (query_to_xml works on this major): pg_file_settings for a superuser, Immich's tables.
            assertEquals(c.user().equals("postgres"), fj.at("/pg/file_settings").isArray(), () -> what + "\n" + fj.toPrettyString());
            assertTrue(fj.at("/pg/immich/typeorm_migrations/latest").isTextual() || c.user().equals("reader"), () -> what + "\n" + fj.toPrettyString());
            assertEquals(findings(viaJdbc, "localhost"), findings(viaPsql, "psql"), what);
        }
    }

    /**
     * The facts without what differs by nature: when and how they were read (time, duration, label, via, the host
     * as named on the command line), the other sessions, which include the JDBC run's own session while the
     * server is still ending it, and the session's TimeZone (pgjdbc always sends the JVM's zone in its startup
     * packet; psql leaves the server's; no rule reads it).
     */
    private static JsonNode normalized(JsonNode facts) {
        ObjectNode f = facts.deepCopy();
        ((ObjectNode) f.get("meta")).remove("collected_at");
        ((ObjectNode) f.at("/collection/postgres")).remove(List.of("duration_ms", "label", "via"));
        ((ObjectNode) f.at("/pg/connection")).remove("host");
        ((ObjectNode) f.get("pg")).remove(List.of("sessions", "sessions_complete"));
        ((ObjectNode) f.at("/pg/settings")).remove("TimeZone");
        return f;
    }

    /** The findings of 'analyze' on a bundle, the host in the connection message made neutral, pg.sessions left out (see above). */
    private static String findings(Path bundle, String host) throws Exception {
        Cli.Result r = Cli.run("analyze", bundle.toString(), "--format", "json", "--immich-version", "2.1.0");
        ArrayNode out = JSON.createArrayNode();
        for (JsonNode f : JSON.readTree(r.out()).get("findings")) {
            if (f.get("id").asText().equals("pg.sessions")) continue;
            ObjectNode c = f.deepCopy();
            c.remove("duration_ms");
            out.add(JSON.readTree(c.toString().replace(" on " + host + ":", " on HOST:")));
        }
        return out.toPrettyString();
    }

    /** A stand-in program: a shell script in {@code bin}. */
    public static Path script(Path bin, String name, String body) throws Exception {
        Files.createDirectories(bin);
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /**
     * A recording stand-in: writes its arguments (one a line) and its standard input to {@code dir}, exits 99 unless
     * the arguments are exactly {@code expected}, then runs the real psql with the words after {@code skip} of them,
     * against the test server.
     */
    public static void recordingStandIn(Path bin, String name, Path dir, List<String> expected, int skip, int port) throws Exception {
        Files.writeString(dir.resolve(name + ".expected"), String.join("\n", expected) + "\n");
        script(bin, name, """
                [ "$1" = logs ] && { printf '%%s\\n' "$@" >> '%1$s/%2$s.logs-args'; exit 0; }   # --docker also reads the container's log
                printf '%%s\\n' "$@" > '%1$s/%2$s.args'
                cat > '%1$s/%2$s.stdin'
                cmp -s '%1$s/%2$s.args' '%1$s/%2$s.expected' || { echo "%2$s stand-in: unexpected arguments" >&2; exit 99; }
                shift %3$d
                exec /usr/bin/psql -h localhost -p %4$d "$@" < '%1$s/%2$s.stdin'
                """.formatted(dir, name, skip, port));
    }

    /** psql's words as vccheck builds them, written out here so that a change to them fails this test. */
    public static List<String> psqlWords(String user, String db) {
        return List.of("psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", user, "-d",
                "dbname='" + db + "' application_name=vccheck options='-c statement_timeout=5000 -c lock_timeout=1000 -c idle_in_transaction_session_timeout=15000'");
    }

    /** What went through the channel: BEGIN READ ONLY, one statement, ROLLBACK; nothing else. */
    public static void onlyTheCatalogStatementWasSent(String stdin) {
        assertTrue(stdin.startsWith("BEGIN READ ONLY;\nSELECT json_build_object("), stdin);
        assertTrue(stdin.endsWith(")::text;\nROLLBACK;\n"), stdin);
        String statement = stdin.substring("BEGIN READ ONLY;\n".length(), stdin.length() - ";\nROLLBACK;\n".length());
        assertFalse(statement.contains(";\n"), "one statement");
    }

    @Test
    void dockerExecWithTheEnvFilesUserAndDatabase() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("docker");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Path bin = dir.resolve("bin");
        List<String> expected = new ArrayList<>(List.of("exec", "-i", "immich_postgres"));
        expected.addAll(psqlWords("postgres", db));
        recordingStandIn(bin, "docker", dir, expected, 4, s.port());
        Path env = dir.resolve(".env");
        // Immich's docker compose .env: the host 'database' is a compose service name; --docker does not use it.
        Files.writeString(env, "DB_HOSTNAME=database\nDB_USERNAME=postgres\nDB_PASSWORD=hunter2\nDB_DATABASE_NAME=" + db + "\n");
        Path pack = dir.resolve("own.yaml");
        Files.writeString(pack, """
                apiVersion: vccheck/v1
                kind: RulePack
                metadata: { name: own }
                rules:
                  - id: own.assets
                    title: the library has assets
                    source: postgres
                    collect: { sql: "SELECT count(*) AS n FROM smart_search" }
                    outcomes:
                      - pass: "true"
                """);
        Cli.Result r = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + SYSTEM_PATH), "scan", "--docker", "immich_postgres", "--env-file", env.toString(),
                "--immich-version", "2.1.0", "--format", "json", "--rules", pack.toString());
        onlyTheCatalogStatementWasSent(Files.readString(dir.resolve("docker.stdin")));
        JsonNode rep = JSON.readTree(r.out());
        assertEquals("pass", finding(rep, "pg.connect").get("status").asText(), r::toString);
        assertEquals("pass", finding(rep, "pg.migration.state").get("status").asText(), r::toString);
        assertTrue(finding(rep, "pg.connect").get("message").asText().contains("Connected to " + db + " on docker exec immich_postgres:"), r::toString);
        JsonNode own = finding(rep, "own.assets");
        assertEquals("error", own.get("status").asText(), own::toString);
        assertTrue(own.get("message").asText().contains("a rule's own SQL is not supported through --docker"), own::toString);
        assertEquals(3, r.exit(), "a check in error: incomplete\n" + r);
        assertFalse(r.out().contains("hunter2") || r.err().contains("hunter2"));
        // plan takes the same options: the runbook for this database, read through the same stand-in.
        Cli.Result plan = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + SYSTEM_PATH), "plan", "--docker", "immich_postgres", "--env-file", env.toString(),
                "--immich-version", "2.1.0");
        assertEquals(0, plan.exit(), plan::toString);
        assertTrue(plan.out().contains(db), "the plan names the database\n" + plan.out());
        onlyTheCatalogStatementWasSent(Files.readString(dir.resolve("docker.stdin")));
    }

    /**
     * Reached through --docker, the plan speaks docker compose: on the pgvecto.rs image the dual path starts with the
     * image: line (tag from this database's major and pgvecto.rs version), the SQL is run through docker exec, and
     * Immich is stopped with docker compose; on Immich's image with both libraries preloaded those steps show done.
     */
    @Test
    void theRunbookThroughDockerSpeaksDockerCompose() throws Exception {
        EmbeddedServer s = TestServers.shared(16, PGVECTORS_ONLY, "vectors.so");
        String db = TestServers.newDatabaseName("compose");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Path bin = dir.resolve("bin");
        List<String> expected = new ArrayList<>(List.of("exec", "-i", "immich_postgres"));
        expected.addAll(psqlWords("postgres", db));
        recordingStandIn(bin, "docker", dir, expected, 4, s.port());
        Path env = dir.resolve(".env");
        Files.writeString(env, "DB_HOSTNAME=database\nDB_USERNAME=postgres\nDB_DATABASE_NAME=" + db + "\n");
        Cli.Result plan = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + SYSTEM_PATH), "plan", "--docker", "immich_postgres",
                "--env-file", env.toString(), "--immich-version", "2.1.0", "--path", "dual");
        assertEquals(0, plan.exit(), plan::toString);
        String out = plan.out();
        assertTrue(out.contains("image: ghcr.io/immich-app/postgres:16-vectorchord0.4.3-pgvectors0.2.0"), out);
        assertTrue(out.contains("docker compose up -d database"), out);
        assertTrue(out.contains("docker compose stop immich-server immich-machine-learning"), out);
        assertTrue(out.contains("docker exec -it immich_postgres psql -U postgres -d " + db), out);
        assertTrue(out.indexOf("image: ghcr.io") < out.indexOf("docker compose stop"), "the image switch comes first\n" + out);
        // The scan names the same image for this database (its major, its pgvecto.rs), never another major's.
        Cli.Result scan = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + SYSTEM_PATH), "scan", "--docker", "immich_postgres",
                "--env-file", env.toString(), "--immich-version", "2.1.0", "--format", "text");
        assertTrue(scan.out().contains("ghcr.io/immich-app/postgres:16-vectorchord0.4.3-pgvectors0.2.0"), scan.out());
        assertFalse(scan.out().contains("postgres:14-vectorchord"), scan.out());
        // The way in for a person, which the SQL fixes' titles and the plan use (derived.psql).
        Cli.Result collect = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + SYSTEM_PATH), "collect", "--docker", "immich_postgres",
                "--env-file", env.toString());
        assertEquals("docker exec -it immich_postgres psql -U postgres -d " + db,
                JSON.readTree(collect.out()).at("/collection/postgres/psql_command").asText(), collect::toString);
        // Immich's image with both libraries, already preloaded: the switch and the preload are done.
        EmbeddedServer dual = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db2 = TestServers.newDatabaseName("compose");
        ImmichDatabase.create(dual, db2, Spec.of(State.PGVECTORS));
        List<String> expected2 = new ArrayList<>(List.of("exec", "-i", "immich_postgres"));
        expected2.addAll(psqlWords("postgres", db2));
        recordingStandIn(bin, "docker", dir, expected2, 4, dual.port());
        Files.writeString(env, "DB_HOSTNAME=database\nDB_USERNAME=postgres\nDB_DATABASE_NAME=" + db2 + "\n");
        Cli.Result plan2 = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + SYSTEM_PATH), "plan", "--docker", "immich_postgres",
                "--env-file", env.toString(), "--immich-version", "2.1.0");
        assertEquals(0, plan2.exit(), plan2::toString);
        assertTrue(plan2.out().contains("this image has both extensions") && plan2.out().contains("both are in shared_preload_libraries"), plan2.out());
    }

    @Test
    void podmanWhereDockerIsNotOnPath() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("podman");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Path bin = dir.resolve("bin");
        List<String> expected = new ArrayList<>(List.of("exec", "-i", "immich_postgres"));
        expected.addAll(psqlWords("postgres", "immich"));
        // Immich's defaults (postgres, immich) without --env-file; the stand-in maps database immich to the test's.
        Files.writeString(dir.resolve("podman.expected"), String.join("\n", expected) + "\n");
        script(bin, "podman", """
                [ "$1" = logs ] && exit 0   # --docker also reads the container's log
                printf '%%s\\n' "$@" > '%1$s/podman.args'
                cmp -s '%1$s/podman.args' '%1$s/podman.expected' || { echo "podman stand-in: unexpected arguments" >&2; exit 99; }
                exec /usr/bin/psql -h localhost -p %2$d -X -q -A -t -v ON_ERROR_STOP=1 -U postgres -d %3$s
                """.formatted(dir, s.port(), db));
        Cli.Result r = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + SYSTEM_PATH), "collect", "--docker", "immich_postgres");
        assertEquals(0, r.exit(), r::toString);
        JsonNode facts = JSON.readTree(r.out());
        assertEquals("docker", facts.at("/collection/postgres/via").asText());
        assertEquals("podman exec immich_postgres: psql -U postgres -d immich", facts.at("/collection/postgres/label").asText());
        assertEquals("vectors.vector(512)", facts.at("/pg/embeddings/smart_search/formatted").asText(), r::toString);
    }

    private static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
        throw new AssertionError("no finding " + id + " in\n" + report.toPrettyString());
    }

    private Cli.Result failingScan(String path, String... args) {
        List<String> a = new ArrayList<>(List.of("scan", "--format", "json"));
        a.addAll(List.of(args));
        return Cli.runWithEnv(false, Map.of("PATH", path), a.toArray(String[]::new));
    }

    /** Exit 3; pg.connect in error with the message; the collection error says the same. */
    private static void incomplete(Cli.Result r, String message) throws Exception {
        assertEquals(3, r.exit(), r::toString);
        JsonNode rep = JSON.readTree(r.out());
        assertEquals(message, rep.at("/target/postgres/message").asText(), r::toString);
        JsonNode connect = finding(rep, "pg.connect");
        assertEquals("error", connect.get("status").asText(), connect::toString);
        assertTrue(connect.get("message").asText().contains(message), connect::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
    }

    @Test
    void dockerMissing() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        incomplete(failingScan(empty.toString(), "--docker", "immich_postgres"), "--docker needs docker or podman, and neither is on PATH");
    }

    @Test
    void dockerExitsNonZeroAndSaysWhy() throws Exception {
        Path bin = dir.resolve("bin");
        script(bin, "docker", "cat > /dev/null\necho 'Error response from daemon: No such container: immich_postgres' >&2\nexit 1\n");
        incomplete(failingScan(bin + ":" + SYSTEM_PATH, "--docker", "immich_postgres"),
                "'docker exec immich_postgres psql' exited with status 1; it printed: Error response from daemon: No such container: immich_postgres");
    }

    @Test
    void aFailingPsqlsPasswordIsNotRepeated() throws Exception {
        Path bin = dir.resolve("bin");
        script(bin, "psql", "cat > /dev/null\necho 'psql: error: invalid connection option: password=hunter2 host=db' >&2\nexit 2\n");
        Cli.Result r = failingScan(bin + ":" + SYSTEM_PATH, "--psql", "psql -d immich");
        // The collector writes ********; the report's own redaction (--redact secrets) then shows it as [redacted].
        incomplete(r, "'psql -d immich' exited with status 2; it printed: psql: error: invalid connection option: password=[redacted] host=db");
        assertFalse(r.out().contains("hunter2") || r.err().contains("hunter2"), r::toString);
        Cli.Result none = failingScan(bin + ":" + SYSTEM_PATH, "--psql", "psql -d immich", "--redact", "none");
        assertFalse(none.out().contains("hunter2") || none.err().contains("hunter2"), "the collector redacts too:\n" + none);
        // A password in the command line itself (a connection URL) is not repeated in the label or the message either.
        Cli.Result url = failingScan(bin + ":" + SYSTEM_PATH, "--psql", "psql postgresql://immich:hunter2@db/immich", "--redact", "none");
        assertEquals(3, url.exit(), url::toString);
        assertTrue(url.out().contains("'psql postgresql://immich:********@db/immich' exited with status 2"), url::toString);
        assertFalse(url.out().contains("hunter2") || url.err().contains("hunter2"), url::toString);
    }

    @Test
    void outputThatIsNotTheCatalogDocument() throws Exception {
        incomplete(failingScan(SYSTEM_PATH, "--psql", "sh -c 'cat > /dev/null; echo Welcome to db-host; echo {not json}'"),
                "'sh -c cat > /dev/null; echo Welcome to db-host; echo {not json}' did not print vccheck's catalog document "
                        + "(is it psql, connected to the database?); it printed: Welcome to db-host | {not json}");
    }

    @Test
    void aCommandThatHangsIsStoppedAtTheTimeout() throws Exception {
        long start = System.nanoTime();
        Cli.Result r = failingScan(SYSTEM_PATH, "--psql", "sh -c 'echo connecting; sleep 60'", "--connect-timeout", "1", "--statement-timeout", "1");
        long ms = (System.nanoTime() - start) / 1_000_000;
        incomplete(r, "'sh -c echo connecting; sleep 60' did not finish within 2 s (--connect-timeout + --statement-timeout); it printed: connecting");
        assertTrue(ms < 20_000, ms + " ms");
    }

    @Test
    void aPsqlCommandLineIsWordsNotShell() {
        Cli.Result r = Cli.runWithEnv(false, Map.of("PATH", SYSTEM_PATH), "scan", "--psql", "psql -d immich | tee out");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("--psql: '|' at character 16 is shell syntax"), r::toString);
        Cli.Result both = Cli.runWithEnv(false, Map.of("PATH", SYSTEM_PATH), "scan", "--psql", "psql", "--docker", "immich_postgres");
        assertEquals(2, both.exit(), both::toString);
        assertTrue(both.err().contains("--docker and --psql are alternatives: give one"), both::toString);
    }
}
