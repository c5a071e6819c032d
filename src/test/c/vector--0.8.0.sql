\echo Use "CREATE EXTENSION vector" to load this file. \quit
-- vccheck test stand-in for pgvector 0.8.0: the catalog of dev.vccheck.demo.StandIns (a text-like base type with
-- pgvector's typmod, built-in functions only, so no vector.so), with halfvec (pgvector 0.7+, VectorChord needs it).
CREATE TYPE vector;
CREATE FUNCTION vector_in(cstring, oid, integer) RETURNS vector AS 'textin' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_out(vector) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_typmod_in(cstring[]) RETURNS integer AS 'bittypmodin' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_typmod_out(integer) RETURNS cstring AS 'bittypmodout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE vector (INPUT = vector_in, OUTPUT = vector_out, TYPMOD_IN = vector_typmod_in, TYPMOD_OUT = vector_typmod_out,
    INTERNALLENGTH = VARIABLE, STORAGE = external);
CREATE CAST (vector AS text) WITHOUT FUNCTION;
CREATE CAST (text AS vector) WITHOUT FUNCTION;
CREATE FUNCTION vector_eq(vector, vector) RETURNS bool AS 'byteaeq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vector_hash(vector) RETURNS integer AS 'hashvarlena' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OPERATOR = (LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_eq, COMMUTATOR = =);
CREATE FUNCTION array_to_vector(real[], integer, boolean) RETURNS vector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT ('[' || array_to_string($1, ',') || ']')::text::vector $$;
CREATE FUNCTION vector_to_float4(vector, integer, boolean) RETURNS real[] LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT ('{' || btrim($1::text, '[]') || '}')::real[] $$;
CREATE CAST (real[] AS vector) WITH FUNCTION array_to_vector(real[], integer, boolean) AS ASSIGNMENT;
CREATE CAST (vector AS real[]) WITH FUNCTION vector_to_float4(vector, integer, boolean) AS ASSIGNMENT;
CREATE FUNCTION hnswhandler(internal) RETURNS index_am_handler AS 'hashhandler' LANGUAGE internal;
CREATE ACCESS METHOD hnsw TYPE INDEX HANDLER hnswhandler;
CREATE FUNCTION ivfflathandler(internal) RETURNS index_am_handler AS 'hashhandler' LANGUAGE internal;
CREATE ACCESS METHOD ivfflat TYPE INDEX HANDLER ivfflathandler;
CREATE OPERATOR CLASS vector_cosine_ops FOR TYPE vector USING hnsw AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
CREATE OPERATOR CLASS vector_l2_ops FOR TYPE vector USING hnsw AS OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
CREATE TYPE halfvec;
CREATE FUNCTION halfvec_in(cstring, oid, integer) RETURNS halfvec AS 'textin' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_out(halfvec) RETURNS cstring AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_typmod_in(cstring[]) RETURNS integer AS 'bittypmodin' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION halfvec_typmod_out(integer) RETURNS cstring AS 'bittypmodout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE halfvec (INPUT = halfvec_in, OUTPUT = halfvec_out, TYPMOD_IN = halfvec_typmod_in, TYPMOD_OUT = halfvec_typmod_out,
    INTERNALLENGTH = VARIABLE, STORAGE = external);
