/*
 * vccheck test stand-in for VectorChord (extension "vchord"), NOT the real thing: no vector math.
 *
 * Like the real library (tensorchord/VectorChord src/lib.rs): _PG_init refuses to run outside
 * shared_preload_libraries ("vchord must be loaded via shared_preload_libraries."), defines the vchordrq.* settings
 * Immich sets (vchordrq.probes) and reserves the "vchordrq" prefix, so a left-over database-level
 * vchordrq.prewarm_dim (set by Immich v1.133-v1.134) meets "vchordrq" is a reserved prefix, as in Immich #19313.
 * The vchordrq index access method is PostgreSQL's hash AM under another name.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);

static char *vchordrq_probes = NULL;
static double vchordrq_epsilon = 1.9;

void
_PG_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		ereport(ERROR, (errmsg("vchord must be loaded via shared_preload_libraries.")));
	DefineCustomStringVariable("vchordrq.probes", "Probes of the vchordrq index (stand-in).", NULL,
							   &vchordrq_probes, "", PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("vchordrq.epsilon", "Epsilon of the vchordrq index (stand-in).", NULL,
							 &vchordrq_epsilon, 1.9, 0.0, 4.0, PGC_USERSET, 0, NULL, NULL, NULL);
	MarkGUCPrefixReserved("vchordrq");
	MarkGUCPrefixReserved("vchord");
}

PG_FUNCTION_INFO_V1(vchordrq_amhandler);
Datum
vchordrq_amhandler(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(DirectFunctionCall1(hashhandler, (Datum) 0));
}
