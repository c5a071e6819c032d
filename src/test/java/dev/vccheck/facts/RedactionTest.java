package dev.vccheck.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.cli.Cli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.vccheck.TestFiles.bundle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redaction of what the scan tests never show (their servers are all on loopback, which --redact all keeps): a
 * real-looking host name, a private IP address and a password in a session's application name, from a bundle,
 * through the real CLI, in every report format.
 */
class RedactionTest {
    private static final String HOST = "pg-prod-01.photos.example.net";
    private static final String IP = "192.168.40.17";
    private static final String SECRET = "Hunter2-Prod-9";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path facts;

    @BeforeAll
    static void bundleWithRealNames() throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(bundle("pgvectors-dual").toFile());
        ((ObjectNode) doc.at("/pg/connection")).put("host", HOST);
        ((ObjectNode) doc.at("/collection/postgres")).put("label", "postgresql://postgres@" + HOST + ":5432/immich");
        ObjectNode session = (ObjectNode) doc.at("/pg/sessions/0");
        session.put("client", IP).put("application", "psql password=" + SECRET);
        facts = dir.resolve("real-names.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(facts.toFile(), doc);
    }

    private static Cli.Result analyze(String redact, String format) {
        Cli.Result r = Cli.run("analyze", facts.toString(), "--only", "pg.sessions", "--redact", redact, "--format", format);
        assertEquals(1, r.exit(), r::toString);
        return r;
    }

    @Test
    void withoutRedactionTheNamesAreThere() {
        // So that their absence below means redaction, not a report that never showed them.
        String out = analyze("none", "json").out();
        assertTrue(out.contains(HOST) && out.contains(IP) && out.contains(SECRET), out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text", "json", "markdown", "html", "junit"})
    void redactAllReplacesHostAddressAndSecretInEveryFormat(String format) {
        String out = analyze("all", format).out();
        for (String s : List.of(HOST, "photos.example.net", IP, SECRET)) assertFalse(out.contains(s), () -> "'" + s + "' survived --redact all:\n" + out);
        assertTrue(out.contains("password=[redacted]") || out.contains("password=\\[redacted\\]"), out);
        // JUnit XML shows neither the target nor the evidence; every other format shows both, with placeholders.
        if (!format.equals("junit")) assertTrue(out.contains("host-1") && out.contains("ip-1"), out);
    }

    @Test
    void redactAllSaysWhatItReplaced() throws Exception {
        JsonNode report = JSON.readTree(analyze("all", "json").out());
        // "immich" is both a user and the database here; it gets one placeholder, whichever kind came first.
        String label = report.at("/target/postgres/label").asText();
        assertTrue(label.matches("postgresql://user-\\d+@host-1:5432/(user|database)-\\d+"), label);
        String sessions = report.at("/findings/0/evidence/sessions/0").asText();
        assertTrue(sessions.contains("password=[redacted]") && sessions.endsWith("from ip-1"), sessions);
        assertEquals("all", report.at("/redaction/level").asText());
        List<String> kinds = JSON.convertValue(report.at("/redaction/kinds"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        assertTrue(kinds.containsAll(List.of("hosts", "ip addresses", "secrets")), kinds::toString);
    }

    @Test
    void redactSecretsRemovesOnlyTheSecret() throws Exception {
        String out = analyze("secrets", "json").out();
        assertFalse(out.contains(SECRET), out);
        assertTrue(out.contains("password=[redacted]") && out.contains(HOST) && out.contains(IP), out);
        assertEquals(List.of("secrets"), List.of(JSON.readTree(out).at("/redaction/kinds/0").asText()));
        assertTrue(Files.readString(facts).contains(SECRET), "the bundle on disk is not changed");
    }
}
