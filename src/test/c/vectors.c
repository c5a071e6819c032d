/*
 * vccheck test stand-in for pgvecto.rs (extension "vectors"), NOT the real thing: no vector math.
 *
 * What it reproduces is how the real library behaves when it cannot be loaded, which is what the catalog reader
 * has to survive (issue "The catalog reader must survive pgvecto.rs being unloadable"):
 *  - _PG_init raises pgvecto.rs's own error unless the library is being preloaded (text of SessionError::BadInit,
 *    tensorchord/pgvecto.rs src/prelude/error.rs);
 *  - the type's input/output and typmod functions (_vectors_vecf32_in/out, _vectors_typmod_in_65535,
 *    _vectors_typmod_out: names from pgvecto.rs src/sql/finalize.sql) and the access method's handler
 *    (_vectors_amhandler) are C functions in this library, so format_type() with a typmod, pg_get_indexdef() and
 *    any planning over a "vectors" index load it (and fail when it is not preloaded or the file is gone).
 * Values are stored as text ("[1,2,3]"); the index access method is PostgreSQL's hash AM under another name.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

PG_MODULE_MAGIC;

void _PG_init(void);

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR,
				(errmsg("pgvecto.rs must be loaded via shared_preload_libraries.\n"
						"ADVICE: If you encounter this error for your first use of pgvecto.rs, "
						"please read `https://docs.pgvecto.rs/getting-started/installation.html`. "
						"You should edit `shared_preload_libraries` in `postgresql.conf` to include `vectors.so`, "
						"or simply run the command `psql -U postgres -c 'ALTER SYSTEM SET shared_preload_libraries = \"vectors.so\"'`.")));
}

PG_FUNCTION_INFO_V1(_vectors_vecf32_in_wrapper);
Datum
_vectors_vecf32_in_wrapper(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(textin, PG_GETARG_DATUM(0)));
}

PG_FUNCTION_INFO_V1(_vectors_vecf32_out_wrapper);
Datum
_vectors_vecf32_out_wrapper(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(textout, PG_GETARG_DATUM(0)));
}

/* vectors.vector(n): the typmod is the dimension, 1..65535 (pgvecto.rs SessionError::BadTypeDimensions). */
PG_FUNCTION_INFO_V1(_vectors_typmod_in_65535_wrapper);
Datum
_vectors_typmod_in_65535_wrapper(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	int32	   *tl;
	int			n;

	tl = ArrayGetIntegerTypmods(ta, &n);
	if (n != 1 || tl[0] < 1 || tl[0] > 65535)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("Modifier of the type is invalid.\n"
						"ADVICE: Check if modifier of the type is an integer among 1 and 65535.")));
	PG_RETURN_INT32(tl[0]);
}

PG_FUNCTION_INFO_V1(_vectors_typmod_out_wrapper);
Datum
_vectors_typmod_out_wrapper(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(0);

	if (typmod < 0)
		PG_RETURN_CSTRING(pstrdup(""));
	PG_RETURN_CSTRING(psprintf("(%d)", typmod));
}

/* The "vectors" index access method: a copy of the hash access method's routine, so inserts and scans work. */
PG_FUNCTION_INFO_V1(_vectors_amhandler);
Datum
_vectors_amhandler(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(hashhandler, (Datum) 0));
}
