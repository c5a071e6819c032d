package dev.vccheck.demo;

import java.sql.SQLException;

/**
 * Builds a database shaped like Immich's (its schema as Immich's migrations create it): {@code smart_search} / {@code face_search} with their
 * embedding columns, {@code clip_index} / {@code face_index}, {@code version_history}, the Kysely and TypeORM
 * migration tables, the database-level search_path, in one migration state, by running the same SQL a user (or
 * Immich) runs to get there.
 */
public final class ImmichDatabase {
    public enum State {
        /** On pgvecto.rs: vectors.vector columns, indexes USING vectors. */
        PGVECTORS,
        /** Manual path step 1 done: real[] columns, no vector indexes. */
        COLUMNS_REAL,
        /** vchord installed, columns back to vector(n), indexes not rebuilt yet (Immich does it at start). */
        VCHORD_READY,
        /** Done: vchordrq indexes. */
        MIGRATED,
        /** On pgvector (DB_VECTOR_EXTENSION=pgvector): vector(n) columns, hnsw indexes, no vchord. */
        PGVECTOR
    }

    /**
     * @param owner        role that owns the database and tables (created with LOGIN), or null for postgres
     * @param leftovers    MIGRATED only: keep the vectors extension, schema and search_path entry
     * @param vectorVersion pgvector version to CREATE (null: the default)
     */
    public record Spec(State state, int dimension, int rows, String owner, String immichVersion, boolean leftovers,
                       String vectorVersion) {
        public static Spec of(State state) {
            return new Spec(state, 512, 20, null, "1.132.3", false, null);
        }

        public Spec dimension(int d) {
            return new Spec(state, d, rows, owner, immichVersion, leftovers, vectorVersion);
        }

        public Spec rows(int r) {
            return new Spec(state, dimension, r, owner, immichVersion, leftovers, vectorVersion);
        }

        public Spec owner(String o) {
            return new Spec(state, dimension, rows, o, immichVersion, leftovers, vectorVersion);
        }

        public Spec immich(String v) {
            return new Spec(state, dimension, rows, owner, v, leftovers, vectorVersion);
        }

        public Spec leftovers(boolean l) {
            return new Spec(state, dimension, rows, owner, immichVersion, l, vectorVersion);
        }

        public Spec vector(String v) {
            return new Spec(state, dimension, rows, owner, immichVersion, leftovers, v);
        }
    }

    private ImmichDatabase() {
    }

    /**
     * The values after the first one, as SQL: as many as the dimension (as real embeddings have, so a real[]
     * column still tells its dimension), or two for very large tables, where only the row count matters.
     */
    private static String rest(int dimension, int rows) {
        int extra = rows <= 20_000 ? dimension - 1 : 2;
        return "array_fill(0.0123::real, ARRAY[" + extra + "])";
    }

