package dev.vccheck.rules;

import dev.vccheck.demo.TestServers;


import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import static dev.vccheck.demo.TestServers.DUAL;
import static dev.vccheck.demo.TestServers.NIGHTLY;
import static dev.vccheck.demo.TestServers.PGVECTORS_ONLY;
import static dev.vccheck.demo.TestServers.PGVECTOR_06;
import static dev.vccheck.demo.TestServers.VCHORD_ONLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One real database per migration state and per known failure (those Immich users report most), scanned through the real CLI
 * ({@code vccheck scan --db-url ...}); every pg.* rule's status is asserted. Servers: PostgreSQL 16 unless the
 * scenario is about the version; the read-only case uses default_transaction_read_only on the database (a real
 * streaming standby is impractical with embedded servers; the rule also checks pg_is_in_recovery()).
 */
class ScenariosTest {
    /** The statuses of a healthy dual-install database before the migration; scenarios override what differs. */
    private static Map<String, String> ready(String... overrides) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String id : new String[]{"pg.connect", "pg.version", "pg.primary", "pg.privileges", "pg.sessions", "pg.vector.available",
                "pg.vector.version", "pg.vchord.available", "pg.vchord.version", "pg.vchord.preload", "pg.extensions.required",
                "pg.indexes", "pg.migration.state", "pg.embedding.dimension", "pg.upgrade-path"}) {
            m.put(id, "pass");
        }
        m.put("pg.vectors.version", "warn");
        m.put("pg.leftovers", "skip");
        m.put("pg.vector-extension-setting", "skip");
        // rules/postgres/40-installation.yaml
        for (String id : new String[]{"pg.settings.leftover", "pg.preload.source", "pg.extensions.owner", "pg.vector-extension.pick",
                "pg.immich.migrating", "pg.immich.version-path"}) {
            m.put(id, "pass");
        }
        m.put("pg.vector-extension.pinned", "skip");
        m.put("pg.indexes.lists", "skip");
        for (String o : overrides) {
            String[] kv = o.split("=");
            m.put(kv[0], kv[1]);
        }
        return m;
    }


    /** Every pg.* rule has its expected status; the Kubernetes and cross-source rules skip (no cluster given). */
    private static void check(Map<String, String> expected, TestServers.Scan scan) {
        Map<String, String> pg = new java.util.TreeMap<>();
        expected = new LinkedHashMap<>(expected);
        // A collector that does not read pg_file_settings / Immich's migration lock yet: these two rules skip.
        for (String id : new String[]{"pg.preload.source", "pg.immich.migrating"}) {
            if (scan.finding(id).get("message").asText().contains("was not read")) expected.put(id, "skip");
        }
        scan.statuses().forEach((id, st) -> {
            if (id.startsWith("pg.")) pg.put(id, st);
            else assertEquals("skip", st, () -> id + " without a cluster\n" + scan.out());
        });
        assertEquals(new java.util.TreeMap<>(expected), pg, scan::out);
    }

    private static TestServers.Scan fresh(EmbeddedServer s, Spec spec, String user, String... args) throws Exception {
        String db = TestServers.newDatabaseName(spec.state().name().toLowerCase());
        ImmichDatabase.create(s, db, spec);
        return TestServers.scan(s, db, user, args);
    }

    @Test
    void freshPgvectorsInstallBeforeTheMigration() throws Exception {
        EmbeddedServer s = TestServers.shared(16, PGVECTORS_ONLY, "vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "2.1.0");
        check(ready("pg.vector.available=fail", "pg.vector.version=skip", "pg.vchord.available=fail", "pg.vchord.version=skip",
                "pg.vchord.preload=skip"), scan);
        assertEquals("pgvectors", scan.report().at("/migration/state").asText());
        assertEquals("manual", scan.report().at("/migration/path").asText(), "no vchord on the server: the manual path");
        assertTrue(scan.finding("pg.vchord.available").at("/remediation/0/text").asText().contains("ghcr.io/immich-app/postgres:16-vectorchord0.4.3-pgvectors0.2.0"), scan::out);
        assertEquals(1, scan.exit());
    }

    @Test
    void dualInstallReadyPassesEverythingButTheDeprecationNotice() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "2.1.0");
        check(ready(), scan);
        assertEquals("dual", scan.report().at("/migration/path").asText());
        assertEquals("pre", scan.report().at("/migration/phase").asText());
        assertEquals(512, scan.finding("pg.embedding.dimension").at("/evidence/dimension").asInt());
        assertEquals(0, scan.exit());
    }

    @Test
    void stepOneDoneColumnsAreRealArrays() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.COLUMNS_REAL).dimension(768), "postgres", "--immich-version", "2.1.0");
        check(ready("pg.migration.state=fail", "pg.indexes=skip", "pg.vectors.version=pass"), scan);
        assertTrue(scan.finding("pg.migration.state").get("message").asText().contains("expected 512 dimensions, not 768"), scan::out);
        assertEquals("columns-real", scan.report().at("/migration/state").asText());
        assertTrue(scan.finding("pg.migration.state").at("/remediation/0/text").asText()
                .contains("ALTER TABLE smart_search ALTER COLUMN embedding SET DATA TYPE vector(768);"), "the dimension comes from one row of the real[] column\n" + scan.out());
    }

    @Test
    void migratedWithLeftovers() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.MIGRATED).leftovers(true), "postgres", "--immich-version", "2.1.0");
        assertEquals("post", scan.report().at("/migration/phase").asText());
        check(ready("pg.sessions=skip", "pg.leftovers=warn", "pg.vectors.version=pass", "pg.indexes.lists=pass"), scan);
        // Not search_path: Immich's own migration DropExtraIndexes puts vectors there on every database.
        assertEquals(3, scan.findings("pg.leftovers").size(), "extension, schema and preload:\n" + scan.out());
    }

    @Test
    void fullyMigrated() throws Exception {
        EmbeddedServer s = TestServers.shared(16, VCHORD_ONLY, "vchord.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.MIGRATED).immich("2.1.0"), "postgres");
        assertEquals("health", scan.report().at("/migration/phase").asText());
        assertEquals("version_history", scan.report().at("/immich_version/source").asText());
        check(ready("pg.sessions=skip", "pg.leftovers=pass", "pg.vectors.version=skip", "pg.indexes.lists=pass"), scan);
        assertEquals(0, scan.exit());
    }

    @Test
    void comingFromOldPgvector06() throws Exception {
        EmbeddedServer s = TestServers.shared(16, PGVECTOR_06, "vchord.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTOR), "postgres", "--immich-version", "2.1.0");
        assertEquals("pgvector", scan.report().at("/migration/state").asText());
        check(ready("pg.vector.version=fail", "pg.vectors.version=skip", "pg.extensions.owner=skip", "pg.vector-extension.pick=warn"), scan);
        assertTrue(scan.finding("pg.vector.version").get("message").asText().contains("pgvector 0.6.0 is too old"), scan::out);
    }

    @Test
    void comingFromPgvectorInstalledOlderThanAvailable() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTOR).vector("0.6.0"), "postgres", "--immich-version", "2.1.0");
        check(ready("pg.vector.version=fail", "pg.vectors.version=skip", "pg.extensions.owner=skip", "pg.vector-extension.pick=warn"), scan);
        assertEquals("ALTER EXTENSION vector UPDATE;", scan.finding("pg.vector.version").at("/remediation/0/text").asText());
    }

    @Test
    void comingFromCurrentPgvector() throws Exception {
        EmbeddedServer s = TestServers.shared(16, VCHORD_ONLY, "vchord.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTOR), "postgres", "--immich-version", "2.1.0");
        assertEquals("pgvector", scan.report().at("/migration/path").asText());
        check(ready("pg.vectors.version=skip", "pg.extensions.owner=skip", "pg.vector-extension.pick=warn"), scan);
    }

    @Test
    void nonSuperuserOwner() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS).owner("immich"), "immich", "--immich-version", "2.1.0");
        check(ready("pg.privileges=fail", "pg.vchord.preload=error", "pg.sessions=warn", "pg.extensions.owner=warn", "pg.vector-extension.pick=error", "pg.preload.source=error"), scan);
        assertTrue(scan.finding("pg.vchord.preload").get("message").asText().contains("visible only to superusers"), scan::out);
        assertEquals("CREATE EXTENSION IF NOT EXISTS vchord CASCADE;", scan.finding("pg.privileges").at("/remediation/0/text").asText());
        assertEquals(1, scan.exit());
    }

    @Test
    void nonSuperuserNonOwner() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("nonowner");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN CREATE ROLE reader LOGIN; END IF; END $$");
        TestServers.Scan scan = TestServers.scan(s, db, "reader", "--immich-version", "2.1.0");
        check(ready("pg.privileges=fail", "pg.vchord.preload=error", "pg.sessions=warn", "pg.upgrade-path=error", "pg.extensions.owner=warn", "pg.vector-extension.pick=error", "pg.preload.source=error"), scan);
        assertTrue(scan.finding("pg.upgrade-path").get("message").asText().contains("could not verify: permission denied for table"), scan::out);
        assertTrue(scan.findings("pg.privileges").stream().anyMatch(f -> f.at("/remediation/0/text").asText()
                .equals("ALTER DATABASE " + db + " OWNER TO reader;")), scan::out);
    }

    @Test
    void readOnlyDatabase() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("readonly");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        s.sql("postgres", "ALTER DATABASE " + db + " SET default_transaction_read_only = on");
        TestServers.Scan scan = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        check(ready("pg.primary=fail"), scan);
        assertEquals("BEGIN READ WRITE;\nALTER DATABASE " + db + " SET default_transaction_read_only = off;\nCOMMIT;\n",
                scan.finding("pg.primary").at("/remediation/0/text").asText());
    }

    @Test
    void vchordOutOfRangeForTheTarget() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "1.134.0");
        check(ready("pg.vchord.version=fail"), scan);
        assertTrue(scan.finding("pg.vchord.version").get("message").asText().contains("VectorChord 0.4.3 is available, but Immich 1.134.0 only supports >=0.3 <0.4"), scan::out);
    }

    @Test
    void nightlyVectorChord() throws Exception {
        EmbeddedServer s = TestServers.shared(16, NIGHTLY, "vchord.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTOR), "postgres", "--immich-version", "2.1.0");
        check(ready("pg.vchord.version=fail", "pg.vectors.version=skip", "pg.extensions.owner=skip", "pg.vector-extension.pick=warn"), scan);
        assertTrue(scan.finding("pg.vchord.version").get("message").asText().contains("0.0.0 is a nightly build"), scan::out);
    }

    @Test
    void preloadMissing() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "2.1.0");
        check(ready("pg.vchord.preload=fail"), scan);
        assertEquals("ALTER SYSTEM SET shared_preload_libraries = 'vectors.so', 'vchord.so';",
                scan.finding("pg.vchord.preload").at("/remediation/0/text").asText());
    }

    @Test
    void immichStillConnected() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("connected");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("ApplicationName", "postgres.js");
        try (Connection immich = DriverManager.getConnection(s.jdbcUrl(db), p)) {
            TestServers.Scan scan = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
            check(ready("pg.sessions=fail"), scan);
            assertTrue(scan.finding("pg.sessions").get("message").asText().contains("1 other session(s) are connected to " + db + ": postgres.js"), scan::out);
        }
    }

    @Test
    void postgres13IsTooOld() throws Exception {
        EmbeddedServer s = TestServers.shared(13, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "2.1.0");
        check(ready("pg.version=fail"), scan);
        assertTrue(scan.finding("pg.version").get("message").asText().contains("Found 13."), scan::out);
    }

    @Test
    void postgres18IsBeyondTheDocsOf22ButFineFor30() throws Exception {
        EmbeddedServer s = TestServers.shared(18, DUAL, "vchord.so, vectors.so");
        check(ready("pg.version=warn"), fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "2.2.0"));
        check(ready(), fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "3.0.0"));
    }

    @Test
    void majors14And17Collect() throws Exception {
        for (int major : new int[]{14, 17}) {
            EmbeddedServer s = TestServers.shared(major, DUAL, "vchord.so, vectors.so");
            TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "2.1.0");
            check(ready(), scan);
            assertEquals(major, scan.finding("pg.connect").at("/evidence/server").asText().startsWith(String.valueOf(major)) ? major : -1, scan::out);
        }
    }

    @Test
    void clipModelWith768Dimensions() throws Exception {
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS).dimension(768), "postgres", "--immich-version", "2.1.0");
        check(ready(), scan);
        assertEquals(768, scan.finding("pg.embedding.dimension").at("/evidence/dimension").asInt());
        assertTrue(scan.finding("pg.embedding.dimension").get("message").asText().contains("768 dimensions (vectors.vector(768))"), scan::out);
    }

    @Test
    void everyStandInVersionAgainstTheMatrix() throws Exception {
        // vchord 1.0.0 is available (0.3.0, 0.4.3, 0.5.3 scripts too); pgvecto.rs 0.3.0 (0.2.0, 0.2.1 too).
        EmbeddedServer s = TestServers.shared(16, dev.vccheck.demo.StandIns.Profile.of("0.6.0, 0.7.4, 0.8.0", "0.0.0, 0.3.0, 0.4.3, 0.5.3, 1.0.0", "0.2.0, 0.2.1, 0.3.0"),
                "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("versions");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        check(ready(), TestServers.scan(s, db, "postgres", "--immich-version", "2.5.0"));
        TestServers.Scan old = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0");
        check(ready("pg.vchord.version=fail"), old);
        assertTrue(old.finding("pg.vchord.version").get("message").asText().contains("VectorChord 1.0.0 is available, but Immich 2.1.0 only supports >=0.3 <0.6"), old::out);
        // pgvecto.rs 0.3.0 installed: fine for 2.x (>=0.2 <0.4), outside 0.2.x for 1.111.
        s.sql(db, "ALTER EXTENSION vectors UPDATE TO '0.3.0'");
        TestServers.Scan v111 = TestServers.scan(s, db, "postgres", "--immich-version", "1.111.0");
        assertEquals("fail", v111.statuses().get("pg.vectors.version"), v111::out);
        assertTrue(v111.finding("pg.vectors.version").get("message").asText().contains("pgvecto.rs 0.3.0 is outside 0.2.x"), v111::out);
        // Back down from the newest vchord script to 0.5.3: available 1.0.0 is newer, so an update is offered.
        s.sql(db, "CREATE EXTENSION vchord VERSION '0.5.3' CASCADE");
        TestServers.Scan upd = TestServers.scan(s, db, "postgres", "--immich-version", "2.5.0");
        assertEquals("warn", upd.statuses().get("pg.vchord.version"), upd::out);
        assertTrue(upd.finding("pg.vchord.version").at("/remediation/0/text").asText().startsWith("ALTER EXTENSION vchord UPDATE;\nREINDEX INDEX face_index;"), upd::out);
    }

    @Test
    void immich3WithPgvectorsStillInUse() throws Exception {
        // Immich 3 no longer runs on pgvecto.rs but still converts away from it at start (PR #28159): the dual path.
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.PGVECTORS), "postgres", "--immich-version", "3.0.0");
        check(ready(), scan);
        assertEquals("dual", scan.report().at("/migration/path").asText());
        assertTrue(scan.finding("pg.vectors.version").get("message").asText().contains("converts the columns away from it at its start"), scan::out);
        assertEquals(0, scan.exit(), scan::out);
    }

    @Test
    void stepOneDoneWith512IsLeftToImmich() throws Exception {
        // Immich v2.1.0 converts real[] columns itself, assuming 512: with 512-dimensional rows it starts fine.
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        TestServers.Scan scan = fresh(s, Spec.of(State.COLUMNS_REAL), "postgres", "--immich-version", "2.1.0");
        check(ready("pg.migration.state=warn", "pg.indexes=skip", "pg.vectors.version=pass"), scan);
        assertTrue(scan.finding("pg.migration.state").get("message").asText().contains("Immich converts them itself"), scan::out);
    }

    @Test
    void halfMigratedIsNotCalledMigrated() throws Exception {
        // Immich converted smart_search, then was restarted before face_search (separate transactions).
        EmbeddedServer s = TestServers.shared(16, DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("partial");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        s.sql(db, RemediationTest.CONVERT_SMART_SEARCH_ONLY);
        TestServers.Scan scan = TestServers.scan(s, db, "postgres", "--immich-version", "2.1.0", "--phase", "post");
        assertEquals("partial", scan.report().at("/migration/state").asText(), scan::out);
        assertEquals("fail", scan.statuses().get("pg.migration.state"), scan::out);
        assertEquals("skip", scan.statuses().get("pg.leftovers"), "no cleanup advice while face_search needs pgvecto.rs\n" + scan.out());
        assertEquals(1, scan.exit());
    }
}
