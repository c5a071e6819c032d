package dev.vccheck.collect.logs;

import dev.vccheck.collect.logs.FailureLogs.Captured;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failures of {@link FailureLogs}, produced on real Debian PostgreSQL 15 servers: whether the server starts, and
 * the lines its log holds. Each log is also written to {@code target/failure-logs/<name>.log} to read.
 */
class StartupFailureLogsTest {
    private static Captured keep(Captured c) throws Exception {
        Path dir = repo("target/failure-logs");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(c.name() + ".log"), c.log(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(c.name() + ".auto.conf"), c.autoConf(), StandardCharsets.UTF_8);
        return c;
    }

    private static void has(Captured c, String text) {
        assertTrue(c.log().contains(text), () -> c.name() + ": no \"" + text + "\" in the server log:\n" + c.log());
    }

    @Test
    void preloadOfAMissingLibraryStopsTheServer() throws Exception {
        Captured c = keep(FailureLogs.missingPreloadLibrary());
        assertFalse(c.started(), c::log);
        has(c, "FATAL:  could not access file \"vectors.so\": No such file or directory");
    }

    @Test
    void staleAutoConfOverridesTheNewImagesPreloadAndStopsTheServer() throws Exception {
        Captured c = keep(FailureLogs.staleAutoConf());
        assertFalse(c.started(), c::log);
        assertTrue(c.autoConf().contains("shared_preload_libraries = '\"vchord.so\", \"vectors.so\"'"), c::autoConf);
        has(c, "FATAL:  could not access file \"vectors.so\": No such file or directory");
    }

    @Test
    void brokenAutoConfStopsTheServer() throws Exception {
        Captured c = keep(FailureLogs.brokenAutoConf());
        assertFalse(c.started(), c::log);
        has(c, "postgresql.auto.conf\" line 3");
        has(c, "FATAL:  configuration file \"");
        has(c, "postgresql.auto.conf\" contains errors");
    }

    @Test
    void emptyingThePreloadListWithAlterSystemStopsTheServer() throws Exception {
        Captured c = keep(FailureLogs.emptyPreloadEntry());
        assertFalse(c.started(), c::log);
        assertTrue(c.autoConf().contains("shared_preload_libraries = '\"\"'"), c::autoConf);
        has(c, "FATAL:  could not access file \"\": No such file or directory");
    }

    @Test
    void standInsOutsidePreloadRaiseTheLibrariesOwnErrors() throws Exception {
        Captured c = keep(FailureLogs.outsidePreload());
        has(c, "ERROR:  pgvecto.rs must be loaded via shared_preload_libraries.");
        has(c, "STATEMENT:  CREATE EXTENSION IF NOT EXISTS vectors");
        has(c, "ERROR:  vchord must be loaded via shared_preload_libraries.");
        has(c, "STATEMENT:  CREATE EXTENSION IF NOT EXISTS vchord CASCADE");
    }

    @Test
    void reservedPrefixSettingWithVchordPreloaded() throws Exception {
        Captured c = keep(FailureLogs.reservedPrefix());
        // Real PostgreSQL 15 starts here: the reserved prefix is a WARNING at start and at each connection, and an
        // ERROR only when a session sets the name.
        assertTrue(c.started(), c::log);
        has(c, "WARNING:  invalid configuration parameter name \"vchordrq.prewarm_dim\", removing it");
        has(c, "DETAIL:  \"vchordrq\" is now a reserved prefix.");
        has(c, "WARNING:  invalid configuration parameter name \"vchordrq.prewarm_dim\"\n");
        has(c, "ERROR:  invalid configuration parameter name \"vchordrq.prewarm_dim\"");
        has(c, "DETAIL:  \"vchordrq\" is a reserved prefix.");
    }

    @Test
    void vectorChordOnlyImageFailsOnPgvectorsColumns() throws Exception {
        Captured c = keep(FailureLogs.vectorChordOnlyImageQuery());
        has(c, "ERROR:  could not access file \"$libdir/vectors\": No such file or directory");
    }
}
