package dev.vccheck;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's way of running a scan, {@code ./vccheck}, as its own process: the launcher's first run trains and
 * writes the class-data-sharing archive, and every run (built-in rules loading on their own thread while the database
 * is read, only the process entry point does that) reports exactly what the in-process scan reports.
 */
class LauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Processes.Result run(Path dir, List<String> cmd) throws Exception {
        return Processes.run(dir, cmd, Duration.ofMinutes(2));
    }

    private static Map<String, String> statuses(String report) throws Exception {
        Map<String, String> st = new TreeMap<>();
        for (JsonNode f : JSON.readTree(report).get("findings")) st.put(f.get("id").asText() + " " + f.path("message").asText(), f.get("status").asText());
        return st;
    }

    @Test
    void theLauncherTrainsItsArchiveAndScansAsTheInProcessScanDoes(@TempDir Path dir) throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("launcher");
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS));
        String url = TestServers.url(s, db, "postgres");
        Cli.Result expected = Cli.run("scan", "--db-url", url, "--immich-version", "2.1.0", "--format", "json");

        Path jsa = repo("target/vccheck.jsa");
        Files.deleteIfExists(jsa);
        List<String> scan = new ArrayList<>(List.of("bash", repo("vccheck").toString(), "scan", "--db-url", url, "--immich-version", "2.1.0", "--format", "json"));
        for (int i = 0; i < 2; i++) {
            Processes.Result r = run(dir, scan);
            assertEquals(expected.exit(), r.exit(), r::toString);
            assertEquals("", r.err(), "only the report is printed");
            assertEquals(statuses(expected.out()), statuses(r.out()), "run " + (i + 1) + " reports what the in-process scan reports");
            assertTrue(Files.size(jsa) > 1_000_000, "the first run wrote the class-data-sharing archive");
        }
        // A bundle collected while the rules load elsewhere still names the packs that were loaded.
        Processes.Result collect = run(dir, List.of("bash", repo("vccheck").toString(), "collect", "--db-url", url));
        assertEquals(0, collect.exit(), collect::toString);
        JsonNode bundle = JSON.readTree(collect.out());
        assertTrue(bundle.at("/meta/rule_packs").size() >= 6, collect::out);
        assertEquals(db, bundle.at("/pg/database/name").asText(), collect::out);
    }
}
