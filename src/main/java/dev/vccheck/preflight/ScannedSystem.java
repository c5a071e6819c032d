package dev.vccheck.preflight;

import dev.vccheck.collect.Setting;
import dev.vccheck.collect.kubernetes.KubeTarget;
import dev.vccheck.collect.logs.LogCollector;
import dev.vccheck.collect.postgres.PgTarget;
import dev.vccheck.collect.postgres.PostgresCollector;

import java.util.Map;
import java.util.Optional;

/**
 * The system a scan reads: the database (directly, or through psql), the Kubernetes cluster, the logs; each may be
 * absent. {@code logs} is null for commands that read no logs (plan); {@code immichVersionHint} is recorded in the
 * facts when given; {@code words} name, in the collectors' messages, the settings that would change the outcome.
 */
public record ScannedSystem(Optional<PgTarget> database, Optional<ViaPsql> viaPsql, Optional<KubeTarget> kubernetes,
                            LogCollector.Request logs, PostgresCollector.Timeouts timeouts, Map<String, String> env,
                            String immichVersionHint, Setting.Words words) {

    boolean nothing() {
        return database.isEmpty() && viaPsql.isEmpty() && kubernetes.isEmpty() && !readsLogs();
    }

    boolean readsLogs() {
        return logs != null && logs.any();
    }

    /** The database is read through psql inside the CloudNativePG primary pod, which the cluster facts name. */
    boolean kubeExec() {
        return viaPsql.isPresent() && viaPsql.get().kind().equals("kube-exec");
    }
}
