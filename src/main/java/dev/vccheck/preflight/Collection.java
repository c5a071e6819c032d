package dev.vccheck.preflight;

import dev.vccheck.facts.CollectionStatus;
import dev.vccheck.collect.Setting;
import dev.vccheck.collect.kubernetes.ClusterDatabase;
import dev.vccheck.collect.kubernetes.KubeTarget;
import dev.vccheck.collect.kubernetes.KubernetesCollector;
import dev.vccheck.collect.logs.LogCollector;
import dev.vccheck.collect.postgres.PostgresCollector;
import dev.vccheck.collect.postgres.PsqlChannel;
import dev.vccheck.collect.postgres.PsqlCollector;
import dev.vccheck.facts.Facts;
import dev.vccheck.rules.Rule;
import dev.vccheck.rules.RuleLoader;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Runs the collectors into one facts document (what 'collect' saves and 'scan' analyzes). */
final class Collection {
    private Collection() {
    }

    /**
     * {@code rules} is asked for only where the rules are needed (their own queries, their pack names), so that a
     * scan whose rules load on another thread connects and reads the catalog meanwhile.
     */
    static Facts collect(Supplier<RuleLoader.Loaded> rules, ScannedSystem system) {
        Facts facts = Facts.empty(Preflight.toolVersion(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (system.immichVersionHint() != null) facts.json().with("meta").put("immich_version_hint", system.immichVersionHint());
        var packs = facts.json().with("meta").putArray("rule_packs");
        if (system.nothing()) throw new PreflightException(PreflightException.Cause.NO_TARGET, List.of());
        if (system.kubeExec()) new KubernetesCollector().collect(facts, system.kubernetes().get());
        database(facts, system, () -> customSql(rules.get()));
        if (!system.kubeExec()) kubernetes(facts, system);
        // No collection.logs when no log was asked for: absent reads as not-configured, and reports stay as they were.
        if (system.readsLogs()) new LogCollector(system.words()).collect(facts, system.logs());
        rules.get().packs().forEach(p -> packs.addObject().put("name", p.name()).put("version", p.version()));
        return facts;
    }

    private static void database(Facts facts, ScannedSystem system, Supplier<Map<String, String>> customSql) {
        var timeouts = system.timeouts();
        if (system.viaPsql().isPresent()) {
            ViaPsql v = system.viaPsql().get();
            PsqlChannel ch = switch (v.kind()) {
                case "docker" -> PsqlChannel.docker(v.argument(), v.user(), v.database(), timeouts, system.env());
                case "psql" -> PsqlChannel.psql(v.argument(), timeouts);
                default -> kubeChannel(facts, v, system, timeouts);
            };
            if (ch != null) new PsqlCollector(system.env(), system.words()).collect(facts, ch, timeouts, v.vectorExtension(), customSql);
        } else if (system.database().isPresent()) {
            new PostgresCollector().collect(facts, system.database().get(), timeouts, customSql);
        } else {
            facts.json().with("collection").putObject("postgres").put("status", CollectionStatus.NOT_CONFIGURED.id()).put("message", "no database target given");
        }
    }

    private static void kubernetes(Facts facts, ScannedSystem system) {
        if (system.kubernetes().isEmpty()) {
            facts.json().with("collection").putObject("kubernetes").put("status", CollectionStatus.NOT_CONFIGURED.id())
                    .put("message", "no Kubernetes target given (use " + system.words().of(Setting.KUBERNETES) + ")");
            return;
        }
        new KubernetesCollector().collect(facts, system.kubernetes().get());
        if (system.database().isEmpty() && system.viaPsql().isEmpty() && facts.sourceStatus("kubernetes") == CollectionStatus.OK) {
            // No way into the database was given, but the cluster shows whether it runs: a database whose pods
            // are down is an unreachable target (pg.connect error, with the pods' state as the reason), not an
            // unconfigured one.
            ClusterDatabase.notRunning(facts.json().path("k8s")).ifPresent(why ->
                    facts.json().with("collection").putObject("postgres").put("status", CollectionStatus.ERROR.id()).put("message", "not reached: " + why));
        }
    }

    /**
     * kubectl exec into the primary pod of the CloudNativePG cluster the Kubernetes facts name; when there is none
     * (or several, and none was named), collection.postgres ends in error saying so, and null is returned.
     */
    private static PsqlChannel kubeChannel(Facts facts, ViaPsql v, ScannedSystem system, PostgresCollector.Timeouts timeouts) {
        var k8s = facts.json().path("k8s");
        String ns = k8s.path("namespace").asText();
        var clusters = k8s.path("cnpg").path("clusters");
        Setting.Words words = system.words();
        String kubeExec = words.of(Setting.KUBE_EXEC);
        String problem = null;
        String pod = null;
        if (facts.sourceStatus("kubernetes") != CollectionStatus.OK) {
            problem = kubeExec + " needs the CloudNativePG primary pod from the cluster, and reading the cluster failed: " + facts.sourceMessage("kubernetes");
        } else if (!clusters.isObject() || clusters.isEmpty()) {
            problem = kubeExec + ": no CloudNativePG Cluster in namespace " + ns + " (or it could not be listed); name the namespace with "
                    + words.of(Setting.NAMESPACE) + ", or use " + words.of(Setting.PSQL_COMMAND) + " or " + words.of(Setting.DATABASE_URL);
        } else {
            List<String> names = new ArrayList<>();
            clusters.fieldNames().forEachRemaining(names::add);
            String name = v.argument() != null ? v.argument() : names.size() == 1 ? names.get(0) : null;
            if (name == null) {
                problem = kubeExec + ": namespace " + ns + " has several CloudNativePG Clusters (" + String.join(", ", names) + "): name one, e.g. "
                        + kubeExec + "=" + names.get(0);
            } else if (!clusters.has(name)) {
                problem = kubeExec + ": no CloudNativePG Cluster " + name + " in namespace " + ns + " (found: " + String.join(", ", names) + ")";
            } else {
                pod = clusters.get(name).path("current_primary").asText("");
                if (pod.isEmpty()) problem = kubeExec + ": the CloudNativePG Cluster " + name + " has no current primary (status.currentPrimary): is it running?";
            }
        }
        if (problem != null) {
            facts.json().with("collection").putObject("postgres").put("status", CollectionStatus.ERROR.id()).put("via", "kube-exec").put("message", problem);
            return null;
        }
        KubeTarget kube = system.kubernetes().get();
        return PsqlChannel.kubeExec(kube.kubeconfig() == null ? null : kube.kubeconfig().toString(), kube.context(), ns, pod,
                v.user(), v.database(), timeouts);
    }

    private static Map<String, String> customSql(RuleLoader.Loaded rules) {
        Map<String, String> custom = new LinkedHashMap<>();
        for (Rule r : rules.rules()) {
            if (r.collect() != null && r.collect().sql() != null) custom.put(r.id(), r.collect().sql());
        }
        return custom;
    }
}
