#!/usr/bin/env python3
"""Writes the rule cases (base + merge patch) for outcomes no other case produced: the log rules' skip/fail/pass and
the 'when' skips and 'needs' errors of rules/postgres/40-installation.yaml.

The log bases (src/test/resources/rule-case-bases/collected-log-*.json) were written by `vccheck collect --log FILE`
from logs of real servers (target/failure-logs/*.log after StartupFailureLogsTest: broken-auto-conf,
vectorchord-only-image-query, outside-preload, reserved-prefix) and from Immich's own texts as LogDiagnosisTest
has them (immich-server, immich-create-denied, immich-auth). A "skip" case adds those lines to a collected
database bundle: the catalog was read too, so the pg.* rule named in the message judges the cause.
Run from the repository root: python3 src/test/scripts/derive-outcome-cases.py
"""
import json
import os

ROOT = "src/test/resources/rule-cases"
BASES = "src/test/resources/rule-case-bases"


def log_of(name):
    """The logs part of a collected log bundle, as a merge patch onto a database bundle."""
    with open(os.path.join(BASES, "collected-log-" + name + ".json")) as f:
        d = json.load(f)
    return {"collection": {"logs": d["collection"]["logs"]}, "logs": d["logs"]}


def case(rule, name, base, patch, why, findings, immich_version="2.1.0"):
    out = os.path.join(ROOT, rule, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "facts.patch.json"), "w") as f:
        json.dump({"base": base, "patch": patch}, f, indent=2)
        f.write("\n")
    exp = {"description": why, "options": {"immich_version": immich_version}, "findings": findings}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(exp, f, indent=2)
        f.write("\n")


def st(status, message=None, remediation=None, **extra):
    f = {"status": status}
    if message:
        f["message_contains"] = message
    if remediation:
        f["remediation_contains"] = remediation
    f.update(extra)
    return f


IMMICH_LOG = "the Immich server log with Immich v2.7.5's start-up texts (as in LogDiagnosisTest.immichStartupTextsFromItsSource)"
DENIED_LOG = ("the Immich server log of a start as a non-superuser: Immich v2.7.5's 'Failed to activate VectorChord extension.' "
              "and PostgreSQL's 'permission denied to create extension \"vchord\"' (as in LogDiagnosisTest.immichLog)")
BROKEN_LOG = "the log of a real PostgreSQL 15 whose postgresql.auto.conf has an unparsable line 3 (StartupFailureLogsTest broken-auto-conf)"
GONE_LOG = ("the log of a real PostgreSQL on a VectorChord-only image queried for pgvecto.rs: LOAD '$libdir/vectors' fails "
            "(StartupFailureLogsTest vectorchord-only-image-query)")
OUTSIDE_LOG = "the log of Debian PostgreSQL 15 with the C stand-ins loaded outside the preload (StartupFailureLogsTest outside-preload)"
PREFIX_LOG = "the log of a real PostgreSQL with vchordrq.prewarm_dim stored at database level (StartupFailureLogsTest reserved-prefix)"
READ = "; the database was read as well, so the catalog rule judges the cause"

# --- rules/logs/10-startup.yaml
case("logs.pg.preload-missing", "immich-log-only", "collected-log-immich-server", {}, IMMICH_LOG + ": no PostgreSQL FATAL",
     [st("pass", ["No log line shows a preloaded library missing"])])

case("logs.pg.config-file", "broken-auto-conf", "collected-log-broken-auto-conf", {}, BROKEN_LOG,
     [st("fail", ["PostgreSQL does not start", "postgresql.auto.conf has a line it cannot parse", "(line 3)"],
         ["sed -n 3p postgresql.auto.conf", "sed -i 3d postgresql.auto.conf"])])
case("logs.pg.config-file", "immich-log-only", "collected-log-immich-server", {}, IMMICH_LOG,
     [st("pass", ["No log line shows a configuration file"])])

case("logs.pg.library-gone", "vectorchord-only-image-query", "collected-log-vectorchord-only-image-query", {}, GONE_LOG,
     [st("fail", ["still uses pgvecto.rs", "switched to VectorChord-only before the migration"], ["vectorchord0.4.3-pgvectors0.2.0"])])
case("logs.pg.library-gone", "database-read-since", "collected-immich-3-on-pgvectors", log_of("vectorchord-only-image-query"), GONE_LOG + READ,
     [st("skip", ["pg.migration.state"])])
case("logs.pg.library-gone", "immich-log-only", "collected-log-immich-server", {}, IMMICH_LOG,
     [st("pass", ["No log line shows the vectors library missing"])])

case("logs.pg.preload-required", "database-read-since", "collected-preload-missing", log_of("outside-preload"), OUTSIDE_LOG + READ,
     [st("skip", ["pg.vchord.preload"])])
case("logs.pg.preload-required", "broken-auto-conf", "collected-log-broken-auto-conf", {}, BROKEN_LOG,
     [st("pass", ["No log line shows a vector library loaded outside the preload"])])

case("logs.pg.reserved-prefix", "database-read-since", "collected-migrated-leftovers", log_of("reserved-prefix"), PREFIX_LOG + READ,
     [st("skip", ["pg.database.settings", "pg.role_settings"])])
case("logs.pg.reserved-prefix", "broken-auto-conf", "collected-log-broken-auto-conf", {}, BROKEN_LOG,
     [st("pass", ["No log line shows a refused vchordrq setting"])])

