package dev.vccheck.cli;

import dev.vccheck.report.Summary;

/** The {@code --fail-on} level: the lowest finding status that fails the gate (exit 1). Picocli refuses any other value (exit 2). */
public enum FailOn {
    /** A failing finding fails the gate (the default). */
    fail,
    /** A failing or a warning finding fails the gate. */
    warn,
    /** Nothing fails the gate; errors still make the run incomplete (exit 3). */
    never;

    boolean gateFails(Summary s) {
        return switch (this) {
            case fail -> s.fail() > 0;
            case warn -> s.fail() > 0 || s.warn() > 0;
            case never -> false;
        };
    }
}