    public static void create(SqlServer s, String db, Spec spec) throws SQLException {
        if (spec.owner() != null) {
            s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + spec.owner() + "') THEN "
                    + "CREATE ROLE " + spec.owner() + " LOGIN PASSWORD 'immich-secret-pw'; END IF; END $$");
        }
        s.createDatabase(db, spec.owner());
        String own = spec.owner() == null ? "" : "SET ROLE " + spec.owner() + ";\n";
        String reset = spec.owner() == null ? "" : "RESET ROLE;\n";
        s.sql(db, """
                CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
                CREATE EXTENSION IF NOT EXISTS unaccent;
                CREATE EXTENSION IF NOT EXISTS cube;
                CREATE EXTENSION IF NOT EXISTS earthdistance;
                CREATE EXTENSION IF NOT EXISTS pg_trgm;
                """);
        String vectorType;
        boolean viaPgvectors = spec.state() != State.PGVECTOR && s.hasExtension("vectors");
        if (!viaPgvectors && (spec.state() == State.VCHORD_READY || spec.state() == State.MIGRATED)) {
            // A server without pgvecto.rs: the database was migrated earlier; build it on pgvector's type directly.
            s.sql(db, "CREATE EXTENSION vchord CASCADE;");
            s.sql(db, "ALTER DATABASE " + db + " SET vchordrq.probes = 1");
            vectorType = "vector";
        } else switch (spec.state()) {
            case PGVECTORS, COLUMNS_REAL, VCHORD_READY, MIGRATED -> {
                s.sql(db, "CREATE EXTENSION vectors;" + (spec.owner() == null ? "" : " GRANT USAGE ON SCHEMA vectors TO " + spec.owner() + ";"));
                s.sql(db, "ALTER DATABASE " + db + " SET search_path TO \"$user\", public, vectors");
                vectorType = "vectors.vector";
            }
            case PGVECTOR -> {
                s.sql(db, "CREATE EXTENSION vector" + (spec.vectorVersion() == null ? "" : " VERSION '" + spec.vectorVersion() + "'") + ";");
                vectorType = "vector";
            }
            default -> throw new IllegalArgumentException(spec.state().name());
        }
        int n = spec.rows();
        // Bulk load without FK triggers (the rows are consistent by construction); set before any SET ROLE.
        s.sql(db, "SET session_replication_role = replica;\n" + own + """
                CREATE TABLE asset (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), "originalPath" text NOT NULL DEFAULT '');
                CREATE TABLE asset_face (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), "assetId" uuid NOT NULL REFERENCES asset(id) ON DELETE CASCADE);
                CREATE TABLE smart_search ("assetId" uuid PRIMARY KEY REFERENCES asset(id) ON DELETE CASCADE, embedding %1$s(%2$d) NOT NULL);
                ALTER TABLE smart_search ALTER COLUMN embedding SET STORAGE EXTERNAL;
                CREATE TABLE face_search ("faceId" uuid PRIMARY KEY REFERENCES asset_face(id) ON DELETE CASCADE, embedding %1$s(512) NOT NULL);
                CREATE TABLE version_history (id uuid PRIMARY KEY DEFAULT uuid_generate_v4(), "createdAt" timestamptz NOT NULL DEFAULT now(), version varchar NOT NULL);
                CREATE TABLE kysely_migrations (name varchar(255) PRIMARY KEY, timestamp varchar(255) NOT NULL);
                CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint NOT NULL, name varchar NOT NULL);
                CREATE TABLE system_metadata (key varchar PRIMARY KEY, value jsonb NOT NULL);
                INSERT INTO asset (id) SELECT gen_random_uuid() FROM generate_series(1, %3$d);
                INSERT INTO asset_face ("assetId") SELECT id FROM asset LIMIT %4$d;
                -- Distinct values, as real embeddings are (the stand-in indexes hash them).
                INSERT INTO smart_search SELECT id, array_prepend((hashtext(id::text) / 2147483648.0)::real, %6$s)::%1$s(%2$d) FROM asset;
                INSERT INTO face_search SELECT id, array_prepend((hashtext(id::text) / 2147483648.0)::real, %7$s)::%1$s(512) FROM asset_face;
                INSERT INTO version_history (version, "createdAt") VALUES ('1.131.0', now() - interval '60 days'), ('%5$s', now() - interval '1 day');
                INSERT INTO migrations (timestamp, name) VALUES (1744910873955, 'AddOverridesToSystemConfig1744910873955'), (1744910873956, 'AddMissingIndex1744910873956');
                INSERT INTO kysely_migrations VALUES ('1744910873969-InitialMigration', '2025-05-01T00:00:00Z'), ('1746636476623-DropExtraIndexes', '2025-05-08T00:00:00Z');
                INSERT INTO system_metadata VALUES ('version-check-state', '{}');
                """.formatted(vectorType, spec.dimension(), n, Math.max(1, n / 3), spec.immichVersion(), rest(spec.dimension(), n), rest(512, n)) + reset);
        if (!viaPgvectors && spec.state() != State.PGVECTOR) {
            if (spec.state() == State.MIGRATED) {
                s.sql(db, own + "CREATE INDEX clip_index ON smart_search USING vchordrq (embedding vector_cosine_ops);\n"
                        + "CREATE INDEX face_index ON face_search USING vchordrq (embedding vector_cosine_ops);\n" + reset);
            }
            s.sql(db, "ANALYZE");
            return;
        }
        String am = spec.state() == State.PGVECTOR ? "hnsw (embedding vector_cosine_ops)" : "vectors (embedding vectors.vector_cos_ops)";
        s.sql(db, own + "CREATE INDEX clip_index ON smart_search USING " + am + ";\nCREATE INDEX face_index ON face_search USING " + am + ";\n" + reset);
        if (spec.state() == State.PGVECTORS || spec.state() == State.PGVECTOR) {
            s.sql(db, "ANALYZE");
            return;
        }
        // Manual path, step 1 (docs/administration/postgres-standalone.md): indexes dropped, columns to real[].
        s.sql(db, own + """
                DROP INDEX IF EXISTS clip_index;
                DROP INDEX IF EXISTS face_index;
                ALTER TABLE smart_search ALTER COLUMN embedding SET DATA TYPE real[];
                ALTER TABLE face_search ALTER COLUMN embedding SET DATA TYPE real[];
                """ + reset);
        if (spec.state() == State.COLUMNS_REAL) {
            s.sql(db, "ANALYZE");
            return;
        }
        // Step 3: vchord (with pgvector) and the columns back to vector(n).
        s.sql(db, "CREATE EXTENSION IF NOT EXISTS vchord CASCADE;");
        s.sql(db, "ALTER DATABASE " + db + " SET vchordrq.probes = 1");
        s.sql(db, own + """
                ALTER TABLE smart_search ALTER COLUMN embedding SET DATA TYPE vector(%d);
                ALTER TABLE face_search ALTER COLUMN embedding SET DATA TYPE vector(512);
                """.formatted(spec.dimension()) + reset);
        if (spec.state() == State.MIGRATED) {
            // What Immich does at its next start: rebuild the indexes with VectorChord.
            s.sql(db, own + """
                    CREATE INDEX clip_index ON smart_search USING vchordrq (embedding vector_cosine_ops);
                    CREATE INDEX face_index ON face_search USING vchordrq (embedding vector_cosine_ops);
                    """ + reset);
            if (!spec.leftovers()) {
                s.sql(db, "DROP EXTENSION vectors; DROP SCHEMA IF EXISTS vectors;");
                s.sql(db, "ALTER DATABASE " + db + " SET search_path TO \"$user\", public");
            }
        }
        s.sql(db, "ANALYZE");
    }
}
