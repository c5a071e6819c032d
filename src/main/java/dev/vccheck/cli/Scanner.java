package dev.vccheck.cli;

import dev.vccheck.collect.postgres.PgTarget;
import dev.vccheck.collect.postgres.PostgresCollector;
import dev.vccheck.facts.Facts;
import dev.vccheck.rules.Rule;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
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
        Optional<PgTarget> db = targets.database(env);
        var kube = targets.kubernetes();
        var logs = logOptions == null ? null : logOptions.request(targets, env);
        Facts facts = Facts.empty(VersionProvider.version(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (immichVersionHint != null) facts.json().with("meta").put("immich_version_hint", immichVersionHint);
        var packs = facts.json().with("meta").putArray("rule_packs");
        if (db.isEmpty() && kube.isEmpty() && (logs == null || !logs.any())) {
            throw new UsageException("no target given: use --db-url, --env-file, DB_URL / DB_* / PG* variables, --docker, --kube or --log");
        }
        if (db.isPresent()) {
            new PostgresCollector().collect(facts, db.get(),
                    new PostgresCollector.Timeouts(targets.connectTimeout, targets.statementTimeout), () -> customSql(engine.get()));
        } else if (logOptions != null && logOptions.docker != null) {
            facts.json().with("collection").putObject("postgres").put("status", "error").put("label", "docker:" + logOptions.docker)
                    .put("message", logOptions.dockerProbe(env, targets.connectTimeout));
        } else {
            facts.json().with("collection").putObject("postgres").put("status", "not-configured").put("message", "no database target given");
        }
        if (kube.isPresent()) {
            new dev.vccheck.collect.kubernetes.KubernetesCollector().collect(facts, kube.get());
        } else {
            facts.json().with("collection").putObject("kubernetes").put("status", "not-configured")
                    .put("message", "no Kubernetes target given (use --kube)");
        }
        // No collection.logs when no log was asked for: absent reads as not-configured, and reports stay as they were.
        if (logs != null && logs.any()) new dev.vccheck.collect.logs.LogCollector().collect(facts, logs);
        engine.get().rules.packs().forEach(p -> packs.addObject().put("name", p.name()).put("version", p.version()));
        return facts;
    }

    private static Map<String, String> customSql(Engine engine) {
        Map<String, String> custom = new LinkedHashMap<>();
        for (Rule r : engine.rules.rules()) {
            if (r.collect() != null && r.collect().sql() != null) custom.put(r.id(), r.collect().sql());
        }
        return custom;
    }
}
