package dev.vccheck.preflight;

import java.util.List;

/**
 * Why a preflight could not start: the cause, and the details that go with it (the rule files' problems, a bundle's
 * problems, the parser's message). The command line words it with its own options and maps it to an exit code.
 */
public final class PreflightException extends RuntimeException {
    public enum Cause {
        /** The rule packs do not load: details are the problems, file:line:column, and a count. */
        RULES_INVALID,
        /** A saved facts bundle cannot be read: details are its problems. */
        BUNDLE_INVALID,
        /** Nothing to read: no database, cluster or log was given. */
        NO_TARGET,
        /** The Immich release asked for is not one the compatibility matrix can place: the detail says why. */
        RELEASE_UNKNOWN
    }

    private final Cause cause;
    private final List<String> details;

    public PreflightException(Cause cause, List<String> details) {
        super(cause + (details.isEmpty() ? "" : ": " + String.join("\n", details)));
        this.cause = cause;
        this.details = List.copyOf(details);
    }

    public Cause reason() {
        return cause;
    }

    public List<String> details() {
        return details;
    }
}
