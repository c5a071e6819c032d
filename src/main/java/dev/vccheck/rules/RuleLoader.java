package dev.vccheck.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.vccheck.facts.FactsSchema;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads rule packs strictly: unknown keys, wrong types, duplicate ids, missing fields, CEL syntax and type errors and
 * undefined fact paths are all reported as {@code file:line:column: message}, every one of them, in one exception.
 * Conditions and templates are compiled once here; evaluation never parses.
 */
public final class RuleLoader {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*");
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Set<String> PACK_KEYS = Set.of("apiVersion", "kind", "metadata", "derive", "rules");
    private static final Set<String> META_KEYS = Set.of("name", "description", "version");
    private static final Set<String> DERIVE_KEYS = Set.of("name", "description", "expr");
    private static final Set<String> RULE_KEYS = Set.of("id", "title", "description", "source", "phases", "tags",
            "severity", "when", "when_not", "needs", "collect", "evidence", "outcomes", "references");
    private static final Set<String> OUTCOME_KEYS = Set.of("pass", "warn", "fail", "error", "skip", "message", "remediation");
    private static final Set<String> REMEDIATION_KEYS = Set.of("kind", "title", "text", "when");
    private static final Set<String> COLLECT_KEYS = Set.of("sql", "apiVersion", "kind", "labelSelector");
    public static final List<String> PHASES = List.of("pre", "post", "health");

    /** One file to load: its display name (used in messages), its text, and whether it ships inside vccheck. */
    public record Source(String name, String text, boolean builtin) {
    }

    /**
     * The effective rule set: built-in rules, overridden or extended by user packs; {@code precompiled} of the
     * {@code expressions} came from the build's compiled cache ({@link CompiledRules}), the others were compiled now.
     */
    public record Loaded(List<RulePack> packs, List<Rule> rules, List<Derived> derived, List<String> overridden, int expressions, int precompiled) {
    }

    private final FactsSchema schema;
    private final CompiledRules cache;
    private final CompiledRules.Recorder recorder;
    private int expressions;
    private int precompiled;

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

    private record Parsed(Source source, YamlDoc doc, Map<String, NodeTuple> top, Node root) {
    }

