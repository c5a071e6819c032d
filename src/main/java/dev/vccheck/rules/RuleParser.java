package dev.vccheck.rules;

import dev.vccheck.rules.ParsedPack.ParsedDerive;
import dev.vccheck.rules.ParsedPack.ParsedExpr;
import dev.vccheck.rules.ParsedPack.ParsedOutcome;
import dev.vccheck.rules.ParsedPack.ParsedRemediation;
import dev.vccheck.rules.ParsedPack.ParsedRule;
import dev.vccheck.rules.ParsedPack.ParsedTemplate;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one rule file strictly into a {@link ParsedPack}: unknown keys, wrong types, missing fields and malformed
 * templates are reported with their {@code file:line:column}, every one of them; CEL is not compiled here. One
 * method per kind of node.
 */
final class RuleParser {
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*");
    static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final Pattern FACT_PATH = Pattern.compile("[a-z_][a-z0-9_]*(\\.[a-z0-9_-]+)*");
    private static final Set<String> PACK_KEYS = Set.of("apiVersion", "kind", "metadata", "derive", "rules");
    private static final Set<String> META_KEYS = Set.of("name", "description", "version");
    private static final Set<String> DERIVE_KEYS = Set.of("name", "description", "expr", "values");
    private static final Set<String> RULE_KEYS = Set.of("id", "title", "description", "source", "phases", "tags",
            "severity", "when", "when_not", "needs", "collect", "evidence", "outcomes", "references");
    private static final Set<String> OUTCOME_KEYS = Set.of("pass", "warn", "fail", "error", "skip", "message", "remediation");
    private static final List<String> STATUSES = List.of("pass", "warn", "fail", "error", "skip");
    private static final Set<String> REMEDIATION_KEYS = Set.of("kind", "title", "text", "when");
    private static final Set<String> COLLECT_KEYS = Set.of("sql", "apiVersion", "kind", "labelSelector");

    private final RuleLoader.Source source;
    private final YamlDoc doc;

    private RuleParser(RuleLoader.Source source, List<RuleIssue> issues) {
        this.source = source;
        this.doc = new YamlDoc(source.name(), source.text(), issues);
    }

    /** The parsed file, or null when it is not YAML at all; problems are added to {@code issues}. */
    static ParsedPack parse(RuleLoader.Source source, List<RuleIssue> issues) {
        return new RuleParser(source, issues).pack();
    }

    private ParsedPack pack() {
        Node root = doc.parse(source.text());
        if (root == null) return null;
        Map<String, NodeTuple> top = doc.mapping(root, "the rule pack", PACK_KEYS);
        expect(top, root, "apiVersion", "vccheck/v1");
        expect(top, root, "kind", "RulePack");
        List<ParsedDerive> derives = derives(top.get("derive"));
        String name = source.name(), description = null, version = "0";
        NodeTuple meta = top.get("metadata");
        if (meta == null) {
            doc.error(root, "the rule pack is missing required key 'metadata'");
        } else {
            Map<String, NodeTuple> mm = doc.mapping(meta.getValueNode(), "metadata", META_KEYS);
            String n = doc.string(mm, "name", "metadata", true, meta.getValueNode());
            if (n != null) name = n;
            description = doc.string(mm, "description", "metadata", false, null);
            String v = doc.string(mm, "version", "metadata", false, null);
            if (v != null) version = v;
        }
        return new ParsedPack(source, name, description, version, derives, rules(top.get("rules"), root));
    }

    private void expect(Map<String, NodeTuple> top, Node root, String key, String wanted) {
        String got = doc.string(top, key, "the rule pack", true, root);
        if (got != null && !got.equals(wanted)) doc.error(top.get(key).getValueNode(), key + " must be '" + wanted + "', not '" + got + "'");
    }

    private List<ParsedDerive> derives(NodeTuple d) {
        List<ParsedDerive> out = new ArrayList<>();
        if (d == null) return out;
        for (Node item : doc.list(d.getValueNode(), "derive")) {
            ParsedDerive pd = derive(item);
            if (pd != null) out.add(pd);
        }
        return out;
    }

