package dev.vccheck.cli;

import picocli.CommandLine.Command;

/**
 * Hidden: fails the way a bug would, so that tests can prove the internal-error contract (exit 4, a short message,
 * the stack trace only with -v) through the real entry point.
 */
@Command(name = "internal-error", hidden = true, mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
final class InternalErrorCommand implements Runnable {
    @picocli.CommandLine.Option(names = {"-v", "--verbose"})
    boolean verbose;

    @Override
    public void run() {
        throw new IllegalStateException("deliberate failure for testing the internal-error path");
    }
}
