package dev.vccheck.rules;

import com.google.common.base.Supplier;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.rules.ParsedPack.ParsedDerive;
import dev.vccheck.rules.ParsedPack.ParsedExpr;
import dev.vccheck.rules.ParsedPack.ParsedOutcome;
import dev.vccheck.rules.ParsedPack.ParsedRemediation;
import dev.vccheck.rules.ParsedPack.ParsedRule;
import dev.vccheck.rules.ParsedPack.ParsedTemplate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed packs into the effective rule set: derived values in order (each may use the ones before it), built-in
 * rules and derives overridden by user packs, every expression type-checked in one batch (or taken from the
 * {@link CompiledRules} cache), conditions proven bool, semver ranges and declared values checked. Problems are
 * positioned in the files like the parser's.
 */
final class RuleCompiler {
    private final FactsSchema schema;
    private final CompiledRules cache;
    private final CompiledRules.Recorder recorder;
    private final List<RuleIssue> issues;
    private final Map<String, Boolean> builtin = new HashMap<>();
    private final Map<String, CelType> derivedTypes = new LinkedHashMap<>();
    private final Map<String, Derived> derived = new LinkedHashMap<>();
    private final Map<String, SourcePos> derivedPos = new LinkedHashMap<>();
    private final Map<ParsedExpr, Expr> compiled = new IdentityHashMap<>();
    private final List<ParsedExpr> pending = new ArrayList<>();
    private int expressions;
    private int precompiled;

    /** An accepted rule and the pack it came from. */
    private record Accepted(ParsedPack pack, ParsedRule rule) {
    }

    RuleCompiler(FactsSchema schema, CompiledRules cache, CompiledRules.Recorder recorder, List<RuleIssue> issues) {
        this.schema = schema;
        this.cache = cache;
        this.recorder = recorder;
        this.issues = issues;
    }

    /** The loaded rules, or null when there were problems (they are in {@code issues}). */
    RuleLoader.Loaded compile(List<ParsedPack> packs) {
        for (ParsedPack p : packs) builtin.putIfAbsent(p.source().name(), p.source().builtin());
        for (ParsedPack p : packs) for (ParsedDerive d : p.derives()) derive(p, d);
        CelEnv env = CelEnv.create(schema, derivedTypes);
        List<String> overridden = new ArrayList<>();
        List<Accepted> accepted = accept(packs, overridden);
        List<ParsedExpr> batch = List.copyOf(pending);
        flush(env);
        for (ParsedExpr pe : batch) checkComparisons(pe);
        if (!issues.isEmpty()) return null;
        return loaded(packs, accepted, overridden);
    }

    /** A source not among the parsed files counts as built-in (as a file that failed to parse never defines anything). */
    private boolean builtin(String file) {
        return builtin.getOrDefault(file, true);
    }

    // ---- derived values ----

    private void derive(ParsedPack p, ParsedDerive d) {
        SourcePos prev = derivedPos.get(d.name());
        Derived old = derived.get(d.name());
        if (prev != null && !(old != null && builtin(old.pack()) && !p.source().builtin())) {
            issues.add(new RuleIssue(d.namePos(), "duplicate derive name '" + d.name() + "' (first at " + prev + ")"));
            return;
        }
        CelEnv env = CelEnv.create(schema, derivedTypes);
        pending.add(d.expr());
        if (!flush(env)) return;
        Expr e = compiled.get(d.expr());
        checkComparisons(d.expr());
        List<String> values = d.values() == null ? List.of() : d.values();
        if (d.values() != null) checkValues(d, e);
        derivedTypes.put(d.name(), schema.resolve(e.resultType()));
        derived.put(d.name(), new Derived(d.name(), d.description(), e, p.source().name(), values));
        derivedPos.put(d.name(), d.pos());
    }

    /** A derive's declared values: a string result, every literal it can give among them. */
    private void checkValues(ParsedDerive d, Expr e) {
        if (d.values().isEmpty()) {
            issues.add(new RuleIssue(d.valuesPos(), "values of derive " + d.name() + " must not be empty"));
            return;
        }
        CelType t = e.resultType();
        if (!t.equals(SimpleType.STRING) && t.kind() != CelKind.DYN) {
            issues.add(new RuleIssue(d.valuesPos(), "values are declared for derived strings; derive " + d.name() + " gives " + t.name()));
            return;
        }
        for (String v : DeclaredValues.literalResults(e.ast())) {
            if (!d.values().contains(v)) {
                issues.add(new RuleIssue(literalPos(d.expr(), v), "derive " + d.name() + " can give '" + v + "', which is not among its values ("
                        + String.join(", ", d.values()) + ")"));
            }
        }
    }

