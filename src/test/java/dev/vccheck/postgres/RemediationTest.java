package dev.vccheck.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.Test;

import static dev.vccheck.postgres.TestServers.DUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SQL vccheck prints is run as printed (as a superuser where it says so), then the database is scanned again:
 * the finding must now pass. Servers whose settings change get a server of their own.
 */
class RemediationTest {
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
            assertEquals(4, before.findings("pg.leftovers").size(), before::out);
            applySql(s, db, before, "pg.leftovers");
            s.restart();
            TestServers.Scan after = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            assertEquals("pass", after.statuses().get("pg.leftovers"), after::out);
            assertEquals("health", after.report().at("/migration/phase").asText());
        }
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
