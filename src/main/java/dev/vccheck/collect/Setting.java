package dev.vccheck.collect;

/**
 * A setting of what is scanned that a collector's message points the user to (the channel that was chosen, the one
 * to choose instead, the timeout to raise). Collectors name the setting; whoever configured them words it: the
 * command line as its option, so that no collector knows a flag.
 */
public enum Setting {
    /** A direct connection to the database (a URL). */
    DATABASE_URL,
    /** psql inside a Docker (or Podman) container. */
    DOCKER_CONTAINER,
    /** psql inside the CloudNativePG primary pod. */
    KUBE_EXEC,
    /** psql through a command line of the user's. */
    PSQL_COMMAND,
    /** Reading the Kubernetes cluster. */
    KUBERNETES,
    /** The Kubernetes namespace. */
    NAMESPACE,
    /** A saved log file. */
    LOG_FILE,
    /** How long connecting may take. */
    CONNECT_TIMEOUT,
    /** How long one statement may take. */
    STATEMENT_TIMEOUT;

    /** How a caller names a setting in the messages the collectors write. */
    @FunctionalInterface
    public interface Words {
        String of(Setting setting);
    }
}
