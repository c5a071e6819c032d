package dev.vccheck.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Catalog-faithful stand-ins for pgvector ({@code vector}), VectorChord ({@code vchord}) and pgvecto.rs
 * ({@code vectors}), written into a PostgreSQL installation's {@code share/extension} and {@code lib} folders.
 * The real extensions are not packaged for these servers; what vccheck reads is the catalog, and these make it
 * read the same: control files with the real names, versions, requires and schema; a {@code vector} base type with
 * pgvector's typmod ({@code vector(512)} gives {@code atttypmod = 512}, from {@code textin}/{@code textout} and
 * {@code bittypmodin}/{@code bittypmodout}); casts to and from {@code real[]} so the migration's
 * {@code SET DATA TYPE} round trip really runs; access methods {@code hnsw}, {@code vchordrq} and {@code vectors}
 * built on {@code hashhandler}; preloadable {@code vchord.so} / {@code vectors.so} (copies of {@code lo.so}, which
 * has no {@code _PG_init}), present only when the profile has the extension. Like the real ones, vchord and pgvecto.rs refuse to install unless preloaded, and vchord
 * needs pgvector's {@code halfvec} (pgvector 0.7 or newer).
 */
public final class StandIns {
    /** Available versions per extension; the last one is the default (the "available" version). */
    public record Profile(List<String> vector, List<String> vchord, List<String> vectors) {
        public static Profile of(String vector, String vchord, String vectors) {
            return new Profile(split(vector), split(vchord), split(vectors));
        }

        private static List<String> split(String s) {
            return s == null || s.isBlank() ? List.of() : List.of(s.trim().split("\\s*,\\s*"));
        }

        /** A short stable name for the install folder. */
        public String key() {
            return "vector-" + String.join("_", vector) + "--vchord-" + String.join("_", vchord) + "--vectors-" + String.join("_", vectors);
        }
    }

    private StandIns() {
    }

