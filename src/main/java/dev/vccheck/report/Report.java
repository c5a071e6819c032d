package dev.vccheck.report;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;
import java.util.Map;

/** Everything a renderer needs; every format renders the same findings. Renderers never decide a status. */
@JsonPropertyOrder({"schema", "tool", "generated_at", "target", "redaction", "immich_version", "migration", "summary", "findings"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Report(
        String schema,
        Tool tool,
        String generated_at,
        Map<String, ScannedSource> target,
        Map<String, Object> redaction,
        ImmichVersion immich_version,
        Migration migration,
        Summary summary,
        List<Finding> findings,
        @JsonIgnore Map<String, NextStep> next_steps,
        @JsonIgnore Map<String, Object> derived) {

    public Report(String schema, Tool tool, String generated_at, Map<String, ScannedSource> target, Map<String, Object> redaction,
                  ImmichVersion immich_version, Migration migration, Summary summary, List<Finding> findings) {
        this(schema, tool, generated_at, target, redaction, immich_version, migration, summary, findings, Map.of(), Map.of());
    }

    /** With the next step per target (postgres, kubernetes) that could not be read; the command line decides them. */
    public Report withNextSteps(Map<String, NextStep> steps) {
        return new Report(schema, tool, generated_at, target, redaction, immich_version, migration, summary, findings, Map.copyOf(steps), derived);
    }

    /**
     * With the values the rule packs derived ({@code derived.<name>}: state, path, the psql command, Immich's
     * Deployments, the runbook's SQL), as CEL produced them. Not part of the report's JSON: the planner reads them so
     * that it says what the rules say instead of working it out again.
     */
    public Report withDerived(Map<String, Object> values) {
        return new Report(schema, tool, generated_at, target, redaction, immich_version, migration, summary, findings, next_steps,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values)));
    }

    /** Every target, and for one that could not be read: why, the next step and the checks that needed it. */
    public List<ScannedSourceStatus> targetStatuses() {
        return ScannedSourceStatus.of(this);
    }

    /** The findings not listed with an unreachable target (those are shown once, with their target). */
    public List<Finding> unblockedFindings() {
        List<ScannedSourceStatus> ts = targetStatuses();
        return findings.stream().filter(f -> ts.stream().noneMatch(t -> t.blocked().contains(f))).toList();
    }

    public static final String SCHEMA_ID = "vccheck.report/v1";

    public record Tool(String name, String version) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImmichVersion(String value, String source, String release, String note) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Migration(String state, String path, String phase) {
    }
}
