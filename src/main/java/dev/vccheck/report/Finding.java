package dev.vccheck.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.vccheck.rules.Status;

import java.util.List;
import java.util.Map;

/**
 * One reported result of one rule: a rule reports one finding per matching non-pass outcome, else one pass/skip/error.
 * {@code blocked_by} names the target (postgres, kubernetes) that could not be read when that is why the rule ended
 * in error; the human formats list such findings once, with the target (JSON and JUnit keep one finding per rule).
 */
@JsonPropertyOrder({"id", "title", "status", "severity", "message", "evidence", "remediation", "references", "tags", "source", "waived", "duration_ms"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(
        String id,
        String title,
        Status status,
        Status severity,
        String message,
        Map<String, Object> evidence,
        List<Step> remediation,
        List<String> references,
        List<String> tags,
        String source,
        Waived waived,
        long duration_ms,
        @JsonIgnore String blocked_by) {

    /** Not blocked: the rule was evaluated, or ended in error for a reason of its own. */
    public Finding(String id, String title, Status status, Status severity, String message, Map<String, Object> evidence,
                   List<Step> remediation, List<String> references, List<String> tags, String source, Waived waived, long duration_ms) {
        this(id, title, status, severity, message, evidence, remediation, references, tags, source, waived, duration_ms, null);
    }

    /** A remediation block, rendered: kind is sql, kubectl, shell, yaml or text. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String kind, String title, String text) {
    }

    /** Present when a waiver covers this finding: it is shown, but does not count for the gate. */
    public record Waived(String reason, String expires) {
    }

    public Finding withWaiver(Waived w) {
        return new Finding(id, title, status, severity, message, evidence, remediation, references, tags, source, w, duration_ms, blocked_by);
    }

    /** Ended in error because this target (postgres, kubernetes) could not be read. */
    public Finding blockedBy(String target) {
        return new Finding(id, title, status, severity, message, evidence, remediation, references, tags, source, waived, duration_ms, target);
    }

    /** Counts for the gate and the summary: not waived. */
    public boolean counts() {
        return waived == null;
    }
}
