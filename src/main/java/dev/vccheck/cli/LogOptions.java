package dev.vccheck.cli;

import dev.vccheck.collect.logs.Commands;
import dev.vccheck.collect.logs.LogCollector;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which logs to read (rules/logs/ diagnose from them when PostgreSQL or Immich will not start): --log files, and
 * with --docker the database container's and Immich's server container's, with --kube the database and server pods'.
 */
public final class LogOptions {
    @Option(names = "--log", paramLabel = "FILE", description = "A log saved from anywhere (PostgreSQL's log, CloudNativePG's JSON lines, Immich's server log); '-' reads standard input. Repeatable.")
    List<String> logs = new ArrayList<>();

    // merged with reach's --docker: there it also runs the catalog statement through 'docker exec ... psql'.
    @Option(names = "--docker", paramLabel = "CONTAINER", description = "The database container (Immich's default: immich_postgres); its log is read with 'docker logs' (podman when docker is absent).")
    String docker;

    @Option(names = "--immich-container", paramLabel = "NAME", defaultValue = "immich_server", description = "Immich's server container, whose log is read with --docker when it exists. Default: ${DEFAULT-VALUE}.")
    String immichContainer;

    @Option(names = "--log-lines", paramLabel = "N", defaultValue = "2000", description = "Read at most the last N lines (and 1 MiB) of each log. Default: ${DEFAULT-VALUE}.")
    int logLines;

    static final int MAX_BYTES = 1 << 20;

    LogCollector.Request request(TargetOptions targets, Map<String, String> env) {
        if (logLines < 1) throw new UsageException("--log-lines must be at least 1");
        for (String f : logs) {
            if (!f.equals("-") && !java.nio.file.Files.isReadable(java.nio.file.Path.of(f))) throw new UsageException("--log " + f + ": no such file");
        }
        if (docker != null && !docker.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) throw new UsageException("--docker '" + docker + "' is not a container name");
        if (immichContainer != null && !immichContainer.isEmpty() && !immichContainer.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new UsageException("--immich-container '" + immichContainer + "' is not a container name");
        }
        return new LogCollector.Request(List.copyOf(logs), docker, immichContainer, targets.kubernetes().orElse(null),
                logLines, MAX_BYTES, targets.connectTimeout, env, () -> System.in);
    }

    /**
     * Until reach's --docker collects the catalog through docker exec: tells whether the container can run psql, so
     * that a stopped container ends pg.connect in error with the container tool's own words.
     */
    String dockerProbe(Map<String, String> env, int timeoutSeconds) {
        var tool = Commands.containerTool(env);
        if (tool.isEmpty()) return "cannot reach the database in container " + docker + ": neither docker nor podman is on PATH";
        try {
            Commands.Result r = Commands.run(List.of(tool.get(), "exec", docker, "pg_isready"), env, timeoutSeconds, 64 * 1024);
            if (r.timedOut()) return "docker exec " + docker + " did not answer within " + timeoutSeconds + " s";
            if (r.exit() != 0) return "cannot reach the database in container " + docker + ": " + r.firstLine();
            return "container " + docker + " answers (" + r.firstLine() + "), but this build reads the catalog only with --db-url or --env-file";
        } catch (IOException e) {
            return "cannot run " + tool.get() + ": " + e.getMessage();
        }
    }
}
