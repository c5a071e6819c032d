package dev.vccheck.rules;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rule file as {@link RuleParser} read it: every value with its position, nothing compiled yet. {@link RuleCompiler}
 * turns parsed packs into the rules the analyzer runs. Parts that had problems are null or missing; the problems
 * themselves were reported while parsing.
 */
record ParsedPack(RuleLoader.Source source, String name, String description, String version,
                  List<ParsedDerive> derives, List<ParsedRule> rules) {
    ParsedPack {
        derives = List.copyOf(derives);
        rules = List.copyOf(rules);
    }

    /** Where (line, column) of an expression's own text is in its file (line 1-based, column 0-based). */
    interface Place {
        SourcePos at(int line, int column);
    }

    /** A CEL expression's text, where it starts, and how to place a problem inside it; {@code condition}: must be a bool. */
    record ParsedExpr(String source, SourcePos pos, Place place, boolean condition) {
    }

    /** A {@code {{ }}} template: literal parts and expressions, in order ({@code complete} false: it had a problem). */
    record ParsedTemplate(String text, List<Part> parts, boolean complete) {
        ParsedTemplate {
            parts = List.copyOf(parts);
        }

        record Part(String literal, ParsedExpr expr) {
        }
    }

    /** A {@code derive} entry; {@code values}: the strings it may give, when declared (else null). */
    record ParsedDerive(String name, String description, ParsedExpr expr, List<String> values,
                        SourcePos namePos, SourcePos valuesPos, SourcePos pos) {
    }

    /**
     * A rule. {@code rawId} is the id as written, kept even when the rule has problems ({@code valid} false) so that
     * duplicates are reported at once with everything else.
     */
    record ParsedRule(String rawId, SourcePos pos, boolean valid, String id, String title, String description,
                      Rule.Source source, List<String> phases, List<String> tags, Status severity,
                      ParsedExpr when, ParsedTemplate whenNot, List<String> needs, List<ParsedExpr> needChecks,
                      Rule.Collect collect, Map<String, ParsedExpr> evidence, List<ParsedOutcome> outcomes,
                      List<String> references) {
        ParsedRule {
            phases = List.copyOf(phases);
            tags = List.copyOf(tags);
            needs = List.copyOf(needs);
            needChecks = List.copyOf(needChecks);
            evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence)); // in the file's order
            outcomes = List.copyOf(outcomes);
            references = List.copyOf(references);
        }
    }

    /** An outcome; {@code condition} or {@code message} is null after a problem. */
    record ParsedOutcome(Status status, ParsedExpr condition, ParsedTemplate message,
                         List<ParsedRemediation> remediation, SourcePos pos) {
        ParsedOutcome {
            remediation = List.copyOf(remediation);
        }
    }

    /** A remediation; {@code kind} or {@code text} is null after a problem. */
    record ParsedRemediation(Remediation.Kind kind, ParsedTemplate title, ParsedTemplate text, ParsedExpr when) {
    }
}
