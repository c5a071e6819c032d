package dev.vccheck.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/** An ordered runbook for one migration path: blockers from the scan first, then the steps, done ones marked. */
public record Plan(Path path, MigrationState state, int dimension, String database, String where, List<String> blockers, List<Step> steps,
                   @JsonIgnore Sql sql) {
    /**
     * The SQL of the manual path's steps 1 and 3 as rules/postgres/00-state.yaml derives it (derived.step1_sql,
     * derived.step3_sql.vchord), the same text pg.migration.state's remediation shows; the Markdown plan and the
     * guarded script both print it. An unknown dimension stays the placeholder DIMENSION (derived.step3_dimension).
     */
    public record Sql(String step1, String step3) {
    }

    /** The runbooks vccheck writes: the detected {@link MigrationPath}s with VectorChord at the end, and cnpg. */
    public enum Path {
        /** Both extensions on the server, Immich converts at start. */
        DUAL("dual"),
        /** The real[] round trip. */
        MANUAL("manual"),
        /** From pgvector. */
        PGVECTOR("pgvector"),
        /** TrueCharts with CloudNativePG: the real[] round trip around the chart's switch to VectorChord. */
        CNPG("cnpg");

        private final String value;

        Path(String value) {
            this.value = value;
        }

        @JsonValue
        public String value() {
            return value;
        }

        /** The path named on the command line; IllegalArgumentException for a name that is not one. */
        public static Path of(String value) {
            for (Path p : values()) if (p.value.equals(value)) return p;
            throw new IllegalArgumentException("no plan path " + value);
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** One step: done (with the evidence) or to do, with its blocks (sql, kubectl, shell, yaml, text). */
    public record Step(String title, boolean done, String evidence, List<Block> blocks) {
    }

    public record Block(String kind, String text) {
    }
}
