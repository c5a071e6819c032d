package dev.vccheck.cli;

import dev.vccheck.facts.CollectionStatus;
import dev.vccheck.report.NextStep;
import dev.vccheck.text.Quote;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What to do when a target could not be read, per cause ({@code collection.<target>.cause}): the collectors say
 * what happened, this table says which options of this command line get past it. The reports show the step next
 * to the reason; standard error repeats it on one line when the report goes to a file.
 */
final class NextSteps {
    /** Immich's docker compose file names the database's container so (the service is called database). */
    static final String IMMICH_CONTAINER = "immich_postgres";
    private static final Pattern LABEL = Pattern.compile("^postgresql://([^@]*)@(.*):(\\d+)/(.*)$");
    private static final Pattern KUBE_LABEL = Pattern.compile("^kube://(.*)/([^/]*)$");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** Endings of real two-part host names, which are not a Kubernetes service.namespace. */
    private static final Set<String> TOP_LEVEL = Set.of("com", "net", "org", "io", "dev", "app", "lan", "local", "home", "internal",
            "localdomain", "arpa", "de", "fr", "uk", "nl", "eu", "ch", "at", "it", "es", "us", "ca", "au", "se", "no", "fi", "dk", "pl", "cz", "be");

    /**
     * What this command line knows beyond the facts: the .env file it was given, if any, and whether names are to
     * be hidden (--redact all). The steps are chosen from the facts before redaction (a redacted host name no
     * longer tells a compose service from a Kubernetes service), so with hidden names they name no host, user,
     * database or namespace, and only the .env file's own name (its folder may name the user).
     */
    record Context(Path envFile, boolean hideNames) {
        static final Context NONE = new Context(null, false);

        static Context of(Path envFile, dev.vccheck.facts.Redactor.Level redact) {
            boolean hide = redact == dev.vccheck.facts.Redactor.Level.all;
            return new Context(envFile == null || !hide ? envFile : envFile.getFileName(), hide);
        }

        /** The facts of a run, as a map (the steps are chosen before the facts are redacted). */
        static Map<String, Object> collection(dev.vccheck.facts.Facts facts) {
            return dev.vccheck.facts.PlainJson.toMap(facts.json().path("collection"));
        }
    }

    private NextSteps() {
    }

