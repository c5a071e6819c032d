package dev.vccheck.engine;

import dev.vccheck.cli.Cli;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.rules.RuleLoadException;
import dev.vccheck.rules.RuleLoader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.vccheck.TestFiles.bundle;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectionAndOverrideTest {
    private static final String EXAMPLES = repo("examples/rules").toString();

    private static final String BUILTIN = """
            apiVersion: vccheck/v1
            kind: RulePack
            metadata: { name: builtin }
            rules:
              - id: pg.thing
                title: built-in version
                source: postgres
                outcomes:
                  - pass: "true"
            """;
    private static final String USER = """
            apiVersion: vccheck/v1
            kind: RulePack
            metadata: { name: mine }
            rules:
              - id: pg.thing
                title: my version
                source: postgres
                outcomes:
                  - warn: "true"
                    message: mine
            """;

    @Test
    void aUserPackReplacesABuiltInRuleWithTheSameId() throws Exception {
        RuleLoader.Loaded l = new RuleLoader(FactsSchema.get()).load(List.of(
                new RuleLoader.Source("rules/builtin.yaml", BUILTIN, true), new RuleLoader.Source("mine.yaml", USER, false)));
        assertEquals(1, l.rules().size());
        assertEquals("my version", l.rules().get(0).title());
        assertEquals(1, l.overridden().size());
        assertTrue(l.overridden().get(0).startsWith("pg.thing (built-in rules/builtin.yaml:5:5 replaced by mine.yaml:5:5)"), l.overridden()::toString);
    }

    @Test
    void twoUserPacksMayNotDefineTheSameId() {
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> new RuleLoader(FactsSchema.get()).load(List.of(
                new RuleLoader.Source("a.yaml", USER, false), new RuleLoader.Source("b.yaml", USER, false))));
        assertEquals("b.yaml:5:5: duplicate rule id 'pg.thing' (first defined at a.yaml:5:5)", e.issues().get(0).toString());
    }

    @Test
    void onlyAndSkipSelectByIdTagOrGlob() {
        String b = bundle("pgvectors-dual").toString();
        assertEquals(List.of("cross.immich-running", "example.sessions", "k8s.only-db-pods", "k8s.workloads.scaled-down", "pg.immich.migrating", "pg.sessions"),
                ids(Cli.run("analyze", b, "--rules", EXAMPLES, "--only", "immich-running", "--format", "json")).stream().sorted().toList());
        assertEquals(List.of("example.dimension", "example.preload"),
                ids(Cli.run("analyze", b, "--rules", EXAMPLES, "--only", "example.p*,example.dim*", "--format", "json")).stream().sorted().toList());
        List<String> skipped = ids(Cli.run("analyze", b, "--rules", EXAMPLES, "--skip", "example", "--format", "json"));
        assertFalse(skipped.stream().anyMatch(id -> id.startsWith("example.")), skipped::toString);
    }

    private static List<String> ids(Cli.Result r) {
        try {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
            List<String> out = new java.util.ArrayList<>();
            n.get("findings").forEach(f -> out.add(f.get("id").asText()));
            return out;
        } catch (Exception e) {
            throw new AssertionError(r.toString(), e);
        }
    }

    @Test
    void phaseOptionDecidesWhichRulesApply() {
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--rules", EXAMPLES, "--phase", "post", "--format", "text");
        assertTrue(r.out().contains("example.sessions — applies in phase pre; this run is phase post"), r::toString);
        assertTrue(r.out().contains("example.cleanup"), r::toString);
        assertTrue(r.out().contains("phase: post"), r::toString);
    }

    @Test
    void explainShowsTheRuleAsWritten() {
        Cli.Result r = Cli.run("rules", "explain", "example.preload", "--rules", EXAMPLES);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("applies when: has(pg.extensions.available.vchord)"), r::toString);
        assertTrue(r.out().contains("fail when !derived.vchord_preloaded"), r::toString);
        assertTrue(r.out().contains("examples/rules/example-pack.yaml:"), r::toString);
        assertEquals(2, Cli.run("rules", "explain", "no.such.rule").exit());
    }

    @Test
    void completionScriptIsGenerated() {
        Cli.Result r = Cli.run("generate-completion");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("complete -F _complete_vccheck") && r.out().contains("analyze"), r.out().substring(0, Math.min(300, r.out().length())));
    }

    @Test
    void versionNamesTheTool() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("vccheck 0."), r::toString);
    }
}
