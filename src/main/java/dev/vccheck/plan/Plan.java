package dev.vccheck.plan;

import java.util.List;

/** An ordered runbook for one migration path: blockers from the scan first, then the steps, done ones marked. */
public record Plan(String path, String state, int dimension, String database, String where, List<String> blockers, List<Step> steps) {
    /** One step: done (with the evidence) or to do, with its blocks (sql, kubectl, shell, yaml, text). */
    public record Step(String title, boolean done, String evidence, List<Block> blocks) {
    }

    public record Block(String kind, String text) {
    }
}
