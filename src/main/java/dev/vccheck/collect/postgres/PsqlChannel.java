package dev.vccheck.collect.postgres;

import dev.vccheck.text.Quote;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A command that runs psql against the database: {@code docker exec} into Immich's database container,
 * {@code kubectl exec} into the CloudNativePG primary, or any command line of the user's ({@code --psql}). The
 * command is run as words (never through a shell) with the catalog statement on standard input.
 * <p>
 * psql's words, where vccheck builds them: {@code -X} (no ~/.psqlrc), {@code -q -A -t} (the bare value, no headers,
 * no command tags), {@code -v ON_ERROR_STOP=1} (stop and exit 3 at the first error), {@code -U USER}, and {@code -d}
 * with a connection string that names the database and carries the session limits the JDBC path sets in its startup
 * packet ({@code statement_timeout}, {@code lock_timeout=1s}, {@code idle_in_transaction_session_timeout},
 * {@code application_name=vccheck}): when the channel is cut (a killed {@code docker exec} leaves psql running in
 * the container), the server still ends the session within those limits. A {@code --psql} command is run as given;
 * the limits go into its environment (PGOPTIONS, PGAPPNAME), which a local psql reads.
 *
 * @param command the words to run; the first is resolved on PATH
 * @param via     docker, kube-exec or psql (recorded as collection.postgres.via)
 * @param label   what was scanned, for the report (no secrets: vccheck never puts a password into these words)
 * @param host    how pg.connection.host names the server
 * @param env     extra environment for the command
 * @param interactive the same way in for a person (a terminal, no limits), for the SQL of the fixes; null for --psql
 */
public record PsqlChannel(List<String> command, String via, String label, String host, Map<String, String> env, String interactive) {

    /** psql's words after the program name, as vccheck runs it. */
    public static List<String> psqlWords(String user, String database, PostgresCollector.Timeouts to) {
        return List.of("-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", conninfo(database, to));
    }

    /** {@code dbname=immich application_name=vccheck options='-c statement_timeout=5000 ...'} (libpq's quoting). */
    static String conninfo(String database, PostgresCollector.Timeouts to) {
        return "dbname=" + quote(database) + " application_name=vccheck options=" + quote(options(to));
    }

    /** The session limits, as PGOPTIONS / libpq's options parameter. */
    static String options(PostgresCollector.Timeouts to) {
        return "-c statement_timeout=" + to.statement() * 1000 + " -c lock_timeout=1000 -c idle_in_transaction_session_timeout="
                + (to.statement() + to.connect()) * 1000;
    }

    private static String quote(String v) {
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** {@code docker exec -i CONTAINER psql ...}, or podman where docker is not on PATH. */
    public static PsqlChannel docker(String container, String user, String database, PostgresCollector.Timeouts to, Map<String, String> env) {
        String engine = onPath("docker", env).isPresent() || onPath("podman", env).isEmpty() ? "docker" : "podman";
        List<String> cmd = new ArrayList<>(List.of(engine, "exec", "-i", container, "psql"));
        cmd.addAll(psqlWords(user, database, to));
        return new PsqlChannel(cmd, "docker", engine + " exec " + container + ": psql -U " + user + " -d " + database,
                engine + " exec " + container, Map.of(),
                engine + " exec -it " + Quote.shell(container) + " psql -U " + Quote.shell(user) + " -d " + Quote.shell(database));
    }

    /** {@code kubectl exec -i -n NS POD -c postgres -- psql ...} into a CloudNativePG instance pod. */
    public static PsqlChannel kubeExec(String kubeconfig, String context, String namespace, String pod, String user, String database,
                                       PostgresCollector.Timeouts to) {
        List<String> cmd = new ArrayList<>(List.of("kubectl"));
        if (kubeconfig != null) cmd.addAll(List.of("--kubeconfig", kubeconfig));
        if (context != null) cmd.addAll(List.of("--context", context));
        cmd.addAll(List.of("exec", "-i", "-n", namespace, pod, "-c", "postgres", "--", "psql"));
        cmd.addAll(psqlWords(user, database, to));
        return new PsqlChannel(cmd, "kube-exec", "kubectl exec " + namespace + "/" + pod + ": psql -U " + user + " -d " + database,
                "kubectl exec " + namespace + "/" + pod, Map.of(),
                "kubectl" + (context != null ? " --context " + Quote.shell(context) : "") + " exec -it -n " + Quote.shell(namespace) + " "
                        + Quote.shell(pod) + " -c postgres -- psql -U " + Quote.shell(user) + " -d " + Quote.shell(database));
    }

    /** A command line of the user's, split into words (see {@link ShellWords}), run as given. */
    public static PsqlChannel psql(String commandLine, PostgresCollector.Timeouts to) {
        List<String> words = ShellWords.split(commandLine);
        if (words.isEmpty()) throw new IllegalArgumentException("the command is empty");
        return new PsqlChannel(words, "psql", PsqlCollector.redact(String.join(" ", words)), words.get(0),
                Map.of("PGOPTIONS", options(to), "PGAPPNAME", "vccheck"), null);
    }

    /** The program's path on the PATH of {@code env} (or the process's own PATH when env has none). */
    static Optional<Path> onPath(String program, Map<String, String> env) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = env.getOrDefault("PATH", System.getenv().getOrDefault("PATH", ""));
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }
}
