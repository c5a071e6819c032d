package dev.vccheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A log of everything vccheck printed in the tests: {@code Cli.run} (in-process) and {@code Processes.run} (its own
 * process) capture standard output and error in memory, where Surefire never sees them, and add them here, one file per
 * test JVM under {@code target/printed-output/}. {@link NoSecretsIT} scans these files for the tests' passwords.
 * The command line is not written: it carries the password on purpose.
 */
public final class PrintedOutput {
    public static final Path DIR = TestFiles.repo("target/printed-output");

    private PrintedOutput() {
    }

    public static synchronized void record(String what, String out, String err) {
        try {
            Files.createDirectories(DIR);
            Path file = DIR.resolve(ProcessHandle.current().pid() + ".log");
            String entry = "=== " + what + "\n--- stdout\n" + out + "\n--- stderr\n" + err + "\n";
            // getBytes replaces what UTF-8 cannot encode (a lone surrogate from the property tests' strings) instead of throwing.
            Files.write(file, entry.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
