#!/usr/bin/env python3
"""Writes rule cases (src/test/resources/rule-cases/<rule>/<case>/) derived from collected bundles.

Every facts.json starts from a bundle the real collector wrote (src/test/resources/bundles: pgvectors-dual.json and
migrated.json from real PostgreSQL servers, k8s-*.json from fabric8's mock API server loaded with the shared
fixtures, see RegenerateKubernetesBundles); the one change that puts it in the state the case is about is named in
the case's description. The expected findings are what the rule must say in that state.
Run from the repository root: python3 src/test/scripts/derive-rule-cases.py
"""
import copy
import json
import os

ROOT = "src/test/resources/rule-cases"
B = "src/test/resources/bundles"


def load(name):
    with open(os.path.join(B, name + ".json")) as f:
        return json.load(f)


DUAL, MIGRATED = load("pgvectors-dual"), load("migrated")
TC, PV, AR, RU, C25 = (load("k8s-" + n) for n in
                       ["truecharts-crashloop", "pgvectors-scaled-down", "argocd-selfheal", "rolling-update", "chart-25-on-pgvectors"])


def both(pg_bundle, k8s_bundle):
    """The database and the cluster in one document, as a scan with --db-url and --kube collects it."""
    d = copy.deepcopy(pg_bundle)
    d["k8s"] = copy.deepcopy(k8s_bundle["k8s"])
    d["collection"]["kubernetes"] = copy.deepcopy(k8s_bundle["collection"]["kubernetes"])
    return d


def case(rule, name, base, change, why, findings, **options):
    d = copy.deepcopy(base)
    if change:
        change(d)
    out = os.path.join(ROOT, rule, name)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "facts.json"), "w") as f:
        json.dump(d, f, indent=2)
        f.write("\n")
    exp = {"description": why, "options": options or {"immich_version": "2.1.0"}, "findings": []}
    if "immich_version" not in exp["options"]:
        exp["options"]["immich_version"] = "2.1.0"
    for st, *frags in findings:
        fnd = {"status": st}
        if frags:
            fnd["contains"] = list(frags)
        exp["findings"].append(fnd)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(exp, f, indent=2)
        f.write("\n")


def unavailable(path, why):
    def f(d):
        d.setdefault("unavailable", {})[path] = why
    return f


def seq(*fs):
    def f(d):
        for g in fs:
            g(d)
    return f


def no_sessions(d):
    d["pg"]["sessions"] = []


# --- Kubernetes (bundles collected from the mock API server)
case("k8s.access", "truecharts", TC, None, "k8s-truecharts-crashloop bundle as collected", [("pass", "Read namespace immich")])
case("k8s.access", "pods-forbidden", TC, unavailable("k8s.pods", "forbidden: list pods in namespace immich"),
     "k8s-truecharts-crashloop with pods unreadable (RBAC)", [("warn", "forbidden: list pods in namespace immich", "deploy/kubernetes/rbac.yaml")])

case("k8s.workloads.scaled-down", "microservices-running", TC, None, "k8s-truecharts-crashloop: immich-microservices at 1 replica",
     [("fail", "immich-microservices", "kubectl scale --replicas=0 deployment/immich-microservices -n immich")])
case("k8s.workloads.scaled-down", "scaled-down", PV, None, "k8s-pgvectors-scaled-down as collected", [("pass", "at 0 replicas")])
case("k8s.workloads.scaled-down", "no-immich-workloads", RU, None, "k8s-rolling-update: only the database in the namespace", [("skip",)])
case("k8s.workloads.scaled-down", "deployments-forbidden", TC, unavailable("k8s.workloads", "forbidden: list deployments in namespace immich"),
     "k8s-truecharts-crashloop with Deployments unreadable", [("error", "could not verify: forbidden: list deployments")])


def extra_pod(d):
    d["k8s"]["pods"].append({"name": "immich-server-5d8c9", "phase": "Running", "labels": {"app.kubernetes.io/name": "immich"},
                             "containers": [{"name": "main", "image": "ghcr.io/immich-app/immich-server:v2.1.0", "ready": True, "restarts": 0}]})


