package dev.vccheck.rules;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import dev.vccheck.demo.StandIns;
import org.junit.jupiter.api.Test;

import static dev.vccheck.demo.TestServers.DUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SQL vccheck prints is run as printed (as a superuser where it says so), then the database is scanned again:
 * the finding must now pass. Servers whose settings change get a server of their own.
 */
class RemediationTest {
    /** What Immich does to smart_search at its start (reindexVectors), without getting to face_search. */
    static final String CONVERT_SMART_SEARCH_ONLY = """
            CREATE EXTENSION IF NOT EXISTS vchord CASCADE;
            DROP INDEX IF EXISTS clip_index;
            ALTER TABLE smart_search ALTER COLUMN embedding SET DATA TYPE real[];
            ALTER TABLE smart_search ALTER COLUMN embedding SET DATA TYPE vector(512);
            CREATE INDEX clip_index ON smart_search USING vchordrq (embedding vector_cosine_ops);
            """;

    /** Both stand-ins: Immich's 16-vectorchord0.4.3-pgvectors0.2.0 image (a profile of its own: its files get swapped). */
    private static final StandIns.Profile BOTH = StandIns.Profile.of("0.8.0", "0.3.0, 0.4.3", "0.2.0");
    /** The same server after switching to the VectorChord-only image: no vectors control file, no vectors.so. */
    private static final StandIns.Profile VCHORD_IMAGE = StandIns.Profile.of("0.8.0", "0.3.0, 0.4.3", "");

    /** Runs every sql remediation of the rule's non-pass findings, as the superuser. */
    private static void applySql(EmbeddedServer s, String db, TestServers.Scan scan, String rule) throws Exception {
        boolean ran = false;
        for (JsonNode f : scan.findings(rule)) {
            if (f.get("status").asText().equals("pass")) continue;
            for (JsonNode step : f.get("remediation")) {
                if (!step.get("kind").asText().equals("sql")) continue;
                // As psql runs a script: one session, statement by statement.
                try (var c = s.connect(db, "postgres"); var st = c.createStatement()) {
                    for (String stmt : step.get("text").asText().split(";\\s*\\n")) {
                        if (!stmt.isBlank()) st.execute(stmt);
                    }
                }
                ran = true;
            }
        }
        assertTrue(ran, () -> "no SQL remediation for " + rule + " in\n" + scan.out());
    }

