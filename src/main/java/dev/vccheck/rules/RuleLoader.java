package dev.vccheck.rules;

import dev.vccheck.facts.FactsSchema;

import java.util.ArrayList;
import java.util.List;

/**
 * Loads rule packs strictly: unknown keys, wrong types, duplicate ids, missing fields, CEL syntax and type errors and
 * undefined fact paths are all reported as {@code file:line:column: message}, every one of them, in one exception.
 * Conditions and templates are compiled once here; evaluation never parses. {@link RuleParser} reads each file,
 * {@link RuleCompiler} compiles and checks what was read.
 */
public final class RuleLoader {
    public static final List<String> PHASES = List.of("pre", "post", "health");

    /** One file to load: its display name (used in messages), its text, and whether it ships inside vccheck. */
    public record Source(String name, String text, boolean builtin) {
    }

    /**
     * The effective rule set: built-in rules, overridden or extended by user packs; {@code precompiled} of the
     * {@code expressions} came from the build's compiled cache ({@link CompiledRules}), the others were compiled now.
     */
    public record Loaded(List<RulePack> packs, List<Rule> rules, List<Derived> derived, List<String> overridden, int expressions, int precompiled) {
        /**
         * The strings derived value {@code name} may give, as its {@code values:} declares them (the load checked its
         * expression and every rule's comparisons against them); empty when it declares none or does not exist.
         */
        public List<String> declaredValues(String name) {
            return derived.stream().filter(d -> d.name().equals(name)).findFirst().map(Derived::values).orElse(List.of());
        }

        /**
         * Decodes and plans ahead of the analysis the programs it will run: the derived values' (every analysis
         * evaluates them), then those of the rules {@code which} picks, last rule first: what the analysis of every rule
         * it does not block evaluates ({@link #decisions}). The analysis evaluates from the first rule, and each program
         * is made once by whichever thread comes first, so two threads share the work. The messages and remediations
         * of the outcomes are left to their first evaluation: only the outcome that holds has its own evaluated, and
         * preparing them all made a scan's rules thread decode 588 expressions for the 259 it evaluates
         * (bench/results.md).
         */
        public void prepare(java.util.function.Predicate<Rule> which) {
            derived.forEach(d -> d.expr().prepare());
            List<Expr> picked = new ArrayList<>();
            for (int i = rules.size() - 1; i >= 0; i--) {
                if (which.test(rules.get(i))) picked.addAll(decisions(rules.get(i)));
            }
            SemverRange.prepare(picked.stream().flatMap(e -> e.summary().semverRanges().stream()).distinct().toList());
            picked.forEach(Expr::prepare);
        }

        /** The expressions an analysis of {@code r} evaluates whenever it does not block it: applicability, evidence, outcome conditions. */
        static List<Expr> decisions(Rule r) {
            List<Expr> out = new ArrayList<>();
            out.add(r.when());
            parts(r.whenNot(), out);
            out.addAll(r.evidence().values());
            for (Outcome o : r.outcomes()) out.add(o.condition());
            out.removeIf(java.util.Objects::isNull);
            return out;
        }

        /** Every expression of {@code r}: its decisions, then the outcomes' messages and remediations. */
        static List<Expr> expressions(Rule r) {
            List<Expr> out = decisions(r);
            for (Outcome o : r.outcomes()) {
                parts(o.message(), out);
                for (Remediation rem : o.remediation()) {
                    out.add(rem.when());
                    parts(rem.title(), out);
                    parts(rem.text(), out);
                }
            }
            out.removeIf(java.util.Objects::isNull);
            return out;
        }

        private static void parts(Template t, List<Expr> out) {
            if (t != null) t.parts().forEach(p -> out.add(p.expr()));
        }
    }

    private final FactsSchema schema;
    private final CompiledRules cache;
    private final CompiledRules.Recorder recorder;

    /** A loader that takes built-in expressions from the compiled cache shipped in the jar. */
    public RuleLoader(FactsSchema schema) {
        this(schema, CompiledRules.builtin(), null);
    }

    /** {@code cache}: checked ASTs to reuse ({@link CompiledRules#NONE}: compile all); {@code recorder}: may be null. */
    RuleLoader(FactsSchema schema, CompiledRules cache, CompiledRules.Recorder recorder) {
        this.schema = schema;
        this.cache = cache;
        this.recorder = recorder;
    }

    /** A loader that compiles every expression (tests compare it with the cached one). */
    public static RuleLoader uncached(FactsSchema schema) {
        return new RuleLoader(schema, CompiledRules.NONE, null);
    }

    /**
     * The built-in packs alone, as the build loaded them ({@link RuleSnapshot}): no YAML parsed, nothing compiled;
     * loaded from the packs when the snapshot is missing or stale.
     */
    public static Loaded builtin() throws RuleLoadException {
        java.util.Optional<Loaded> snapshot = RuleSnapshot.builtin();
        return snapshot.isPresent() ? snapshot.get() : new RuleLoader(FactsSchema.get()).load(RuleSources.builtin());
    }

    public Loaded load(List<Source> sources) throws RuleLoadException {
        List<RuleIssue> issues = new ArrayList<>();
        List<ParsedPack> parsed = new ArrayList<>();
        for (Source s : sources) {
            ParsedPack p = RuleParser.parse(s, issues);
            if (p != null) parsed.add(p);
        }
        Loaded loaded = new RuleCompiler(schema, cache, recorder, issues).compile(parsed);
        if (!issues.isEmpty() || loaded == null) throw new RuleLoadException(issues);
        return loaded;
    }
}