case("k8s.only-db-pods", "immich-pod-running", TC, extra_pod, "k8s-truecharts-crashloop plus a running immich-server pod",
     [("fail", "immich-server-5d8c9")])
case("k8s.only-db-pods", "database-and-redis", TC, None, "k8s-truecharts-crashloop: CNPG and redis pods only", [("pass", "Only database and redis pods run")])
case("k8s.only-db-pods", "pods-forbidden", TC, unavailable("k8s.pods", "forbidden: list pods in namespace immich"),
     "k8s-truecharts-crashloop with pods unreadable", [("error", "could not verify: forbidden: list pods")])

case("k8s.gitops.flux", "drift-enabled", TC, None, "k8s-truecharts-crashloop: HelmRelease with driftDetection enabled",
     [("fail", "driftDetection.mode enabled", "flux suspend helmrelease immich -n immich")])


def unsuspend(d):
    d["k8s"]["flux"]["helmreleases"][0]["suspend"] = False


case("k8s.gitops.flux", "drift-warn", PV, unsuspend, "k8s-pgvectors-scaled-down with its HelmRelease (drift mode warn) no longer suspended",
     [("warn", "does not correct it")])
case("k8s.gitops.flux", "suspended", PV, None, "k8s-pgvectors-scaled-down: the HelmRelease is suspended", [("pass", "Flux will not correct the replicas")])
case("k8s.gitops.flux", "no-helmrelease", RU, None, "k8s-rolling-update: Flux installed, no HelmRelease", [("skip",)])
case("k8s.gitops.flux", "helmreleases-forbidden", TC, unavailable("k8s.flux.helmreleases", "forbidden: list helmreleases in namespace immich"),
     "k8s-truecharts-crashloop with HelmReleases unreadable", [("error", "could not verify")])

case("k8s.gitops.argocd", "self-heal", AR, None, "k8s-argocd-selfheal as collected", [("fail", "selfHeal", "argocd app set immich --sync-policy none")])


def no_selfheal(d):
    d["k8s"]["argocd"]["applications"][0]["self_heal"] = False


case("k8s.gitops.argocd", "automated-without-self-heal", AR, no_selfheal, "k8s-argocd-selfheal with selfHeal off", [("pass", "self-heals")])
case("k8s.gitops.argocd", "no-application", TC, None, "k8s-truecharts-crashloop: no Argo CD Application", [("skip",)])
case("k8s.gitops.argocd", "applications-forbidden", AR, unavailable("k8s.argocd.applications", "forbidden: list applications in namespace argocd"),
     "k8s-argocd-selfheal with Applications unreadable", [("error", "could not verify")])


def cluster(**kv):
    def f(d):
        d["k8s"]["cnpg"]["clusters"]["immich-cnpg-main"].update(kv)
    return f


case("k8s.cnpg.primary", "hibernated", TC, cluster(hibernation="on"), "k8s-truecharts-crashloop with cnpg.io/hibernation=on",
     [("fail", "hibernated", "hibernate: false")])
case("k8s.cnpg.primary", "switchover", TC, cluster(target_primary="immich-cnpg-main-1"), "k8s-truecharts-crashloop with targetPrimary main-1",
     [("warn", "immich-cnpg-main-2 to immich-cnpg-main-1")])
case("k8s.cnpg.primary", "stable", TC, None, "k8s-truecharts-crashloop as collected", [("pass", "kubectl exec -it -n immich immich-cnpg-main-2 -- psql immich")])
case("k8s.cnpg.primary", "no-cluster", AR, None, "k8s-argocd-selfheal: external database, no CNPG cluster", [("skip",)])
case("k8s.cnpg.primary", "clusters-forbidden", TC, unavailable("k8s.cnpg.clusters", "forbidden: list clusters in namespace immich"),
     "k8s-truecharts-crashloop with Clusters unreadable", [("error", "could not verify")])

