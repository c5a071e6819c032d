package dev.vccheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository's own files, for tests that use them as a user would. */
public final class TestFiles {
    private TestFiles() {
    }

    public static Path repo(String relative) {
        return Path.of(System.getProperty("user.dir")).resolve(relative);
    }

    public static Path bundle(String name) {
        return repo("src/test/resources/bundles/" + name + ".json");
    }

    public static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
