package dev.vccheck.cli;

import dev.vccheck.report.Summary;

/** The exit codes (listed by --help and in README.md, Exit codes), in one place. Only the cli package knows them. */
public enum ExitCode {
    OK(0, "no finding at or above --fail-on"),
    GATE_FAILED(1, "at least one finding at or above --fail-on"),
    USAGE(2, "usage or configuration error: bad option, unparsable URL, invalid rule file, invalid bundle"),
    INCOMPLETE(3, "incomplete: no gate failure, but a target could not be reached or a check ended in error"),
    INTERNAL(4, "internal error (a bug): a short message and, with -v, the stack trace");

    public final int code;
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** 1 over 3 over 0; usage errors (2) happen before anything is analyzed. */
    public static ExitCode of(Summary s, FailOn failOn) {
        if (failOn.gateFails(s)) return GATE_FAILED;
        if (s.error() > 0) return INCOMPLETE;
        return OK;
    }

    /** The exitCodeList lines for --help, generated from this enum so that help and code cannot drift. */
    public static String[] helpList() {
        ExitCode[] v = values();
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i].code + ":" + v[i].meaning;
        return out;
    }
}
