package dev.vccheck.postgres;

import dev.vccheck.Processes;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vccheck plan --path manual --format sql, executed with psql against a real server with the stand-ins: it takes a
 * pgvecto.rs database to vchord-ready with its dimension; a second run stops at the first guard and changes
 * nothing; it refuses on a read-only database and while another session (Immich) is connected.
 */
class PlanScriptTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsPsql() {
        dev.vccheck.Tools.require(Files.isExecutable(Path.of("/usr/bin/psql")), "psql (Debian's postgresql-client)");
    }

    private record Psql(int exit, String out) {
    }

    private static Psql psql(EmbeddedServer s, String db, Path script) throws Exception {
        Processes.Result r = Processes.run(new ProcessBuilder("/usr/bin/psql", "-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String.valueOf(s.port()),
                "-U", "postgres", "-d", db, "-f", script.toString()).redirectErrorStream(true), Duration.ofMinutes(2));
        return new Psql(r.exit(), r.out());
    }

    private Path plan(EmbeddedServer s, String db) {
        Path file = dir.resolve(db + ".sql");
        Cli.Result r = Cli.run("plan", "--db-url", TestServers.url(s, db, "postgres"), "--path", "manual", "--format", "sql", "-o", file.toString());
        assertEquals(0, r.exit(), r::toString);
        return file;
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 768})
    void theScriptMigratesOnceAndTheSecondRunChangesNothing(int dimension) throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("plan" + dimension);
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS).dimension(dimension));
        Path script = plan(s, db);
        Psql first = psql(s, db, script);
        assertEquals(0, first.exit(), first.out());
        TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("vchord-ready", after.report().at("/migration/state").asText(), after::out);
        assertEquals(dimension, after.finding("pg.embedding.dimension").at("/evidence/dimension").asInt());
        String before = SafetyTest.snapshot(s, db);
        Psql second = psql(s, db, script);
        assertNotEquals(0, second.exit(), second.out());
        assertTrue(second.out().contains("vccheck plan: step 1 expects smart_search.embedding to be vectors.vector(" + dimension + "), found public.vector(" + dimension + ")"), second.out());
        assertEquals(before, SafetyTest.snapshot(s, db), "the second run changed the database");
    }

    @Test
    void theDualPathScriptCreatesVectorChordOnceAndLeavesTheColumnsToImmich() throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("plandual");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Path file = dir.resolve(db + ".sql");
        assertEquals(0, Cli.run("plan", "--db-url", TestServers.url(s, db, "postgres"), "--path", "dual", "--format", "sql", "-o", file.toString()).exit());
        Psql first = psql(s, db, file);
        assertEquals(0, first.exit(), first.out());
        TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertTrue(after.report().at("/findings").toString().contains("\"pg.migration.state\""), after::out);
        assertEquals("pgvectors", after.report().at("/migration/state").asText(), "the columns are Immich's to convert");
        String before = SafetyTest.snapshot(s, db);
        Psql second = psql(s, db, file);
        assertNotEquals(0, second.exit());
        assertTrue(second.out().contains("vchord is already created"), second.out());
        assertEquals(before, SafetyTest.snapshot(s, db));
    }

    @Test
    void refusesOnAReadOnlyDatabase() throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("planro");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Path script = plan(s, db);
        s.sql("postgres", "ALTER DATABASE " + db + " SET default_transaction_read_only = on");
        String before = SafetyTest.snapshot(s, db);
        Psql run = psql(s, db, script);
        assertNotEquals(0, run.exit());
        assertTrue(run.out().contains("vccheck plan: this session is read-only"), run.out());
        assertEquals(before, SafetyTest.snapshot(s, db));
    }

    @Test
    void refusesWhileImmichIsConnected() throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("planconn");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Path script = plan(s, db);
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", "postgres.js");
        try (Connection immich = DriverManager.getConnection(s.jdbcUrl(db), p)) {
            String before = SafetyTest.snapshot(s, db);
            Psql run = psql(s, db, script);
            assertNotEquals(0, run.exit());
            assertTrue(run.out().contains("vccheck plan: other sessions are connected"), run.out());
            assertEquals(before, SafetyTest.snapshot(s, db));
        }
    }

}