    public Loaded load(List<Source> sources) throws RuleLoadException {
        List<RuleIssue> issues = new ArrayList<>();
        List<Parsed> parsed = new ArrayList<>();
        for (Source s : sources) {
            YamlDoc doc = new YamlDoc(s.name(), s.text(), issues);
            Node root = doc.parse(s.text());
            if (root == null) continue;
            Map<String, NodeTuple> top = doc.mapping(root, "the rule pack", PACK_KEYS);
            String api = doc.string(top, "apiVersion", "the rule pack", true, root);
            if (api != null && !api.equals("vccheck/v1")) doc.error(top.get("apiVersion").getValueNode(), "apiVersion must be 'vccheck/v1', not '" + api + "'");
            String kind = doc.string(top, "kind", "the rule pack", true, root);
            if (kind != null && !kind.equals("RulePack")) doc.error(top.get("kind").getValueNode(), "kind must be 'RulePack', not '" + kind + "'");
            parsed.add(new Parsed(s, doc, top, root));
        }

        // Derived values first: each may use the ones declared before it; rules may use all of them.
        Map<String, CelType> derivedTypes = new LinkedHashMap<>();
        Map<String, Derived> derived = new LinkedHashMap<>();
        Map<String, SourcePos> derivedPos = new LinkedHashMap<>();
        for (Parsed p : parsed) {
            NodeTuple d = p.top().get("derive");
            if (d == null) continue;
            for (Node item : p.doc().list(d.getValueNode(), "derive")) {
                Map<String, NodeTuple> m = p.doc().mapping(item, "a derive entry", DERIVE_KEYS);
                String name = p.doc().string(m, "name", "a derive entry", true, item);
                String expr = p.doc().string(m, "expr", "a derive entry", true, item);
                if (name == null || expr == null) continue;
                if (!NAME.matcher(name).matches()) {
                    p.doc().error(m.get("name").getValueNode(), "derive name '" + name + "' must match " + NAME.pattern());
                    continue;
                }
                SourcePos prev = derivedPos.get(name);
                Derived old = derived.get(name);
                if (prev != null && !(old != null && sourceOf(parsed, old.pack()).builtin() && !p.source().builtin())) {
                    p.doc().error(m.get("name").getValueNode(), "duplicate derive name '" + name + "' (first at " + prev + ")");
                    continue;
                }
                CelEnv env = CelEnv.create(schema, derivedTypes);
                Expr e = compile(env, p.doc(), (ScalarNode) m.get("expr").getValueNode(), expr, null);
                if (!flush(env)) continue;
                derivedTypes.put(name, schema.resolve(e.resultType()));
                derived.put(name, new Derived(name, p.doc().string(m, "description", "a derive entry", false, item), e, p.source().name()));
                derivedPos.put(name, p.doc().pos(item));
            }
        }

        CelEnv env = CelEnv.create(schema, derivedTypes);
        List<RulePack> packs = new ArrayList<>();
        Map<String, Rule> rules = new LinkedHashMap<>();
        Map<String, SourcePos> seen = new LinkedHashMap<>();
        List<String> overridden = new ArrayList<>();
        for (Parsed p : parsed) {
            YamlDoc doc = p.doc();
            String packName = p.source().name();
            String description = null;
            String version = "0";
            NodeTuple meta = p.top().get("metadata");
            if (meta == null) {
                doc.error(p.root(), "the rule pack is missing required key 'metadata'");
            } else {
                Map<String, NodeTuple> mm = doc.mapping(meta.getValueNode(), "metadata", META_KEYS);
                String n = doc.string(mm, "name", "metadata", true, meta.getValueNode());
                if (n != null) packName = n;
                description = doc.string(mm, "description", "metadata", false, null);
                String v = doc.string(mm, "version", "metadata", false, null);
                if (v != null) version = v;
            }
            List<Rule> packRules = new ArrayList<>();
            NodeTuple rt = p.top().get("rules");
            if (rt == null) {
                doc.error(p.root(), "the rule pack is missing required key 'rules'");
            } else {
                for (Node rn : doc.list(rt.getValueNode(), "rules")) {
                    // Ids are checked for duplicates even when the rule has other problems, so all are reported at once.
                    String id = idOf(rn);
                    SourcePos prevPos = id == null ? null : seen.get(id);
                    boolean override = false;
                    if (prevPos != null) {
                        override = sourceOf(parsed, prevPos.file()).builtin() && !p.source().builtin();
                        if (!override) doc.error(rn, "duplicate rule id '" + id + "' (first defined at " + prevPos + ")");
                    }
                    Rule r = rule(env, doc, rn, p.source().name());
                    if (id != null && (prevPos == null || override)) seen.put(id, doc.pos(rn));
                    if (r == null || (prevPos != null && !override)) continue;
                    if (override) overridden.add(r.id() + " (built-in " + prevPos + " replaced by " + r.pos() + ")");
                    rules.put(r.id(), r);
                    packRules.add(r);
                }
            }
            packs.add(new RulePack(packName, description, version, p.source().name(), p.source().builtin(),
                    derived.values().stream().filter(d -> d.pack().equals(p.source().name())).toList(), packRules));
        }
        flush(env);
        if (!issues.isEmpty()) throw new RuleLoadException(issues);
        return new Loaded(packs, List.copyOf(rules.values()), List.copyOf(derived.values()), overridden, expressions, precompiled);
    }

