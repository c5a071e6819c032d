package dev.vccheck.collect.postgres;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static dev.vccheck.demo.TestServers.DUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The facts the one catalog statement adds, read from a real server in a known state: where settings come from,
 * database- and role-level settings, the roles present, Immich's migration lock, index definitions put together
 * from the catalog (no pg_get_indexdef) and column types without format_type()'s typmod call.
 */
class CatalogFactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode collect(EmbeddedServer s, String db, String user) throws Exception {
        Cli.Result r = Cli.run("collect", "--db-url", TestServers.url(s, db, user));
        assertEquals(0, r.exit(), r::toString);
        return JSON.readTree(r.out());
    }

    @Test
    void settingsTheirSourcesRolesAndTheMigrationLock() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("newfacts");
        ImmichDatabase.create(s, db, Spec.of(State.MIGRATED));
        s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'immich') THEN CREATE ROLE immich LOGIN; END IF; END $$");
        s.sql("postgres", "ALTER DATABASE " + db + " SET vchordrq.prewarm_dim = '512,768'");
        s.sql("postgres", "ALTER ROLE immich IN DATABASE " + db + " SET search_path = \"$user\", public, vectors");
        try (Connection immich = s.connect(db, "postgres"); Statement st = immich.createStatement()) {
            int pid;
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), pg_advisory_lock(200)")) {
                rs.next();
                pid = rs.getInt(1);
            }
            JsonNode f = collect(s, db, "postgres");
            JsonNode pg = f.get("pg");
            assertTrue(pg.at("/immich/migration_lock/held").asBoolean(), pg::toPrettyString);
            assertEquals("[" + pid + "]", pg.at("/immich/migration_lock/pids").toString());
            st.execute("SELECT pg_advisory_unlock(200)");
            assertFalse(collect(s, db, "postgres").at("/pg/immich/migration_lock/held").asBoolean());

            List<String> roleSettings = new ArrayList<>();
            for (JsonNode rs : pg.get("role_settings")) roleSettings.add(rs.toString());
            assertTrue(roleSettings.contains("{\"database\":\"" + db + "\",\"name\":\"vchordrq.prewarm_dim\",\"value\":\"512,768\"}"), roleSettings::toString);
            assertTrue(roleSettings.contains("{\"database\":\"" + db + "\",\"role\":\"immich\",\"name\":\"search_path\",\"value\":\"\\\"$user\\\", public, vectors\"}"),
                    roleSettings::toString);
            JsonNode spl = pg.at("/setting_details/shared_preload_libraries");
            assertEquals("configuration file", spl.get("source").asText(), pg::toPrettyString);
            assertTrue(spl.get("file").asText().endsWith("postgresql.auto.conf"), spl::toString);
            assertFalse(spl.get("pending_restart").asBoolean());
            boolean fromFile = false;
            for (JsonNode fs : pg.get("file_settings")) {
                if (fs.get("name").asText().equals("shared_preload_libraries") && fs.get("file").asText().endsWith("postgresql.auto.conf")) {
                    fromFile = fs.get("applied").asBoolean() && fs.get("setting").asText().equals("\"vchord.so\", \"vectors.so\"");
                }
            }
            assertTrue(fromFile, pg.get("file_settings")::toString);
            assertTrue(pg.get("roles_present").toString().contains("\"immich\""), pg.get("roles_present")::toString);
            assertTrue(pg.get("roles_present").toString().contains("\"postgres\""));
            assertTrue(pg.at("/extensions/installed/vchord/owned_by_current_user").asBoolean());
            assertFalse(pg.at("/settings").has("allow_alter_system"), "PostgreSQL 16 has no allow_alter_system (17+)");
            assertTrue(pg.at("/settings").has("cluster_name") && pg.at("/settings").has("archive_library"), pg.get("settings")::toString);
            assertFalse(pg.at("/settings").has("archive_command"), "only its first word is kept (archive_program)");
            // The library files: both stand-in libraries are in PKGLIBDIR (a superuser may look); a role that may not
            // look loses only this fact, with the reason, and the statement still runs.
            assertEquals("{\"vectors\":true,\"vchord\":true}", withoutVector(pg.at("/extensions/library_files")), pg.get("extensions")::toString);
            JsonNode plain = collect(s, db, "immich");
            assertTrue(plain.at("/pg/extensions/library_files").isMissingNode(), plain.at("/pg/extensions")::toString);
            assertTrue(plain.at("/unavailable/pg.extensions.library_files").asText().contains("pg_read_server_files"), plain.get("unavailable")::toString);
        }
    }

    /** pg.extensions.library_files without pgvector's entry (the stand-in for pgvector has no vector.so). */
    private static String withoutVector(JsonNode files) {
        com.fasterxml.jackson.databind.node.ObjectNode o = ((com.fasterxml.jackson.databind.node.ObjectNode) files).deepCopy();
        o.remove("vector");
        return o.toString();
    }

    @Test
    void indexesAndTypesWithoutCallingTheExtension() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String migrated = TestServers.newDatabaseName("defs");
        ImmichDatabase.create(s, migrated, Spec.of(State.MIGRATED));
        JsonNode pg = collect(s, migrated, "postgres").get("pg");
        JsonNode clip = pg.at("/indexes/clip_index");
        assertEquals("CREATE INDEX clip_index ON public.smart_search USING vchordrq (embedding vector_cosine_ops)", clip.get("definition").asText(), clip::toString);
        assertEquals("vector_cosine_ops", clip.get("opclass").asText());
        assertEquals("embedding", clip.get("column").asText());
        assertEquals("[]", clip.get("options").toString());
        assertEquals("vector(512)", pg.at("/embeddings/smart_search/formatted").asText());
        String pgvectors = TestServers.newDatabaseName("defs");
        ImmichDatabase.create(s, pgvectors, Spec.of(State.PGVECTORS).dimension(768));
        JsonNode emb = collect(s, pgvectors, "postgres").at("/pg/embeddings");
        assertEquals("vectors.vector(768)", emb.at("/smart_search/formatted").asText(), emb::toPrettyString);
        assertEquals("vectors.vector(512)", emb.at("/face_search/formatted").asText(), "ImmichDatabase keeps faces at 512");
        String real = TestServers.newDatabaseName("defs");
        ImmichDatabase.create(s, real, Spec.of(State.COLUMNS_REAL).dimension(768));
        JsonNode ss = collect(s, real, "postgres").at("/pg/embeddings/smart_search");
        assertEquals("real[]", ss.get("formatted").asText(), ss::toString);
        assertEquals(768, ss.get("sample_dimension").asInt(), ss::toString);
    }
}
