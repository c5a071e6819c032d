package dev.vccheck;

import dev.vccheck.collect.postgres.ConnectionFailuresTest;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs after the unit tests (failsafe, integration-test phase) and, ordered last, after the other *IT classes
 * (pom.xml: failsafe's {@code junit.jupiter.testclass.order.default}): nothing vccheck printed in any test, and no
 * Surefire or Failsafe report or redirected test output, contains the passwords the tests use.
 * <p>
 * What vccheck prints is captured in memory by {@code Cli.run} and {@code Processes.run}, so Surefire's reports never
 * see it; both add it to {@link PrintedOutput} (target/printed-output/), which this test reads. The test checks that the
 * output of the wrong-password scan in {@code ConnectionFailuresTest} (given the password in its URL) is among what it
 * read, so an empty or misplaced log cannot pass.
 */
@Order(Integer.MAX_VALUE)
class NoSecretsIT {
    private static final List<String> SECRETS = List.of("Sup3r-Secret-Pw!", "Sup3r-Secret-Pw%21", "immich-secret-pw");

    @Test
    void noTestOutputCarriesAPassword() throws IOException {
        assertTrue(Files.isDirectory(PrintedOutput.DIR), "run through mvn verify, after the unit tests: no " + PrintedOutput.DIR);
        StringBuilder printed = new StringBuilder();
        int files = 0;
        for (String dir : List.of("target/surefire-reports", "target/failsafe-reports", "target/printed-output")) {
            Path d = repo(dir);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.walk(d)) {
                // This test's own report is skipped: it is written after the test and holds only its own failure.
                for (Path f : s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().contains("NoSecretsIT")).toList()) {
                    String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                    // The message names the password by its place in SECRETS, so that this test's report does not carry it.
                    for (int i = 0; i < SECRETS.size(); i++) assertFalse(text.contains(SECRETS.get(i)), "test password #" + i + " appears in " + f);
                    if (f.startsWith(PrintedOutput.DIR)) printed.append(text);
                    files++;
                }
            }
        }
        assertTrue(files > 10, "only " + files + " files");
        assertTrue(printed.toString().contains("authentication failed for user 'immich'"),
                "the output of ConnectionFailuresTest.wrongPassword, which had the password in its URL, is not among what was scanned");
    }
}
