package dev.vccheck.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.vccheck.TestFiles.bundle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** -o into a folder that does not exist yet: every command that writes a file creates the folders, as a user expects. */
class OutputFoldersTest {
    @TempDir
    Path dir;

    @Test
    void planWritesIntoNewFolders() throws Exception {
        Path out = dir.resolve("some/new/dir/plan.md");
        Cli.Result r = Cli.run("plan", "--bundle", bundle("pgvectors-dual").toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(Files.readString(out).startsWith("#"), "a markdown plan");
        assertTrue(r.err().contains("wrote the markdown plan to " + out), r::toString);
    }

    @Test
    void scanWritesIntoNewFolders() throws Exception {
        Path out = dir.resolve("some/new/dir/report.json");
        Cli.Result r = Cli.run("scan", "--log", log().toString(), "-o", out.toString());
        assertTrue(Files.readString(out).contains("\"verdict\""), r::toString);
        assertTrue(r.err().contains("wrote json report to " + out), r::toString);
    }

    @Test
    void collectWritesIntoNewFolders() throws Exception {
        Path out = dir.resolve("some/new/dir/bundle.json");
        Cli.Result r = Cli.run("collect", "--log", log().toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(Files.readString(out).contains("\"collection\""), r::toString);
        assertTrue(r.err().contains("wrote facts bundle to " + out), r::toString);
    }

    private Path log() throws Exception {
        Path log = dir.resolve("postgres.log");
        Files.writeString(log, "2026-12-01 10:00:00.000 UTC [1] LOG:  database system is ready to accept connections\n");
        return log;
    }
}