case("k8s.cnpg.crashloop", "old-primary-crashing", TC, None, "k8s-truecharts-crashloop as collected",
     [("fail", "immich-cnpg-main-1 (7 restarts)", "kubectl delete pod immich-cnpg-main-1 -n immich")])
case("k8s.cnpg.crashloop", "healthy", PV, None, "k8s-pgvectors-scaled-down as collected", [("pass", "No database instance is crash-looping")])
case("k8s.cnpg.crashloop", "no-cluster", AR, None, "k8s-argocd-selfheal: no CNPG cluster", [("skip",)])
case("k8s.cnpg.crashloop", "pods-forbidden", TC, unavailable("k8s.pods", "forbidden: list pods in namespace immich"),
     "k8s-truecharts-crashloop with pods unreadable", [("error", "could not verify")])

case("k8s.cnpg.image", "vchord-too-new-for-1.134", TC, None, "k8s-truecharts-crashloop (cloudnative-vectorchord 0.5.3, no vchord.so in the spec) for Immich 1.134.0",
     [("fail", "VectorChord 0.5.3", ">=0.3 <0.4"), ("warn", "does not preload vchord.so")], immich_version="1.134.0")
case("k8s.cnpg.image", "pgvectors-for-immich-3", PV, None, "k8s-pgvectors-scaled-down (cloudnative-pgvecto.rs) for Immich 3.0.0",
     [("fail", "still runs pgvecto.rs", "no longer supports")], immich_version="3.0.0")


def pg13(d):
    img = "ghcr.io/tensorchord/cloudnative-pgvecto.rs:13.14-v0.2.1"
    d["k8s"]["cnpg"]["clusters"]["immich-cnpg-main"]["image"] = img
    for p in d["k8s"]["pods"]:
        for c in p["containers"]:
            if c["name"] == "postgres":
                c["image"] = img


case("k8s.cnpg.image", "postgres-13", PV, pg13, "k8s-pgvectors-scaled-down with the image (cluster and pods) at PostgreSQL 13",
     [("fail", "PostgreSQL 13", ">=14.0.0")])
case("k8s.cnpg.image", "rolling-update", RU, None, "k8s-rolling-update: one instance still on the old image, vchord.so not in the spec",
     [("warn", "rolling update is in progress"), ("warn", "does not preload vchord.so")])
case("k8s.cnpg.image", "vectorchord-without-preload", TC, None, "k8s-truecharts-crashloop for Immich 2.1.0", [("warn", "shared_preload_libraries")])
case("k8s.cnpg.image", "pgvectors-for-2.1", PV, None, "k8s-pgvectors-scaled-down for Immich 2.1.0", [("pass", "cloudnative-pgvecto.rs:16.3-v0.2.1")])
case("k8s.cnpg.image", "no-cluster", AR, None, "k8s-argocd-selfheal: no CNPG cluster", [("skip",)])

case("k8s.chart.version", "chart-25-on-pgvectors", C25, None, "k8s-chart-25-on-pgvectors as collected", [("fail", "go back to 24.x")])
case("k8s.chart.version", "chart-24", PV, None, "k8s-pgvectors-scaled-down (chart 24.13.2)", [("pass", "Chart 24.13.2")])
case("k8s.chart.version", "no-chart", RU, None, "k8s-rolling-update: no Immich chart in the namespace", [("skip",)])

case("k8s.backup.recent", "all-old", TC, None, "k8s-truecharts-crashloop: the last completed backup is from 2025-10-27",
     [("warn", "No completed backup of immich-cnpg-main in the last 24 hours", "immich-cnpg-main-before-vectorchord")])


def fresh_backup(d):
    d["k8s"]["cnpg"]["backups"][0]["stopped_at"] = d["meta"]["collected_at"]


case("k8s.backup.recent", "fresh", TC, fresh_backup, "k8s-truecharts-crashloop with the daily backup finished at collection time",
     [("pass", "newer than 24 hours")])
