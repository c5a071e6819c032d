package dev.vccheck;

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
 * Runs after all unit tests (failsafe, integration-test phase): no report, log or captured output of any test
 * contains the passwords the tests use. Surefire writes every test's stdout/stderr to target/surefire-reports.
 */
class NoSecretsIT {
    private static final List<String> SECRETS = List.of("Sup3r-Secret-Pw!", "Sup3r-Secret-Pw%21", "immich-secret-pw");

    @Test
    void noTestOutputCarriesAPassword() throws IOException {
        Path reports = repo("target/surefire-reports");
        assertTrue(Files.isDirectory(reports), "run through mvn verify, after the unit tests");
        int files = 0;
        try (Stream<Path> s = Files.walk(reports)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                for (String secret : SECRETS) assertFalse(text.contains(secret), "'" + secret + "' appears in " + f);
                files++;
            }
        }
        assertTrue(files > 10, "only " + files + " report files");
    }
}