    private ParsedDerive derive(Node item) {
        Map<String, NodeTuple> m = doc.mapping(item, "a derive entry", DERIVE_KEYS);
        String name = doc.string(m, "name", "a derive entry", true, item);
        String expr = doc.string(m, "expr", "a derive entry", true, item);
        List<String> values = doc.stringList(m, "values", "derive " + name);
        if (name == null || expr == null) return null;
        Node nameNode = m.get("name").getValueNode();
        if (!NAME.matcher(name).matches()) {
            doc.error(nameNode, "derive name '" + name + "' must match " + NAME.pattern());
            return null;
        }
        String description = doc.string(m, "description", "a derive entry", false, item);
        NodeTuple vt = m.get("values");
        return new ParsedDerive(name, description, expression((ScalarNode) m.get("expr").getValueNode(), expr, false),
                values == null ? null : List.copyOf(values), doc.pos(nameNode), vt == null ? null : doc.pos(vt.getValueNode()), doc.pos(item));
    }

    private List<ParsedRule> rules(NodeTuple rt, Node root) {
        List<ParsedRule> out = new ArrayList<>();
        if (rt == null) {
            doc.error(root, "the rule pack is missing required key 'rules'");
            return out;
        }
        for (Node rn : doc.list(rt.getValueNode(), "rules")) out.add(rule(rn));
        return out;
    }

    private ParsedRule rule(Node rn) {
        int before = doc.issues.size();
        Map<String, NodeTuple> m = doc.mapping(rn, "a rule", RULE_KEYS);
        String id = doc.string(m, "id", "a rule", true, rn);
        String what = id == null ? "the rule" : "rule " + id;
        if (id != null && !ID.matcher(id).matches()) {
            doc.error(m.get("id").getValueNode(), "rule id '" + id + "' must be lower-case words separated by dots, e.g. pg.vchord.preload");
        }
        String title = doc.string(m, "title", what, true, rn);
        String description = doc.string(m, "description", what, false, rn);
        Rule.Source src = ruleSource(m, what, rn);
        List<String> phases = phases(m, what);
        List<String> tags = doc.stringList(m, "tags", what);
        Status severity = severity(m, what, rn);
        ParsedExpr when = condition(m.get("when"));
        // The sentence a skipped rule's finding shows instead of its raw condition (a template, like a message).
        NodeTuple wn = m.get("when_not");
        ParsedTemplate whenNot = wn == null ? null : template(wn.getValueNode(), "when_not");
        if (wn != null && when == null) doc.error(wn.getKeyNode(), what + " has when_not but no when");
        List<String> needs = doc.stringList(m, "needs", what);
        List<ParsedExpr> needChecks = needs(m, needs);
        Rule.Collect collect = collect(m.get("collect"), src);
        Map<String, ParsedExpr> evidence = evidence(m.get("evidence"));
        List<ParsedOutcome> outcomes = outcomes(m.get("outcomes"), rn, what, severity, title);
        List<String> refs = doc.stringList(m, "references", what);
        return new ParsedRule(idOf(rn), doc.pos(rn), doc.issues.size() == before, id, title, description, src,
                phases == null ? RuleLoader.PHASES : List.copyOf(phases), tags == null ? List.of() : tags, severity, when, whenNot,
                needs == null ? List.of() : needs, needChecks, collect, evidence, outcomes, refs == null ? List.of() : refs);
    }

