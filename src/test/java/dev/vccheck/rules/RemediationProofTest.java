package dev.vccheck.rules;

import dev.vccheck.demo.TestServers;

import dev.vccheck.collect.kubernetes.KubectlCommandsTest;
import dev.vccheck.collect.logs.CStandInLogsTest;
import dev.vccheck.demo.DebianServer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static dev.vccheck.demo.TestServers.DUAL;
import static dev.vccheck.demo.TestServers.NIGHTLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every remediation a scan prints, run exactly as printed on a real server in the state it is for: each {@code sql}
 * block through Debian's psql 15 ({@code psql -X -v ON_ERROR_STOP=1}, the block on standard input, as the
 * superuser a title asks for), each {@code shell} block that is a psql or pg_ctl command likewise; where the advice
 * changes the server's configuration (ALTER SYSTEM, or a step that says to restart) the server is restarted and
 * <b>must start</b>; then the database is scanned again and the rule must pass (or end where {@link Case#after}
 * says, with the reason). Blocks that cannot run here are listed, per kind and per rule, in {@link #NOT_RUN}: the
 * test fails on a block of a kind not listed there, so new advice is either executed or explained.
 * <p>
 * Servers: embedded PostgreSQL 16 with the SQL stand-ins ({@link TestServers}); a server whose configuration
 * changes gets its own. Library loading itself is proven on Debian's PostgreSQL 15 with the C stand-ins
 * ({@link #emptyPreloadListStopsPostgres}).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class RemediationProofTest {
    /** "rule|sql as run" for every block run by {@link #follow}, for {@link #everyBuiltInSqlRemediationWasRunAsPrinted}. */
    private static final java.util.Set<String> RAN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * "rule|outcome N|remediation M" → why that sql block is not run by a test of this class. Everything else that a
     * built-in rule can print as sql must have been run (checked last, when the whole class runs).
     */
    static final Map<String, String> SQL_NOT_RUN_HERE = Map.ofEntries(
            Map.entry("pg.settings.leftover|outcome 0|remediation 0", "the same statement as outcome 1 (the fail is the target release"
                    + " v1.135.1 on the same state), run as printed by InstallationRemediationTest"),
            Map.entry("pg.settings.leftover|outcome 1|remediation 0", "run as printed by InstallationRemediationTest"
                    + " (prewarmDimRemovedByResetAllAndTheOtherSettingsSetAgain, on PostgreSQL 16 minors before and after the RESET change)"),
            Map.entry("logs.pg.reserved-prefix|outcome 1|remediation 0", "a log-only state (Debian 15 with the C stand-in vchord.so reserving"
                    + " the prefix): its RESET is run as printed on that server by CStandInLogsTest"),
            Map.entry("logs.pg.preload-required|outcome 1|remediation 1", "a log-only state (Debian 15 with the C stand-ins refusing to load"
                    + " outside the preload): run as printed by CStandInLogsTest, then a restart that must succeed and a passing log"),
            Map.entry("logs.immich.create-extension-denied|outcome 1|remediation 0", "a log-only state (Immich's log line): run as printed by"
                    + " LogRemediationTest on a fresh database owned by a non-superuser, after which Immich's own statements succeed for it"),
            Map.entry("logs.immich.vchord-update-failed|outcome 1|remediation 0", "a log-only state (Immich's log line): run as printed by"
                    + " LogRemediationTest on a database whose VectorChord Immich's role may not update; the rescan passes pg.vchord.version"),
            Map.entry("pg.vchord.preload|outcome 1|remediation 0", "vectors not preloaded while the columns are pgvecto.rs's: that state needs the real"
                    + " library-loading behaviour, run on Debian 15 with the C stand-ins in UnloadableRemediationProofTest (NOT_PRELOADED)"),
            Map.entry("pg.preload.source|outcome 1|remediation 0", "run as printed by InstallationRemediationTest (aPendingPreloadNamingAMissingLibraryIsFixedBeforeTheRestart)"),
            Map.entry("pg.preload.source|outcome 2|remediation 0", "run as printed by InstallationRemediationTest (alterSystemOverridingPostgresqlConfIsReset)"),
            Map.entry("pg.preload.source|outcome 1|remediation 1", "run as printed by InstallationRemediationTest (anOldAlterSystemListOfOnlyMissingLibrariesIsResetToTheConfigurationFile), with a restart"),
            Map.entry("pg.immich.migrating|outcome 1|remediation 0", "run as printed by InstallationRemediationTest (aRunningMigrationIsSeenAndItsQueryRuns)"),
            Map.entry("pg.vector-extension.pick|outcome 2|remediation 1", "run as printed by InstallationRemediationTest (pgvectorsPreloadedForColumnsStillOnIt)")
    );

    /** Why a remediation block is not executed here, by kind; {@code rule:kind} entries name one rule's block. */
    static final Map<String, String> NOT_RUN = Map.of(
            "text", "prose for a person (switch an image, upgrade PostgreSQL, start Immich); what it names is proven where a rule "
                    + "prints it as sql/shell, and 'Restart PostgreSQL' is executed as the restart below",
            "kubectl", "needs a Kubernetes cluster; the commands are proven against the fabric8 mock server in KubectlCommandsTest",
            "yaml", "a change to a Kubernetes manifest or Helm values (CloudNativePG Cluster, HelmRelease); no cluster here",
            "pg.sessions:shell", "docker compose stop immich-server: no Docker here; the scan with the session closed passes "
                    + "(ScenariosTest.immichStillConnected and its rule case)");

    private static final Pattern CONFIG = Pattern.compile("(?i)ALTER\\s+SYSTEM|shared_preload_libraries|Restart PostgreSQL");

    /** One state and the rule whose advice is followed; {@code after} is the status the rescan must show. */
    record Case(String rule, String after, String why) {
        static Case passes(String rule) {
            return new Case(rule, "pass", null);
        }
    }

    /** A server the advice can be run on: its URL, psql against it, and a restart that reports the log if it fails. */
    interface Server {
        String url(String db, String user);

        Psql psql(String db, String user, String script) throws Exception;

        /** Restarts; null when the server is up again, else what went wrong and its log. */
        String restart() throws Exception;
    }

    record Psql(int exit, String output) {
    }

    private static Server embedded(EmbeddedServer s) {
        return new Server() {
            public String url(String db, String user) {
                return TestServers.url(s, db, user);
            }

            public Psql psql(String db, String user, String script) throws Exception {
                return RemediationProofTest.psql(s.port(), db, user, script);
            }

            public String restart() {
                try {
                    s.restart();
                    return null;
                } catch (Exception e) {
                    return "the embedded server did not start again: " + e + (e.getCause() == null ? "" : "\n" + e.getCause());
                }
            }
        };
    }

    /** Debian's psql 15 as a user pastes a printed block: ON_ERROR_STOP, the script on standard input. */
    static Psql psql(int port, String db, String user, String script) throws IOException, InterruptedException {
        Path in = Files.createTempFile("vccheck-psql", ".sql");
        Path out = Files.createTempFile("vccheck-psql", ".txt");
        try {
            Files.writeString(in, script, StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(DebianServer.BIN.resolve("psql").toString(), "-X", "-v", "ON_ERROR_STOP=1",
                    "-h", "localhost", "-p", String.valueOf(port), "-U", user, "-d", db)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(in.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("psql: no end within 120 s");
            }
            return new Psql(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    private static TestServers.Scan scan(Server s, String db, String user, String immich) throws Exception {
        return TestServers.scanUrl(s.url(db, user), "--immich-version", immich);
    }

    /**
     * Scans, runs every block of every non-pass finding of {@code c.rule} as printed, restarts where the advice
     * changes configuration (the start must succeed), rescans: the rule must end in {@code c.after}.
     */
    static void follow(Server s, String db, String user, String immich, Case c) throws Exception {
        TestServers.Scan before = scan(s, db, user, immich);
        List<JsonNode> findings = before.findings(c.rule()).stream()
                .filter(f -> List.of("fail", "warn").contains(f.get("status").asText())).toList();
        assertFalse(findings.isEmpty(), () -> "the state is meant to make " + c.rule() + " fail or warn:\n" + before.out());
        boolean restart = false;
        List<String> ran = new ArrayList<>();
        for (JsonNode f : findings) {
            for (JsonNode step : f.path("remediation")) {
                String kind = step.get("kind").asText();
                String text = step.get("text").asText();
                if (CONFIG.matcher(text).find()) restart = true;
                if (kind.equals("sql") || (kind.equals("shell") && text.matches("(?s)\\s*(psql|pg_ctl)\\b.*"))) {
                    Psql r = kind.equals("sql") ? s.psql(db, "postgres", text) : fail("shell psql/pg_ctl blocks: none printed today; run them here when one is");
                    assertEquals(0, r.exit(), () -> c.rule() + ": the printed SQL failed in psql:\n" + text + "\n--- psql\n" + r.output());
                    ran.add(text);
                    RAN.add(c.rule() + "|" + text);
                } else if (!NOT_RUN.containsKey(kind) && !NOT_RUN.containsKey(c.rule() + ":" + kind)) {
                    fail(c.rule() + " prints a " + kind + " block that is neither executed here nor listed in NOT_RUN:\n" + text);
                }
            }
        }
        if (restart) {
            String failed = s.restart();
            if (failed != null) fail(c.rule() + ": after its advice (" + String.join(" | ", ran) + ") PostgreSQL does not start:\n" + failed);
        }
        TestServers.Scan after = scan(s, db, user, immich);
        assertEquals(c.after(), after.statuses().get(c.rule()), () -> c.rule() + " after running\n" + String.join("\n", ran)
                + (c.why() == null ? "" : "\n(expected " + c.after() + ": " + c.why() + ")") + "\n--- rescan\n" + after.out());
    }

    private static void onOwnServer(String preload, Spec spec, String user, String immich, Case... cases) throws Exception {
        try (EmbeddedServer s = TestServers.start(16, DUAL, preload)) {
            ImmichDatabase.create(s, "immich", spec);
            for (Case c : cases) follow(embedded(s), "immich", user, immich, c);
        }
    }

    private static String onShared(dev.vccheck.demo.StandIns.Profile profile, String preload, Spec spec, String... afterCreate) throws Exception {
        EmbeddedServer s = TestServers.shared(16, profile, preload);
        String db = TestServers.newDatabaseName("proof");
        ImmichDatabase.create(s, db, spec);
        for (String sql : afterCreate) s.sql(sql.startsWith("@postgres ") ? "postgres" : db, sql.replaceFirst("^@postgres ", "").replace("$DB", db));
        return db;
    }

    // --- States that change the server's configuration: a server of their own, restarted after the advice.

    @Test
    void vchordNotPreloaded() throws Exception {
        onOwnServer("vectors.so", Spec.of(State.PGVECTORS), "postgres", "2.1.0", Case.passes("pg.vchord.preload"));
    }

    @Test
    void leftoversAfterTheMigrationThenTheServerStillStarts() throws Exception {
        onOwnServer("vchord.so, vectors.so", Spec.of(State.MIGRATED).leftovers(true), "postgres", "2.1.0", Case.passes("pg.leftovers"));
    }

    /**
     * vectors.so the only preload entry (pgvecto.rs's own install guide said ALTER SYSTEM SET
     * shared_preload_libraries = "vectors.so"): the leftover advice must empty the list in a way PostgreSQL starts with.
     */
    @Test
    void leftoverPreloadThatWasTheOnlyEntry() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, DUAL, "vchord.so, vectors.so")) {
            ImmichDatabase.create(s, "immich", Spec.of(State.MIGRATED).leftovers(true));
            s.sql("postgres", "ALTER SYSTEM SET shared_preload_libraries = 'vectors.so'");
            s.restart();
            Server server = embedded(s);
            follow(server, "immich", "postgres", "2.1.0", Case.passes("pg.leftovers"));
            // What is left is VectorChord's own preload, and its advice starts the server too.
            follow(server, "immich", "postgres", "2.1.0", Case.passes("pg.vchord.preload"));
        }
    }

    @Test
    void readOnlyDatabaseDefault() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), "@postgres ALTER DATABASE $DB SET default_transaction_read_only = on");
        follow(noRestart(s), db, "postgres", "2.1.0", Case.passes("pg.primary"));
    }

    // --- States inside one database: a shared server, no restart needed (the advice is not configuration).

    @Test
    void invalidIndex() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.MIGRATED),
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'clip_index'::regclass");
        follow(noRestart(s), db, "postgres", "2.1.0", Case.passes("pg.indexes"));
    }

    @Test
    void pgvectorOlderThan07Installed() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTOR).vector("0.6.0"));
        follow(noRestart(s), db, "postgres", "2.1.0", Case.passes("pg.vector.version"));
    }

    @Test
    void pgvectorOlderThanAvailable() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTOR).vector("0.7.4"));
        follow(noRestart(s), db, "postgres", "2.1.0", Case.passes("pg.vector.version"));
    }

    @Test
    void vchordOlderThanAvailable() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.MIGRATED),
                "DROP INDEX clip_index; DROP INDEX face_index; DROP EXTENSION vchord; CREATE EXTENSION vchord VERSION '0.3.0';"
                        + "CREATE INDEX clip_index ON smart_search USING vchordrq (embedding vector_cosine_ops);"
                        + "CREATE INDEX face_index ON face_search USING vchordrq (embedding vector_cosine_ops);");
        follow(noRestart(s), db, "postgres", "2.1.0", Case.passes("pg.vchord.version"));
    }

    @Test
    void columnsRealStepThree() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.COLUMNS_REAL).dimension(768));
        follow(noRestart(s), db, "postgres", "2.1.0", Case.passes("pg.migration.state"));
    }

    @Test
    void nonSuperuserOwnerWithoutVchord() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS).owner("immich"));
        follow(noRestart(s), db, "immich", "2.1.0", new Case("pg.privileges", "warn",
                "the notice that extension updates and backups need a superuser stays for a non-superuser role; it has no fix to run"));
    }

    @Test
    void roleThatDoesNotOwnTheDatabase() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS),
                "@postgres DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader LOGIN; END IF; END $$");
        follow(noRestart(s), db, "reader", "2.1.0", new Case("pg.privileges", "warn",
                "the notice that extension updates and backups need a superuser stays for a non-superuser role; it has no fix to run"));
    }

    @Test
    void nonSuperuserWithoutEarthdistance() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS).owner("immich"), "DROP EXTENSION earthdistance");
        follow(noRestart(s), db, "immich", "2.1.0", Case.passes("pg.extensions.required"));
    }

    /** The nightly's advice drops the vchordrq indexes before the extension (they depend on its operator classes). */
    @Test
    void nightlyVectorChordInstalled() throws Exception {
        EmbeddedServer s = TestServers.shared(16, NIGHTLY, "vchord.so");
        String db = onShared(NIGHTLY, "vchord.so", Spec.of(State.MIGRATED));
        follow(noRestart(s), db, "postgres", "2.1.0", new Case("pg.vchord.version", "fail",
                "DROP EXTENSION runs as printed; the nightly library is still what the server offers until the image is switched (a text step)"));
    }

    /**
     * What PostgreSQL itself does with the two ways of emptying shared_preload_libraries, on Debian's PostgreSQL 15
     * (its log in hand): SET to '' is written to postgresql.auto.conf as '""', a library named "", and the server
     * refuses to start; RESET removes the line and the server starts. This is why pg.leftovers prints RESET when
     * vectors.so was the only entry ({@link #leftoverPreloadThatWasTheOnlyEntry} runs that advice).
     */
    @Test
    void emptyPreloadListStopsPostgres() throws Exception {
        try (DebianServer s = DebianServer.create("")) {
            s.alterSystem("shared_preload_libraries", "'pg_stat_statements'");
            s.restart();
            DebianServer.Psql set = s.psql("postgres", "postgres", "ALTER SYSTEM SET shared_preload_libraries = '';\n");
            assertEquals(0, set.exit(), set::output);
            assertTrue(s.readAutoConf().contains("shared_preload_libraries = '\"\"'"), s::toString);
            DebianServer.Start broken = s.tryRestart();
            assertFalse(broken.ok(), "PostgreSQL 15 started with shared_preload_libraries = '\"\"'");
            assertTrue(broken.log().contains("could not access file \"\""), broken::log);

            s.writeAutoConf(s.readAutoConf().replaceAll("(?m)^shared_preload_libraries.*$", "shared_preload_libraries = 'pg_stat_statements'"));
            s.start();
            DebianServer.Psql reset = s.psql("postgres", "postgres", "ALTER SYSTEM RESET shared_preload_libraries;\n");
            assertEquals(0, reset.exit(), reset::output);
            DebianServer.Start ok = s.tryRestart();
            assertTrue(ok.ok(), () -> "after RESET:\n" + ok.pgCtlOutput() + "\n" + ok.log());
            try (var c = s.connect("postgres", "postgres"); var st = c.createStatement(); var rs = st.executeQuery("SHOW shared_preload_libraries")) {
                assertTrue(rs.next());
                assertEquals("", rs.getString(1));
            }
        }
    }

    @Test
    void halfMigratedFaceSearch() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS), RemediationTest.CONVERT_SMART_SEARCH_ONLY);
        follow(noRestart(s), db, "postgres", "2.1.0", Case.passes("pg.migration.state"));
    }

    @Test
    void readOnlyServerDefault() throws Exception {
        try (EmbeddedServer s = TestServers.start(16, DUAL, "vchord.so, vectors.so")) {
            ImmichDatabase.create(s, "immich", Spec.of(State.PGVECTORS));
            s.sql("postgres", "ALTER SYSTEM SET default_transaction_read_only = on");
            s.restart();
            follow(embedded(s), "immich", "postgres", "2.1.0", Case.passes("pg.primary"));
        }
    }

    @Test
    void immichStillConnected() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = onShared(DUAL, "vchord.so, vectors.so", Spec.of(State.PGVECTORS));
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", "postgres.js");
        try (java.sql.Connection immich = java.sql.DriverManager.getConnection(s.jdbcUrl(db), p)) {
            follow(noRestart(s), db, "postgres", "2.1.0", new Case("pg.sessions", "fail",
                    "the printed SQL only shows who is connected; stopping Immich is the shell step (docker compose), not run here"));
        }
    }

    /**
     * Last, when the whole class runs: every sql block any built-in rule can print was run above (matched by the
     * template's text before its first {{ }}), or {@link #SQL_NOT_RUN_HERE} says why not. New advice is picked up
     * from rules/ without touching this class.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void everyBuiltInSqlRemediationWasRunAsPrinted() throws Exception {
        var rules = new dev.vccheck.rules.RuleLoader(dev.vccheck.facts.FactsSchema.get()).load(dev.vccheck.rules.RuleSources.builtin());
        List<String> missing = new ArrayList<>();
        java.util.Set<String> known = new java.util.HashSet<>();
        for (var r : rules.rules()) {
            for (int i = 0; i < r.outcomes().size(); i++) {
                var rems = r.outcomes().get(i).remediation();
                for (int j = 0; j < rems.size(); j++) {
                    if (rems.get(j).kind() != dev.vccheck.rules.Remediation.Kind.sql) continue;
                    String key = r.id() + "|outcome " + i + "|remediation " + j;
                    known.add(key);
                    var parts = rems.get(j).text().parts();
                    String literal = parts.isEmpty() || parts.get(0).literal() == null ? "" : parts.get(0).literal().strip();
                    boolean ran = RAN.stream().anyMatch(x -> x.startsWith(r.id() + "|") && x.substring(r.id().length() + 1).contains(literal));
                    if (!ran && !SQL_NOT_RUN_HERE.containsKey(key)) {
                        missing.add(key + " (" + r.outcomes().get(i).status().id() + "): " + rems.get(j).text().source().strip());
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "sql remediations no state of this class ran (add a state, or a reason to SQL_NOT_RUN_HERE)");
        List<String> stale = SQL_NOT_RUN_HERE.keySet().stream().filter(k -> !known.contains(k)).toList();
        assertEquals(List.of(), stale, "SQL_NOT_RUN_HERE names blocks that no longer exist");
    }

    /** A shared server is never restarted: advice that needs a restart there is a mistake in the state chosen. */
    private static Server noRestart(EmbeddedServer s) {
        Server e = embedded(s);
        return new Server() {
            public String url(String db, String user) {
                return e.url(db, user);
            }

            public Psql psql(String db, String user, String script) throws Exception {
                return e.psql(db, user, script);
            }

            public String restart() {
                return "this advice asks for a restart; the state must be on a server of its own (onOwnServer)";
            }
        };
    }
}
