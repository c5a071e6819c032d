package dev.vccheck.cli;

import dev.vccheck.collect.logs.LogCollector;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which logs to read (rules/logs/ diagnose from them when PostgreSQL or Immich will not start): --log files, and
 * with --docker (a target option) the database container's and Immich's server container's, with --kube the database and server pods'.
 */
public final class LogOptions {
    @Option(names = "--log", paramLabel = "FILE", description = "A log saved from anywhere (PostgreSQL's log, CloudNativePG's JSON lines, Immich's server log); '-' reads standard input. Repeatable.")
    List<String> logs = new ArrayList<>();

    @Option(names = "--immich-container", paramLabel = "NAME", defaultValue = "immich_server", description = "Immich's server container, whose log is read with --docker when it exists. Default: ${DEFAULT-VALUE}.")
    String immichContainer;

    @Option(names = "--log-lines", paramLabel = "N", defaultValue = "2000", description = "Read at most the last N lines (and 1 MiB) of each log. Default: ${DEFAULT-VALUE}.")
    int logLines;

    static final int MAX_BYTES = 1 << 20;

    LogCollector.Request request(ScannedSystemOptions system, Map<String, String> env) {
        if (logLines < 1) throw new UsageException("--log-lines must be at least 1");
        for (String f : logs) {
            if (!f.equals("-") && !java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) throw new UsageException("--log " + f + ": no such file");
        }
        if (immichContainer != null && !immichContainer.isEmpty() && !immichContainer.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new UsageException("--immich-container '" + immichContainer + "' is not a container name");
        }
        return new LogCollector.Request(List.copyOf(logs), system.docker, immichContainer, system.kubernetes().orElse(null),
                logLines, MAX_BYTES, system.connectTimeout, env, () -> System.in);
    }

}
