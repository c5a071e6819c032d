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
