package dev.vccheck.rules;

import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The migration states are declared once, in 00-state.yaml's derive entries, and readable by Java code (the planner). */
class DeclaredValuesTest {
    @Test
    void theBuiltInStateDerivesDeclareTheirValues() throws Exception {
        RuleLoader.Loaded loaded = new RuleLoader(FactsSchema.get()).load(RuleSources.walk());
        assertEquals(List.of("pgvectors", "columns-real", "vchord-ready", "migrated", "pgvector", "partial", "unknown"),
                loaded.declaredValues("migration_state"));
        assertEquals(List.of("dual", "manual", "pgvector", "none"), loaded.declaredValues("migration_path"));
        assertEquals(RuleLoader.PHASES, loaded.declaredValues("phase"), "phase's values are the rule phases");
        assertEquals(List.of("vchord", "vectors", "vector", ""), loaded.declaredValues("selected_extension"));
        assertEquals(List.of(), loaded.declaredValues("dimension"), "a derive without values: declares none");
        assertEquals(List.of(), loaded.declaredValues("no_such_derive"));
    }

    @Test
    void aUserRuleWithAMisspeltStateIsALoadErrorAtTheMisspelling() {
        String pack = """
                apiVersion: vccheck/v1
                kind: RulePack
                metadata: { name: user }
                rules:
                  - id: user.state
                    title: state
                    source: postgres
                    outcomes:
                      - warn: "derived.migration_state == 'migratd'"
                        message: x
                      - pass: "true"
                """;
        List<RuleLoader.Source> sources = new java.util.ArrayList<>(RuleSources.walk());
        sources.add(new RuleLoader.Source("user.yaml", pack, false));
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> new RuleLoader(FactsSchema.get()).load(sources));
        assertEquals(List.of("user.yaml:9:43: derived.migration_state is compared with 'migratd', which is not among its declared values"
                        + " (pgvectors, columns-real, vchord-ready, migrated, pgvector, partial, unknown)"),
                e.issues().stream().map(Object::toString).toList());
    }
}
