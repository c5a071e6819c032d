package dev.vccheck.demo;


import dev.vccheck.cli.Cli;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import com.fasterxml.jackson.databind.ObjectMapper;

import static dev.vccheck.TestFiles.repo;

/**
 * Regenerates the test bundles from real scans (facts are collected, never typed):
 * <pre>mvn -B -q test-compile && java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" dev.vccheck.demo.RegenerateFixtures</pre>
 * (the class path file comes from {@code mvn dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt}).
 */
public final class RegenerateFixtures {
    private RegenerateFixtures() {
    }

    public static void main(String[] args) throws Exception {
        Path out = repo("src/test/resources/bundles");
        // A pgvecto.rs database after switching to Immich's image, the old preload left behind, Immich connected.
        try (EmbeddedServer s = TestServers.start(16, TestServers.DUAL, "vectors.so")) {
            ImmichDatabase.create(s, "immich", Spec.of(State.PGVECTORS).owner("immich").immich("1.132.3").rows(4210));
            Properties p = new Properties();
            p.setProperty("user", "immich");
            p.setProperty("ApplicationName", "immich");
            try (Connection immich = DriverManager.getConnection(s.jdbcUrl("immich"), p)) {
                collect(s, "immich", out.resolve("pgvectors-dual.json"));
            }
        }
        // Fully migrated on ghcr.io/immich-app/postgres:16-vectorchord0.4.3.
        try (EmbeddedServer s = TestServers.start(16, TestServers.VCHORD_ONLY, "vchord.so")) {
            ImmichDatabase.create(s, "immich", Spec.of(State.MIGRATED).owner("immich").immich("2.1.0").rows(4210));
            collect(s, "immich", out.resolve("migrated.json"));
        }
        ruleCases();
        // Nothing listens on this port.
        Cli.Result r = Cli.run("collect", "--db-url", "postgresql://immich@127.0.0.1:1/immich?sslmode=disable", "-o", out.resolve("unreachable.json").toString());
        System.out.println("unreachable: exit " + r.exit() + " " + r.err());
    }

    /** A scenario: a database on a real server, and what the named rules must report on its facts. */
    private record Scenario(String name, int major, dev.vccheck.demo.StandIns.Profile profile, String preload, Spec spec,
                            String user, String immich, String afterCreate, boolean immichConnected, Map<String, String> expected) {
    }

