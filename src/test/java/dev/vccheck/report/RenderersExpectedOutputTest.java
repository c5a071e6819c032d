package dev.vccheck.report;

import dev.vccheck.cli.Cli;
import dev.vccheck.cli.VersionProvider;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.bundle;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every renderer against expected output files (the habit of PMD's AbstractRendererTest): for an empty report, one
 * finding, many findings and a report whose checks ended in error, each format's output, with the time of the run,
 * durations and vccheck's version normalised, must equal src/test/resources/report/expected/CASE.FORMAT-EXTENSION.
 * A deliberate change of a format is reviewed as a diff of these files. To rewrite them from the current renderers:
 * <pre>mvn -o -q test -Dtest=RenderersExpectedOutputTest -Dvccheck.regenerate-expected=true</pre>
 */
class RenderersExpectedOutputTest {
    static final Path EXPECTED = repo("src/test/resources/report/expected");
    static final boolean REGENERATE = Boolean.getBoolean("vccheck.regenerate-expected");

    /**
     * Case name and the analyze arguments that give it: bundles from real scans and only the example pack's rules, so
     * that a new or reworded built-in rule does not change these files (the gate does not matter here).
     */
    static final Map<String, List<String>> CASES = Map.of(
            "empty", List.of("analyze", bundle("migrated").toString(), "--skip", "*"),
            "one-finding", List.of("analyze", bundle("pgvectors-dual").toString(), "--rules", repo("examples/rules").toString(), "--only", "example.sessions"),
            "many-findings", List.of("analyze", bundle("pgvectors-dual").toString(), "--rules", repo("examples/rules").toString(), "--only", "example.*"),
            "error", List.of("analyze", bundle("unreachable").toString(), "--rules", repo("examples/rules").toString(), "--only", "example.*"));
    static final Map<String, String> FORMATS = Map.of("text", "txt", "json", "json", "markdown", "md", "html", "html", "junit", "xml");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String c : new java.util.TreeSet<>(CASES.keySet())) for (String f : new java.util.TreeSet<>(FORMATS.keySet())) out.add(Arguments.of(c, f));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("cases")
    void rendersAsExpected(String name, String format) throws Exception {
        List<String> args = new ArrayList<>(CASES.get(name));
        args.addAll(List.of("--format", format, "-q"));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertTrue(r.exit() <= 3, r::toString);
        String got = normalise(r.out());
        Path file = EXPECTED.resolve(name + "." + FORMATS.get(format));
        if (REGENERATE) {
            Files.createDirectories(EXPECTED);
            Files.writeString(file, got, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(file), () -> file + " is missing; run with -Dvccheck.regenerate-expected=true and review it");
        assertEquals(Files.readString(file, StandardCharsets.UTF_8), got, () -> name + " as " + format + " differs from " + file);
    }

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2}| UTC)?");
    private static final Pattern JSON_DURATION = Pattern.compile("(\"duration_ms\" : )\\d+");
    private static final Pattern XML_TIME = Pattern.compile("(\\btime=\")[\\d.]+(\")");
    private static final Pattern MS = Pattern.compile("\\b\\d+(\\.\\d+)? ms\\b");

    /** The parts that differ from run to run or release to release. */
    static String normalise(String s) {
        s = TIMESTAMP.matcher(s).replaceAll("TIMESTAMP");
        s = JSON_DURATION.matcher(s).replaceAll("$10");
        s = XML_TIME.matcher(s).replaceAll("$10$2");
        s = MS.matcher(s).replaceAll("N ms");
        String v = Pattern.quote(VersionProvider.version());
        s = s.replaceAll("(vccheck[ /]v?)" + v + "\\b", "$1VERSION");
        s = s.replaceAll("(\"name\" : \"vccheck\",\\s*\"version\" : \")" + v + "\"", "$1VERSION\"");
        return s;
    }
}