    private static String idOf(Node rn) {
        if (rn instanceof org.yaml.snakeyaml.nodes.MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("id") && t.getValueNode() instanceof ScalarNode v) {
                    return v.getValue();
                }
            }
        }
        return null;
    }

    private static Source sourceOf(List<Parsed> parsed, String file) {
        for (Parsed p : parsed) if (p.source().name().equals(file)) return p.source();
        return new Source(file, "", true);
    }

    private Rule rule(CelEnv env, YamlDoc doc, Node rn, String file) {
        int before = doc.issues.size();
        Map<String, NodeTuple> m = doc.mapping(rn, "a rule", RULE_KEYS);
        String id = doc.string(m, "id", "a rule", true, rn);
        String what = id == null ? "the rule" : "rule " + id;
        if (id != null && !ID.matcher(id).matches()) {
            doc.error(m.get("id").getValueNode(), "rule id '" + id + "' must be lower-case words separated by dots, e.g. pg.vchord.preload");
        }
        String title = doc.string(m, "title", what, true, rn);
        String description = doc.string(m, "description", what, false, rn);
        Rule.Source source = null;
        String src = doc.string(m, "source", what, true, rn);
        if (src != null) {
            try {
                source = Rule.Source.valueOf(src);
            } catch (IllegalArgumentException e) {
                doc.error(m.get("source").getValueNode(), "source must be one of postgres, kubernetes, any, logs; not '" + src + "'");
            }
        }
        List<String> phases = doc.stringList(m, "phases", what);
        if (phases == null) phases = PHASES;
        for (String ph : phases) {
            if (!PHASES.contains(ph)) doc.error(m.get("phases").getValueNode(), "unknown phase '" + ph + "' (phases are pre, post, health)");
        }
        List<String> tags = doc.stringList(m, "tags", what);
        Status severity = Status.FAIL;
        String sev = doc.string(m, "severity", what, false, rn);
        if (sev != null) {
            if (sev.equals("fail") || sev.equals("warn")) severity = Status.parse(sev);
            else doc.error(m.get("severity").getValueNode(), "severity must be fail or warn, not '" + sev + "'");
        }
        Expr when = condition(env, doc, m.get("when"));
        // The sentence a skipped rule's finding shows instead of its raw condition (a template, like a message).
        NodeTuple wn = m.get("when_not");
        Template whenNot = wn == null ? null : template(env, doc, wn.getValueNode(), "when_not");
        if (wn != null && when == null) doc.error(wn.getKeyNode(), what + " has when_not but no when");
        List<String> needs = doc.stringList(m, "needs", what);
        if (needs != null) {
            for (int i = 0; i < needs.size(); i++) {
                String path = needs.get(i);
                Node node = ((org.yaml.snakeyaml.nodes.SequenceNode) m.get("needs").getValueNode()).getValue().get(i);
                if (!path.matches("[a-z_][a-z0-9_]*(\\.[a-z0-9_-]+)*")) {
                    doc.error(node, "needs entries are fact paths such as pg.sessions, not '" + path + "'");
                } else if (!path.contains("-")) {
                    compile(env, doc, (ScalarNode) node, path, null);
                }
            }
        }
        Rule.Collect collect = collect(doc, m.get("collect"), source, what);
        Map<String, Expr> evidence = new LinkedHashMap<>();
        NodeTuple ev = m.get("evidence");
        if (ev != null) {
            for (Map.Entry<String, NodeTuple> e : doc.mapping(ev.getValueNode(), "evidence", null).entrySet()) {
                Node v = e.getValue().getValueNode();
                String text = doc.scalarString(v, "evidence." + e.getKey());
                if (text == null) continue;
                Expr x = compile(env, doc, (ScalarNode) v, text, null);
                if (x != null) evidence.put(e.getKey(), x);
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        NodeTuple ot = m.get("outcomes");
        if (ot == null) {
            doc.error(rn, what + " is missing required key 'outcomes'");
        } else {
            List<Node> items = doc.list(ot.getValueNode(), "outcomes");
            if (items.isEmpty() && ot.getValueNode() instanceof org.yaml.snakeyaml.nodes.SequenceNode) {
                doc.error(ot.getValueNode(), "outcomes must not be empty");
            }
            for (Node on : items) {
                Outcome o = outcome(env, doc, on, severity, title);
                if (o != null) outcomes.add(o);
            }
        }
        List<String> refs = doc.stringList(m, "references", what);
        if (doc.issues.size() > before) return null;
        return new Rule(id, title, description, source, List.copyOf(phases), tags == null ? List.of() : tags, severity, when, whenNot,
                needs == null ? List.of() : needs, collect, evidence, outcomes, refs == null ? List.of() : refs, file, doc.pos(rn));
    }

    private Rule.Collect collect(YamlDoc doc, NodeTuple t, Rule.Source source, String what) {
        if (t == null) return null;
        Map<String, NodeTuple> c = doc.mapping(t.getValueNode(), "collect", COLLECT_KEYS);
        String sql = doc.string(c, "sql", "collect", false, null);
        String api = doc.string(c, "apiVersion", "collect", false, null);
        String kind = doc.string(c, "kind", "collect", false, null);
        String selector = doc.string(c, "labelSelector", "collect", false, null);
        if (sql != null && (api != null || kind != null)) {
            doc.error(t.getValueNode(), "collect takes either sql (postgres) or apiVersion/kind (kubernetes), not both");
        } else if (sql != null && source != null && source != Rule.Source.postgres) {
            doc.error(c.get("sql").getKeyNode(), "collect.sql needs source: postgres");
        } else if (sql == null && (api == null || kind == null)) {
            doc.error(t.getValueNode(), "collect needs sql, or both apiVersion and kind");
        } else if (sql == null && source != null && source != Rule.Source.kubernetes) {
            doc.error(t.getValueNode(), "a Kubernetes collect block needs source: kubernetes");
        }
        return new Rule.Collect(sql, api, kind, selector);
    }

    private Outcome outcome(CelEnv env, YamlDoc doc, Node on, Status severity, String title) {
        Map<String, NodeTuple> m = doc.mapping(on, "an outcome", OUTCOME_KEYS);
        Status status = null;
        NodeTuple cond = null;
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            String k = e.getKey();
            NodeTuple t = e.getValue();
            if (!List.of("pass", "warn", "fail", "error", "skip").contains(k)) continue;
            if (status != null) {
                doc.error(t.getKeyNode(), "an outcome has exactly one of pass, warn, fail, error, skip; this one has two");
                return null;
            }
            status = k.equals("fail") ? severity : Status.parse(k);
            cond = t;
        }
        if (status == null) {
            doc.error(on, "an outcome needs one of pass, warn, fail, error, skip with a CEL condition");
            return null;
        }
        Expr condition = condition(env, doc, cond);
        Template message;
        NodeTuple mt = m.get("message");
        if (mt == null) {
            if (status != Status.PASS) doc.error(on, "a " + status.id() + " outcome needs a message");
            message = Template.literal(title == null ? "" : title);
        } else {
            message = template(env, doc, mt.getValueNode(), "message");
        }
        List<Remediation> remediation = new ArrayList<>();
        NodeTuple rt = m.get("remediation");
        if (rt != null) {
            for (Node rn : doc.list(rt.getValueNode(), "remediation")) {
                Map<String, NodeTuple> r = doc.mapping(rn, "a remediation", REMEDIATION_KEYS);
                String k = doc.string(r, "kind", "a remediation", true, rn);
                Remediation.Kind kind = null;
                if (k != null) {
                    try {
                        kind = Remediation.Kind.valueOf(k);
                    } catch (IllegalArgumentException e) {
                        doc.error(r.get("kind").getValueNode(), "remediation kind must be one of sql, kubectl, shell, yaml, text; not '" + k + "'");
                    }
                }
                NodeTuple tt = r.get("text");
                if (tt == null) doc.error(rn, "a remediation is missing required key 'text'");
                Template text = tt == null ? null : template(env, doc, tt.getValueNode(), "remediation text");
                NodeTuple titleNode = r.get("title");
                Template rtitle = titleNode == null ? null : template(env, doc, titleNode.getValueNode(), "remediation title");
                Expr when = condition(env, doc, r.get("when"));
                if (kind != null && text != null) remediation.add(new Remediation(kind, rtitle, text, when));
            }
        }
        if (condition == null || message == null) return null;
        return new Outcome(status, condition, message, remediation, doc.pos(on));
    }

    /** A bool condition; YAML booleans (pass: true) are accepted as constant conditions. */
    private Expr condition(CelEnv env, YamlDoc doc, NodeTuple t) {
        if (t == null) return null;
        Node v = t.getValueNode();
        if (!(v instanceof ScalarNode s) || Tag.NULL.equals(v.getTag())) {
            doc.error(v, "a condition must be a CEL expression string, not " + YamlDoc.kind(v));
            return null;
        }
        return compile(env, doc, s, s.getValue(), SimpleType.BOOL);
    }

    private Template template(CelEnv env, YamlDoc doc, Node v, String what) {
        if (!(v instanceof ScalarNode s) || Tag.NULL.equals(v.getTag())) {
            doc.error(v, what + " must be a string, not " + YamlDoc.kind(v));
            return null;
        }
        String text = s.getValue();
        List<Template.Part> parts = new ArrayList<>();
        int i = 0;
        boolean ok = true;
        while (i < text.length()) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                parts.add(new Template.Part(text.substring(i), null));
                break;
            }
            if (open > i) parts.add(new Template.Part(text.substring(i, open), null));
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                TextPositions.LineCol lc = TextPositions.lineCol(text, open);
                doc.issues.add(new RuleIssue(doc.posInScalar(s, lc.line(), lc.column()), "'{{' without a closing '}}' in " + what));
                ok = false;
                break;
            }
            String inner = text.substring(open + 2, close);
            int lead = inner.length() - inner.stripLeading().length();
            String expr = inner.strip();
            TextPositions.LineCol lc = TextPositions.lineCol(text, open + 2 + lead);
            if (expr.isEmpty()) {
                doc.issues.add(new RuleIssue(doc.posInScalar(s, lc.line(), lc.column()), "empty '{{ }}' in " + what));
                ok = false;
            } else {
                Expr e = compileAt(env, doc, s, expr, null, lc.line(), lc.column());
                if (e == null) ok = false;
                else parts.add(new Template.Part(null, e));
            }
            i = close + 2;
        }
        return ok ? new Template(text, parts) : null;
    }

    private Expr compile(CelEnv env, YamlDoc doc, ScalarNode node, String source, CelType expected) {
        return compileAt(env, doc, node, source, expected, 1, 0);
    }

    /** An expression waiting for the batched type check. */
    private record Job(Expr expr, YamlDoc doc, ScalarNode node, int line, int col, CelType expected) {
    }

    private final List<Job> pending = new ArrayList<>();

    /** Queues {@code source}, which starts at (line, col) of the scalar's value; {@link #flush} compiles the queue. */
    private Expr compileAt(CelEnv env, YamlDoc doc, ScalarNode node, String source, CelType expected, int line, int col) {
        Expr e = new Expr(source, doc.posInScalar(node, line, col));
        pending.add(new Job(e, doc, node, line, col, expected));
        return e;
    }

    /** Type-checks every queued expression at once; problems point into the files. Returns whether all compiled. */
    private boolean flush(CelEnv env) {
        List<Job> jobs = List.copyOf(pending);
        pending.clear();
        CelEnv.Compiled[] results = new CelEnv.Compiled[jobs.size()];
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            CelAbstractSyntaxTree ast = cache.get(env.key(), jobs.get(i).expr().source());
            if (ast != null) results[i] = new CelEnv.Compiled(ast, List.of());
            else fresh.add(i);
        }
        expressions += jobs.size();
        precompiled += jobs.size() - fresh.size();
        if (!fresh.isEmpty()) {
            List<CelEnv.Compiled> compiled = env.compileAll(fresh.stream().map(i -> jobs.get(i).expr().source()).toList());
            for (int k = 0; k < fresh.size(); k++) {
                CelEnv.Compiled c = compiled.get(k);
                results[fresh.get(k)] = c;
                if (recorder != null && c.problems().isEmpty()) recorder.compiled(env.key(), jobs.get(fresh.get(k)).expr().source(), c.ast());
            }
        }
        boolean ok = true;
        for (int i = 0; i < jobs.size(); i++) {
            Job j = jobs.get(i);
            CelEnv.Compiled c = results[i];
            if (!c.problems().isEmpty()) {
                for (CelEnv.Problem p : c.problems()) {
                    int l = j.line() + p.line() - 1;
                    int cc = p.line() == 1 ? j.col() + p.column() : p.column();
                    j.doc().issues.add(new RuleIssue(j.doc().posInScalar(j.node(), l, cc), p.message()));
                }
                ok = false;
                continue;
            }
            if (!check(j, c.ast())) {
                ok = false;
                continue;
            }
            j.expr().bind(c.ast(), env.program(c.ast()));
        }
        return ok;
    }

    private boolean check(Job j, CelAbstractSyntaxTree ast) {
        SourcePos pos = j.expr().pos();
        String source = j.expr().source();
        if (j.expected() != null) {
            CelType got = ast.getResultType();
            if (!got.equals(j.expected()) && got.kind() != CelKind.DYN) {
                j.doc().issues.add(new RuleIssue(pos, "this condition gives " + got.name() + ", not bool: '" + source + "'"));
                return false;
            }
        }
        boolean ok = true;
        for (var n : (Iterable<dev.cel.common.navigation.CelNavigableExpr>) CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
            CelExpr e = n.expr();
            if (e.getKind() != CelExpr.ExprKind.Kind.CALL || !e.call().function().equals("semver.satisfies")) continue;
            if (e.call().args().size() != 2) continue;
            CelExpr range = e.call().args().get(1);
            if (range.getKind() == CelExpr.ExprKind.Kind.CONSTANT && range.constant().getKind() == dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
                var problem = CelEnv.rangeProblem(range.constant().stringValue());
                if (problem.isPresent()) {
                    j.doc().issues.add(new RuleIssue(pos, "invalid semver range '" + range.constant().stringValue() + "': " + problem.get()));
                    ok = false;
                }
            }
        }
        return ok;
    }
}
