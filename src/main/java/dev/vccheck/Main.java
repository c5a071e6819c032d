package dev.vccheck;

import dev.vccheck.cli.VcCheck;

/** Entry point: {@code main} exits with the code {@link VcCheck#run} returns; tests call {@code run} directly. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(VcCheck.run(args));
    }
}
