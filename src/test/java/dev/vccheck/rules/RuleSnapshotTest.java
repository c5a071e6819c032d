package dev.vccheck.rules;

import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's snapshot of the built-in packs as loaded (RuleSnapshot), which a run without user packs reads instead
 * of parsing and compiling the YAML: present, current, and the same rule set as a fresh load, field by field and in
 * the reports it gives.
 */
class RuleSnapshotTest {

    @Test
    void theSnapshotIsTheBuiltInPacksAsAFreshLoadGivesThem() throws Exception {
        RuleLoader.Loaded snapshot = RuleSnapshot.builtin().orElseThrow(() -> new AssertionError(
                "no current snapshot: mvn process-classes writes " + RuleSnapshot.RESOURCE + " (CompiledRules)"));
        RuleLoader.Loaded fresh = RuleLoader.uncached(FactsSchema.get()).load(RuleSources.builtin());
        assertTrue(fresh.rules().size() > 40 && fresh.derived().size() > 30, "the built-in packs: " + fresh.rules().size());
        assertEquals(describe(fresh), describe(snapshot));
        assertEquals(fresh.expressions(), snapshot.expressions());
        assertEquals(snapshot.expressions(), snapshot.precompiled(), "every expression of the snapshot was compiled by the build");
        assertTrue(RuleLoader.builtin().rules().stream().map(Rule::id).toList().equals(fresh.rules().stream().map(Rule::id).toList()));
    }

    @Test
    void theSnapshotsCompatibilityMatrixIsTheParsedOne() throws Exception {
        Compatibility snapshot = RuleSnapshot.compatibility().orElseThrow();
        Compatibility parsed = RuleSources.parsedCompatibility();
        assertEquals(parsed.newestRelease(), snapshot.newestRelease());
        assertEquals(parsed.releases(), snapshot.releases());
        assertTrue(snapshot.releases().size() > 3, "the matrix has its rows: " + snapshot.releases().size());
        assertTrue(RuleSources.compatibility().releases().equals(parsed.releases()), "what a run reads");
    }

    @Test
    void aSnapshotOfPacksThatChangedSinceIsNotUsed() throws Exception {
        // On a development classpath the packs are loose files, edited without a build: their CRCs decide.
        Map<String, Long> now = new java.util.LinkedHashMap<>();
        for (RuleLoader.Source s : RuleSnapshot.snapshotSources()) now.put(s.name(), crcOf(s.text()));
        assertTrue(now.containsKey(Compatibility.RESOURCE), "the compatibility matrix is among them: " + now.keySet());
        assertTrue(RuleSnapshot.current(now), "the packs as they are match");
        Map<String, Long> edited = new java.util.LinkedHashMap<>(now);
        edited.replaceAll((k, v) -> k.endsWith("00-state.yaml") ? v ^ 1 : v);
        assertFalse(RuleSnapshot.current(edited), "an edited pack");
        Map<String, Long> matrix = new java.util.LinkedHashMap<>(now);
        matrix.replaceAll((k, v) -> k.equals(Compatibility.RESOURCE) ? v ^ 1 : v);
        assertFalse(RuleSnapshot.current(matrix), "an edited compatibility matrix");
        Map<String, Long> fewer = new java.util.LinkedHashMap<>(now);
        fewer.remove(fewer.keySet().iterator().next());
        assertFalse(RuleSnapshot.current(fewer), "a pack added since");
    }

    private static long crcOf(String text) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return c.getValue();
    }

    @Test
    void snapshotAndFreshLoadGiveTheSameReportsOnRealBundles() throws Exception {
        Compatibility compat = RuleSources.compatibility();
        Analyzer snapshot = new Analyzer(FactsSchema.get(), RuleSnapshot.builtin().orElseThrow(), compat, "test");
        Analyzer fresh = new Analyzer(FactsSchema.get(), RuleLoader.uncached(FactsSchema.get()).load(RuleSources.builtin()), compat, "test");
        int findings = AnalyzedBundles.assertSameReports(fresh, snapshot,
                List.of("pgvectors-dual", "migrated", "unreachable", "k8s-truecharts-crashloop", "k8s-argocd-selfheal"),
                java.util.Arrays.asList(null, "pre", "post"), java.util.Arrays.asList(null, "1.133.0", "2.1.0"));
        assertTrue(findings > 500, "reports with findings were compared: " + findings);
    }

    /** Every field of the loaded set, expressions by text, place and summary, templates by their parts. */
    private static String describe(Object o) throws Exception {
        if (o == null) return "null";
        if (o instanceof Expr e) return "expr[" + e.source() + " @" + e.pos() + " " + e.summary() + "]";
        if (o instanceof Template t) return "template[" + t.source() + " " + describe(t.parts()) + "]";
        if (o instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (Object x : l) b.append(describe(x)).append(",\n");
            return b.append(']').toString();
        }
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> x : m.entrySet()) b.append(x.getKey()).append('=').append(describe(x.getValue())).append(", ");
            return b.append('}').toString();
        }
        if (o.getClass().isRecord()) {
            StringBuilder b = new StringBuilder(o.getClass().getSimpleName()).append('(');
            for (RecordComponent c : o.getClass().getRecordComponents()) {
                if (c.getName().equals("precompiled")) continue;
                b.append(c.getName()).append('=').append(describe(c.getAccessor().invoke(o))).append("; ");
            }
            return b.append(')').toString();
        }
        return String.valueOf(o);
    }
}
