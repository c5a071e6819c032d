package dev.vccheck.engine;

import dev.vccheck.demo.RegenerateFixtures;

import dev.vccheck.facts.FactsSchema;
import dev.vccheck.rules.Outcome;
import dev.vccheck.rules.Rule;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.RuleSources;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every entry of every built-in rule is produced by at least one rule case: each outcome (pass, warn, fail,
 * whichever it is), the skip of its {@code when}, and the error a rule with {@code needs} gives when those facts
 * could not be collected. Advice that no case ever produces has never been read by a test.
 * <p>
 * The rules are loaded through the real loader ({@link RuleSources#builtin()}), so a rule or outcome added to
 * rules/ is required here without touching this class; the cases are every directory under
 * src/test/resources/rule-cases (run as {@link RuleCasesTest} runs them, with an analyzer that reports which entry
 * produced each finding). Scenario states reach this test as cases collected from real servers
 * ({@code RegenerateFixtures}) or from bundles. An entry that cannot be produced by a case is listed in
 * {@link #EXEMPT} with the reason; an exemption that is no longer needed fails the test too.
 */
class OutcomeCoverageTest {
    /** "rule id|entry" → why no case can produce it. Keep this empty unless a reason holds up. */
    static final Map<String, String> EXEMPT = Map.of(
            "k8s.only-db-pods|" + Analyzer.WHEN,
            "its when is derived.k8s_ok = has(k8s.namespace), and KubernetesCollector.collect puts k8s.namespace in before it"
                    + " reads anything, whenever collection.kubernetes ends ok; otherwise the Analyzer skips or errors on the source"
                    + " (Analyzer.evaluate, before the when) - the when is a guard that cannot be false on evaluation");

    @Test
    void everyOutcomeOfEveryBuiltInRuleIsProducedByACase() throws Exception {
        Set<String> produced = new TreeSet<>();
        RuleLoader.Loaded all = RuleCasesTest.rules();
        Analyzer analyzer = new Analyzer(FactsSchema.get(), all, RuleSources.compatibility(), "test",
                (rule, entry) -> produced.add(rule.id() + "|" + entry));
        List<String> broken = new ArrayList<>();
        try (Stream<Path> ruleDirs = Files.list(RuleCasesTest.ROOT)) {
            for (Path ruleDir : ruleDirs.sorted().toList()) {
                try (Stream<Path> cases = Files.list(ruleDir)) {
                    for (Path c : cases.sorted().toList()) {
                        try {
                            RuleCasesTest.run(analyzer, ruleDir.getFileName().toString(), c);
                        } catch (AssertionError | Exception e) {
                            broken.add(RuleCasesTest.ROOT.relativize(c) + ": " + e.getMessage().lines().findFirst().orElse(""));
                        }
                    }
                }
            }
        }
        // A case whose expectations fail does not count (RuleCasesTest reports why).
        assertEquals(List.of(), broken, "rule cases that fail their expected.json");

        Map<String, String> required = required(new RuleLoader(FactsSchema.get()).load(RuleSources.builtin()));
        List<String> missing = new ArrayList<>();
        required.forEach((key, what) -> {
            if (!produced.contains(key) && !EXEMPT.containsKey(key)) missing.add(what);
        });
        List<String> stale = new ArrayList<>();
        EXEMPT.keySet().forEach(k -> {
            if (!required.containsKey(k) || produced.contains(k)) stale.add(k);
        });
        assertTrue(missing.isEmpty(), () -> missing.size() + " of " + required.size()
                + " rule outcomes are produced by no rule case (add a case under src/test/resources/rule-cases/<rule>/):\n  "
                + String.join("\n  ", missing));
        assertEquals(List.of(), stale, "exemptions for entries that are covered now or no longer exist: remove them");
    }

    /** Every entry a rule has, keyed "rule id|entry", with a line a reader can find in the YAML. */
    static Map<String, String> required(RuleLoader.Loaded builtin) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Rule r : builtin.rules()) {
            List<Outcome> os = r.outcomes();
            for (int i = 0; i < os.size(); i++) {
                Outcome o = os.get(i);
                out.put(r.id() + "|" + Analyzer.outcome(i), r.id() + " " + o.status().id() + " #" + (i + 1) + " (" + o.pos() + "): "
                        + o.condition().source().replaceAll("\\s+", " "));
            }
            if (r.when() != null) {
                out.put(r.id() + "|" + Analyzer.WHEN, r.id() + " skip (" + r.when().pos() + "): not " + r.when().source().replaceAll("\\s+", " "));
            }
            if (!r.needs().isEmpty() || r.collect() != null) {
                out.put(r.id() + "|" + Analyzer.UNAVAILABLE, r.id() + " error: facts it needs unavailable (" + String.join(", ", r.needs()) + ")");
            }
        }
        return out;
    }
}
