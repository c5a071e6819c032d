package dev.vccheck.cli;

import dev.vccheck.collect.postgres.PgTarget;
import dev.vccheck.collect.postgres.PostgresCollector;
import dev.vccheck.collect.postgres.PsqlChannel;
import dev.vccheck.collect.postgres.PsqlCollector;
import dev.vccheck.facts.Facts;
import dev.vccheck.rules.Rule;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs the collectors into one facts document (what 'collect' saves and 'scan' analyzes). */
final class Scanner {
    private Scanner() {
    }

    /** A saved bundle, or a usage error (exit 2) that says what is wrong and where. */
    static Facts bundle(java.nio.file.Path file) {
        try {
            return dev.vccheck.facts.BundleReader.read(file);
        } catch (dev.vccheck.facts.BundleReader.InvalidBundleException e) {
            throw new UsageException(e.problems());
        }
    }

    /**
     * {@code engine} is asked for only where the rules are needed (their own queries, their pack names), so that a
     * scan whose rules load on another thread connects and reads the catalog meanwhile.
     */
    static Facts collect(java.util.function.Supplier<Engine> engine, TargetOptions targets, Map<String, String> env, String immichVersionHint) {
        return collect(engine, targets, null, env, immichVersionHint);
    }

    /** {@code logOptions}: null for commands that read no logs (plan). */
    static Facts collect(java.util.function.Supplier<Engine> engine, TargetOptions targets, LogOptions logOptions, Map<String, String> env, String immichVersionHint) {
        Optional<TargetOptions.ViaPsql> via = targets.viaPsql();
        Optional<PgTarget> db = via.isPresent() ? Optional.empty() : targets.database(env);
        var kube = targets.kubernetes();
        var logs = logOptions == null ? null : logOptions.request(targets, env);
        Facts facts = Facts.empty(VersionProvider.version(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (immichVersionHint != null) facts.json().with("meta").put("immich_version_hint", immichVersionHint);
        var packs = facts.json().with("meta").putArray("rule_packs");
        if (db.isEmpty() && via.isEmpty() && kube.isEmpty() && (logs == null || !logs.any())) {
            throw new UsageException("no target given: use --db-url, --env-file, DB_URL / DB_* / PG* variables, --docker, --psql, --kube or --log");
        }
        var timeouts = new PostgresCollector.Timeouts(targets.connectTimeout, targets.statementTimeout);
        boolean kubeFirst = via.isPresent() && via.get().kind().equals("kube-exec");
        if (kubeFirst) new dev.vccheck.collect.kubernetes.KubernetesCollector().collect(facts, kube.get());
        if (via.isPresent()) {
            TargetOptions.ViaPsql v = via.get();
            PsqlChannel ch = switch (v.kind()) {
                case "docker" -> PsqlChannel.docker(v.argument(), v.user(), v.database(), timeouts, env);
                case "psql" -> PsqlChannel.psql(v.argument(), timeouts);
                default -> kubeChannel(facts, v, targets, timeouts);
            };
            if (ch != null) new PsqlCollector(env).collect(facts, ch, timeouts, v.vectorExtension(), () -> customSql(engine.get()));
        } else if (db.isPresent()) {
            new PostgresCollector().collect(facts, db.get(), timeouts, () -> customSql(engine.get()));
        } else {
            facts.json().with("collection").putObject("postgres").put("status", "not-configured").put("message", "no database target given");
        }
        if (kubeFirst) {
            // read above
        } else if (kube.isPresent()) {
            new dev.vccheck.collect.kubernetes.KubernetesCollector().collect(facts, kube.get());
            if (db.isEmpty() && via.isEmpty() && facts.sourceStatus("kubernetes").equals("ok")) {
                // No way into the database was given, but the cluster shows whether it runs: a database whose pods
                // are down is an unreachable target (pg.connect error, with the pods' state as the reason), not an
                // unconfigured one.
                dev.vccheck.collect.kubernetes.ClusterDatabase.notRunning(facts.json().path("k8s")).ifPresent(why ->
                        facts.json().with("collection").putObject("postgres").put("status", "error").put("message", "not reached: " + why));
            }
        } else {
            facts.json().with("collection").putObject("kubernetes").put("status", "not-configured")
                    .put("message", "no Kubernetes target given (use --kube)");
        }
        // No collection.logs when no log was asked for: absent reads as not-configured, and reports stay as they were.
        if (logs != null && logs.any()) new dev.vccheck.collect.logs.LogCollector().collect(facts, logs);
        engine.get().rules.packs().forEach(p -> packs.addObject().put("name", p.name()).put("version", p.version()));
        return facts;
    }

    /**
     * kubectl exec into the primary pod of the CloudNativePG cluster the Kubernetes facts name; when there is none
     * (or several, and none was named), collection.postgres ends in error saying so, and null is returned.
     */
    private static PsqlChannel kubeChannel(Facts facts, TargetOptions.ViaPsql v, TargetOptions targets, PostgresCollector.Timeouts timeouts) {
        var k8s = facts.json().path("k8s");
        String ns = k8s.path("namespace").asText();
        var clusters = k8s.path("cnpg").path("clusters");
        String problem = null;
        String pod = null;
        if (!facts.sourceStatus("kubernetes").equals("ok")) {
            problem = "--kube-exec needs the CloudNativePG primary pod from the cluster, and reading the cluster failed: " + facts.sourceMessage("kubernetes");
        } else if (!clusters.isObject() || clusters.isEmpty()) {
            problem = "--kube-exec: no CloudNativePG Cluster in namespace " + ns + " (or it could not be listed); name the namespace with -n, or use --psql or --db-url";
        } else {
            List<String> names = new ArrayList<>();
            clusters.fieldNames().forEachRemaining(names::add);
            String name = v.argument() != null ? v.argument() : names.size() == 1 ? names.get(0) : null;
            if (name == null) {
                problem = "--kube-exec: namespace " + ns + " has several CloudNativePG Clusters (" + String.join(", ", names) + "): name one, e.g. --kube-exec=" + names.get(0);
            } else if (!clusters.has(name)) {
                problem = "--kube-exec: no CloudNativePG Cluster " + name + " in namespace " + ns + " (found: " + String.join(", ", names) + ")";
            } else {
                pod = clusters.get(name).path("current_primary").asText("");
                if (pod.isEmpty()) problem = "--kube-exec: the CloudNativePG Cluster " + name + " has no current primary (status.currentPrimary): is it running?";
            }
        }
        if (problem != null) {
            facts.json().with("collection").putObject("postgres").put("status", "error").put("via", "kube-exec").put("message", problem);
            return null;
        }
        return PsqlChannel.kubeExec(targets.kubeconfig == null ? null : targets.kubeconfig.toString(), targets.context, ns, pod,
                v.user(), v.database(), timeouts);
    }

    private static Map<String, String> customSql(Engine engine) {
        Map<String, String> custom = new LinkedHashMap<>();
        for (Rule r : engine.rules.rules()) {
            if (r.collect() != null && r.collect().sql() != null) custom.put(r.id(), r.collect().sql());
        }
        return custom;
    }
}
