package dev.vccheck.cli;

import dev.vccheck.collect.Setting;
import dev.vccheck.preflight.PreflightException;

/** How the command line words what went wrong below it: the causes the stages report, with the options that change them. */
final class Flags {
    private Flags() {
    }

    /** The option that sets what a collector's message points to. */
    static String of(Setting setting) {
        return switch (setting) {
            case DATABASE_URL -> "--db-url";
            case DOCKER_CONTAINER -> "--docker";
            case KUBE_EXEC -> "--kube-exec";
            case PSQL_COMMAND -> "--psql";
            case KUBERNETES -> "--kube";
            case NAMESPACE -> "-n";
            case LOG_FILE -> "--log";
            case CONNECT_TIMEOUT -> "--connect-timeout";
            case STATEMENT_TIMEOUT -> "--statement-timeout";
        };
    }

    /** A preflight that could not start, as the usage error (exit 2) a user reads. */
    static UsageException usage(PreflightException e) {
        return switch (e.reason()) {
            case RULES_INVALID, BUNDLE_INVALID -> new UsageException(e.details());
            case NO_TARGET -> new UsageException("no target given: use --db-url, --env-file, DB_URL / DB_* / PG* variables, --docker, --psql, --kube or --log");
            case RELEASE_UNKNOWN -> new UsageException("--immich-version: " + e.details().get(0));
        };
    }
}
