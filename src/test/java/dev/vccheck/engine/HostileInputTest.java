package dev.vccheck.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vccheck.TestFiles.bundle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile rule files and bundles: a clear message and exit 2 (or a rule in error), never a hang or a stack trace. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostileInputTest {
    @TempDir
    Path dir;

    private static void noStackTrace(Cli.Result r) {
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception:") && r.err().contains("at dev."), r::toString);
    }

    @Test
    void aRuleThatLoopsHitsTheIterationLimitAndEndsInError() throws Exception {
        Path pack = dir.resolve("loop.yaml");
        Files.writeString(pack, """
                apiVersion: vccheck/v1
                kind: RulePack
                metadata: { name: loop }
                rules:
                  - id: test.loop
                    title: loops far too long
                    source: postgres
                    outcomes:
                      - fail: "pg.extensions.available.all(a, pg.extensions.available.all(b, pg.extensions.available.all(c, true)))"
                        message: never
                      - pass: "true"
                """);
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--rules", pack.toString(), "--only", "test.loop", "--format", "json");
        assertEquals(3, r.exit(), r::toString);
        JsonNode f = new ObjectMapper().readTree(r.out()).at("/findings/0");
        assertEquals("error", f.get("status").asText());
        assertTrue(f.get("message").asText().startsWith("evaluation failed:") && f.get("message").asText().contains("10000"), f.toString());
    }

    @Test
    void aYamlAliasBombIsRefused() throws Exception {
        StringBuilder y = new StringBuilder("apiVersion: vccheck/v1\nkind: RulePack\nmetadata: { name: bomb }\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 12; i++) {
            y.append("x").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) y.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            y.append("]\n");
        }
        y.append("rules: []\n");
        Path pack = dir.resolve("bomb.yaml");
        Files.writeString(pack, y);
        Cli.Result r = Cli.run("rules", "validate", pack.toString());
        assertEquals(2, r.exit(), r::toString);
        // Refused by the alias limit itself (the unknown keys x0..x11 alone would also be exit 2).
        assertTrue(r.err().contains("bomb.yaml:1:1: YAML: Number of aliases for non-scalar nodes exceeds the specified max=20"), r::toString);
        noStackTrace(r);
    }

    @Test
    void deeplyNestedYamlIsRefused() throws Exception {
        Path pack = dir.resolve("deep.yaml");
        Files.writeString(pack, "apiVersion: vccheck/v1\nkind: RulePack\nmetadata: " + "[".repeat(5000) + "]".repeat(5000) + "\nrules: []\n");
        Cli.Result r = Cli.run("rules", "validate", pack.toString());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("deep.yaml:1:1: YAML: Nesting Depth exceeded max 64"), r::toString);
        noStackTrace(r);
    }

    @Test
    void deeplyNestedOrHugeBundlesAreRefused() throws Exception {
        Path deep = dir.resolve("deep.json");
        Files.writeString(deep, "{\"schema\":\"vccheck.facts/v1\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        Cli.Result r = Cli.run("analyze", deep.toString());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("deep.json:"), r::toString);
        noStackTrace(r);
        Path notJson = dir.resolve("binary.json");
        Files.write(notJson, new byte[]{0, 1, 2, (byte) 0xff, 0x7b});
        Cli.Result b = Cli.run("analyze", notJson.toString());
        assertEquals(2, b.exit(), b::toString);
        noStackTrace(b);
    }

    @Test
    void hugeFilesAreRefusedBeforeTheyAreRead() throws Exception {
        Path pack = dir.resolve("huge.yaml");
        try (var f = new java.io.RandomAccessFile(pack.toFile(), "rw")) {
            f.setLength(5L * 1024 * 1024);
        }
        Cli.Result r = Cli.run("rules", "validate", pack.toString());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("huge.yaml: cannot read: the file is 5 MB, more than the 4 MB vccheck reads"), r::toString);
        Path bundle = dir.resolve("huge.json");
        try (var f = new java.io.RandomAccessFile(bundle.toFile(), "rw")) {
            f.setLength(65L * 1024 * 1024);
        }
        Cli.Result b = Cli.run("analyze", bundle.toString());
        assertEquals(2, b.exit(), b::toString);
        assertTrue(b.err().contains("huge.json: cannot read: the file is 65 MB, more than the 64 MB vccheck reads"), b::toString);
        noStackTrace(b);
    }

    private static String manyRules(int n) {
        StringBuilder y = new StringBuilder("apiVersion: vccheck/v1\nkind: RulePack\nmetadata: { name: many }\nrules:\n");
        for (int i = 0; i < n; i++) {
            y.append("  - id: many.r").append(i).append("\n    title: rule ").append(i).append("\n    source: postgres\n    outcomes:\n")
                    .append("      - fail: \"pg.server.major < ").append(i % 20).append("\"\n        message: old\n      - pass: \"true\"\n");
        }
        return y.toString();
    }

    @Test
    void aLargeRulePackUnderTheLimitsLoads() throws Exception {
        Path pack = dir.resolve("many.yaml");
        Files.writeString(pack, manyRules(3000));
        Cli.Result r = Cli.run("rules", "validate", pack.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("3000 rules"), r::toString);
    }

    @Test
    void aPackUnderTheFileLimitButOverTheYamlParsersLimitNamesTheParsersLimit() throws Exception {
        // Between the YAML parser's 2 Mi code points and the 4 MB file limit: refused by the parser, not by the size check
        // (hugeFilesAreRefusedBeforeTheyAreRead covers that).
        String y = manyRules(17_000);
        assertTrue(y.length() > 2 * 1024 * 1024 && y.length() < 4 * 1024 * 1024, () -> y.length() + " characters");
        Path pack = dir.resolve("many.yaml");
        Files.writeString(pack, y);
        Cli.Result big = Cli.run("rules", "validate", pack.toString());
        assertEquals(2, big.exit(), big::toString);
        assertTrue(big.err().contains("many.yaml:1:1: YAML: The incoming YAML document exceeds the limit: 2097152 code points"), big::toString);
        assertFalse(big.err().contains("more than the 4 MB"), big::toString);
        noStackTrace(big);
    }

    @Test
    void filesThatAreNotUtf8AreNamedAsSuch() throws Exception {
        byte[] latin1 = "apiVersion: vccheck/v1\nkind: RulePack\nmetadata: { name: caf\u00e9 }\nrules: []\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path pack = dir.resolve("latin1.yaml");
        Files.write(pack, latin1);
        Cli.Result r = Cli.run("rules", "validate", pack.toString());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("latin1.yaml: cannot read: not UTF-8 text"), r::toString);
        Path env = dir.resolve("immich.env");
        Files.write(env, "DB_PASSWORD=caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Cli.Result e = Cli.run("scan", "--env-file", env.toString());
        assertEquals(2, e.exit(), e::toString);
        assertTrue(e.err().contains("immich.env: cannot read: not UTF-8 text"), e::toString);
    }

    @Test
    void hostileDatabaseUrlsAreUsageErrors() {
        for (String url : new String[]{"postgresql://u@[::1/db", "postgresql://u@h:0/db", "postgresql://u@h/db?sslmode=\u0000",
                "postgresql://%zz@h/db", "ftp://x", "postgresql://a@b,c/db", "postgresql://u@h/db?ssl=maybe"}) {
            Cli.Result r = Cli.run("scan", "--db-url", url);
            assertEquals(2, r.exit(), url + "\n" + r);
            assertTrue(r.err().startsWith("vccheck: --db-url: "), url + "\n" + r);
            assertFalse(r.err().contains(url), () -> "the URL, which may hold a password, is not echoed: " + r);
            noStackTrace(r);
        }
    }
}
