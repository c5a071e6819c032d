package dev.vccheck.plan;

import dev.vccheck.text.Quote;

/**
 * The SQL of the manual path, and the guarded script: before each step a DO block checks that the database is the
 * one planned for and in the state the step expects, and raises an exception otherwise, so running the script
 * twice, on a replica, with Immich connected or on the wrong database stops before changing anything (psql runs
 * it with ON_ERROR_STOP).
 *
 * <p>The steps' SQL is not written here: steps 1 and 3 are {@link Plan#sql()}, the text rules/postgres/00-state.yaml
 * derives (derived.step1_sql, derived.step3_sql) and pg.migration.state shows, so the runbook, the script and the
 * finding cannot drift apart. Two decisions live there: step 3 creates the extension the run ends on (the plan:
 * VectorChord, which its step 2 installs; the rule: the one Immich will select, pgvector where it picks that), and
 * an unknown dimension is the placeholder DIMENSION, never 512 (real[] keeps no dimension; Immich assumes 512 and
 * stops with "expected 512 dimensions" on other data). This script runs unattended, so with the dimension unknown
 * it stops before changing anything.
 */
public final class Scripts {
    private Scripts() {
    }

    private static String raise(String condition, String message, String... args) {
        StringBuilder a = new StringBuilder();
        for (String x : args) a.append(", ").append(x);
        return "  IF " + condition + " THEN\n    RAISE EXCEPTION " + Quote.literal("vccheck plan: " + message) + a + ";\n  END IF;\n";
    }

    /** The guarded script of the plan's path: manual and cnpg share the real[] round trip. */
    public static String script(Plan plan) {
        return switch (plan.path()) {
            case DUAL -> dual(plan);
            case PGVECTOR -> pgvector(plan);
            case MANUAL, CNPG -> manual(plan);
        };
    }

    private static String preloaded(String lib) {
        return "current_setting('shared_preload_libraries') !~ '(^|[,/\" ])" + lib + "(\\.so)?($|[,\" ])'";
    }

    /** Dual install: both extensions preloaded, vchord created; Immich converts the columns at its next start. */
    static String dual(Plan plan) {
        StringBuilder sb = header(plan);
        if (plan.state() != MigrationState.PGVECTORS) return nothing(sb, plan);
        sb.append("-- VectorChord and pgvecto.rs both on the server and preloaded; Immich converts the columns at its next start.\nDO $$\nBEGIN\n")
                .append(raise("NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vchord')", "the dual path needs VectorChord on the server (an image with both extensions)"))
                .append(raise(preloaded("vchord") + " OR " + preloaded("vectors"),
                        "the dual path needs vchord and vectors in shared_preload_libraries (it is %): ALTER SYSTEM SET ..., restart, run again", "current_setting('shared_preload_libraries')"))
                .append(raise("EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vchord')", "vchord is already created; was this script run before?"))
                .append("END $$;\nCREATE EXTENSION vchord CASCADE;\n")
                .append("\n-- Next: start Immich and wait for \"Reindexed clip_index\" and \"Reindexed face_index\"; do not restart it meanwhile.\n");
        return sb.toString();
    }

    /** From pgvector: pgvector updated to its available version, vchord created; then remove DB_VECTOR_EXTENSION. */
    static String pgvector(Plan plan) {
        StringBuilder sb = header(plan);
        if (plan.state() != MigrationState.PGVECTOR) return nothing(sb, plan);
        sb.append("-- pgvector to its newest available version (VectorChord needs 0.7+), then VectorChord.\nDO $$\nBEGIN\n")
                .append(raise("NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vchord')", "VectorChord is not on the server: install it first"))
                .append(raise(preloaded("vchord"), "vchord is not in shared_preload_libraries (it is %): ALTER SYSTEM SET ..., restart, run again", "current_setting('shared_preload_libraries')"))
                .append(raise("EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vchord')", "vchord is already created; was this script run before?"))
                .append("END $$;\nALTER EXTENSION vector UPDATE;\nCREATE EXTENSION vchord CASCADE;\n")
                .append("\n-- Next: remove DB_VECTOR_EXTENSION=pgvector from Immich's environment and start Immich.\n");
        return sb.toString();
    }

    private static String nothing(StringBuilder sb, Plan plan) {
        sb.append("DO $$ BEGIN RAISE EXCEPTION 'vccheck plan: nothing to do for the ").append(plan.path()).append(" path: the database is in state ")
                .append(plan.state().value()).append("'; END $$;\n");
        return sb.toString();
    }

