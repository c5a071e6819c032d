package dev.vccheck.plan;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The migration path the analysis detects: the values of {@code derived.migration_path} in
 * rules/postgres/00-state.yaml (MigrationStateTest fails when the two differ). The plan's own paths add cnpg
 * ({@link Plan.Path}).
 */
public enum MigrationPath {
    /** Both extensions on the server: Immich converts the columns at its start. */
    DUAL("dual"),
    /** The real[] round trip. */
    MANUAL("manual"),
    /** From pgvector: VectorChord on top. */
    PGVECTOR("pgvector"),
    /** Nothing to migrate, or a target release without VectorChord. */
    NONE("none");

    private final String value;

    MigrationPath(String value) {
        this.value = value;
    }

    @JsonValue
    public String value() {
        return value;
    }

    /** The path of a derived value; NONE for null (the database was not read). */
    public static MigrationPath of(Object derived) {
        for (MigrationPath p : values()) if (p.value.equals(derived)) return p;
        return NONE;
    }

    @Override
    public String toString() {
        return value;
    }
}
