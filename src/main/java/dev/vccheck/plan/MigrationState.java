package dev.vccheck.plan;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where the database stands in the pgvecto.rs to VectorChord migration: the values of {@code derived.migration_state}
 * in rules/postgres/00-state.yaml, declared once here for the planner (MigrationStateTest fails when the two differ).
 */
public enum MigrationState {
    /** Both embedding columns are still pgvecto.rs's vectors.vector. */
    PGVECTORS("pgvectors"),
    /** Both columns are real[] (manual path, step 1 done). */
    COLUMNS_REAL("columns-real"),
    /** The columns are vector and vchord is installed, but clip_index is not vchordrq yet. */
    VCHORD_READY("vchord-ready"),
    /** vector columns, vchord installed and clip_index a vchordrq index. */
    MIGRATED("migrated"),
    /** vector columns on pgvector, no vchord. */
    PGVECTOR("pgvector"),
    /** The two tables in different states (Immich converts them in separate transactions). */
    PARTIAL("partial"),
    /** Not Immich's columns, or the facts are missing. */
    UNKNOWN("unknown");

    private final String value;

    MigrationState(String value) {
        this.value = value;
    }

    /** The value as the rules write it. */
    @JsonValue
    public String value() {
        return value;
    }

    /** The state of a derived value; UNKNOWN for null (the database was not read) or a value no rule declares. */
    public static MigrationState of(Object derived) {
        for (MigrationState s : values()) if (s.value.equals(derived)) return s;
        return UNKNOWN;
    }

    /** vchord is created (step 3 of the manual path, or the dual path's CREATE EXTENSION, is behind us). */
    public boolean vchordCreated() {
        return this == VCHORD_READY || this == MIGRATED;
    }

    @Override
    public String toString() {
        return value;
    }
}
