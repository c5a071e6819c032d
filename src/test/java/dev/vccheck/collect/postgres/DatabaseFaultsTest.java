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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.vccheck.demo.TestServers.DUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database goes wrong while a scan runs: the scan ends within its timeouts, keeps what it read, ends every check
 * it could not make in error with the reason, still writes the report, and exits 3.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DatabaseFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A rule of the user's own, with its own SQL: it runs after the built-in round trips. */
    private Path customPack() throws Exception {
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
                      - fail: "rows[0].n == 0"
                        message: empty
                      - pass: "true"
                """);
        return pack;
    }

    /** Waits until a vccheck session waits on a lock, as seen from {@code watcher}. */
    private static boolean vccheckWaitsOnALock(Connection watcher) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Statement st = watcher.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'vccheck' AND wait_event_type = 'Lock'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) return true;
                }
                Thread.sleep(5);
            }
        }
        return false;
    }

    @Test
    void theServerStoppedInTheMiddleOfAScan() throws Exception {
        EmbeddedServer s = TestServers.start(16, DUAL, "vchord.so, vectors.so");
        Path report = dir.resolve("report.json");
        Path pack = customPack();
        Cli.Result r;
        int port = s.port();
        try {
            ImmichDatabase.create(s, "immich", Spec.of(State.PGVECTORS));
            Connection locker = s.connect("immich", "postgres");
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                // The catalog statement does not touch smart_search's rows (pgvecto.rs columns: no sample is read);
                // the rule's own SQL does, and waits here for up to lock_timeout, 1 s ...
                st.execute("LOCK TABLE smart_search IN ACCESS EXCLUSIVE MODE");
            }
            CompletableFuture<Cli.Result> scan = CompletableFuture.supplyAsync(() -> Cli.run("scan", "--db-url", TestServers.url(s, "immich", "postgres"),
                    "--immich-version", "2.1.0", "--rules", pack.toString(), "--skip", "pg.sessions", "--format", "json", "-o", report.toString()));
            try (Connection watcher = s.connect("immich", "postgres")) {
                assertTrue(vccheckWaitsOnALock(watcher), () -> "the scan did not reach the rule's own SQL: " + scan.getNow(null));
            }
            // ... during which the server stops (fast shutdown: every session is terminated).
            s.close();
            r = scan.get(60, TimeUnit.SECONDS);
        } finally {
            s.close();
        }
        assertTrue(Files.exists(report), "the report is still written");
        JsonNode rep = JSON.readTree(report.toFile());
        // The locking session is another session: pg.sessions would rightly fail; it is skipped to see the exit code.
        assertEquals(3, r.exit(), () -> r + rep.toPrettyString());
        String lost = "the connection to localhost:" + port + " was lost during the scan (did the server stop or restart?)";
        JsonNode connect = finding(rep, "pg.connect");
        assertEquals("pass", connect.get("status").asText(), "what was read before the stop is kept:\n" + rep.toPrettyString());
        assertEquals("pass", finding(rep, "pg.migration.state").get("status").asText(), "judged from the catalog, read before the stop");
        assertEquals("pass", finding(rep, "pg.upgrade-path").get("status").asText(), "Immich's tables are read in the catalog statement, before the stop");
        JsonNode own = finding(rep, "own.assets");
        assertEquals("error", own.get("status").asText(), own::toString);
        assertTrue(own.get("message").asText().contains(lost), own::toString);
        // Checks judged from what was read before the stop keep their verdict; every check that ended in error
        // says why with the lost connection (none with some other, misleading reason).
        List<String> errors = new java.util.ArrayList<>();
        for (JsonNode f : rep.get("findings")) {
            if (!f.get("status").asText().equals("error")) continue;
            errors.add(f.get("id").asText());
            assertTrue(f.get("message").asText().contains(lost), f::toString);
        }
        assertEquals(List.of("own.assets"), errors);
        assertFalse(r.err().contains("\tat "), r::toString);
    }

    @Test
    void aSlowCatalogHitsTheStatementTimeout() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("slowcatalog");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        try (Connection locker = s.connect(db, "postgres"); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            // Someone holds a system catalog: the catalog round trip cannot finish. With --statement-timeout 1 the
            // statement timeout (started before the lock wait) fires before lock_timeout (also 1 s).
            st.execute("LOCK TABLE pg_catalog.pg_extension IN ACCESS EXCLUSIVE MODE");
            long start = System.nanoTime();
            Cli.Result r = Cli.run("scan", "--db-url", TestServers.url(s, db, "postgres"), "--format", "json", "--statement-timeout", "1");
            long ms = (System.nanoTime() - start) / 1_000_000;
            locker.rollback();
            assertEquals(3, r.exit(), r::toString);
            JsonNode rep = JSON.readTree(r.out());
            assertEquals("connected to localhost:" + s.port() + ", but reading the catalog did not finish within the statement timeout of 1 s: "
                    + "the server is overloaded, or a session holds a lock on a system catalog (see pg_locks)",
                    rep.at("/target/postgres/message").asText(), r::toString);
            assertEquals("catalog-timeout", rep.at("/target/postgres/cause").asText(), r::toString);
            for (JsonNode f : rep.get("findings")) {
                if (f.get("source").asText().equals("postgres") && !f.get("status").asText().equals("skip")) {
                    assertEquals("error", f.get("status").asText(), f::toString);
                }
            }
            assertTrue(ms < 15_000, "the statement timeout bounds the scan: " + ms + " ms");
        }
    }

    private static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
        throw new AssertionError("no finding " + id + " in\n" + report.toPrettyString());
    }
}
