package dev.vccheck.rules;

import dev.vccheck.demo.TestServers;

import dev.vccheck.collect.logs.LogDiagnosisTest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static dev.vccheck.demo.TestServers.DUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SQL of the Immich log rules (rules/logs/10-startup.yaml), which are diagnosed from Immich's log alone: the
 * database is put into the state the log line reveals, Immich's own statement is shown to fail there for its role,
 * the block is taken from a scan of the log (no database read) and run as printed by the superuser its title names,
 * then Immich's statement succeeds for its role and a scan of the database passes the rule that judges the same cause.
 * Immich's texts are those of its server's database service (v2.7.5), as LogDiagnosisTest quotes them.
 */
class LogRemediationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The sql block of the rule's finding from a scan of this log alone. */
    private String printedSql(String log, String rule) throws Exception {
        Path file = dir.resolve("immich.log");
        Files.writeString(file, log);
        Cli.Result r = Cli.run("scan", "--log", file.toString(), "--format", "json");
        assertEquals(1, r.exit(), r.toString());
        for (JsonNode f : JSON.readTree(r.out()).get("findings")) {
            if (!f.get("id").asText().equals(rule)) continue;
            assertEquals("fail", f.get("status").asText(), f.toString());
            for (JsonNode step : f.get("remediation")) if (step.get("kind").asText().equals("sql")) return step.get("text").asText();
        }
        throw new AssertionError("no sql block of " + rule + " in " + r.out());
    }

    private static void runAs(EmbeddedServer s, String db, String user, String script) throws SQLException {
        try (Connection c = s.connect(db, user); Statement st = c.createStatement()) {
            for (String stmt : script.split(";\\s*\\n")) if (!stmt.isBlank()) st.execute(stmt);
        }
    }

    @Test
    void theExtensionsImmichMayNotCreateAreCreatedByTheSuperuser() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("create_denied");
        // A fresh installation: Immich's role owns an empty database; no extension is installed yet.
        s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immich') THEN CREATE ROLE immich LOGIN; END IF; END $$");
        s.sql("postgres", "CREATE DATABASE " + db + " OWNER immich");
        TestServers.Scan before = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        assertEquals("fail", before.statuses().get("pg.extensions.required"), before::out);
        // What Immich runs at start (database.repository.ts createExtension, then its migrations), as its role:
        // CASCADE is refused on pgvector first, and earthdistance is not a trusted extension either.
        List<String> immichCreates = List.of("CREATE EXTENSION IF NOT EXISTS vchord CASCADE", "CREATE EXTENSION IF NOT EXISTS cube",
                "CREATE EXTENSION IF NOT EXISTS earthdistance", "CREATE EXTENSION IF NOT EXISTS pg_trgm", "CREATE EXTENSION IF NOT EXISTS unaccent",
                "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"");
        SQLException denied = assertThrows(SQLException.class, () -> runAs(s, db, "immich", immichCreates.get(0)));
        assertTrue(denied.getMessage().contains("permission denied to create extension \"vector\""), denied.getMessage());

        String sql = printedSql("[Nest] 7  - 12/02/2026, 3:50:01 PM   FATAL [Microservices:DatabaseService] Failed to activate VectorChord extension.\n"
                + "PostgresError: " + denied.getMessage().lines().findFirst().orElseThrow().replaceFirst("^ERROR: ", "") + "\n",
                "logs.immich.create-extension-denied");
        assertEquals(String.join(";\n", immichCreates) + ";", sql.strip());
        runAs(s, db, "postgres", sql);

        for (String stmt : immichCreates) runAs(s, db, "immich", stmt);
        TestServers.Scan after = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        assertEquals("pass", after.statuses().get("pg.extensions.required"), after::out);
        assertEquals("pass", after.statuses().get("pg.vchord.version"), after::out);
    }

    @Test
    void aVectorChordUpdateImmichCouldNotDoIsDoneByTheSuperuser() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("update_failed");
        InstallationRemediationTest.olderVchordThanTheImage(s, db);

        String sql = printedSql("""
                [Nest] 17  - 12/02/2026, 3:50:02 PM    WARN [Microservices:DatabaseService] The VectorChord extension can be updated to 0.4.3.
                    Immich attempted to update the extension, but failed to do so.
                    This may be because Immich does not have the necessary permissions to update the extension.
                """, "logs.immich.vchord-update-failed");
        assertEquals("ALTER EXTENSION vchord UPDATE;\nREINDEX INDEX face_index;\nREINDEX INDEX clip_index;", sql.strip());
        runAs(s, db, "postgres", sql);

        TestServers.Scan after = TestServers.scan(s, db, "immich", "--immich-version", "2.1.0");
        assertEquals("pass", after.statuses().get("pg.vchord.version"), after::out);
        assertEquals("pass", after.statuses().get("pg.indexes"), after::out);
        assertEquals("0.4.3", InstallationRemediationTest.vchordVersion(s, db));
    }
}