    /** target name -> the next step, for every target that could not be read and whose cause has one. */
    static Map<String, NextStep> of(Map<String, Object> targets, Context ctx) {
        Map<String, NextStep> out = new LinkedHashMap<>();
        boolean kube = targets.get("kubernetes") instanceof Map<?, ?> k && status(k) != CollectionStatus.NOT_CONFIGURED;
        String kubeNs = targets.get("kubernetes") instanceof Map<?, ?> k ? namespace(str(k.get("label"))) : null;
        for (Map.Entry<String, Object> e : targets.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> src) || status(src) != CollectionStatus.ERROR) continue;
            NextStep step = switch (e.getKey()) {
                case "postgres" -> postgres(src, ctx, kube, kubeNs);
                case "kubernetes" -> kubernetes(src, ctx);
                default -> null;
            };
            if (step != null) out.put(e.getKey(), step);
        }
        return out;
    }

    static NextStep postgres(Map<?, ?> src, Context ctx, boolean kube, String kubeNs) {
        String cause = str(src.get("cause"));
        String host = str(src.get("host"));
        String port = str(src.get("port"));
        if (cause == null || host == null) return null;
        Matcher label = LABEL.matcher(String.valueOf(src.get("label")));
        boolean hide = ctx.hideNames();
        String user = hide ? "USER" : label.matches() ? label.group(1) : "postgres";
        String db = hide ? "DATABASE" : label.matches() ? label.group(4) : "immich";
        String where = hide ? "port " + port + " of the host" : host + ":" + port;
        String docker = "./vccheck scan --docker " + IMMICH_CONTAINER + envFile(ctx);
        return switch (cause) {
            case "dns" -> dns(host, port, user, db, ctx, kube, kubeNs, docker);
            case "refused" -> host.startsWith("/")
                    ? new NextStep("Nothing listens on that socket: check that PostgreSQL runs there, and the socket directory and port.", List.of())
                    : new NextStep("Nothing accepts connections on " + where + ". Immich's docker compose file does not publish the "
                    + "database's port 5432, so from outside the containers the connection is refused. Scan through the container "
                    + "(docker ps shows its name; in Immich's compose file it is " + IMMICH_CONTAINER + "), or publish the port "
                    + "(ports: [\"127.0.0.1:5432:5432\"] under the database service, then docker compose up -d database).", List.of(docker));
            case "auth" -> new NextStep("The server refused the login" + (hide ? "" : " of " + user) + ". The password came from " + passwordSource(str(src.get("password_source")), ctx)
                    + " (not shown here). It must be the role's password in the database, which is set when the database is first created: "
                    + "changing DB_PASSWORD afterwards does not change it." + (kube ? "" : " Through the container no password is needed:"),
                    kube ? List.of() : List.of(docker));
            case "database-missing" -> new NextStep("The server has no database" + (hide ? " of that name" : " " + db) + ": give the one Immich uses (DB_DATABASE_NAME in .env, "
                    + "Immich's default is immich, or the database in the URL); psql -l lists them.", List.of());
            case "tls" -> new NextStep("The server and the TLS mode disagree: set DB_SSL_MODE in .env or sslmode in the URL "
                    + "(disable for a server without TLS; require, verify-ca or verify-full for one with it).", List.of());
            case "timeout" -> new NextStep("Check the host and port and whether a firewall drops the packets; on a slow link, give it longer with --connect-timeout SECONDS.", List.of());
            case "catalog-timeout" -> new NextStep("Scan again when the server is less busy, or give the catalog longer with --statement-timeout SECONDS.", List.of());
            case "lock" -> new NextStep("Another session holds a lock on a system catalog (pg_locks shows which): scan again once it has finished.", List.of());
            case "lost" -> new NextStep("The server stopped or restarted during the scan: check its log, and scan again once it is up.", List.of());
            case "command-failed" -> new NextStep("The command that runs psql failed (its first lines are in the reason): run it by hand to see why.", List.of());
            default -> null;
        };
    }

    private static NextStep dns(String host, String port, String user, String db, Context ctx, boolean kube, String kubeNs, String docker) {
        boolean hide = ctx.hideNames();
        if (host.matches("host-\\d+")) return new NextStep("Check the host name (hidden by --redact all): it does not resolve from this machine.", List.of());
        String[] parts = host.split("\\.");
        String service = null, ns = null;
        if (host.endsWith(".svc") || host.endsWith(".svc.cluster.local") || parts.length == 2 && kubeName(parts[0]) && kubeName(parts[1])
                && !TOP_LEVEL.contains(parts[1])) {
            service = parts[0];
            ns = parts.length > 1 ? parts[1] : null;
        } else if (parts.length == 1 && kube) {
            service = host;
            ns = kubeNs;
        }
        if (service != null) {
            String n = ns == null || hide ? "NAMESPACE" : Quote.shell(ns);
            return new NextStep((hide ? "The host" : host) + " is a Kubernetes service name: it resolves only inside the cluster. Scan through the database's pod "
                    + "(kubectl exec into the CloudNativePG primary), or forward the port and scan through it (password from ~/.pgpass or the URL):",
                    List.of("./vccheck scan --kube -n " + n + " --kube-exec" + envFile(ctx),
                            "kubectl port-forward -n " + n + " svc/" + (hide ? "SERVICE" : Quote.shell(service)) + " 15432:" + port,
                            "./vccheck scan --db-url " + Quote.shell("postgresql://" + user + "@127.0.0.1:15432/" + db)));
        }
        if (parts.length == 1 && !host.equals("localhost")) {
            return new NextStep((hide ? "The host" : "'" + host + "'") + " is a service name from a docker compose file (Immich's names its database service so): "
                    + "it resolves only inside the compose network, and the database's port is not published. Scan through the "
                    + "container instead (docker ps shows its name; in Immich's compose file it is " + IMMICH_CONTAINER + "):", List.of(docker));
        }
        return new NextStep("Check the host name: " + (hide ? "it" : "'" + host + "'") + " does not resolve from this machine.", List.of());
    }

    static NextStep kubernetes(Map<?, ?> src, Context ctx) {
        Matcher m = KUBE_LABEL.matcher(String.valueOf(src.get("label")));
        String check = ctx.hideNames() ? "kubectl get pods -n NAMESPACE" : m.matches() ? "kubectl --context " + Quote.shell(m.group(1)) + " get pods -n " + Quote.shell(m.group(2)) : "kubectl get pods";
        String cause = str(src.get("cause"));
        if (cause == null) return null;
        return switch (cause) {
            case "config" -> new NextStep("Give vccheck the kubeconfig with --kubeconfig PATH (or KUBECONFIG); kubectl config view shows the one kubectl uses.", List.of());
            case "auth" -> new NextStep("The cluster refused the kubeconfig's credentials: log in again until this works, or choose another context with --context NAME.", List.of(check));
            default -> new NextStep("The API server could not be reached from this machine: check that this works, and choose the cluster with --context NAME or --kubeconfig PATH.", List.of(check));
        };
    }

    /** The password's source in the user's words, never its value. */
    static String passwordSource(String source, Context ctx) {
        if (source == null) return "an unknown place";
        return switch (source) {
            case "URL" -> "the URL given with --db-url";
            case "DB_URL" -> "DB_URL" + (ctx.envFile() != null ? " in " + ctx.envFile() : "");
            case ".env" -> "DB_PASSWORD in " + (ctx.envFile() != null ? ctx.envFile() : "the .env file");
            case "DB_PASSWORD" -> "DB_PASSWORD in the environment";
            case "PGPASSWORD" -> "PGPASSWORD in the environment";
            case ".pgpass" -> "the .pgpass file (PGPASSFILE, or ~/.pgpass)";
            case "default" -> "Immich's default, because DB_PASSWORD is not set";
            case "none" -> "nowhere: no password was given (DB_PASSWORD in .env, PGPASSWORD or ~/.pgpass)";
            default -> source;
        };
    }

    /** One line per target that could not be read: which, why, what next (standard error, when the report went to a file). */
    static List<String> lines(dev.vccheck.report.Report report) {
        List<String> out = new ArrayList<>();
        for (var t : report.targetStatuses()) {
            if (t.unreachable()) out.add(line(t.what(), t.label(), t.message(), t.next_step()));
        }
        return out;
    }

    /** The same for a facts bundle (collect): from its collection section. */
    static List<String> lines(Map<String, Object> targets, Map<String, NextStep> steps) {
        List<String> out = new ArrayList<>();
        targets.forEach((name, v) -> {
            if (v instanceof Map<?, ?> src && status(src) == CollectionStatus.ERROR) {
                String what = name.equals("postgres") ? "the database" : name.equals("kubernetes") ? "the Kubernetes cluster" : name;
                out.add(line(what, str(src.get("label")), str(src.get("message")), steps.get(name)));
            }
        });
        return out;
    }

    private static String line(String what, String label, String message, NextStep step) {
        StringBuilder sb = new StringBuilder("cannot read ").append(what);
        if (label != null) sb.append(" (").append(label).append(')');
        sb.append(": ").append(message);
        if (step != null) sb.append(" — next: ").append(step.oneLine());
        return sb.toString();
    }

    private static String envFile(Context ctx) {
        return ctx.envFile() == null ? "" : " --env-file " + Quote.shell(ctx.envFile().toString());
    }

    private static boolean kubeName(String s) {
        return DNS_LABEL.matcher(s).matches();
    }

    private static String namespace(String kubeLabel) {
        if (kubeLabel == null) return null;
        Matcher m = KUBE_LABEL.matcher(kubeLabel);
        return m.matches() ? m.group(2) : null;
    }

    /** A source's status as the facts give it; null when it has none (or an unknown one). */
    private static CollectionStatus status(Map<?, ?> src) {
        Object s = src.get("status");
        return s == null ? null : CollectionStatus.of(String.valueOf(s));
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
