package dev.vccheck.rules;

import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A skipped rule's finding is what lands in a support thread: it must say in words why the rule does not apply
 * ("not applicable: Immich 1.120.0 has no VectorChord ..."), not show the rule's raw CEL condition.
 */
class WhenSentencesTest {
    @Test
    void everyBuiltInRuleWithAWhenHasASentenceForIt() throws Exception {
        RuleLoader.Loaded loaded = new RuleLoader(FactsSchema.get()).load(RuleSources.builtin());
        List<String> missing = loaded.rules().stream().filter(r -> r.when() != null && r.whenNot() == null).map(Rule::id).toList();
        assertTrue(loaded.rules().stream().anyMatch(r -> r.when() != null), "no built-in rule has a when: the test checks nothing");
        assertEquals(List.of(), missing, "built-in rules with a when but no when_not sentence");
        for (Rule r : loaded.rules()) {
            if (r.whenNot() == null) continue;
            assertFalse(r.whenNot().source().contains("derived.pg_ok &&") && !r.whenNot().source().contains("{{"),
                    r.id() + ": when_not repeats CEL instead of a sentence");
        }
    }

    @Test
    void whenNotWithoutWhenIsRefused() {
        String pack = """
                apiVersion: vccheck/v1
                kind: RulePack
                metadata: {name: t, version: "1"}
                rules:
                  - id: t.rule
                    title: t
                    source: postgres
                    when_not: A sentence for a rule that has no condition.
                    outcomes:
                      - pass: "true"
                """;
        RuleLoadException e = org.junit.jupiter.api.Assertions.assertThrows(RuleLoadException.class,
                () -> new RuleLoader(FactsSchema.get()).load(List.of(new RuleLoader.Source("t.yaml", pack, false))));
        assertTrue(e.getMessage().contains("has when_not but no when"), e.getMessage());
    }
}
