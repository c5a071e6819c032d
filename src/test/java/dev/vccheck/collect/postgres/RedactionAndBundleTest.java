package dev.vccheck.collect.postgres;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --redact all hides the scenario's names in every format; collect + analyze elsewhere gives the scan's findings. */
class RedactionAndBundleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void redactAllHidesHostUserDatabaseAndAddressInEveryFormat(@TempDir Path dir) throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vectors.so");
        String db = "family_photos_db";
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS).owner("photo_admin"));
        Properties p = new Properties();
        p.setProperty("user", "photo_admin");
        p.setProperty("ApplicationName", "postgres.js");
        try (Connection immich = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + s.port() + "/" + db, p)) {
            String url = "postgresql://postgres@127.0.0.1:" + s.port() + "/" + db + "?sslmode=disable";
            Path bundle = dir.resolve("bundle.json");
            assertEquals(0, Cli.run("collect", "--db-url", url, "--redact", "all", "-o", bundle.toString()).exit());
            StringBuilder all = new StringBuilder(Files.readString(bundle));
            for (String format : List.of("json", "text", "html", "markdown", "junit")) {
                Cli.Result r = Cli.run("scan", "--db-url", url, "--redact", "all", "--format", format, "--immich-version", "2.1.0");
                assertEquals(1, r.exit(), r::toString);
                all.append(r.out()).append(r.err());
            }
            String everything = all.toString();
            for (String secret : List.of(db, "photo_admin", "127.0.0.1", "localhost")) {
                assertFalse(everything.contains(secret), "'" + secret + "' survived --redact all");
            }
            assertTrue(everything.contains("database-1") && everything.contains("user-"), "placeholders are used");
            JsonNode report = JSON.readTree(Cli.run("scan", "--db-url", url, "--redact", "all", "--format", "json", "--immich-version", "2.1.0").out());
            assertEquals("all", report.at("/redaction/level").asText());
            assertTrue(report.at("/redaction/kinds").toString().contains("databases"), report.at("/redaction").toString());
        }
    }

    @Test
    void collectThenAnalyzeGivesTheScansFindings(@TempDir Path dir) throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("bundle");
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.COLUMNS_REAL).dimension(768));
        String url = TestServers.url(s, db, "postgres");
        Cli.Result scan = Cli.run("scan", "--db-url", url, "--format", "json", "--immich-version", "2.1.0");
        Path bundle = dir.resolve("b.json");
        assertEquals(0, Cli.run("collect", "--db-url", url, "-o", bundle.toString()).exit());
        Cli.Result analyze = Cli.run("analyze", bundle.toString(), "--format", "json", "--immich-version", "2.1.0");
        assertEquals(scan.exit(), analyze.exit());
        assertEquals(findings(scan.out()), findings(analyze.out()));
    }

    /** The findings as written, without duration_ms (wall-clock time of the evaluation, not a result). */
    private static String findings(String report) throws Exception {
        ArrayNode f = (ArrayNode) JSON.readTree(report).get("findings");
        f.forEach(n -> ((ObjectNode) n).remove("duration_ms"));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(f);
    }
}
