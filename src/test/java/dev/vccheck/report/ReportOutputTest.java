package dev.vccheck.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.vccheck.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static dev.vccheck.TestFiles.bundle;
import static dev.vccheck.TestFiles.read;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The json and text reports as a user gets them from the CLI. */
class ReportOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXAMPLES = repo("examples/rules").toString();

    private static JsonSchema schema() throws Exception {
        JsonNode s = JSON.readTree(read(repo("reports/report.schema.json")));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                .getSchema(s, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pgvectors-dual", "migrated", "unreachable"})
    void everyJsonReportValidatesAgainstTheSchema(String name) throws Exception {
        Cli.Result r = Cli.run("analyze", bundle(name).toString(), "--rules", EXAMPLES, "--format", "json");
        JsonNode report = JSON.readTree(r.out());
        Set<ValidationMessage> problems = schema().validate(report);
        assertTrue(problems.isEmpty(), () -> problems + "\n" + r.out());
        assertEquals("vccheck.report/v1", report.get("schema").asText());
    }

    @Test
    void theSchemaRejectsAReportWithAnUnknownStatus() throws Exception {
        Cli.Result r = Cli.run("analyze", bundle("migrated").toString(), "--rules", EXAMPLES, "--format", "json");
        String bad = r.out().replaceFirst("\"status\" : \"pass\"", "\"status\" : \"okay\"");
        assertFalse(schema().validate(JSON.readTree(bad)).isEmpty());
    }

    @Test
    void jsonCarriesTheTargetReleaseAndWhereItCameFrom() throws Exception {
        JsonNode report = JSON.readTree(Cli.run("analyze", bundle("pgvectors-dual").toString(), "--format", "json", "--immich-version", "1.134.0").out());
        assertEquals("1.134.0", report.at("/immich_version/value").asText());
        assertEquals("flag", report.at("/immich_version/source").asText());
        assertEquals("v1.133.0 - v1.134.0", report.at("/immich_version/release").asText());
        // version_history names a release that can use VectorChord: that release is the target.
        JsonNode fromHistory = JSON.readTree(Cli.run("analyze", bundle("migrated").toString(), "--format", "json").out());
        assertEquals("2.1.0", fromHistory.at("/immich_version/value").asText());
        assertEquals("version_history", fromHistory.at("/immich_version/source").asText());
        // It names one before v1.133 (no VectorChord): a scan without the flag is a check before moving on, judged for
        // the newest release, and the report says which release runs now.
        JsonNode before = JSON.readTree(Cli.run("analyze", bundle("pgvectors-dual").toString(), "--format", "json").out());
        assertEquals("compat-newest", before.at("/immich_version/source").asText());
        assertTrue(before.at("/immich_version/note").asText().startsWith("Immich 1.132.3 runs on this database (version_history)"), before::toString);
        assertEquals("dual", before.at("/migration/path").asText(), "the migration to plan, not 'none'");
    }

    @Test
    void textGroupsWorstFirstWithRemediationAndNoColorOffATerminal() {
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES, "--only", "example.*", "--format", "text");
        String out = r.out();
        int fail = out.indexOf("FAIL (2)"), skip = out.indexOf("SKIP ("), pass = out.indexOf("PASS (");
        assertTrue(fail >= 0 && fail < skip && skip < pass, out);
        assertTrue(out.contains("fix (sql):\n        ALTER SYSTEM SET shared_preload_libraries = 'vectors.so', 'vchord.so';"), out);
        assertFalse(out.contains("\u001b["), "no ANSI codes when stdout is not a terminal");
        assertTrue(out.contains("Summary: 2 fail, 0 error, 0 warn, 1 skip, 2 pass — verdict: fail"), out);
    }

    @Test
    void colorOnlyOnATerminalAndNeverWithNoColor() {
        Cli.Result tty = Cli.run(true, "analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES);
        assertTrue(tty.out().contains("\u001b["), "a terminal gets text with colors by default");
        Cli.Result plain = Cli.run(true, "analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES, "--only", "example.*", "--no-color");
        assertFalse(plain.out().contains("\u001b["));
        assertTrue(plain.out().contains("FAIL (2)"));
        Cli.Result piped = Cli.run(false, "analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES);
        assertTrue(piped.out().startsWith("{"), "json by default when stdout is not a terminal");
    }

    @Test
    void severalFormatsFromOneRunAndNoColorInAFileEvenFromATerminal(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out/report.json");
        Path text = dir.resolve("out/report.txt");
        Cli.Result r = Cli.run(true, "analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES, "--only", "example.*",
                "--format", "json", "-o", json.toString(), "-o", text.toString());
        assertEquals(1, r.exit(), r::toString);
        assertEquals("", r.out(), "stdout carries only a document, and none was asked for");
        assertTrue(JSON.readTree(Files.readString(json)).has("findings"));
        assertTrue(Files.readString(text).contains("FAIL (2)"));
        assertTrue(r.err().contains("wrote json report to"), r::toString);
        // Run as on a terminal, where standard output would be colored: the text file still has no ANSI codes.
        assertFalse(Files.readString(text).contains("\u001b["), "a file never gets colors");
    }

    @Test
    void helpListsEveryFormat() {
        String help = Cli.run("analyze", "--help").out().replaceAll("\\s+", " ");
        for (String f : dev.vccheck.report.render.Renderers.names().split(", ")) {
            assertTrue(help.matches("(?s).*--format=FORMAT [^-]*\\b" + f + "\\b.*"), () -> f + " is missing from --format's help: " + help);
        }
    }

    @Test
    void quietPrintsNothingOnStandardError() {
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES, "-q");
        assertEquals("", r.err());
    }
}