case("k8s.backup.recent", "no-cluster", AR, None, "k8s-argocd-selfheal: no CNPG cluster", [("skip",)])
case("k8s.backup.recent", "backups-forbidden", TC, unavailable("k8s.cnpg.backups", "the API answered 500: etcd timeout"),
     "k8s-truecharts-crashloop with Backups unreadable", [("error", "could not verify: the API answered 500")])

# --- Both targets
DUAL_TC = both(DUAL, TC)
case("cross.primary", "reaches-primary", DUAL_TC, None, "pgvectors-dual database with the k8s-truecharts-crashloop cluster",
     [("pass", "immich-cnpg-main-2", "kubectl exec -it -n immich immich-cnpg-main-2 -- psql immich")])


def in_recovery(d):
    d["pg"]["server"]["in_recovery"] = True


case("cross.primary", "reaches-replica", DUAL_TC, in_recovery, "the same, the connection reaching a replica (pg_is_in_recovery() true)",
     [("fail", "reaches a replica", "immich-cnpg-main-2", "immich-cnpg-main-rw")])
case("cross.primary", "no-cnpg", both(DUAL, AR), None, "pgvectors-dual database with the k8s-argocd-selfheal cluster (external database)", [("skip",)])

case("cross.immich-running", "microservices-and-session", DUAL_TC, None,
     "pgvectors-dual (Immich connected) with k8s-truecharts-crashloop (microservices at 1 replica)",
     [("fail", "immich-microservices not at 0 replicas", "1 database session(s) (immich)", "kubectl scale --replicas=0 deployment/immich-microservices -n immich")])
case("cross.immich-running", "all-stopped", both(DUAL, PV), no_sessions, "pgvectors-dual with its Immich session closed, k8s-pgvectors-scaled-down",
     [("pass", "No Immich workload runs")])
case("cross.immich-running", "sessions-unreadable", DUAL_TC, unavailable("pg.sessions", "permission denied for view pg_stat_activity"),
     "pgvectors-dual with pg_stat_activity unreadable, k8s-truecharts-crashloop", [("error", "could not verify: permission denied")])

# --- PostgreSQL (bundles collected from real servers: pgvectors-dual = Immich 1.132.3 on pgvecto.rs with the dual
# image; migrated = Immich 2.1.0 on VectorChord 0.4.3)


def pg(path, value):
    """Sets pg.<path> (dotted) to value; None deletes it."""
    def f(d):
        node = d["pg"]
        keys = path.split(".")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    return f


def drop_available(ext):
    return pg("extensions.available." + ext, None)


def with_file(path):
    with open(path) as f:
        return json.load(f)


LEFTOVERS = with_file(os.path.join(ROOT, "pg.leftovers/migrated-leftovers/facts.json"))
COLUMNS_REAL = with_file(os.path.join(ROOT, "pg.migration.state/columns-real-768/facts.json"))

case("pg.migration.state", "not-an-immich-column", MIGRATED, seq(pg("embeddings.smart_search.type", "bytea"), pg("embeddings.smart_search.type_schema", "pg_catalog")),
     "migrated with smart_search.embedding of type bytea", [("warn", "Cannot tell the migration state: smart_search.embedding is other")])

case("pg.embedding.dimension", "no-dimension-no-rows", DUAL, seq(pg("embeddings.smart_search.dimension", None), pg("embeddings.smart_search.estimated_rows", 0)),
     "pgvectors-dual with smart_search.embedding declared without a dimension and no rows", [("fail", "no row to measure")])
case("pg.embedding.dimension", "face-768", MIGRATED, pg("embeddings.face_search.dimension", 768), "migrated with face_search.embedding vector(768)",
     [("warn", "face_search.embedding has 768 dimensions")])
case("pg.embedding.dimension", "no-smart-search", MIGRATED, pg("embeddings", {}), "migrated without the embedding tables (not Immich's database)", [("skip",)])

case("pg.connect", "migrated", MIGRATED, None, "migrated as collected", [("pass", "Connected to immich on database:5432 as postgres (PostgreSQL 16.15)")])
case("pg.version", "postgres-16-for-2.1", MIGRATED, None, "migrated as collected", [("pass", "PostgreSQL 16 suits Immich 2.1.0")])

