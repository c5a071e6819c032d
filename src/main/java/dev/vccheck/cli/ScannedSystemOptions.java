package dev.vccheck.cli;

import dev.vccheck.collect.postgres.PgTarget;
import dev.vccheck.collect.postgres.PgTargets;
import dev.vccheck.collect.postgres.PostgresCollector;
import dev.vccheck.preflight.ScannedSystem;
import dev.vccheck.preflight.ViaPsql;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What to scan. The database target comes from the first of: --db-url, --env-file, DB_URL / DB_* in the
 * environment, libpq's PG* variables; a missing password is looked up in ~/.pgpass (or PGPASSFILE).
 */
public final class ScannedSystemOptions {
    @Option(names = "--db-url", paramLabel = "URL", description = "postgresql://user:password@host:port/database?sslmode=... (Immich's DB_URL form), or jdbc:postgresql://...")
    String dbUrl;

    @Option(names = "--env-file", paramLabel = "PATH", description = "Immich's .env: DB_URL, or DB_HOSTNAME, DB_PORT, DB_USERNAME, DB_PASSWORD, DB_DATABASE_NAME; DB_SSL_MODE, DB_VECTOR_EXTENSION.")
    Path envFile;

    @Option(names = "--docker", paramLabel = "CONTAINER", description = "Read the database with psql inside this container: "
            + "'docker exec -i CONTAINER psql' (podman where docker is not on PATH). Immich's is immich_postgres. User and database from "
            + "--env-file (DB_USERNAME, DB_DATABASE_NAME), else postgres and immich.")
    String docker;

    @Option(names = "--kube-exec", arity = "0..1", fallbackValue = "*", paramLabel = "CLUSTER", description = "Read the database with psql "
            + "inside the CloudNativePG primary pod ('kubectl exec -i ... -c postgres -- psql'; implies --kube); name the Cluster when the "
            + "namespace has several. Needs RBAC to create pods/exec, which the read-only Role in deploy/ does not grant.")
    String kubeExec;

    @Option(names = "--psql", paramLabel = "COMMAND", description = "Read the database through this command line, which must run psql "
            + "(e.g. 'ssh db-host psql -U immich -d immich'). Split into words as a shell would, never run through one.")
    String psql;

