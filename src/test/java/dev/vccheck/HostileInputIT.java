package dev.vccheck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input through the built jar in a process of its own, as a user runs it: the in-process tests see only what
 * vccheck writes to its own streams, this one sees everything the process prints, libraries included. Each input is
 * exit 2 within the time limit, and every line on standard error is one of vccheck's "vccheck: ..." messages: no
 * stack trace, no library warning, nothing on standard output.
 */
class HostileInputIT {
    private static Processes.Result run(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Processes.java(), "-jar", repo("target/vccheck.jar").toString()));
        cmd.addAll(List.of(args));
        return Processes.run(dir, cmd, Duration.ofSeconds(60));
    }

    private static void refused(Processes.Result r, String expected) {
        assertEquals(2, r.exit(), r::toString);
        assertEquals("", r.out(), r::toString);
        assertTrue(r.err().contains(expected), () -> "expected '" + expected + "' in\n" + r);
        for (String line : r.err().split("\n")) assertTrue(line.startsWith("vccheck: "), () -> "a line that is not vccheck's message: '" + line + "'\n" + r);
    }

    @Test
    void hostileFilesAndUrlsAreExitTwoWithOnlyVccheckMessages(@TempDir Path dir) throws Exception {
        Path bomb = dir.resolve("bomb.yaml");
        StringBuilder y = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) y.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(8)).append("*a").append(i - 1).append("]\n");
        Files.writeString(bomb, y);
        refused(run(dir, "rules", "validate", bomb.toString()), "bomb.yaml:1:1: YAML: Number of aliases for non-scalar nodes exceeds the specified max=20");

        Path deepYaml = dir.resolve("deep.yaml");
        Files.writeString(deepYaml, "apiVersion: vccheck/v1\nkind: RulePack\nmetadata: " + "[".repeat(5000) + "]".repeat(5000) + "\nrules: []\n");
        refused(run(dir, "scan", "--rules", deepYaml.toString(), "--db-url", "postgresql://u@127.0.0.1:1/db"), "deep.yaml:1:1: YAML: Nesting Depth exceeded max 64");

        Path deepJson = dir.resolve("deep.json");
        Files.writeString(deepJson, "{\"schema\":\"vccheck.facts/v1\",\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        refused(run(dir, "analyze", deepJson.toString()), "deep.json:");

        Path binary = dir.resolve("binary.json");
        Files.write(binary, new byte[]{0, 1, 2, (byte) 0xff, 0x7b});
        refused(run(dir, "analyze", binary.toString()), "binary.json");

        Path latin1 = dir.resolve("latin1.env");
        Files.write(latin1, "DB_PASSWORD=caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        refused(run(dir, "scan", "--env-file", latin1.toString()), "latin1.env: cannot read: not UTF-8 text");

        refused(run(dir, "scan", "--db-url", "postgresql://u:pw@[::1/db"), "vccheck: --db-url: IPv6 host without closing ']'");
        refused(run(dir, "scan", "--kube", "-n", "immich; rm -rf ~"), "is not a Kubernetes name (RFC 1123 label)");
    }
}