    /** Comparisons of a derived value with a string literal ({@code ==}, {@code !=}, {@code in}) use only its declared values. */
    private void checkComparisons(ParsedExpr pe) {
        Expr e = compiled.get(pe);
        if (e == null) return;
        Map<String, List<String>> declared = new HashMap<>();
        derived.values().forEach(d -> {
            if (!d.values().isEmpty()) declared.put(d.name(), d.values());
        });
        if (declared.isEmpty()) return;
        for (DeclaredValues.Undeclared u : DeclaredValues.undeclaredComparisons(e.summary().compared(), declared)) {
            issues.add(new RuleIssue(literalPos(pe, u.literal()), u.message()));
        }
    }

    /** Where string literal {@code value} is written in the expression (checked ASTs carry no positions); else its start. */
    private static SourcePos literalPos(ParsedExpr pe, String value) {
        int at = pe.source().indexOf("'" + value + "'");
        if (at < 0) at = pe.source().indexOf('"' + value + '"');
        if (at < 0) return pe.pos();
        TextPositions.LineCol lc = TextPositions.lineCol(pe.source(), at);
        return pe.place().at(lc.line(), lc.column());
    }

    // ---- rules ----

    /** Queues every rule's expressions (broken and duplicate rules' too: all problems at once) and picks the rules that count. */
    private List<Accepted> accept(List<ParsedPack> packs, List<String> overridden) {
        Map<String, SourcePos> seen = new LinkedHashMap<>();
        List<Accepted> out = new ArrayList<>();
        for (ParsedPack p : packs) {
            for (ParsedRule r : p.rules()) {
                SourcePos prevPos = r.rawId() == null ? null : seen.get(r.rawId());
                boolean override = prevPos != null && builtin(prevPos.file()) && !p.source().builtin();
                if (prevPos != null && !override) {
                    issues.add(new RuleIssue(r.pos(), "duplicate rule id '" + r.rawId() + "' (first defined at " + prevPos + ")"));
                }
                queue(r);
                if (r.rawId() != null && (prevPos == null || override)) seen.put(r.rawId(), r.pos());
                if (!r.valid() || (prevPos != null && !override)) continue;
                if (override) overridden.add(r.id() + " (built-in " + prevPos + " replaced by " + r.pos() + ")");
                out.add(new Accepted(p, r));
            }
        }
        return out;
    }

    private void queue(ParsedRule r) {
        queue(r.when());
        queue(r.whenNot());
        r.needChecks().forEach(this::queue);
        r.evidence().values().forEach(this::queue);
        for (ParsedOutcome o : r.outcomes()) {
            queue(o.condition());
            queue(o.message());
            for (ParsedRemediation rem : o.remediation()) {
                queue(rem.text());
                queue(rem.title());
                queue(rem.when());
            }
        }
    }

    private void queue(ParsedExpr e) {
        if (e != null) pending.add(e);
    }

    private void queue(ParsedTemplate t) {
        if (t != null) for (ParsedTemplate.Part part : t.parts()) queue(part.expr());
    }