    @Option(names = "--kube", description = "Also look at the Kubernetes cluster (implied by --namespace, --context, --kubeconfig).")
    boolean kube;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Immich's namespace (default: the context's namespace, else immich).")
    String namespace;

    @Option(names = "--context", paramLabel = "NAME", description = "kubeconfig context (default: the current one).")
    String context;

    @Option(names = "--kubeconfig", paramLabel = "PATH", description = "kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the in-cluster service account).")
    Path kubeconfig;

    @Option(names = "--backup-max-age", paramLabel = "AGE", defaultValue = "24h", description = "How old the newest completed CNPG backup may be, e.g. 24h, 7d. Default: ${DEFAULT-VALUE}.")
    String backupMaxAge;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int connectTimeout;

    @Option(names = "--statement-timeout", paramLabel = "SECONDS", defaultValue = "5", description = "Default: ${DEFAULT-VALUE}.")
    int statementTimeout;

    /** The Kubernetes target, when asked for. */
    Optional<dev.vccheck.collect.kubernetes.KubeTarget> kubernetes() {
        if (!kube && kubeExec == null && namespace == null && context == null && kubeconfig == null) return Optional.empty();
        var m = java.util.regex.Pattern.compile("(\\d+)([hd])").matcher(backupMaxAge.trim());
        if (!m.matches()) throw new UsageException("--backup-max-age must be hours or days, e.g. 24h or 7d; not '" + backupMaxAge + "'");
        int hours = Integer.parseInt(m.group(1)) * (m.group(2).equals("d") ? 24 : 1);
        if (namespace != null && !namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new UsageException("--namespace '" + namespace + "' is not a Kubernetes name (RFC 1123 label)");
        }
        if (kubeconfig != null && !Files.isReadable(kubeconfig)) throw new UsageException("--kubeconfig " + kubeconfig + ": no such file");
        return Optional.of(new dev.vccheck.collect.kubernetes.KubeTarget(kubeconfig, context, namespace, connectTimeout, hours));
    }

    /**
     * The system these options name, checked in the order a scan reads them (exit 2 before any work): psql route,
     * database, cluster, logs ({@code logOptions} null for commands that read no logs).
     */
    ScannedSystem system(Map<String, String> env, LogOptions logOptions, String immichVersionHint) {
        Optional<ViaPsql> via = viaPsql();
        Optional<PgTarget> db = via.isPresent() ? Optional.empty() : database(env);
        var kube = kubernetes();
        var logs = logOptions == null ? null : logOptions.request(this, env);
        return new ScannedSystem(db, via, kube, logs, new PostgresCollector.Timeouts(connectTimeout, statementTimeout), env, immichVersionHint, Flags::of);
    }

    /** --docker, --kube-exec or --psql, checked (exit 2 for a conflict or a command line that does not split). */
    Optional<ViaPsql> viaPsql() {
        List<String> given = new java.util.ArrayList<>();
        if (docker != null) given.add("--docker");
        if (kubeExec != null) given.add("--kube-exec");
        if (psql != null) given.add("--psql");
        if (given.isEmpty()) return Optional.empty();
        if (given.size() > 1) throw new UsageException(String.join(" and ", given) + " are alternatives: give one");
        if (dbUrl != null) throw new UsageException(given.get(0) + " and --db-url are alternatives: give one");
        if (connectTimeout < 1 || statementTimeout < 1) throw new UsageException("timeouts are whole seconds, at least 1");
        String user = "postgres";
        String database = "immich";
        String ext = null;
        if (envFile != null) {
            Map<String, String> vars = envVars();
            try {
                Optional<PgTarget> t = PgTargets.fromImmichEnv(vars, "--env-file " + envFile);
                if (t.isPresent() && vars.containsKey("DB_URL")) {
                    user = t.get().user();
                    database = t.get().database();
                }
            } catch (IllegalArgumentException e) {
                throw new UsageException("--env-file " + envFile + ": " + e.getMessage());
            }
            if (vars.get("DB_USERNAME") != null && !vars.get("DB_USERNAME").isBlank()) user = vars.get("DB_USERNAME").strip();
            if (vars.get("DB_DATABASE_NAME") != null && !vars.get("DB_DATABASE_NAME").isBlank()) database = vars.get("DB_DATABASE_NAME").strip();
            if (vars.get("DB_VECTOR_EXTENSION") != null && !vars.get("DB_VECTOR_EXTENSION").isBlank()) ext = vars.get("DB_VECTOR_EXTENSION").strip();
        }
        if (docker != null) {
            if (!docker.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) throw new UsageException("--docker '" + docker + "' is not a container name or id");
            return Optional.of(new ViaPsql("docker", docker, user, database, ext));
        }
        if (psql != null) {
            try {
                if (dev.vccheck.collect.postgres.ShellWords.split(psql).isEmpty()) throw new IllegalArgumentException("the command is empty");
            } catch (IllegalArgumentException e) {
                throw new UsageException("--psql: " + e.getMessage());
            }
            return Optional.of(new ViaPsql("psql", psql, user, database, ext));
        }
        return Optional.of(new ViaPsql("kube-exec", kubeExec.equals("*") ? null : kubeExec, user, database, ext));
    }

    private Map<String, String> envVars() {
        try {
            return PgTargets.readEnvFile(envFile);
        } catch (NoSuchFileException e) {
            throw new UsageException("--env-file " + envFile + ": no such file");
        } catch (IOException e) {
            throw new UsageException("--env-file " + envFile + ": cannot read: " + e.getMessage());
        }
    }

    /** The database target, or empty when none was given anywhere. */
    Optional<PgTarget> database(Map<String, String> env) {
        if (connectTimeout < 1 || statementTimeout < 1) throw new UsageException("timeouts are whole seconds, at least 1");
        Optional<PgTarget> t;
        try {
            if (dbUrl != null) {
                t = Optional.of(PgTargets.fromUrl(dbUrl, "--db-url"));
            } else if (envFile != null) {
                Map<String, String> vars;
                try {
                    vars = PgTargets.readEnvFile(envFile);
                } catch (NoSuchFileException e) {
                    throw new UsageException("--env-file " + envFile + ": no such file");
                } catch (IOException e) {
                    throw new UsageException("--env-file " + envFile + ": cannot read: " + e.getMessage());
                }
                t = PgTargets.fromImmichEnv(vars, "--env-file " + envFile);
                if (t.isEmpty()) throw new UsageException("--env-file " + envFile + ": no DB_URL or DB_* variable in it");
            } else {
                t = PgTargets.fromImmichEnv(env, "environment");
                if (t.isEmpty()) t = PgTargets.fromLibpqEnv(env, env.getOrDefault("USER", "postgres"));
            }
        } catch (IllegalArgumentException e) {
            String what = dbUrl != null ? "--db-url" : envFile != null ? "--env-file " + envFile : "the environment's database settings";
            throw new UsageException(what + ": " + e.getMessage());
        }
        if (t.isPresent() && t.get().password() == null) {
            String file = env.get("PGPASSFILE");
            Path pgpass = file != null ? Path.of(file) : env.containsKey("HOME") ? Path.of(env.get("HOME"), ".pgpass") : null;
            if (pgpass != null && Files.isReadable(pgpass)) {
                PgTarget base = t.get();
                t = Optional.of(PgTargets.fromPgpass(pgpass, base).map(base::withPassword).orElse(base));
            }
        }
        return t;
    }
}
