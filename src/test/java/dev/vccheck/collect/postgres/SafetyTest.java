package dev.vccheck.collect.postgres;

import dev.vccheck.demo.TestServers;

import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import dev.vccheck.facts.Facts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static dev.vccheck.demo.TestServers.DUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read-only promise, tested: the session cannot write, a scan changes nothing, and its cost does not grow with the library. */
public class SafetyTest {
    /** Everything a write could change: tables, columns, extensions, functions, settings, rows of Immich's tables, write counters. */
    public static String snapshot(EmbeddedServer s, String db) throws Exception {
        try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet r = st.executeQuery("""
                    SELECT concat_ws(E'\\n',
                      (SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace),
                      (SELECT string_agg(c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod), ',' ORDER BY 1)
                         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0),
                      (SELECT string_agg(extname || ' ' || extversion, ',' ORDER BY extname) FROM pg_extension),
                      (SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'public'::regnamespace),
                      (SELECT string_agg(array_to_string(setconfig, ';'), '|') FROM pg_db_role_setting),
                      (SELECT string_agg(version, ',' ORDER BY version) FROM version_history),
                      (SELECT count(*)::text FROM smart_search),
                      (SELECT tup_inserted || '/' || tup_updated || '/' || tup_deleted FROM pg_stat_database WHERE datname = current_database()))
                    """)) {
                r.next();
                return r.getString(1);
            }
        }
    }

    @Test
    void aUserRuleThatWritesFailsClearlyAndChangesNothing(@TempDir Path dir) throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("safety");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        s.sql(db, "CREATE TABLE audit (x text); CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql VOLATILE AS $$ INSERT INTO audit VALUES ('written'); SELECT 1 $$;");
        Path pack = dir.resolve("evil.yaml");
        StringBuilder yaml = new StringBuilder("apiVersion: vccheck/v1\nkind: RulePack\nmetadata: { name: evil }\nrules:\n");
        Map<String, String> sql = new java.util.LinkedHashMap<>();
        sql.put("evil.drop", "DROP TABLE smart_search");
        sql.put("evil.update", "UPDATE version_history SET version = '0.0.0'");
        sql.put("evil.create", "CREATE TABLE evil (x int)");
        sql.put("evil.set-role", "SET ROLE postgres");
        sql.put("evil.cte-delete", "WITH d AS (DELETE FROM version_history RETURNING 1) SELECT count(*) FROM d");
        sql.put("evil.volatile", "SELECT sneaky()");
        sql.put("evil.two-statements", "SELECT 1; DROP TABLE smart_search");
        sql.put("evil.read", "SELECT count(*) AS n FROM pg_extension");
        for (var e : sql.entrySet()) {
            yaml.append("  - id: ").append(e.getKey()).append("\n    title: t\n    source: postgres\n    collect: { sql: \"")
                    .append(e.getValue()).append("\" }\n    outcomes:\n      - pass: \"size(rows) >= 0\"\n        message: ran\n");
        }
        Files.writeString(pack, yaml.toString());
        String before = snapshot(s, db);
        Cli.Result r = Cli.run("scan", "--db-url", TestServers.url(s, db, "postgres"), "--rules", pack.toString(), "--only", "evil.*", "--format", "json");
        String after = snapshot(s, db);
        assertEquals(before, after, "the database changed during the scan");
        assertEquals(3, r.exit(), r::toString);
        var report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        for (var f : report.get("findings")) {
            String id = f.get("id").asText();
            String msg = f.get("message").asText();
            if (id.equals("evil.read")) {
                assertEquals("pass", f.get("status").asText(), msg);
                continue;
            }
            assertEquals("error", f.get("status").asText(), id + ": " + msg);
            assertTrue(msg.contains("read-only transaction") || msg.contains("refused: a rule's SQL must be one read-only statement"), id + ": " + msg);
        }
    }

    @Test
    void aScanChangesNothingAndTakesAtMostThreeRoundTrips() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("snapshot");
        ImmichDatabase.create(s, db, Spec.of(State.COLUMNS_REAL));
        String before = snapshot(s, db);
        TestServers.Scan scan = TestServers.scan(s, db, "postgres");
        assertEquals(before, snapshot(s, db));
        int trips = scan.finding("pg.connect").at("/evidence/round_trips").asInt();
        assertTrue(trips >= 1 && trips <= 3, "round trips after connecting: " + trips);
    }

    @Test
    void aLockedImmichTableCostsOnlyItsFactsAndTheScanGoesOn() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("locked");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        try (Connection locker = s.connect(db, "postgres"); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE migrations IN ACCESS EXCLUSIVE MODE");
            long start = System.nanoTime();
            // The locking connection is another session: pg.sessions would rightly fail; skip it to see the exit code.
            TestServers.Scan scan = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0", "--skip", "pg.sessions");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("error", scan.statuses().get("pg.upgrade-path"), scan::out);
            assertTrue(scan.finding("pg.upgrade-path").get("message").asText().contains("lock timeout"), scan::out);
            assertEquals("pass", scan.statuses().get("pg.connect"), "the rest of the scan goes on");
            assertEquals("pass", scan.statuses().get("pg.migration.state"), scan::out);
            assertEquals(2, scan.finding("pg.connect").at("/evidence/round_trips").asInt(), "the statement ran again without Immich's tables\n" + scan.out());
            assertEquals(3, scan.exit(), "nothing failed, one check could not be made");
            assertTrue(ms < 15_000, "lock_timeout (1 s) bounds the wait: " + ms + " ms");
            locker.rollback();
        }
    }

    @Test
    void aMillionRowsCostTheSameStatementsAsTen() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String small = TestServers.newDatabaseName("rows10");
        String big = TestServers.newDatabaseName("rows1m");
        ImmichDatabase.create(s, small, Spec.of(State.PGVECTORS).rows(10));
        ImmichDatabase.create(s, big, Spec.of(State.PGVECTORS).rows(1_000_000));
        var a = collect(s, small);
        var b = collect(s, big);
        assertEquals(a.statements(), b.statements());
        assertEquals(1, a.statements().size(), "catalog and Immich tables: one statement, one round trip");
        var bigFacts = new Facts(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        new PostgresCollector().collect(bigFacts, PgTargets.fromUrl(TestServers.url(s, big, "postgres"), "test"), PostgresCollector.Timeouts.defaults(), Map.of());
        assertEquals(1_000_000, bigFacts.json().at("/pg/tables/smart_search/estimated_rows").asLong(), 1000.0, "from reltuples, not count(*)");
    }

    private static PostgresCollector.Result collect(EmbeddedServer s, String db) {
        Facts f = new Facts(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        return new PostgresCollector().collect(f, PgTargets.fromUrl(TestServers.url(s, db, "postgres"), "test"), PostgresCollector.Timeouts.defaults(), Map.of());
    }
}
