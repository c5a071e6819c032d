package dev.vccheck.rules;

import dev.vccheck.cli.Cli;
import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.read;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden load errors: each folder under loader-errors/ holds pack.yaml and the exact issues expected.txt lists
 * (file:line:column: message), all of them at once.
 */
class LoaderErrorsTest {
    @TestFactory
    Stream<DynamicTest> everyCaseReportsExactlyItsIssues() throws IOException {
        Path root = repo("src/test/resources/loader-errors");
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.sorted().toList().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), dir.toUri(), () -> {
                String text = read(dir.resolve("pack.yaml"));
                List<String> expected = read(dir.resolve("expected.txt")).lines().filter(l -> !l.isBlank()).toList();
                RuleLoadException e = assertThrows(RuleLoadException.class,
                        () -> new RuleLoader(FactsSchema.get()).load(List.of(new RuleLoader.Source("pack.yaml", text, false))));
                assertEquals(expected, e.issues().stream().map(Object::toString).toList());
            }));
        }
    }

    @Test
    void threeMistakesGiveThreePositionedErrorsAndExitTwoThroughTheCli() {
        Path pack = repo("src/test/resources/loader-errors/three-mistakes/pack.yaml");
        Cli.Result r = Cli.run("rules", "validate", pack.toString());
        assertEquals(2, r.exit(), r::toString);
        List<String> lines = r.err().lines().filter(l -> l.contains("pack.yaml:")).toList();
        assertEquals(3, lines.size(), r::toString);
        assertTrue(lines.get(0).endsWith("pack.yaml:8:5: unknown key 'severty' in a rule (allowed: collect, description, evidence, id, needs, outcomes, phases, references, severity, source, tags, title, when, when_not)"), r::toString);
        assertTrue(lines.get(1).endsWith("pack.yaml:17:22: undefined field 'extensons'"), r::toString);
        assertTrue(lines.get(2).contains("pack.yaml:19:5: duplicate rule id 'demo.preload' (first defined at "), r::toString);
        assertTrue(r.err().contains("3 problems in the rule files; nothing was analyzed"), r::toString);
    }

    @Test
    void theSameErrorsStopAnAnalysisBeforeItStarts() {
        Cli.Result r = Cli.run("analyze", repo("src/test/resources/bundles/migrated.json").toString(),
                "--rules", repo("src/test/resources/loader-errors/three-mistakes").toString());
        assertEquals(2, r.exit(), r::toString);
        assertEquals("", r.out(), "nothing on stdout when nothing was analyzed");
    }

    @Test
    void aValidUserPackValidates() {
        Cli.Result r = Cli.run("rules", "validate", repo("examples/rules").toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("ok: 5 rules in 1 user packs"), r::toString);
    }
}