    /** The id as written, even in a rule with other problems (duplicates are reported at once with everything else). */
    private static String idOf(Node rn) {
        if (rn instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("id") && t.getValueNode() instanceof ScalarNode v) {
                    return v.getValue();
                }
            }
        }
        return null;
    }

    private Rule.Source ruleSource(Map<String, NodeTuple> m, String what, Node rn) {
        String src = doc.string(m, "source", what, true, rn);
        if (src == null) return null;
        try {
            return Rule.Source.valueOf(src);
        } catch (IllegalArgumentException e) {
            doc.error(m.get("source").getValueNode(), "source must be one of postgres, kubernetes, any, logs; not '" + src + "'");
            return null;
        }
    }

    private List<String> phases(Map<String, NodeTuple> m, String what) {
        List<String> phases = doc.stringList(m, "phases", what);
        if (phases == null) return null;
        for (String ph : phases) {
            if (!RuleLoader.PHASES.contains(ph)) doc.error(m.get("phases").getValueNode(), "unknown phase '" + ph + "' (phases are pre, post, health)");
        }
        return phases;
    }

    private Status severity(Map<String, NodeTuple> m, String what, Node rn) {
        String sev = doc.string(m, "severity", what, false, rn);
        if (sev == null) return Status.FAIL;
        if (sev.equals("fail") || sev.equals("warn")) return Status.parse(sev);
        doc.error(m.get("severity").getValueNode(), "severity must be fail or warn, not '" + sev + "'");
        return Status.FAIL;
    }

    /** Fact paths a rule needs; those CEL can name (no '-') are compiled to prove they exist. */
    private List<ParsedExpr> needs(Map<String, NodeTuple> m, List<String> needs) {
        List<ParsedExpr> out = new ArrayList<>();
        if (needs == null) return out;
        for (int i = 0; i < needs.size(); i++) {
            String path = needs.get(i);
            Node node = ((SequenceNode) m.get("needs").getValueNode()).getValue().get(i);
            if (!FACT_PATH.matcher(path).matches()) {
                doc.error(node, "needs entries are fact paths such as pg.sessions, not '" + path + "'");
            } else if (!path.contains("-")) {
                out.add(expression((ScalarNode) node, path, false));
            }
        }
        return out;
    }

    private Rule.Collect collect(NodeTuple t, Rule.Source source) {
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

    private Map<String, ParsedExpr> evidence(NodeTuple ev) {
        Map<String, ParsedExpr> out = new LinkedHashMap<>();
        if (ev == null) return out;
        for (Map.Entry<String, NodeTuple> e : doc.mapping(ev.getValueNode(), "evidence", null).entrySet()) {
            Node v = e.getValue().getValueNode();
            String text = doc.scalarString(v, "evidence." + e.getKey());
            if (text != null) out.put(e.getKey(), expression((ScalarNode) v, text, false));
        }
        return out;
    }

    private List<ParsedOutcome> outcomes(NodeTuple ot, Node rn, String what, Status severity, String title) {
        List<ParsedOutcome> out = new ArrayList<>();
        if (ot == null) {
            doc.error(rn, what + " is missing required key 'outcomes'");
            return out;
        }
        List<Node> items = doc.list(ot.getValueNode(), "outcomes");
        if (items.isEmpty() && ot.getValueNode() instanceof SequenceNode) doc.error(ot.getValueNode(), "outcomes must not be empty");
        for (Node on : items) {
            ParsedOutcome o = outcome(on, severity, title);
            if (o != null) out.add(o);
        }
        return out;
    }

    private ParsedOutcome outcome(Node on, Status severity, String title) {
        Map<String, NodeTuple> m = doc.mapping(on, "an outcome", OUTCOME_KEYS);
        NodeTuple cond = null;
        for (Map.Entry<String, NodeTuple> e : m.entrySet()) {
            if (!STATUSES.contains(e.getKey())) continue;
            if (cond != null) {
                doc.error(e.getValue().getKeyNode(), "an outcome has exactly one of pass, warn, fail, error, skip; this one has two");
                return null;
            }
            cond = e.getValue();
        }
        if (cond == null) {
            doc.error(on, "an outcome needs one of pass, warn, fail, error, skip with a CEL condition");
            return null;
        }
        String key = ((ScalarNode) cond.getKeyNode()).getValue();
        Status status = key.equals("fail") ? severity : Status.parse(key);
        ParsedExpr condition = condition(cond);
        ParsedTemplate message;
        NodeTuple mt = m.get("message");
        if (mt == null) {
            if (status != Status.PASS) doc.error(on, "a " + status.id() + " outcome needs a message");
            String t = title == null ? "" : title;
            message = new ParsedTemplate(t, List.of(new ParsedTemplate.Part(t, null)), true);
        } else {
            message = template(mt.getValueNode(), "message");
        }
        List<ParsedRemediation> remediation = new ArrayList<>();
        NodeTuple rt = m.get("remediation");
        if (rt != null) for (Node rn : doc.list(rt.getValueNode(), "remediation")) remediation.add(remediation(rn));
        return new ParsedOutcome(status, condition, message, remediation, doc.pos(on));
    }

    private ParsedRemediation remediation(Node rn) {
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
        ParsedTemplate text = tt == null ? null : template(tt.getValueNode(), "remediation text");
        NodeTuple titleNode = r.get("title");
        ParsedTemplate title = titleNode == null ? null : template(titleNode.getValueNode(), "remediation title");
        return new ParsedRemediation(kind, title, text, condition(r.get("when")));
    }

    /** A bool condition; YAML booleans (pass: true) are accepted as constant conditions. */
    private ParsedExpr condition(NodeTuple t) {
        if (t == null) return null;
        Node v = t.getValueNode();
        if (!(v instanceof ScalarNode s) || Tag.NULL.equals(v.getTag())) {
            doc.error(v, "a condition must be a CEL expression string, not " + YamlDoc.kind(v));
            return null;
        }
        return expression(s, s.getValue(), true);
    }

    /** A template's literal text and {@code {{ expr }}} parts; null when the value is not a string. */
    private ParsedTemplate template(Node v, String what) {
        if (!(v instanceof ScalarNode s) || Tag.NULL.equals(v.getTag())) {
            doc.error(v, what + " must be a string, not " + YamlDoc.kind(v));
            return null;
        }
        String text = s.getValue();
        List<ParsedTemplate.Part> parts = new ArrayList<>();
        int i = 0;
        boolean ok = true;
        while (i < text.length()) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                parts.add(new ParsedTemplate.Part(text.substring(i), null));
                break;
            }
            if (open > i) parts.add(new ParsedTemplate.Part(text.substring(i, open), null));
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                templateError(s, text, open, "'{{' without a closing '}}' in " + what);
                ok = false;
                break;
            }
            ok &= templatePart(s, text, open, close, what, parts);
            i = close + 2;
        }
        return new ParsedTemplate(text, parts, ok);
    }

    /** The expression between {@code {{} at {@code open} and {@code }}} at {@code close}; false when it is empty. */
    private boolean templatePart(ScalarNode s, String text, int open, int close, String what, List<ParsedTemplate.Part> parts) {
        String inner = text.substring(open + 2, close);
        int lead = inner.length() - inner.stripLeading().length();
        String expr = inner.strip();
        if (expr.isEmpty()) {
            templateError(s, text, open + 2 + lead, "empty '{{ }}' in " + what);
            return false;
        }
        TextPositions.LineCol at = TextPositions.lineCol(text, open + 2 + lead);
        parts.add(new ParsedTemplate.Part(null, expressionAt(s, expr, false, at.line(), at.column())));
        return true;
    }

    private void templateError(ScalarNode s, String text, int offset, String message) {
        TextPositions.LineCol at = TextPositions.lineCol(text, offset);
        doc.issues.add(new RuleIssue(doc.posInScalar(s, at.line(), at.column()), message));
    }

    private ParsedExpr expression(ScalarNode node, String text, boolean condition) {
        return expressionAt(node, text, condition, 1, 0);
    }

    /** {@code text}, which starts at (line, col) of the scalar's value: its problems are placed relative to there. */
    private ParsedExpr expressionAt(ScalarNode node, String text, boolean condition, int line, int col) {
        YamlDoc d = doc;
        ParsedPack.Place place = (l, c) -> d.posInScalar(node, line + l - 1, l == 1 ? col + c : c);
        return new ParsedExpr(text, place.at(1, 0), place, condition);
    }
}