case("logs.immich.postgres-version", "database-read-since", "collected-postgres-13", log_of("immich-server"), IMMICH_LOG + READ,
     [st("skip", ["pg.version"])])
case("logs.immich.postgres-version", "postgres-log-only", "collected-log-broken-auto-conf", {}, BROKEN_LOG,
     [st("pass", ["No Immich log line refuses the PostgreSQL version"])])

case("logs.immich.create-extension-denied", "non-superuser", "collected-log-immich-create-denied", {}, DENIED_LOG,
     [st("fail", ["may not create vchord", "not a superuser"], ["CREATE EXTENSION IF NOT EXISTS vchord CASCADE;"])])
case("logs.immich.create-extension-denied", "database-read-since", "collected-non-superuser-owner", log_of("immich-create-denied"), DENIED_LOG + READ,
     [st("skip", ["pg.privileges", "pg.extensions.required"])])
case("logs.immich.create-extension-denied", "immich-log-other-failures", "collected-log-immich-server", {}, IMMICH_LOG,
     [st("pass", ["No log line shows an extension Immich may not create"])])

case("logs.immich.vchord-update-failed", "update-to-0.5.3", "collected-log-immich-server", {}, IMMICH_LOG,
     [st("fail", ["Immich stops at start", "The VectorChord extension can be updated to 0.5.3."], ["ALTER EXTENSION vchord UPDATE;"])])
case("logs.immich.vchord-update-failed", "database-read-since", "collected-migrated-leftovers", log_of("immich-server"), IMMICH_LOG + READ,
     [st("skip", ["pg.vchord.version"])])
case("logs.immich.vchord-update-failed", "create-denied", "collected-log-immich-create-denied", {}, DENIED_LOG,
     [st("pass", ["No log line shows a failed extension update"])])

case("logs.immich.no-vector-extension", "database-read-since", "collected-immich-3-on-pgvectors", log_of("immich-server"), IMMICH_LOG + READ,
     [st("skip", ["pg.vchord.available", "pg.vector.available"])])
case("logs.immich.no-vector-extension", "create-denied", "collected-log-immich-create-denied", {}, DENIED_LOG,
     [st("pass", ["No log line shows Immich without a vector extension"])])

case("logs.immich.extension-not-available", "pgvector-pinned", "collected-log-immich-server", {}, IMMICH_LOG,
     [st("fail", ["Immich stops at start", "The pgvector extension is not available in this Postgres instance"], ["Remove DB_VECTOR_EXTENSION"])])
case("logs.immich.extension-not-available", "database-read-since", "collected-nightly", log_of("immich-server"), IMMICH_LOG + READ,
     [st("skip", ["pg.vector-extension-setting"])])
case("logs.immich.extension-not-available", "create-denied", "collected-log-immich-create-denied", {}, DENIED_LOG,
     [st("pass", ["No log line shows Immich's chosen extension missing"])])

case("logs.unrecognized", "password-authentication-failed", "collected-log-immich-auth", {},
     "an Immich log line (as in LogDiagnosisTest.redactionOfLogLinesInEveryFormat) with PostgreSQL's 'password authentication failed', which no log rule diagnoses",
     [st("warn", ["no diagnosis", "password authentication failed for user"])])

# --- rules/postgres/40-installation.yaml: 'when' skips (the embedding facts were lost, derived.pg_ok is false)
LOST = {"pg": {"embeddings": None}, "unavailable": {"pg.embeddings": "permission denied for table smart_search"}}
LOST_WHY = "with the embedding facts lost (smart_search unreadable): derived.pg_ok is false, nothing to judge"
for rule, base, extra in [
    ("pg.settings.leftover", "collected-migrated-leftovers", {}),
    ("pg.preload.source", "collected-migrated-leftovers", {}),
    ("pg.extensions.owner", "collected-migrated-leftovers", {}),
    ("pg.vector-extension.pinned", "collected-migrated-leftovers", {"pg": {"embeddings": None, "immich": {"db_vector_extension": "vectorchord"}}}),
    ("pg.vector-extension.pick", "collected-migrated-leftovers", {}),
    ("pg.immich.migrating", "collected-migrated-leftovers", {"pg": {"embeddings": None, "immich": {"migration_lock": {"held": False, "pids": []}}}}),
    ("pg.indexes.lists", "collected-migrated-leftovers", {}),
    ("pg.immich.version-path", "collected-migrated-leftovers", {}),
]:
    patch = json.loads(json.dumps(LOST))
    patch.update({k: v for k, v in extra.items()})
    if "pg" in extra:
        patch["pg"] = extra["pg"]
    case(rule, "embeddings-unreadable", base, patch, base[len("collected-"):] + " " + LOST_WHY,
         [st("skip", ["not applicable: "])])

# --- 'needs' errors
case("pg.vector-extension.pick", "preload-not-visible", "collected-non-superuser-owner", {},
     "non-superuser-owner as collected: shared_preload_libraries is hidden from a role without pg_read_all_settings, so the pick cannot be judged",
     [st("error", ["could not verify", "shared_preload_libraries is visible only to superusers"])])
case("pg.immich.migrating", "lock-unavailable", "collected-migrated-leftovers",
     {"unavailable": {"pg.immich.migration_lock": "permission denied for view pg_locks"}},
     "a bundle that says the lock could not be read (vccheck's collector reads it in its one catalog statement and never writes this; a bundle from elsewhere may)",
     [st("error", ["could not verify", "pg_locks"])])
