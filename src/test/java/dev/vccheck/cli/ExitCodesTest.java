package dev.vccheck.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vccheck.TestFiles.bundle;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every exit code (ExitCode; README.md, Exit codes), produced through the real CLI entry point. */
class ExitCodesTest {
    private static final String EXAMPLES = repo("examples/rules").toString();

    @Test
    void zeroWhenNothingFails() {
        Cli.Result r = Cli.run("analyze", bundle("migrated").toString(), "--rules", EXAMPLES, "--format", "json");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("\"verdict\" : \"pass\""), r::toString);
    }

    @Test
    void oneWhenAFindingFailsTheGate() {
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES, "--format", "json");
        assertEquals(1, r.exit(), r::toString);
    }

    @Test
    void failOnNeverAndWarnMoveTheGate() {
        String b = bundle("pgvectors-dual").toString();
        assertEquals(1, Cli.run("analyze", b, "--rules", EXAMPLES).exit(), "four findings fail");
        assertEquals(0, Cli.run("analyze", b, "--rules", EXAMPLES, "--fail-on", "never").exit());
        // Only a warn: pgvecto.rs 0.2.0 works with this Immich release but is deprecated; nothing else runs.
        Cli.Result warnOnly = Cli.run("analyze", b, "--only", "pg.vectors.version", "--format", "json");
        assertTrue(warnOnly.out().contains("\"warn\" : 1,") && warnOnly.out().contains("\"fail\" : 0,"), warnOnly::toString);
        assertEquals(0, warnOnly.exit(), "a warn passes the default gate (--fail-on fail)");
        assertEquals(0, Cli.run("analyze", b, "--only", "pg.vectors.version", "--fail-on", "fail").exit(), "a warn passes --fail-on fail");
        assertEquals(1, Cli.run("analyze", b, "--only", "pg.vectors.version", "--fail-on", "warn").exit(), "a warn fails --fail-on warn");
        assertEquals(0, Cli.run("analyze", b, "--only", "pg.vectors.version", "--fail-on", "never").exit());
        // Nothing at or above warn: --fail-on warn passes too.
        assertEquals(0, Cli.run("analyze", bundle("migrated").toString(), "--rules", EXAMPLES, "--fail-on", "warn").exit());
    }

    @Test
    void anUnknownFailOnLevelNamesTheAllowedOnes() {
        Cli.Result r = Cli.run("analyze", bundle("migrated").toString(), "--fail-on", "sometimes");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("--fail-on") && r.err().contains("fail, warn, never") && r.err().contains("sometimes"), r::toString);
        assertFalse(r.err().contains("\tat "), r::toString);
    }

    @Test
    void twoForUsageAndConfigurationErrors() {
        assertAll(
                () -> assertEquals(2, Cli.run("analyze").exit(), "missing BUNDLE"),
                () -> assertEquals(2, Cli.run("no-such-command").exit()),
                () -> assertEquals(2, Cli.run("analyze", bundle("migrated").toString(), "--fail-on", "sometimes").exit()),
                () -> assertEquals(2, Cli.run("analyze", bundle("migrated").toString(), "--format", "pdf").exit()),
                () -> assertEquals(2, Cli.run("analyze", bundle("migrated").toString(), "--immich-version", "2.1").exit()),
                () -> assertEquals(2, Cli.run("analyze", bundle("migrated").toString(), "--phase", "during").exit()),
                () -> assertEquals(2, Cli.run("analyze", "no/such/bundle.json").exit()),
                () -> assertEquals(2, Cli.run("analyze", bundle("migrated").toString(), "--rules", "no/such/rules").exit()),
                () -> assertEquals(2, Cli.run("rules", "validate", repo("src/test/resources/loader-errors/three-mistakes/pack.yaml").toString()).exit()));
    }

    @Test
    void twoForAMalformedOrWrongVersionBundle(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\n  \"schema\": \"vccheck.facts/v1\",\n  \"meta\": {,\n}");
        Cli.Result r = Cli.run("analyze", broken.toString());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("broken.json:3:"), r::toString);

        Path v2 = dir.resolve("v2.json");
        Files.writeString(v2, Files.readString(bundle("migrated")).replace("vccheck.facts/v1", "vccheck.facts/v2"));
        r = Cli.run("analyze", v2.toString());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().matches("(?s).*v2\\.json:2:\\d+: bundle version is 'vccheck.facts/v2'; this vccheck reads 'vccheck.facts/v1'.*"), r::toString);
    }

    @Test
    void threeWhenATargetWasUnreachableAndNothingFailed() throws Exception {
        Cli.Result r = Cli.run("analyze", bundle("unreachable").toString(), "--rules", EXAMPLES, "--format", "json");
        assertEquals(3, r.exit(), r::toString);
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertEquals("incomplete", report.at("/summary/verdict").asText());
        for (JsonNode f : report.get("findings")) {
            if (f.get("source").asText().equals("postgres") && !f.get("status").asText().equals("skip")) {
                assertEquals("error", f.get("status").asText(), f::toString);
                assertTrue(f.get("message").asText().contains("connection refused: 127.0.0.1:1"), f::toString);
            }
        }
    }

    /** A bundle saved before causes were recorded: the reason still shows once, with the checks that needed the database. */
    @Test
    void threeAndTheReasonOnceForAnOldBundleWithoutACause(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("analyze", bundle("unreachable").toString(), "--format", "text");
        assertEquals(3, r.exit(), r::toString);
        assertEquals(1, r.out().split("connection refused: 127.0.0.1:1", -1).length - 1, r::toString);
        assertTrue(r.out().matches("(?s).*\\n  \\d+ checks need the database: [^\\n]*pg\\.connect[^\\n]*\\n.*"), r::toString);
        assertFalse(r.out().contains("next step"), "no cause recorded, no next step guessed\n" + r);
        Path out = dir.resolve("r.txt");
        Cli.Result file = Cli.run("analyze", bundle("unreachable").toString(), "-o", out.toString());
        assertEquals(3, file.exit(), file::toString);
        assertTrue(file.err().contains("cannot read the database (postgresql://"), file::toString);
    }

    @Test
    void oneBeatsThree() {
        // A failing finding and an error together: the gate failure wins.
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES,
                "--rules", repo("src/test/resources/packs/always-error.yaml").toString());
        assertEquals(1, r.exit(), r::toString);
        assertEquals(3, Cli.run("analyze", bundle("migrated").toString(), "--rules", EXAMPLES,
                "--rules", repo("src/test/resources/packs/always-error.yaml").toString()).exit());
    }

    @Test
    void fourForAnInternalErrorWithTheStackTraceOnlyWithVerbose() {
        Cli.Result r = Cli.run("internal-error");
        assertEquals(4, r.exit(), r::toString);
        assertTrue(r.err().contains("internal error: IllegalStateException"), r::toString);
        assertFalse(r.err().contains("\tat "), "no stack trace without -v");
        Cli.Result v = Cli.run("internal-error", "-v");
        assertEquals(4, v.exit());
        assertTrue(v.err().contains("\tat dev.vccheck.cli.InternalErrorCommand.run"), v::toString);
    }

    @Test
    void helpListsEveryExitCode() {
        Cli.Result r = Cli.run("--help");
        assertEquals(0, r.exit());
        for (ExitCode c : ExitCode.values()) assertTrue(r.out().contains(c.code + "   " + c.meaning.substring(0, 20)), c::toString);
    }
}