    @Test
    void preloadFixedWithTheSuggestedAlterSystemAndARestart() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, DUAL, "vectors.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
            TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("fail", before.statuses().get("pg.vchord.preload"));
            applySql(s, db, before, "pg.vchord.preload");
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.vchord.preload"), after::out);
            assertEquals("vchord is preloaded (\"vectors.so\", \"vchord.so\").", after.finding("pg.vchord.preload").get("message").asText());
        }
    }

    @Test
    void leftoversCleanedUpWithTheSuggestedSql() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, DUAL, "vchord.so, vectors.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.MIGRATED).leftovers(true));
            TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals(3, before.findings("pg.leftovers").size(), before::out);
            applySql(s, db, before, "pg.leftovers");
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.leftovers"), after::out);
            assertEquals("health", after.report().at("/migration/phase").asText());
        }
    }

    @Test
    void afterTheCleanupTheServerStartsOnTheVectorChordOnlyImage() throws Exception {
        // ALTER SYSTEM lives in postgresql.auto.conf, which survives the image switch: the cleanup must have taken
        // vectors.so out, or the new image (no vectors.so) does not start.
        try (EmbeddedServer s = TestServers.start(16, BOTH, "vchord.so, vectors.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.MIGRATED).leftovers(true));
            applySql(s, db, TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0"), "pg.leftovers");
            StandIns.install(s.pgHome(), VCHORD_IMAGE);
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.leftovers"), after::out);
            assertEquals("pass", after.statuses().get("pg.vchord.preload"), after::out);
        }
    }

    @Test
    void vectorChordOnlyImageTooEarlyGetsGoBackNotAPreloadThatStopsTheServer() throws Exception {
        // Immich #23821, #29983: the image was switched to VectorChord-only while the columns are still vectors.vector.
        try (EmbeddedServer s = TestServers.start(16, BOTH, "vectors.so")) {
            String db = "immich";
            ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
            s.sql("postgres", "ALTER SYSTEM RESET shared_preload_libraries");
            StandIns.install(s.pgHome(), VCHORD_IMAGE);
            s.restart();
            TestServers.Scan early = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            JsonNode f = early.finding("pg.vchord.preload");
            assertEquals("fail", f.get("status").asText(), early::out);
            assertTrue(f.get("message").asText().contains("Go back to an image that has both extensions, convert, then switch"), early::out);
            assertFalse(f.get("remediation").toString().contains("\"sql\""), "no preload change on this image:\n" + early.out());
            assertTrue(f.at("/remediation/0/text").asText().contains("ghcr.io/immich-app/postgres:16-vectorchord0.4.3-pgvectors0.2.0"), early::out);
            // Following it: back on the image with both, the preload fix is given, applied, and the server starts.
            StandIns.install(s.pgHome(), BOTH);
            s.restart();
            TestServers.Scan back = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("ALTER SYSTEM SET shared_preload_libraries = 'vchord.so', 'vectors.so';",
                    back.finding("pg.vchord.preload").at("/remediation/0/text").asText(), back::out);
            applySql(s, db, back, "pg.vchord.preload");
            s.restart();
            assertEquals("pass", TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0").statuses().get("pg.vchord.preload"));
        }
    }

    @Test
    void halfMigratedFaceSearchFinishedWithTheSuggestedSql() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("partial_fix");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        s.sql(db, CONVERT_SMART_SEARCH_ONLY);
        TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("partial", before.report().at("/migration/state").asText(), before::out);
        applySql(s, db, before, "pg.migration.state");
        TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("migrated", after.report().at("/migration/state").asText(), after::out);
        assertEquals("pass", after.statuses().get("pg.migration.state"), after::out);
    }

    @Test
    void vchordUpdateForANonSuperuserIsDoneByTheSuperuser() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("vchord_update_owner");
        ImmichDatabase.create(s, db, Spec.of(State.MIGRATED).owner("immich"));
        s.sql(db, "DROP INDEX clip_index; DROP INDEX face_index; DROP EXTENSION vchord; CREATE EXTENSION vchord VERSION '0.3.0';"
                + "CREATE INDEX clip_index ON smart_search USING vchordrq (embedding vector_cosine_ops);"
                + "CREATE INDEX face_index ON face_search USING vchordrq (embedding vector_cosine_ops);");
        // What Immich runs at its start, as its own role: refused (vchord is a superuser-only extension).
        try (var c = s.connect(db, "immich"); var st = c.createStatement()) {
            org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> st.execute("ALTER EXTENSION vchord UPDATE"));
        }
        TestServers.Scan before = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        assertEquals("fail", before.statuses().get("pg.vchord.version"), before::out);
        applySql(s, db, before, "pg.vchord.version");
        assertEquals("pass", TestServers.scan(s, db, "immich", "--immich-version", "2.1.0").statuses().get("pg.vchord.version"));
    }

    @Test
    void oldPgvectorUpdated() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("pgvector_update");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTOR).vector("0.6.0"));
        TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        applySql(s, db, before, "pg.vector.version");
        TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("pass", after.statuses().get("pg.vector.version"), after::out);
    }

    @Test
    void vchordUpdatedAndReindexed() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("vchord_update");
        ImmichDatabase.create(s, db, Spec.of(State.MIGRATED));
        s.sql(db, "DROP INDEX clip_index; DROP INDEX face_index; DROP EXTENSION vchord; CREATE EXTENSION vchord VERSION '0.3.0';"
                + "CREATE INDEX clip_index ON smart_search USING vchordrq (embedding vector_cosine_ops);"
                + "CREATE INDEX face_index ON face_search USING vchordrq (embedding vector_cosine_ops);");
        TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("warn", before.statuses().get("pg.vchord.version"), before::out);
        applySql(s, db, before, "pg.vchord.version");
        TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("pass", after.statuses().get("pg.vchord.version"), after::out);
    }

    @Test
    void stepThreeOfTheManualPathFromTheStateRule() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("step3");
        ImmichDatabase.create(s, db, Spec.of(State.COLUMNS_REAL));
        TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        applySql(s, db, before, "pg.migration.state");
        TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("vchord-ready", after.report().at("/migration/state").asText(), after::out);
        assertEquals("pass", after.statuses().get("pg.migration.state"));
    }

    @Test
    void readOnlyDefaultTurnedOff() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("ro_fix");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        s.sql("postgres", "ALTER DATABASE " + db + " SET default_transaction_read_only = on");
        TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        applySql(s, db, before, "pg.primary");
        assertEquals("pass", TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0").statuses().get("pg.primary"));
    }

    @Test
    void nonSuperuserOwnerGetsVchordFromTheSuperuser() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("owner_fix");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS).owner("immich"));
        TestServers.Scan before = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        applySql(s, db, before, "pg.privileges");
        TestServers.Scan after = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        assertEquals("warn", after.statuses().get("pg.privileges"), "only the backup/update warning is left:\n" + after.out());
        assertFalse(after.findings("pg.privileges").stream().anyMatch(f -> f.get("status").asText().equals("fail")));
    }

    @Test
    void nonOwnerGetsTheDatabase() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("nonowner_fix");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader LOGIN; END IF; END $$");
        TestServers.Scan before = TestServers.scan(s, db, "reader", "--immich-version", "2.1.0");
        applySql(s, db, before, "pg.privileges");
        TestServers.Scan after = TestServers.scan(s, db, "reader", "--immich-version", "2.1.0");
        assertFalse(after.findings("pg.privileges").stream().anyMatch(f -> f.get("message").asText().contains("neither a superuser nor the owner")), after::out);
    }

    @Test
    void invalidIndexRebuilt() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("invalid_index");
        ImmichDatabase.create(s, db, Spec.of(State.MIGRATED));
        s.sql(db, "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'clip_index'::regclass");
        TestServers.Scan before = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        assertEquals("fail", before.statuses().get("pg.indexes"), before::out);
        assertEquals("REINDEX INDEX clip_index;", before.finding("pg.indexes").at("/remediation/0/text").asText());
        applySql(s, db, before, "pg.indexes");
        assertEquals("pass", TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0").statuses().get("pg.indexes"));
    }
}
