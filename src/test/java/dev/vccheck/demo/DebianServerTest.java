package dev.vccheck.demo;


import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness itself: what later tests rely on when they run a remediation and restart. */
class DebianServerTest {
    private static String one(DebianServer s, String db, String sql) throws SQLException {
        try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    @Test
    void restartMustSucceedAndSaysWhyNot() throws Exception {
        try (DebianServer s = DebianServer.create("")) {
            assertEquals(DebianServer.USER, Files.getOwner(s.dataDirectory()).getName(), "PostgreSQL runs as an unprivileged user");
            assertEquals("off", one(s, "postgres", "SHOW fsync"), "the harness's own postgresql.conf is read");
            // ALTER SYSTEM (postgresql.auto.conf) wins over postgresql.conf after a restart, as on a real server.
            s.setConf("work_mem", "8MB");
            s.alterSystem("work_mem", "'16MB'");
            s.restart();
            assertEquals("16MB", one(s, "postgres", "SHOW work_mem"));
            // A fix as printed, through psql, then the restart it needs.
            DebianServer.Psql fix = s.psql("postgres", "postgres", "ALTER SYSTEM SET work_mem = '32MB';\n");
            assertEquals(0, fix.exit(), fix::output);
            s.restart();
            assertEquals("32MB", one(s, "postgres", "SHOW work_mem"));
            assertEquals(3, s.psql("postgres", "postgres", "SELECT 1/0;\n").exit(), "ON_ERROR_STOP: a failing script exits 3");
            // A configuration that stops PostgreSQL: restart() fails, with the server's own reason.
            s.alterSystem("shared_preload_libraries", "'no_such_library'");
            AssertionError e = assertThrows(AssertionError.class, s::restart);
            assertTrue(e.getMessage().contains("could not access file \"no_such_library\": No such file or directory"), e::getMessage);
            assertFalse(s.running());
            assertTrue(s.log().contains("could not access file \"no_such_library\""), "the log file keeps it");
        }
    }

    @Test
    void standInsRunTheWholeManualMigrationWhilePreloaded() throws Exception {
        CStandIns.install();
        try (DebianServer s = DebianServer.create("vchord.so, vectors.so")) {
            // pgvecto.rs columns and indexes -> real[] -> vchord + vector(n) -> vchordrq indexes -> pgvecto.rs dropped.
            ImmichDatabase.create(s, "migrated", Spec.of(State.MIGRATED).dimension(768));
            assertEquals("vector(768)", one(s, "migrated", "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                    + " WHERE attrelid = 'public.smart_search'::regclass AND attname = 'embedding'"));
            assertEquals("CREATE INDEX clip_index ON public.smart_search USING vchordrq (embedding vector_cosine_ops)",
                    one(s, "migrated", "SELECT pg_get_indexdef('public.clip_index'::regclass)"));
            assertEquals("0", one(s, "migrated", "SELECT count(*) FROM pg_extension WHERE extname = 'vectors'"));
            assertEquals("0.4.3", one(s, "migrated", "SELECT extversion FROM pg_extension WHERE extname = 'vchord'"));
            assertEquals("20", one(s, "migrated", "SELECT count(*) FROM smart_search"));
            // pgvecto.rs 0.3.0 (the pgvecto-rs:pg16-v0.3.0 image) installs and is reached by ALTER EXTENSION UPDATE.
            s.sql("postgres", "CREATE DATABASE v030");
            s.sql("v030", "CREATE EXTENSION vectors VERSION '0.2.0'; ALTER EXTENSION vectors UPDATE TO '0.3.0'");
            assertEquals("0.3.0", one(s, "v030", "SELECT extversion FROM pg_extension WHERE extname = 'vectors'"));
            assertEquals("0.2.0 0.3.0", one(s, "v030", "SELECT string_agg(version, ' ' ORDER BY version) FROM pg_available_extension_versions WHERE name = 'vectors'"));
        }
    }
}