case("pg.primary", "standby", MIGRATED, pg("server.in_recovery", True), "migrated, connected to a standby (pg_is_in_recovery() true)",
     [("fail", "is a standby (in recovery)", "Connect to the primary")])
case("pg.primary", "writable", MIGRATED, None, "migrated as collected", [("pass", "writable primary")])

case("pg.privileges", "not-owner", MIGRATED, seq(pg("role.name", "reader"), pg("role.superuser", False), pg("database.owned_by_current_user", False)),
     "migrated, scanned as reader: not a superuser, not the database owner",
     [("fail", "reader is neither a superuser nor the owner of immich", "ALTER DATABASE immich OWNER TO reader;"), ("warn", "reader is not a superuser")])
case("pg.privileges", "superuser", MIGRATED, None, "migrated as collected", [("pass", "postgres is a superuser.")])

case("pg.sessions", "none", DUAL, no_sessions, "pgvectors-dual with Immich's session closed", [("pass", "No other session is connected.")])
case("pg.sessions", "unreadable", DUAL, unavailable("pg.sessions", "permission denied for view pg_stat_activity"),
     "pgvectors-dual with pg_stat_activity unreadable", [("error", "could not verify: permission denied")])

case("pg.vector.available", "missing", DUAL, drop_available("vector"), "pgvectors-dual on a server without pgvector",
     [("fail", "pgvector (extension vector) is not available")])
case("pg.vector.available", "available", MIGRATED, None, "migrated as collected", [("pass", "pgvector 0.8.0 is available.")])
case("pg.vector.available", "target-without-vchord", DUAL, None, "pgvectors-dual for Immich 1.120.0 (no VectorChord yet)", [("skip",)], immich_version="1.120.0")

case("pg.vector.version", "available-0.6", MIGRATED, seq(pg("extensions.available.vector.default_version", "0.6.0"), pg("extensions.installed.vector.version", "0.6.0")),
     "migrated on a server whose pgvector is 0.6.0", [("fail", "pgvector 0.6.0 is too old")])
case("pg.vector.version", "available-1.0", MIGRATED, pg("extensions.available.vector.default_version", "1.0.0"),
     "migrated on a server offering pgvector 1.0.0 (0.8.0 installed)", [("warn", "pgvector 1.0.0 is outside >=0.7.0 <1.0.0, the versions the Immich 2.1.0 docs state"), ("warn", "0.8.0 is installed; 1.0.0")])
case("pg.vector.version", "installed-0.7.4", MIGRATED, pg("extensions.installed.vector.version", "0.7.4"), "migrated with pgvector 0.7.4 installed, 0.8.0 available",
     [("warn", "pgvector 0.7.4 is installed; 0.8.0", "ALTER EXTENSION vector UPDATE;")])
case("pg.vector.version", "current", MIGRATED, None, "migrated as collected", [("pass", "pgvector 0.8.0")])
case("pg.vector.version", "no-pgvector", DUAL, drop_available("vector"), "pgvectors-dual on a server without pgvector", [("skip",)])

case("pg.vchord.available", "missing-on-pgvectors", DUAL, drop_available("vchord"),
     "pgvectors-dual on a server without VectorChord: one finding for one cause (issue 12 item 9)",
     [("fail", "the migration from pgvecto.rs needs it", "ghcr.io/immich-app/postgres:16-vectorchord0.4.3-pgvectors0.2.0")])
case("pg.vchord.available", "pgvector-path", MIGRATED,
     seq(drop_available("vchord"), pg("extensions.installed.vchord", None), pg("indexes.clip_index.am", "hnsw"), pg("indexes.face_index.am", "hnsw")),
     "migrated turned into a pgvector database (vchord gone, hnsw indexes)", [("warn", "prefers VectorChord where the server has it")])
case("pg.vchord.available", "available", MIGRATED, None, "migrated as collected", [("pass", "VectorChord 0.4.3 is available.")])
case("pg.vchord.available", "target-without-vchord", DUAL, None, "pgvectors-dual for Immich 1.120.0", [("skip",)], immich_version="1.120.0")