    /** The header and the preconditions every path shares: the planned database, a writable primary, Immich stopped. */
    private static StringBuilder header(Plan plan) {
        String db = plan.database();
        StringBuilder sb = new StringBuilder();
        sb.append("-- vccheck plan, path ").append(plan.path()).append(", planned for database ").append(db)
                .append(" in state ").append(plan.state()).append(", CLIP dimension ").append(plan.dimension()).append(".\n")
                .append("-- Run with: psql -v ON_ERROR_STOP=1 -d ").append(Quote.shell(db)).append(" -f plan.sql\n")
                .append("-- Every step checks the state first and stops, changing nothing, when it is not the planned one.\n")
                .append("\\set ON_ERROR_STOP on\n\n");
        sb.append("-- Preconditions: the planned database, on a writable primary, with Immich stopped.\nDO $$\nBEGIN\n")
                .append(raise("pg_is_in_recovery()", "this server is a read-only standby; run the plan on the primary"))
                .append(raise("current_setting('transaction_read_only') = 'on'", "this session is read-only (default_transaction_read_only); run the plan on the writable primary"))
                .append(raise("current_database() <> " + Quote.literal(db), "planned for database " + db + ", connected to %", "current_database()"))
                .append(raise("EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend')",
                        "other sessions are connected (Immich is running?): stop Immich, then run the script again"))
                .append("END $$;\n\n");
        return sb;
    }

    /** The script for the manual (real[] round trip) steps still to do, from the planned state. */
    static String manual(Plan plan) {
        int dim = plan.dimension();
        StringBuilder sb = header(plan);
        boolean step1 = plan.state() == MigrationState.PGVECTORS;
        boolean step3 = step1 || plan.state() == MigrationState.COLUMNS_REAL;
        if (!step3) return nothing(sb, plan);
        if (dim <= 0) {
            // The dimension is unknown (no row to measure): the script cannot restore the columns, and it must not
            // guess 512 (Immich's own guess, which stops it with "expected 512 dimensions" on other data). Stop
            // before anything changes (step 1's cast to real[] would forget even a typmod for good).
            sb.append("DO $$ BEGIN RAISE EXCEPTION 'vccheck plan: the CLIP dimension of smart_search is unknown (no row to measure): "
                    + "this script will not guess it; follow the Markdown plan with the CLIP model''s dimension (the number written down before step 1)'; END $$;\n");
            return sb.toString();
        }
        // schema.type(typmod), independent of the search_path: vectors.vector(512), pg_catalog._float4
        String columnType = "(SELECT n.nspname || '.' || t.typname || CASE WHEN a.atttypmod > 0 THEN '(' || a.atttypmod || ')' ELSE '' END "
                + "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace "
                + "WHERE a.attrelid = '%s'::regclass AND a.attname = 'embedding' AND NOT a.attisdropped)";
        if (step1) {
            sb.append("-- Step 1: the columns are pgvecto.rs's vectors.vector(").append(dim).append("): convert them to real[].\nDO $$\nBEGIN\n")
                    .append(raise(columnType.formatted("smart_search") + " IS DISTINCT FROM 'vectors.vector(" + dim + ")'",
                            "step 1 expects smart_search.embedding to be vectors.vector(" + dim + "), found %; was this script run before?", columnType.formatted("smart_search")))
                    .append(raise(columnType.formatted("face_search") + " IS DISTINCT FROM 'vectors.vector(512)'",
                            "step 1 expects face_search.embedding to be vectors.vector(512), found %", columnType.formatted("face_search")))
                    .append("END $$;\nBEGIN;\n").append(plan.sql().step1()).append("\nCOMMIT;\n\n");
        }
        sb.append("-- Step 3: VectorChord must be on the server and preloaded; the columns are real[].\nDO $$\nBEGIN\n")
                .append(raise("NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vchord')",
                        "step 3 needs VectorChord on the server: switch to an image with it, restart, and run this script again"))
                .append(raise("current_setting('shared_preload_libraries') !~ '(^|[,/\" ])vchord(\\.so)?($|[,\" ])'",
                        "step 3 needs vchord in shared_preload_libraries (it is %): ALTER SYSTEM SET shared_preload_libraries = ..., restart, run again", "current_setting('shared_preload_libraries')"))
                .append(raise(columnType.formatted("smart_search") + " IS DISTINCT FROM 'pg_catalog._float4'",
                        "step 3 expects smart_search.embedding to be real[], found %; was this script run before?", columnType.formatted("smart_search")))
                .append(raise("EXISTS (SELECT 1 FROM smart_search WHERE array_length(embedding, 1) <> " + dim + " LIMIT 1)",
                        "smart_search holds rows whose length is not " + dim + "; the planned dimension is wrong"))
                .append("END $$;\nBEGIN;\n").append(plan.sql().step3()).append("\nCOMMIT;\n");
        sb.append("\n-- Next: start Immich and wait for \"Reindexed clip_index\" and \"Reindexed face_index\" in its log.\n");
        return sb.toString();
    }
}