    private RuleLoader.Loaded loaded(List<ParsedPack> packs, List<Accepted> accepted, List<String> overridden) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        Map<ParsedPack, List<Rule>> byPack = new IdentityHashMap<>();
        for (Accepted a : accepted) {
            Rule r = rule(a.rule(), a.pack().source().name());
            rules.put(r.id(), r);
            byPack.computeIfAbsent(a.pack(), k -> new ArrayList<>()).add(r);
        }
        List<RulePack> out = new ArrayList<>();
        for (ParsedPack p : packs) {
            String file = p.source().name();
            out.add(new RulePack(p.name(), p.description(), p.version(), file, p.source().builtin(),
                    derived.values().stream().filter(d -> d.pack().equals(file)).toList(), byPack.getOrDefault(p, List.of())));
        }
        return new RuleLoader.Loaded(out, List.copyOf(rules.values()), List.copyOf(derived.values()), overridden, expressions, precompiled);
    }

    private Rule rule(ParsedRule r, String file) {
        Map<String, Expr> evidence = new LinkedHashMap<>();
        r.evidence().forEach((k, v) -> evidence.put(k, compiled.get(v)));
        List<Outcome> outcomes = new ArrayList<>();
        for (ParsedOutcome o : r.outcomes()) outcomes.add(outcome(o));
        return new Rule(r.id(), r.title(), r.description(), r.source(), r.phases(), r.tags(), r.severity(), expr(r.when()),
                template(r.whenNot()), r.needs(), r.collect(), evidence, outcomes, r.references(), file, r.pos());
    }

    private Outcome outcome(ParsedOutcome o) {
        List<Remediation> remediation = new ArrayList<>();
        for (ParsedRemediation rem : o.remediation()) {
            if (rem.kind() != null && rem.text() != null) {
                remediation.add(new Remediation(rem.kind(), template(rem.title()), template(rem.text()), expr(rem.when())));
            }
        }
        return new Outcome(o.status(), expr(o.condition()), template(o.message()), remediation, o.pos());
    }

    private Expr expr(ParsedExpr e) {
        return e == null ? null : compiled.get(e);
    }

    private Template template(ParsedTemplate t) {
        if (t == null) return null;
        List<Template.Part> parts = new ArrayList<>();
        for (ParsedTemplate.Part p : t.parts()) parts.add(new Template.Part(p.literal(), expr(p.expr())));
        return new Template(t.text(), parts);
    }

    // ---- the batched type check ----

    /** One expression checked: its summary and AST (decoded when first needed on a cache hit), or its problems. */
    private record Checked(AstSummary summary, Supplier<CelAbstractSyntaxTree> ast, List<CelEnv.Problem> problems) {
    }

    /** Type-checks every queued expression at once; problems point into the files. Returns whether all compiled. */
    private boolean flush(CelEnv env) {
        List<ParsedExpr> jobs = List.copyOf(pending);
        pending.clear();
        List<Checked> results = check(env, jobs);
        boolean ok = true;
        for (int i = 0; i < jobs.size(); i++) {
            ParsedExpr j = jobs.get(i);
            Checked c = results.get(i);
            if (!c.problems().isEmpty()) {
                for (CelEnv.Problem p : c.problems()) issues.add(new RuleIssue(j.place().at(p.line(), p.column()), p.message()));
                ok = false;
            } else if (!typeIsBool(j, c.summary()) || !rangesValid(j, c.summary())) {
                ok = false;
            } else {
                compiled.put(j, new Expr(j.source(), j.pos(), c.summary(), c.ast()));
            }
        }
        return ok;
    }

    /**
     * The cached summary and AST of each expression, or a fresh compile of those the cache lacks (recorded for the
     * build). A cached AST is decoded when first needed; should its bytes not decode, it is compiled then instead.
     */
    private List<Checked> check(CelEnv env, List<ParsedExpr> jobs) {
        Checked[] results = new Checked[jobs.size()];
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            String source = jobs.get(i).source();
            CompiledRules.Hit hit = cache.get(env.key(), source);
            if (hit != null) results[i] = new Checked(hit.summary(), () -> decode(env, hit, source), List.of());
            else fresh.add(i);
        }
        expressions += jobs.size();
        precompiled += jobs.size() - fresh.size();
        if (!fresh.isEmpty()) {
            List<CelEnv.Compiled> compiledNow = env.compileAll(fresh.stream().map(i -> jobs.get(i).source()).toList());
            for (int k = 0; k < fresh.size(); k++) {
                CelEnv.Compiled c = compiledNow.get(k);
                if (!c.problems().isEmpty()) {
                    results[fresh.get(k)] = new Checked(null, null, c.problems());
                    continue;
                }
                CelAbstractSyntaxTree ast = c.ast();
                results[fresh.get(k)] = new Checked(AstSummary.of(ast), () -> ast, List.of());
                if (recorder != null) recorder.compiled(env.key(), jobs.get(fresh.get(k)).source(), ast);
            }
        }
        return List.of(results);
    }

    private static CelAbstractSyntaxTree decode(CelEnv env, CompiledRules.Hit hit, String source) {
        try {
            return hit.ast();
        } catch (RuntimeException e) {
            CelEnv.Compiled c = env.compileAll(List.of(source)).get(0);
            if (c.ast() == null) throw new IllegalStateException("precompiled expression '" + source + "' could not be decoded", e);
            return c.ast();
        }
    }

    private boolean typeIsBool(ParsedExpr j, AstSummary summary) {
        if (!j.condition() || summary.boolOrDyn()) return true;
        issues.add(new RuleIssue(j.pos(), "this condition gives " + summary.typeName() + ", not bool: '" + j.source() + "'"));
        return false;
    }

    /** The constant ranges passed to semver.satisfies are valid npm ranges. */
    private boolean rangesValid(ParsedExpr j, AstSummary summary) {
        boolean ok = true;
        for (String range : summary.semverRanges()) {
            var problem = SemverRange.problem(range);
            if (problem.isPresent()) {
                issues.add(new RuleIssue(j.pos(), "invalid semver range '" + range + "': " + problem.get()));
                ok = false;
            }
        }
        return ok;
    }
}
