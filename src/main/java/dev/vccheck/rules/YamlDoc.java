package dev.vccheck.rules;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A YAML file read as SnakeYAML nodes, so that every value keeps its line and column; plus the strict-schema helpers
 * the loaders use (unknown keys, duplicate keys, wrong types). Problems are collected, never thrown one at a time.
 * Parsing is bounded: aliases, nesting depth and size are limited so that a hostile file cannot exhaust memory.
 */
final class YamlDoc {
    final String file;
    private final String[] lines;
    final List<RuleIssue> issues;

    YamlDoc(String file, String text, List<RuleIssue> issues) {
        this.file = file;
        this.lines = text.split("\n", -1);
        this.issues = issues;
    }

    static LoaderOptions options() {
        LoaderOptions o = new LoaderOptions();
        o.setMaxAliasesForCollections(20);
        o.setNestingDepthLimit(64);
        o.setCodePointLimit(2 * 1024 * 1024);
        o.setAllowRecursiveKeys(false);
        o.setAllowDuplicateKeys(false);
        return o;
    }

    /** The single document of the file, or null (with an issue) when it cannot be read. */
    Node parse(String text) {
        try {
            Iterator<Node> docs = new Yaml(options()).composeAll(new StringReader(text)).iterator();
            if (!docs.hasNext()) {
                issues.add(new RuleIssue(new SourcePos(file, 1, 1), "the file is empty"));
                return null;
            }
            Node first = docs.next();
            if (docs.hasNext()) {
                Node second = docs.next();
                error(second, "one YAML document per file, found another one here");
            }
            return first;
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            issues.add(new RuleIssue(m == null ? SourcePos.of(file) : new SourcePos(file, m.getLine() + 1, m.getColumn() + 1),
                    "YAML syntax: " + what.trim()));
        } catch (YAMLException e) {
            issues.add(new RuleIssue(new SourcePos(file, 1, 1), "YAML: " + e.getMessage()));
        } catch (StackOverflowError e) {
            issues.add(new RuleIssue(new SourcePos(file, 1, 1), "YAML: the document is nested too deeply"));
        }
        return null;
    }

    SourcePos pos(Node n) {
        Mark m = n.getStartMark();
        return m == null ? SourcePos.of(file) : new SourcePos(file, m.getLine() + 1, m.getColumn() + 1);
    }

    void error(Node n, String message) {
        issues.add(new RuleIssue(pos(n), message));
    }

    /**
     * Where character {@code col} (0-based) of line {@code line} (1-based) of a scalar's value is in the file.
     * Exact for plain and quoted one-line scalars and for block scalars; close enough for folded multi-line ones.
     */
    SourcePos posInScalar(ScalarNode n, int line, int col) {
        Mark m = n.getStartMark();
        DumperOptions.ScalarStyle style = n.getScalarStyle();
        if (style == DumperOptions.ScalarStyle.LITERAL || style == DumperOptions.ScalarStyle.FOLDED) {
            int first = m.getLine() + 1;
            while (first < lines.length && lines[first].isBlank()) first++;
            int indent = first < lines.length ? lines[first].length() - lines[first].stripLeading().length() : 0;
            return new SourcePos(file, first + line, indent + col + 1);
        }
        int quote = style == DumperOptions.ScalarStyle.PLAIN ? 0 : 1;
        if (line == 1) return new SourcePos(file, m.getLine() + 1, m.getColumn() + 1 + quote + col);
        return new SourcePos(file, m.getLine() + line, col + 1);
    }

    // ---- strict schema helpers ----

    /** Entries of a mapping by key; reports non-scalar keys, duplicates and keys outside {@code allowed}. */
    Map<String, NodeTuple> mapping(Node n, String what, Set<String> allowed) {
        Map<String, NodeTuple> out = new LinkedHashMap<>();
        if (!(n instanceof MappingNode m)) {
            error(n, what + " must be a mapping, not " + kind(n));
            return out;
        }
        for (NodeTuple t : m.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                error(t.getKeyNode(), "keys of " + what + " must be plain names");
                continue;
            }
            String key = k.getValue();
            if (out.containsKey(key)) {
                error(k, "duplicate key '" + key + "' in " + what + " (first at line " + pos(out.get(key).getKeyNode()).line() + ")");
                continue;
            }
            if (allowed != null && !allowed.contains(key)) {
                error(k, "unknown key '" + key + "' in " + what + " (allowed: " + String.join(", ", new TreeSet<>(allowed)) + ")");
                continue;
            }
            out.put(key, t);
        }
        return out;
    }

    /** A required or optional string; null when absent or wrong (with an issue). */
    String string(Map<String, NodeTuple> m, String key, String what, boolean required, Node parent) {
        NodeTuple t = m.get(key);
        if (t == null) {
            if (required) error(parent, what + " is missing required key '" + key + "'");
            return null;
        }
        return scalarString(t.getValueNode(), what + "." + key);
    }

    String scalarString(Node v, String what) {
        if (v instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) return s.getValue();
        error(v, what + " must be a string, not " + kind(v));
        return null;
    }

    List<String> stringList(Map<String, NodeTuple> m, String key, String what) {
        NodeTuple t = m.get(key);
        if (t == null) return null;
        List<String> out = new ArrayList<>();
        for (Node item : list(t.getValueNode(), what + "." + key)) {
            String s = scalarString(item, what + "." + key + " item");
            if (s != null) out.add(s);
        }
        return out;
    }

    List<Node> list(Node n, String what) {
        if (n instanceof SequenceNode s) return s.getValue();
        error(n, what + " must be a list, not " + kind(n));
        return List.of();
    }

    static String kind(Node n) {
        if (n instanceof MappingNode) return "a mapping";
        if (n instanceof SequenceNode) return "a list";
        if (n instanceof ScalarNode s) {
            if (Tag.NULL.equals(s.getTag())) return "empty";
            if (Tag.BOOL.equals(s.getTag())) return "a boolean";
            if (Tag.INT.equals(s.getTag()) || Tag.FLOAT.equals(s.getTag())) return "a number";
            return "a string";
        }
        return "an unknown node";
    }
}
