package dev.vccheck.rules;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A waivers file: accepted findings, each with a reason and an expiry date. A waived finding is still reported, but
 * does not count for the gate; an expired waiver waives nothing and is itself reported as a warning.
 * <pre>
 * waivers:
 *   - rule: pg.sessions            # rule id, or a glob such as pg.*
 *     target: "postgresql://*@db:5432/immich"   # optional glob over the scanned targets' labels
 *     reason: Immich is stopped by the maintenance window script
 *     expires: 2026-12-31
 * </pre>
 */
public final class Waivers {
    private static final Set<String> TOP = Set.of("waivers");
    private static final Set<String> KEYS = Set.of("rule", "target", "reason", "expires");

    public record Waiver(String rule, String target, String reason, LocalDate expires, SourcePos pos) {
        public boolean matchesRule(String id) {
            return glob(rule).matcher(id).matches();
        }

        public boolean matchesTarget(List<String> labels) {
            if (target == null) return true;
            Pattern p = glob(target);
            return labels.stream().anyMatch(l -> p.matcher(l).matches());
        }
    }

    private Waivers() {
    }

    public static List<Waiver> parse(String file, String text) throws RuleLoadException {
        List<RuleIssue> issues = new ArrayList<>();
        YamlDoc doc = new YamlDoc(file, text, issues);
        Node root = doc.parse(text);
        List<Waiver> out = new ArrayList<>();
        if (root != null) {
            Map<String, NodeTuple> top = doc.mapping(root, "the waivers file", TOP);
            NodeTuple w = top.get("waivers");
            if (w == null) doc.error(root, "the waivers file is missing required key 'waivers'");
            else for (Node n : doc.list(w.getValueNode(), "waivers")) {
                Map<String, NodeTuple> m = doc.mapping(n, "a waiver", KEYS);
                String rule = doc.string(m, "rule", "a waiver", true, n);
                String target = doc.string(m, "target", "a waiver", false, n);
                String reason = doc.string(m, "reason", "a waiver", true, n);
                String expires = doc.string(m, "expires", "a waiver", true, n);
                if (reason != null && reason.isBlank()) doc.error(m.get("reason").getValueNode(), "a waiver's reason must not be empty");
                LocalDate date = null;
                if (expires != null) {
                    try {
                        date = LocalDate.parse(expires);
                    } catch (DateTimeParseException e) {
                        doc.error(m.get("expires").getValueNode(), "expires must be a date (YYYY-MM-DD), not '" + expires + "'");
                    }
                }
                if (rule != null && reason != null && date != null) out.add(new Waiver(rule, target, reason, date, doc.pos(n)));
            }
        }
        if (!issues.isEmpty()) throw new RuleLoadException(issues);
        return out;
    }

    static Pattern glob(String g) {
        StringBuilder sb = new StringBuilder();
        for (char c : g.toCharArray()) {
            if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString());
    }
}
