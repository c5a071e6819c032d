\echo Use "CREATE EXTENSION vectors" to load this file. \quit
-- vccheck test stand-in for pgvecto.rs 0.3.0 (src/test/c/vectors.c): the catalog of pgvecto.rs's src/sql/finalize.sql
-- that Immich's database uses (type vectors.vector with its typmod, access method vectors, the opclasses, the
-- pg_vector_index_stat view), with the type's functions and the access method's handler in C in vectors.so.
CREATE TYPE vector;
CREATE FUNCTION _vectors_vecf32_in(cstring, oid, integer) RETURNS vector
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', '_vectors_vecf32_in_wrapper';
CREATE FUNCTION _vectors_vecf32_out(vector) RETURNS cstring
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', '_vectors_vecf32_out_wrapper';
CREATE FUNCTION _vectors_typmod_in_65535(cstring[]) RETURNS integer
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', '_vectors_typmod_in_65535_wrapper';
CREATE FUNCTION _vectors_typmod_out(integer) RETURNS cstring
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE c AS 'MODULE_PATHNAME', '_vectors_typmod_out_wrapper';
CREATE TYPE vector (
    INPUT = _vectors_vecf32_in,
    OUTPUT = _vectors_vecf32_out,
    TYPMOD_IN = _vectors_typmod_in_65535,
    TYPMOD_OUT = _vectors_typmod_out,
    STORAGE = EXTERNAL,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double
);

-- real[] <-> vector, so the manual path's ALTER TABLE ... SET DATA TYPE real[] (and back) runs. SQL functions
-- through the type's text form; the real ones are C.
CREATE FUNCTION _vectors_cast_array_to_vecf32(real[], integer, boolean) RETURNS vector
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
    AS $$ SELECT ('[' || array_to_string($1, ',') || ']')::vectors.vector $$;
CREATE FUNCTION _vectors_cast_vecf32_to_array(vector, integer, boolean) RETURNS real[]
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
    AS $$ SELECT ('{' || btrim($1::text, '[]') || '}')::real[] $$;
CREATE CAST (real[] AS vector) WITH FUNCTION _vectors_cast_array_to_vecf32(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (vector AS real[]) WITH FUNCTION _vectors_cast_vecf32_to_array(vector, integer, boolean) AS ASSIGNMENT;

-- Equality and hashing on the stored bytes (built-ins), for the hash-based access method.
CREATE FUNCTION _vectors_vecf32_operator_eq(vector, vector) RETURNS bool
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE internal AS 'byteaeq';
CREATE FUNCTION _vectors_vecf32_hash(vector) RETURNS integer
    IMMUTABLE STRICT PARALLEL SAFE LANGUAGE internal AS 'hashvarlena';
CREATE OPERATOR = (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = _vectors_vecf32_operator_eq, COMMUTATOR = =);

CREATE FUNCTION _vectors_amhandler(internal) RETURNS index_am_handler
    LANGUAGE c AS 'MODULE_PATHNAME', '_vectors_amhandler';
CREATE ACCESS METHOD vectors TYPE INDEX HANDLER _vectors_amhandler;
CREATE OPERATOR CLASS vector_l2_ops FOR TYPE vector USING vectors AS
    OPERATOR 1 = (vector, vector), FUNCTION 1 _vectors_vecf32_hash(vector);
CREATE OPERATOR CLASS vector_dot_ops FOR TYPE vector USING vectors AS
    OPERATOR 1 = (vector, vector), FUNCTION 1 _vectors_vecf32_hash(vector);
CREATE OPERATOR CLASS vector_cos_ops FOR TYPE vector USING vectors AS
    OPERATOR 1 = (vector, vector), FUNCTION 1 _vectors_vecf32_hash(vector);

CREATE VIEW pg_vector_index_stat AS
    SELECT c.oid AS indexrelid, c.relname AS indexname, 'NORMAL'::text AS idx_status
    FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'vectors';
CREATE FUNCTION pgvectors_upgrade() RETURNS void LANGUAGE sql AS $$ SELECT $$;
