package dev.vccheck.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -V} prints the version wherever it is given: after a subcommand too, where it printed nothing. */
class VersionTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "scan", "collect", "analyze", "plan", "demo", "rules", "rules list", "rules explain", "rules validate"})
    void everyCommandPrintsTheVersion(String command) throws Exception {
        List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
        args.add("-V");
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("vccheck " + VersionProvider.version() + "\n"), r::toString);
    }
}
