package dev.vccheck.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The launcher's training run scans a stand-in server that answers with a real server's catalog document: its scans
 * must read it and evaluate every check (the command exits 4 when one does not), or what the archive and the cache
 * record is only the path of a target that cannot be read.
 */
class CdsTrainingTest {
    @Test
    void theTrainingsScansReadTheStandInServer() {
        Cli.Result full = Cli.run("cds-training");
        assertEquals(0, full.exit(), full::toString);
        Cli.Result scanOnly = Cli.run("cds-training", "--scan-only");
        assertEquals(0, scanOnly.exit(), scanOnly::toString);
    }
}
