package dev.vccheck.rules;

import java.util.List;
import java.util.Map;

/**
 * A compiled rule. {@code source} says which collector's facts it needs; {@code when} decides applicability
 * (false gives {@code skip}, explained by {@code whenNot}, a sentence for users, when the rule has one); outcomes are evaluated in order and every matching non-pass outcome is reported.
 */
public record Rule(
        String id,
        String title,
        String description,
        Source source,
        List<String> phases,
        List<String> tags,
        Status severity,
        Expr when,
        Template whenNot,
        List<String> needs,
        Collect collect,
        Map<String, Expr> evidence,
        List<Outcome> outcomes,
        List<String> references,
        String pack,
        SourcePos pos) {

    public enum Source {
        postgres, kubernetes, any
    }

    /** A rule's own read-only query: SQL for postgres, a list call for kubernetes. Results reach CEL as {@code rows} / {@code items}. */
    public record Collect(String sql, String apiVersion, String kind, String labelSelector) {
    }
}