    private static Map<String, String> m(String... kv) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) out.put(kv[i], kv[i + 1]);
        return out;
    }

    /**
     * rule-cases/pg.*: facts collected from real servers, one rule-case-bases/collected-SCENARIO.json per scenario that
     * the cases of every rule it serves name in their facts.patch.json (with an empty patch); the expected findings (status and message fragments,
     * written "status|fragment|fragment", findings separated by " ;; ") are the scenario expectations, not copies of
     * what the rules said.
     */
    private static void ruleCases() throws Exception {
        var dual = TestServers.DUAL;
        List<Scenario> scenarios = List.of(
                new Scenario("preload-missing", 16, dual, "vectors.so", Spec.of(State.PGVECTORS), "postgres", "2.1.0", null, false, m(
                        "pg.vchord.preload", "fail|vchord is not in it|ALTER SYSTEM SET shared_preload_libraries = 'vectors.so', 'vchord.so';",
                        "pg.migration.state", "pass|State pgvectors, path dual.",
                        "pg.embedding.dimension", "pass|512 dimensions")),
                new Scenario("columns-real-768", 16, dual, "vchord.so, vectors.so", Spec.of(State.COLUMNS_REAL).dimension(768), "postgres", "2.1.0", null, false, m(
                        "pg.migration.state", "fail|assuming 512|expected 512 dimensions, not 768|SET DATA TYPE vector(768);|CREATE EXTENSION IF NOT EXISTS vchord CASCADE;",
                        "pg.embedding.dimension", "pass|the first row of smart_search has 768 values")),
                new Scenario("non-superuser-owner", 16, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTORS).owner("immich"), "immich", "2.1.0", null, false, m(
                        "pg.privileges", "fail|permission denied to create extension|CREATE EXTENSION IF NOT EXISTS vchord CASCADE; ;; warn|is not a superuser",
                        "pg.vchord.preload", "error|visible only to superusers",
                        "pg.sessions", "warn|may not see other roles' sessions")),
                new Scenario("postgres-13", 13, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "postgres", "2.1.0", null, false, m(
                        "pg.version", "fail|Found 13.")),
                new Scenario("postgres-18-docs", 18, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "postgres", "2.2.0", null, false, m(
                        "pg.version", "warn|outside the versions the Immich 2.2.0 docs list (>=14 <18)")),
                new Scenario("nightly", 16, TestServers.NIGHTLY, "vchord.so", Spec.of(State.PGVECTOR), "postgres", "2.1.0", null, false, m(
                        "pg.vchord.version", "fail|0.0.0 is a nightly build")),
                new Scenario("migrated-leftovers", 16, dual, "vchord.so, vectors.so", Spec.of(State.MIGRATED).leftovers(true), "postgres", "2.1.0", null, false, m(
                        "pg.leftovers", "warn|DROP EXTENSION vectors; ;; warn|DROP SCHEMA vectors; ;; warn|'vchord.so'|postgresql.auto.conf",
                        "pg.indexes", "pass|expected access method")),
                new Scenario("vchord-too-new-for-1.134", 16, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "postgres", "1.134.0", null, false, m(
                        "pg.vchord.version", "fail|only supports >=0.3 <0.4")),
                new Scenario("immich-3-on-pgvectors", 16, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "postgres", "3.0.0", null, false, m(
                        "pg.vectors.version", "warn|no longer runs on pgvecto.rs, but converts the columns away from it at its start to VectorChord")),
                new Scenario("pgvector-0.6-installed", 16, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTOR).vector("0.6.0"), "postgres", "2.1.0", null, false, m(
                        "pg.vector.version", "fail|older than 0.7|ALTER EXTENSION vector UPDATE;",
                        "pg.migration.state", "pass|State pgvector, path pgvector.")),
                new Scenario("read-only", 16, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "postgres", "2.1.0",
                        "ALTER DATABASE immich SET default_transaction_read_only = on", false, m(
                        "pg.primary", "fail|default_transaction_read_only is on|BEGIN READ WRITE;")),
                new Scenario("immich-connected", 16, dual, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "postgres", "2.1.0", null, true, m(
                        "pg.sessions", "fail|postgres.js|docker compose stop immich-server")));
        Path root = repo("src/test/resources/rule-cases");
        ObjectMapper json = new ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
        for (Scenario sc : scenarios) {
            try (EmbeddedServer s = TestServers.start(sc.major(), sc.profile(), sc.preload())) {
                ImmichDatabase.create(s, "immich", sc.spec());
                if (sc.afterCreate() != null) s.sql("postgres", sc.afterCreate());
                Properties p = new Properties();
                p.setProperty("user", "postgres");
                p.setProperty("ApplicationName", "postgres.js");
                Connection immich = sc.immichConnected() ? DriverManager.getConnection(s.jdbcUrl("immich"), p) : null;
                try {
                    String base = "collected-" + sc.name();
                    Path tmp = repo("src/test/resources/rule-case-bases").resolve(base + ".json");
                    Files.createDirectories(tmp.getParent());
                    collect(s, "immich", sc.user(), tmp);
                    for (var e : sc.expected().entrySet()) {
                        Path dir = root.resolve(e.getKey()).resolve(sc.name());
                        Files.createDirectories(dir);
                        Files.deleteIfExists(dir.resolve("facts.json"));
                        var patch = json.createObjectNode()
                                .put("description", "collected from a real PostgreSQL server by RegenerateFixtures (scenario " + sc.name() + ")")
                                .put("base", base);
                        patch.putObject("patch");
                        Files.writeString(dir.resolve("facts.patch.json"), json.writeValueAsString(patch) + "\n");
                        var exp = json.createObjectNode();
                        exp.put("description", "collected from a real PostgreSQL " + sc.major() + " (" + sc.name() + ")");
                        exp.putObject("options").put("immich_version", sc.immich());
                        var findings = exp.putArray("findings");
                        for (String f : e.getValue().split(" ;; ")) {
                            String[] parts = f.split("\\|");
                            var o = findings.addObject().put("status", parts[0]);
                            var frags = o.putArray("contains");
                            for (int i = 1; i < parts.length; i++) frags.add(parts[i]);
                        }
                        Files.writeString(dir.resolve("expected.json"), json.writeValueAsString(exp) + "\n");
                    }
                    System.out.println("rule cases: " + sc.name());
                } finally {
                    if (immich != null) immich.close();
                }
            }
        }
    }

    private static void collect(EmbeddedServer s, String db, Path file) throws Exception {
        collect(s, db, "postgres", file);
    }

    private static void collect(EmbeddedServer s, String db, String user, Path file) throws Exception {
        Cli.Result r = Cli.run("collect", "--db-url", TestServers.url(s, db, user), "-o", file.toString());
        if (r.exit() != 0) throw new IllegalStateException(r.toString());
        // Ports differ per run; fix them so the bundles stay stable under version control.
        Files.writeString(file, Files.readString(file).replace(":" + s.port() + "/", ":5432/").replace("\"port\" : " + s.port(), "\"port\" : 5432")
                .replace("localhost", "database"));
        System.out.println("wrote " + file);
    }
}