    /** Installs the profile into a PostgreSQL installation (the folder with bin/, lib/, share/). Idempotent. */
    public static void install(Path pgHome, Profile p) throws IOException {
        Path ext = pgHome.resolve("share/postgresql/extension");
        Path lib = pgHome.resolve("lib/postgresql");
        if (!Files.isDirectory(ext)) ext = pgHome.resolve("share/extension");
        if (!Files.isDirectory(lib)) lib = pgHome.resolve("lib");
        for (String name : List.of("vector", "vchord", "vectors")) {
            try (var s = Files.list(ext)) {
                for (Path f : s.filter(f -> f.getFileName().toString().startsWith(name + ".control")
                        || f.getFileName().toString().startsWith(name + "--")).toList()) {
                    Files.delete(f);
                }
            }
        }
        write(ext, "vector", p.vector(), """
                comment = 'vector data type and ivfflat and hnsw access methods'
                default_version = '%s'
                module_pathname = '$libdir/vector'
                relocatable = true
                """, StandIns::vectorScript);
        write(ext, "vchord", p.vchord(), """
                comment = 'vchord: Vector database plugin for Postgres, written in Rust, specifically designed for LLM'
                default_version = '%s'
                module_pathname = '$libdir/vchord'
                relocatable = true
                superuser = true
                requires = 'vector'
                """, v -> vchordScript());
        write(ext, "vectors", p.vectors(), """
                comment = 'vectors: Vector database plugin for Postgres, written in Rust, specifically designed for LLM'
                default_version = '%s'
                module_pathname = '$libdir/vectors'
                relocatable = false
                superuser = true
                schema = vectors
                """, v -> vectorsScript());
        Path lo = lib.resolve("lo.so");
        // Only the libraries of the profile's extensions: an image without pgvecto.rs has no vectors.so, so
        // preloading it there stops the server ("could not access file "$libdir/vectors""), as on a real one.
        for (Map.Entry<String, List<String>> so : Map.of("vchord.so", p.vchord(), "vectors.so", p.vectors()).entrySet()) {
            if (so.getValue().isEmpty()) Files.deleteIfExists(lib.resolve(so.getKey()));
            else Files.copy(lo, lib.resolve(so.getKey()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private interface Script {
        String of(String version);
    }

    private static void write(Path dir, String name, List<String> versions, String control, Script script) throws IOException {
        if (versions.isEmpty()) return;
        String def = versions.get(versions.size() - 1);
        Files.writeString(dir.resolve(name + ".control"), control.formatted(def), StandardCharsets.UTF_8);
        for (int i = 0; i < versions.size(); i++) {
            String v = versions.get(i);
            Files.writeString(dir.resolve(name + "--" + v + ".sql"), header(name) + script.of(v), StandardCharsets.UTF_8);
            if (i > 0) {
                String prev = versions.get(i - 1);
                Files.writeString(dir.resolve(name + "--" + prev + "--" + v + ".sql"), header(name) + upgrade(name, prev, v), StandardCharsets.UTF_8);
            }
        }
    }

    private static String header(String name) {
        return "\\echo Use \"CREATE EXTENSION " + name + "\" to load this file. \\quit\n-- vccheck stand-in: catalog-faithful, no vector math.\n";
    }

    private static String upgrade(String name, String from, String to) {
        if (name.equals("vector") && !hasHalfvec(from) && hasHalfvec(to)) return halfvec();
        return "-- " + name + " " + from + " -> " + to + ": nothing the catalog shows changes.\n";
    }

    private static boolean hasHalfvec(String v) {
        String[] p = v.split("\\.");
        return Integer.parseInt(p[0]) > 0 || Integer.parseInt(p[1]) >= 7;
    }

    /** A text-like base type {@code t} with a typmod, hash equality and casts to and from real[]. */
    private static String baseType(String t, String schema) {
        String q = schema == null ? "" : schema + ".";
        return """
                CREATE TYPE %1$s;
                CREATE FUNCTION %1$s_in(cstring, oid, integer) RETURNS %1$s AS 'textin' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
                CREATE FUNCTION %1$s_out(%1$s) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
                CREATE FUNCTION %1$s_typmod_in(cstring[]) RETURNS integer AS 'bittypmodin' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
                CREATE FUNCTION %1$s_typmod_out(integer) RETURNS cstring AS 'bittypmodout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
                CREATE TYPE %1$s (INPUT = %1$s_in, OUTPUT = %1$s_out, TYPMOD_IN = %1$s_typmod_in, TYPMOD_OUT = %1$s_typmod_out,
                    INTERNALLENGTH = VARIABLE, STORAGE = external);
                CREATE CAST (%1$s AS text) WITHOUT FUNCTION;
                CREATE CAST (text AS %1$s) WITHOUT FUNCTION;
                CREATE FUNCTION %1$s_eq(%1$s, %1$s) RETURNS bool AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
                CREATE FUNCTION %1$s_hash(%1$s) RETURNS integer AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
                CREATE OPERATOR = (LEFTARG = %1$s, RIGHTARG = %1$s, PROCEDURE = %1$s_eq, COMMUTATOR = =);
                CREATE FUNCTION array_to_%1$s(real[], integer, boolean) RETURNS %1$s LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                    AS $$ SELECT ('[' || array_to_string($1, ',') || ']')::text::%2$s%1$s $$;
                CREATE FUNCTION %1$s_to_float4(%1$s, integer, boolean) RETURNS real[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                    AS $$ SELECT ('{' || btrim($1::text, '[]') || '}')::real[] $$;
                CREATE CAST (real[] AS %1$s) WITH FUNCTION array_to_%1$s(real[], integer, boolean) AS ASSIGNMENT;
                CREATE CAST (%1$s AS real[]) WITH FUNCTION %1$s_to_float4(%1$s, integer, boolean) AS ASSIGNMENT;
                """.formatted(t, q);
    }

    private static String halfvec() {
        return baseType("halfvec", null).replace("CREATE OPERATOR = (LEFTARG = halfvec", "CREATE OPERATOR = (LEFTARG = halfvec");
    }

    private static String vectorScript(String version) {
        StringBuilder sb = new StringBuilder(baseType("vector", null));
        sb.append("""
                CREATE FUNCTION hnswhandler(internal) RETURNS index_am_handler AS 'hashhandler' LANGUAGE internal;
                CREATE ACCESS METHOD hnsw TYPE INDEX HANDLER hnswhandler;
                CREATE FUNCTION ivfflathandler(internal) RETURNS index_am_handler AS 'hashhandler' LANGUAGE internal;
                CREATE ACCESS METHOD ivfflat TYPE INDEX HANDLER ivfflathandler;
                CREATE OPERATOR CLASS vector_cosine_ops FOR TYPE vector USING hnsw AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
                CREATE OPERATOR CLASS vector_l2_ops FOR TYPE vector USING hnsw AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
                """);
        if (hasHalfvec(version)) sb.append(halfvec());
        return sb.toString();
    }

    private static final String PRELOAD_CHECK = """
            DO $$
            BEGIN
              IF NOT EXISTS (SELECT 1 FROM regexp_split_to_table(current_setting('shared_preload_libraries'), '\\s*,\\s*') AS e
                             WHERE btrim(e, '" ') ~ '(^|/)%s(\\.so)?$') THEN
                RAISE EXCEPTION '%s';
              END IF;
            END $$;
            """;

    private static String vchordScript() {
        return PRELOAD_CHECK.formatted("vchord", "vchord must be loaded via shared_preload_libraries.") + """
                -- VectorChord's SQL uses pgvector's halfvec, which pgvector added in 0.7.
                CREATE FUNCTION vchord_halfvec_support(halfvec) RETURNS halfvec LANGUAGE sql IMMUTABLE AS 'SELECT $1';
                CREATE FUNCTION vchordrq_amhandler(internal) RETURNS index_am_handler AS 'hashhandler' LANGUAGE internal;
                CREATE ACCESS METHOD vchordrq TYPE INDEX HANDLER vchordrq_amhandler;
                CREATE OPERATOR CLASS vector_cosine_ops FOR TYPE vector USING vchordrq AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
                CREATE OPERATOR CLASS vector_l2_ops FOR TYPE vector USING vchordrq AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
                CREATE FUNCTION vchordrq_prewarm(regclass, integer DEFAULT 0) RETURNS text LANGUAGE sql AS $$ SELECT 'prewarmed' $$;
                """;
    }

    private static String vectorsScript() {
        return PRELOAD_CHECK.formatted("vectors", "pgvecto.rs must be loaded via shared_preload_libraries.") + baseType("vector", "vectors") + """
                CREATE FUNCTION _vectors_amhandler(internal) RETURNS index_am_handler AS 'hashhandler' LANGUAGE internal;
                CREATE ACCESS METHOD vectors TYPE INDEX HANDLER _vectors_amhandler;
                CREATE OPERATOR CLASS vector_cos_ops FOR TYPE vector USING vectors AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
                CREATE OPERATOR CLASS vector_l2_ops FOR TYPE vector USING vectors AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
                CREATE VIEW pg_vector_index_stat AS
                  SELECT c.oid AS indexrelid, c.relname AS indexname, 'NORMAL'::text AS idx_status
                  FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'vectors';
                CREATE FUNCTION pgvectors_upgrade() RETURNS void LANGUAGE sql AS $$ SELECT $$;
                """;
    }

    /** Map form for reports and logs. */
    public static Map<String, String> describe(Profile p) {
        Map<String, String> m = new TreeMap<>();
        if (!p.vector().isEmpty()) m.put("vector", String.join(", ", p.vector()));
        if (!p.vchord().isEmpty()) m.put("vchord", String.join(", ", p.vchord()));
        if (!p.vectors().isEmpty()) m.put("vectors", String.join(", ", p.vectors()));
        return m;
    }

}
