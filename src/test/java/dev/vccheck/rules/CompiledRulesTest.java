package dev.vccheck.rules;

import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's compiled cache of the built-in packs (CompiledRules): complete, current, and indistinguishable from a
 * fresh compile in what a user sees; an expression whose environment changed is compiled, never served stale.
 */
class CompiledRulesTest {

    @Test
    void everyBuiltInExpressionComesFromTheBuildsCache() throws Exception {
        RuleLoader.Loaded cached = new RuleLoader(FactsSchema.get()).load(RuleSources.builtin());
        assertTrue(cached.expressions() > 300, "the built-in packs have a few hundred expressions: " + cached.expressions());
        assertEquals(cached.expressions(), cached.precompiled(),
                "an expression missed the cache: mvn process-classes writes it (CompiledRules), or the cache is stale");
        assertEquals(RuleSources.walk().stream().map(RuleLoader.Source::name).toList(), RuleSources.builtin().stream().map(RuleLoader.Source::name).toList(),
                "the cache lists the built-in packs the rules folder holds, in the same order");
        RuleLoader.Loaded fresh = RuleLoader.uncached(FactsSchema.get()).load(RuleSources.builtin());
        assertEquals(0, fresh.precompiled());
        assertEquals(fresh.expressions(), cached.expressions());
    }

    @Test
    void everyCachedSummaryIsWhatItsDecodedAstGives() {
        // A run checks a cached expression from its summary alone (the AST is decoded on first evaluation): the
        // summary must say what the checks would read from the AST, or a user pack's error could go unreported.
        CompiledRules cache = CompiledRules.builtin();
        assertTrue(cache.size() > 300, "the build's cache is there: " + cache.size());
        int compared = 0, ranges = 0;
        for (String key : cache.keys()) {
            int nl = key.indexOf('\n');
            CompiledRules.Hit hit = cache.get(key.substring(0, nl), key.substring(nl + 1));
            assertEquals(AstSummary.of(hit.ast()), hit.summary(), key);
            compared += hit.summary().compared().size();
            ranges += hit.summary().semverRanges().size();
        }
        assertTrue(compared > 0 && ranges > 0, "summaries with comparisons and semver ranges: " + compared + ", " + ranges);
    }

    @Test
    void cachedAndFreshRulesGiveTheSameReportsOnRealBundles() throws Exception {
        List<RuleLoader.Source> sources = new ArrayList<>(RuleSources.builtin());
        sources.addAll(RuleSources.user(List.of(repo("examples/rules"))));
        Compatibility compat = RuleSources.compatibility();
        Analyzer cached = new Analyzer(FactsSchema.get(), new RuleLoader(FactsSchema.get()).load(sources), compat, "test");
        Analyzer fresh = new Analyzer(FactsSchema.get(), RuleLoader.uncached(FactsSchema.get()).load(sources), compat, "test");
        int findings = AnalyzedBundles.assertSameReports(fresh, cached, List.of("pgvectors-dual", "migrated", "unreachable"),
                java.util.Arrays.asList(null, "pre", "post", "health"), java.util.Arrays.asList(null, "1.133.0", "2.1.0", "3.0.0"));
        assertTrue(findings > 1000, "reports with findings were compared: " + findings);
    }

    @Test
    void aUserDeriveOfAnotherTypeIsCheckedAgainstNotServedFromTheCache() {
        // derived.superuser is a bool in the built-in packs; redefined as a string, every built-in expression that
        // uses it lives in another environment: compiled again, and its type errors are reported as such.
        String pack = """
                apiVersion: vccheck/v1
                kind: RulePack
                metadata: { name: retyped }
                derive:
                  - name: superuser
                    expr: "'yes'"
                rules: []
                """;
        List<RuleLoader.Source> sources = new ArrayList<>(RuleSources.builtin());
        sources.add(new RuleLoader.Source("retyped.yaml", pack, false));
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> new RuleLoader(FactsSchema.get()).load(sources));
        assertTrue(e.issues().stream().anyMatch(i -> i.toString().startsWith("rules/postgres/20-extensions.yaml:")),
                () -> "the built-in use of derived.superuser is type-checked against the string: " + e.issues());
    }
}
