package dev.vccheck.plan;

import dev.vccheck.collect.postgres.SafetyTest;
import dev.vccheck.demo.TestServers;

import dev.vccheck.Processes;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import dev.vccheck.demo.StandIns;
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

    @Test
    void theManualPathsStep2LeavesVectorsSoOutSoTheServerStartsWithoutPgvectors() throws Exception {
        // Step 2's title says pgvecto.rs can go; the list it sets must not keep vectors.so, or PostgreSQL does not
        // start once pgvecto.rs is uninstalled (Immich #18432: postgresql.auto.conf survives the image switch).
        StandIns.Profile before = StandIns.Profile.of("0.7.4, 0.8.0", "0.4.3", "0.2.0");
        StandIns.Profile after = StandIns.Profile.of("0.7.4, 0.8.0", "0.4.3", "");
        try (EmbeddedServer s = TestServers.start(16, before, "vectors.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS).dimension(768));
            Cli.Result r = Cli.run("plan", "--db-url", TestServers.url(s, db, "postgres"), "--path", "manual", "--immich-version", "2.1.0");
            assertEquals(0, r.exit(), r::toString);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("ALTER SYSTEM SET shared_preload_libraries = [^;]*;").matcher(r.out());
            assertTrue(m.find(), r.out());
            String step2 = m.group();
            assertEquals("ALTER SYSTEM SET shared_preload_libraries = 'vchord.so';", step2, r.out());
            assertTrue(r.out().contains("postgresql.auto.conf, which survives an image switch and overrides postgresql.conf"), r.out());
            // Step 1, step 2 as printed, the image switch (pgvecto.rs uninstalled), a restart that must succeed, step 3.
            s.sql(db, "DROP INDEX IF EXISTS clip_index; DROP INDEX IF EXISTS face_index;"
                    + "ALTER TABLE smart_search ALTER COLUMN embedding SET DATA TYPE real[]; ALTER TABLE face_search ALTER COLUMN embedding SET DATA TYPE real[];");
            s.sql("postgres", step2);
            StandIns.install(s.pgHome(), after);
            s.restart();
            s.sql(db, "CREATE EXTENSION IF NOT EXISTS vchord CASCADE;"
                    + "ALTER TABLE smart_search ALTER COLUMN embedding SET DATA TYPE vector(768); ALTER TABLE face_search ALTER COLUMN embedding SET DATA TYPE vector(512);");
            TestServers.Scan scan = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("vchord-ready", scan.report().at("/migration/state").asText(), scan::out);
            assertEquals("pass", scan.statuses().get("pg.vchord.preload"), scan::out);
        }
    }

    @Test
    void noMigrationToPlanForAReleaseWithoutVectorChord() throws Exception {
        Cli.Result r = Cli.run("plan", "--bundle", dev.vccheck.TestFiles.repo("src/test/resources/bundles/pgvectors-dual.json").toString(), "--immich-version", "1.120.0");
        assertTrue(r.out().contains("Immich 1.120.0 has no VectorChord (it arrived in v1.133.0): there is no migration to plan for it"), r::toString);
        assertTrue(!r.out().contains("ALTER SYSTEM"), r.out());
    }

    @Test
    void onCloudNativePgTheDualPathSetsTheClusterSpecNotAlterSystem() throws Exception {
        // Recognised from the catalog alone: CNPG's WAL archiver and its streaming_replica role.
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var bundle = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(dev.vccheck.TestFiles.repo("src/test/resources/bundles/pgvectors-dual.json").toFile());
        var pg = (com.fasterxml.jackson.databind.node.ObjectNode) bundle.get("pg");
        ((com.fasterxml.jackson.databind.node.ObjectNode) pg.get("server")).put("archive_program", "/controller/manager");
        pg.putArray("roles_present").add("postgres").add("streaming_replica");
        Path file = dir.resolve("cnpg.json");
        json.writeValue(file.toFile(), bundle);
        Cli.Result r = Cli.run("plan", "--bundle", file.toString(), "--path", "dual", "--immich-version", "2.1.0");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().matches("(?s).*shared_preload_libraries:\n\\s*- vectors.so\n\\s*- vchord.so\n.*"), r.out());
        assertTrue(r.out().contains("CloudNativePG does not allow ALTER SYSTEM"), r.out());
        assertTrue(!r.out().contains("ALTER SYSTEM SET"), r.out());
        // With the cluster facts of a TrueCharts install: the chart's values key too, and the Cluster's own name.
        ((com.fasterxml.jackson.databind.node.ObjectNode) bundle.get("collection")).putObject("kubernetes").put("status", "ok").put("label", "kube://test/immich");
        bundle.putObject("k8s").put("namespace", "immich").putObject("cnpg").putObject("clusters").putObject("immich-cnpg-main").put("current_primary", "immich-cnpg-main-1");
        json.writeValue(file.toFile(), bundle);
        Cli.Result tc = Cli.run("plan", "--bundle", file.toString(), "--path", "dual", "--immich-version", "2.1.0");
        assertEquals(0, tc.exit(), tc::toString);
        assertTrue(tc.out().contains("set the list in the Cluster immich-cnpg-main"), tc.out());
        assertTrue(tc.out().matches("(?s).*preloadLibraries:\n\\s*- vectors.so\n\\s*- vchord.so\n.*"), tc.out());
        assertTrue(!tc.out().contains("ALTER SYSTEM SET"), tc.out());
    }
}