case("pg.vchord.version", "downgraded", MIGRATED, pg("extensions.installed.vchord.version", "0.5.3"), "migrated with vchord 0.5.3 installed, the server offering 0.4.3",
     [("fail", "the extension was downgraded")])
case("pg.vchord.version", "update-available", MIGRATED, pg("extensions.installed.vchord.version", "0.3.0"), "migrated with vchord 0.3.0 installed, 0.4.3 available",
     [("warn", "VectorChord 0.3.0 is installed; 0.4.3", "ALTER EXTENSION vchord UPDATE;")])
case("pg.vchord.version", "current", MIGRATED, None, "migrated as collected", [("pass", "VectorChord 0.4.3 is within >=0.3 <0.6")])
case("pg.vchord.version", "no-vchord", DUAL, drop_available("vchord"), "pgvectors-dual on a server without VectorChord", [("skip",)])

case("pg.vchord.preload", "vectors-not-preloaded", DUAL,
     seq(pg("preload", ["vchord.so"]), pg("preload_names", ["vchord"]), pg("settings.shared_preload_libraries", "vchord.so")),
     "pgvectors-dual with shared_preload_libraries 'vchord.so' (vectors dropped from it too early)",
     [("fail", "vectors is not preloaded", "ALTER SYSTEM SET shared_preload_libraries = 'vchord.so', 'vectors.so';")])
case("pg.vchord.preload", "preloaded", MIGRATED, None, "migrated as collected", [("pass", "vchord is preloaded")])
case("pg.vchord.preload", "no-vchord", DUAL, drop_available("vchord"), "pgvectors-dual on a server without VectorChord", [("skip",)])

case("pg.vectors.version", "0.3-for-1.111", DUAL, pg("extensions.installed.vectors.version", "0.3.0"), "pgvectors-dual with pgvecto.rs 0.3.0, for Immich 1.111.0",
     [("fail", "pgvecto.rs 0.3.0 is outside 0.2.x")], immich_version="1.111.0")
case("pg.vectors.version", "deprecated", DUAL, None, "pgvectors-dual for Immich 2.1.0", [("warn", "deprecated and Immich 3.0 no longer runs on it")])
case("pg.vectors.version", "leftover-after-migration", LEFTOVERS, None, "migrated-leftovers: vectors still installed, columns on vector",
     [("pass", "The columns no longer use pgvecto.rs.")])
case("pg.vectors.version", "migrated", MIGRATED, None, "migrated as collected (no pgvecto.rs)", [("skip",)])

case("pg.extensions.required", "contrib-missing", MIGRATED, drop_available("cube"), "migrated on a server without cube", [("fail", "The server lacks cube")])
case("pg.extensions.required", "non-superuser-without-earthdistance", MIGRATED,
     seq(pg("role.superuser", False), pg("role.name", "immich"), pg("extensions.installed.earthdistance", None)),
     "migrated, scanned as immich (not a superuser), earthdistance not created",
     [("fail", "immich is not a superuser and cannot create cube/earthdistance", "CREATE EXTENSION IF NOT EXISTS earthdistance CASCADE;")])
case("pg.extensions.required", "all-there", MIGRATED, None, "migrated as collected", [("pass", "cube, earthdistance, pg_trgm, unaccent and uuid-ossp are available.")])
case("pg.extensions.required", "catalog-without-embeddings", MIGRATED,
     seq(lambda d: d["pg"].pop("embeddings"), unavailable("pg.embeddings", "permission denied for table smart_search")),
     "migrated with the embedding facts lost (unreadable): nothing to judge", [("skip",)])

case("pg.indexes", "invalid", MIGRATED, pg("indexes.clip_index.valid", False), "migrated with clip_index invalid (a failed build)",
     [("fail", "clip_index is invalid", "REINDEX INDEX clip_index;")])
case("pg.indexes", "face-index-hnsw", MIGRATED, pg("indexes.face_index.am", "hnsw"), "migrated with face_index USING hnsw",
     [("warn", "found clip_index vchordrq, face_index hnsw")])
