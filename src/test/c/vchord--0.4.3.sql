\echo Use "CREATE EXTENSION vchord" to load this file. \quit
-- vccheck test stand-in for VectorChord 0.4.3 (src/test/c/vchord.c): access method vchordrq (handler in C in
-- vchord.so, so CREATE EXTENSION fails unless vchord.so is preloaded), its cosine/l2 opclasses on pgvector's
-- vector, and vchordrq_prewarm(), which Immich calls at start.
CREATE FUNCTION vchordrq_amhandler(internal) RETURNS index_am_handler
    LANGUAGE c AS 'MODULE_PATHNAME', 'vchordrq_amhandler';
CREATE ACCESS METHOD vchordrq TYPE INDEX HANDLER vchordrq_amhandler;
CREATE OPERATOR CLASS vector_cosine_ops FOR TYPE vector USING vchordrq AS
    OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
CREATE OPERATOR CLASS vector_l2_ops FOR TYPE vector USING vchordrq AS
    OPERATOR 1 = (vector, vector), FUNCTION 1 vector_hash(vector);
CREATE FUNCTION vchordrq_prewarm(regclass, integer DEFAULT 0) RETURNS text LANGUAGE sql AS $$ SELECT 'prewarmed' $$;
