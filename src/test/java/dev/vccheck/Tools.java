package dev.vccheck;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a tool outside Java (psql, kubectl, Chromium with playwright-core): on a developer's machine without
 * it they report themselves skipped; in CI ({@code CI=true}, which .ci/run sets, as most CI services do) a missing
 * tool fails the test, because .ci/run installs every one of them and a skip there would hide a broken install.
 */
public final class Tools {
    private Tools() {
    }

    public static void require(boolean present, String what) {
        if (present) return;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) Assertions.fail("CI=true but " + what + " is missing: .ci/run should have installed it");
        Assumptions.assumeTrue(false, what + " is missing (.ci/run installs it); skipped outside CI");
    }
}