case("pg.indexes", "columns-real", COLUMNS_REAL, None, "columns-real-768 (no indexes to judge)", [("skip",)])

case("pg.leftovers", "clean", MIGRATED, None, "migrated as collected", [("pass", "No pgvecto.rs leftovers.")])
case("pg.leftovers", "before-the-migration", DUAL, None, "pgvectors-dual with --phase post", [("skip",)], phase="post")
case("pg.leftovers", "vectors-the-only-preload-entry", MIGRATED,
     seq(pg("preload", ["vectors.so"]), pg("preload_names", ["vectors"]), pg("settings.shared_preload_libraries", "vectors.so")),
     "migrated with shared_preload_libraries 'vectors.so' only (pgvecto.rs's guide set it with ALTER SYSTEM): RESET, since SET to '' stops PostgreSQL",
     [("warn", "ALTER SYSTEM RESET shared_preload_libraries;")])

case("pg.upgrade-path", "typeorm-too-old", DUAL,
     seq(pg("immich.kysely_migrations", {"exists": False}), pg("immich.typeorm_migrations.latest", "AddFaceSearchRelation1718486162779")),
     "pgvectors-dual whose history stops at a TypeORM migration before 1.132", [("fail", "Invalid upgrade path", "Upgrade to Immich 1.132.3 first")])
case("pg.upgrade-path", "direct", MIGRATED, None, "migrated as collected", [("pass", "allows a direct upgrade")])
case("pg.upgrade-path", "target-1.120", DUAL, None, "pgvectors-dual for Immich 1.120.0 (TypeORM still there)", [("skip",)], immich_version="1.120.0")
case("pg.upgrade-path", "history-unreadable", DUAL, unavailable("pg.immich.typeorm_migrations", "permission denied for table migrations"),
     "pgvectors-dual with the migrations table unreadable", [("error", "could not verify: permission denied for table migrations")])

case("pg.vector-extension-setting", "pgvectors-for-3", DUAL, pg("immich.db_vector_extension", "pgvecto.rs"),
     "pgvectors-dual with DB_VECTOR_EXTENSION=pgvecto.rs, for Immich 3.0.0", [("fail", "not accepted by Immich 3.0.0"), ("warn", "keeps Immich off VectorChord")],
     immich_version="3.0.0")
case("pg.vector-extension-setting", "pgvector-pinned", MIGRATED, pg("immich.db_vector_extension", "pgvector"), "migrated with DB_VECTOR_EXTENSION=pgvector",
     [("warn", "DB_VECTOR_EXTENSION=pgvector keeps Immich off VectorChord")])
case("pg.vector-extension-setting", "vectorchord", MIGRATED, pg("immich.db_vector_extension", "vectorchord"), "migrated with DB_VECTOR_EXTENSION=vectorchord",
     [("pass", "DB_VECTOR_EXTENSION=vectorchord.")])
case("pg.vector-extension-setting", "unset", MIGRATED, None, "migrated, DB_VECTOR_EXTENSION not set", [("skip",)])
case("cross.immich-running", "database-facts-lost", DUAL_TC,
     seq(lambda d: d["pg"].pop("embeddings"), unavailable("pg.embeddings", "permission denied for table smart_search")),
     "pgvectors-dual with the embedding facts lost (derived.pg_ok false), k8s-truecharts-crashloop", [("skip",)])
case("pg.vector.version", "pgvector-0.4-as-immichs-extension", MIGRATED,
     seq(drop_available("vchord"), pg("extensions.installed.vchord", None), pg("indexes.clip_index.am", "hnsw"), pg("indexes.face_index.am", "hnsw"),
         pg("extensions.available.vector.default_version", "0.4.0"), pg("extensions.installed.vector.version", "0.4.0")),
     "migrated turned into a pgvector database (no VectorChord on the server) with pgvector 0.4.0: Immich's own range applies",
     [("fail", "pgvector 0.4.0 is available, but Immich 2.1.0 only supports >=0.5 <1")])
