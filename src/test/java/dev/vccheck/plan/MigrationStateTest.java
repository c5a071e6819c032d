package dev.vccheck.plan;

import dev.vccheck.facts.FactsSchema;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.RuleSources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The planner's enums name exactly the values rules/postgres/00-state.yaml declares for its derive entries: a state
 * added to (or renamed in) the YAML without the planner knowing it, or a constant the YAML no longer declares, fails
 * here. That the expression yields only declared values is the loader's own check (the derive-values loader case).
 */
class MigrationStateTest {
    private static RuleLoader.Loaded rules;

    @BeforeAll
    static void load() throws Exception {
        rules = new RuleLoader(FactsSchema.get()).load(RuleSources.builtin());
    }

    @Test
    void everyDerivedStateIsAConstantAndEveryConstantIsDerived() {
        assertEquals(declared("migration_state"), values(MigrationState.values()));
    }

    @Test
    void everyDerivedPathIsAConstantAndEveryConstantIsDerived() {
        assertEquals(declared("migration_path"), values(MigrationPath.values()));
    }

    private static Set<String> declared(String name) {
        Set<String> out = new TreeSet<>(rules.declaredValues(name));
        assertFalse(out.isEmpty(), "rules/postgres/00-state.yaml declares no values: for " + name);
        return out;
    }

    private static Set<String> values(Enum<?>[] constants) {
        Set<String> out = new TreeSet<>();
        Arrays.stream(constants).forEach(c -> out.add(c.toString()));
        return out;
    }
}
