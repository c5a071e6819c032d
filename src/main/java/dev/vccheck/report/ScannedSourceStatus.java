package dev.vccheck.report;

import dev.vccheck.facts.CollectionStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One scanned target as the reports show it: how its collection ended and, when it could not be read, why, the next
 * step, and the findings that could not be evaluated because of it ({@link Finding#blocked_by()}). Computed from the
 * report's data, so that every human format groups the same way and no renderer decides anything.
 */
public record ScannedSourceStatus(String name, CollectionStatus status, String label, String message, String cause, NextStep next_step,
                                  List<Finding> blocked) {

    /** Could not be read: the reports show it once, at the top, with the checks that needed it. */
    public boolean unreachable() {
        return status == CollectionStatus.ERROR;
    }

    /** What the blocked checks needed, in words: "the database", "the Kubernetes cluster". */
    public String what() {
        return switch (name) {
            case "postgres" -> "the database";
            case "kubernetes" -> "the Kubernetes cluster";
            default -> name;
        };
    }

    /** "18 checks need the database: pg.version, pg.vector.available, …" */
    public String blockedLine() {
        return blocked.size() + (blocked.size() == 1 ? " check needs " : " checks need ") + what() + ": "
                + String.join(", ", blocked.stream().map(Finding::id).toList());
    }

    /** The report's targets in its order, each with the counted findings it blocked. */
    public static List<ScannedSourceStatus> of(Report r) {
        List<ScannedSourceStatus> out = new ArrayList<>();
        for (Map.Entry<String, ScannedSource> t : r.target().entrySet()) {
            ScannedSource src = t.getValue();
            List<Finding> blocked = r.findings().stream().filter(f -> f.counts() && t.getKey().equals(f.blocked_by())).toList();
            out.add(new ScannedSourceStatus(t.getKey(), src.status(), src.label(), src.message(), src.cause(),
                    r.next_steps() == null ? null : r.next_steps().get(t.getKey()), blocked));
        }
        return out;
    }
}
