package dev.vccheck.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real CLI entry point in-process and captures what it prints. */
public final class Cli {
    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    public static Result run(String... args) {
        return run(false, args);
    }

    public static Result run(boolean terminal, String... args) {
        return runWithEnv(terminal, java.util.Map.of(), args);
    }

    /** With a given environment (the real one is never read, so tests do not depend on the machine's PG* variables). */
    public static Result runWithEnv(boolean terminal, java.util.Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = VcCheck.run(new PrintWriter(out, true), new PrintWriter(err, true), terminal, env, args);
        dev.vccheck.PrintedOutput.record("in-process vccheck " + (args.length > 0 ? args[0] : "") + ", exit " + code, out.toString(), err.toString());
        return new Result(code, out.toString(), err.toString());
    }
}
