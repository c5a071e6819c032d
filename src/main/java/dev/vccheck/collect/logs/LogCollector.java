package dev.vccheck.collect.logs;

import dev.vccheck.facts.CollectionStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.collect.kubernetes.KubeTarget;
import dev.vccheck.collect.kubernetes.KubernetesCollector;
import dev.vccheck.collect.Setting;
import dev.vccheck.facts.Facts;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Stage 1 for logs: reads the last lines of each log asked for, bounded by lines and bytes, and records only the
 * lines {@link LogParser} keeps, with where they came from ({@code docker:immich_postgres},
 * {@code kube:immich-cnpg-main-1/postgres[previous]}, {@code file:postgresql.log}). Never judges: the rules in
 * rules/logs/ decide what a line means. Commands run with their arguments as words and a timeout; Kubernetes logs are
 * a get on pods/log. A source that cannot be read is recorded in {@code logs.sources} with why; the logs part is in
 * error only when no source could be read at all.
 */
public final class LogCollector {
    /**
     * What to read. {@code files}: paths, "-" for standard input; {@code dockerContainer}: the database container
     * (null: none); {@code immichContainer}: Immich's server container, read when it exists; {@code kube}: read the
     * database and Immich server pods named in the Kubernetes facts.
     */
    public record Request(List<String> files, String dockerContainer, String immichContainer, KubeTarget kube,
                          int maxLines, int maxBytes, int timeoutSeconds, Map<String, String> env, Supplier<InputStream> stdin) {
        public boolean any() {
            return !files.isEmpty() || dockerContainer != null || kube != null;
        }
    }

    /** How reading one log source ended, as logs.sources[].status gives it. */
    enum ReadStatus {
        READ, ERROR,
        /** An optional source that is not there (a container or namespace without that pod): not an error. */
        ABSENT;

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record Read(String source, String kind, String text, ReadStatus status, String message) {
    }

    private final Setting.Words words;

    /** {@code words}: how the messages name the settings they point to. */
    public LogCollector(Setting.Words words) {
        this.words = words;
    }

    public void collect(Facts facts, Request req) {
        ObjectNode coll = facts.json().with("collection").putObject("logs");
        if (!req.any()) {
            coll.put("status", CollectionStatus.NOT_CONFIGURED.id()).put("message", "no log given (use " + words.of(Setting.LOG_FILE) + " FILE, "
                    + words.of(Setting.DOCKER_CONTAINER) + " CONTAINER or " + words.of(Setting.KUBERNETES) + ")");
            return;
        }
        long start = System.nanoTime();
        List<Read> reads = new ArrayList<>();
        for (String f : req.files()) reads.add(file(f, req));
        if (req.dockerContainer() != null) {
            reads.add(docker(req.dockerContainer(), "postgres", req, true));
            if (req.immichContainer() != null && !req.immichContainer().isBlank()) reads.add(docker(req.immichContainer(), "immich", req, false));
        }
        if (req.kube() != null) reads.addAll(kube(facts, req));

        ObjectNode logs = facts.json().putObject("logs");
        ArrayNode lines = logs.putArray("lines");
        ArrayNode sources = logs.putArray("sources");
        List<String> errors = new ArrayList<>();
        List<String> read = new ArrayList<>();
        for (Read r : reads) {
            ObjectNode s = sources.addObject().put("source", r.source()).put("status", r.status().id());
            if (r.kind() != null) s.put("kind", r.kind());
            if (r.message() != null) s.put("message", r.message());
            if (r.status() == ReadStatus.ERROR) errors.add(r.source() + ": " + r.message());
            if (r.text() == null) continue;
            read.add(r.source());
            List<String> all = Arrays.asList(r.text().split("\r?\n"));
            List<String> tail = all.size() > req.maxLines() ? all.subList(all.size() - req.maxLines(), all.size()) : all;
            s.put("lines_read", tail.size());
            Map<LogParser.Line, Integer> kept = LogParser.parse(tail, r.kind());
            s.put("lines_kept", kept.size());
            kept.forEach((l, n) -> lines.addObject().put("source", r.source()).put("kind", l.kind()).put("level", l.level())
                    .put("text", l.text()).put("count", n));
        }
        if (read.isEmpty() && !errors.isEmpty()) {
            coll.put("status", CollectionStatus.ERROR.id()).put("message", errors.isEmpty() ? "no log could be read" : String.join("; ", errors));
            facts.json().remove("logs");
        } else {
            coll.put("status", CollectionStatus.OK.id()).put("label", read.isEmpty() ? "no log to read" : String.join(", ", read));
            if (!errors.isEmpty()) coll.put("message", String.join("; ", errors));
        }
        coll.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
    }

    private static Read file(String f, Request req) {
        String source = f.equals("-") ? "stdin" : "file:" + f;
        try {
            String text;
            if (f.equals("-")) {
                text = tail(req.stdin().get(), req.maxBytes());
            } else {
                Path p = Path.of(f);
                long size = Files.size(p);
                try (var ch = Files.newByteChannel(p)) {
                    ch.position(Math.max(0, size - req.maxBytes()));
                    text = tail(java.nio.channels.Channels.newInputStream(ch), req.maxBytes());
                }
                if (size > req.maxBytes()) text = text.substring(text.indexOf('\n') + 1);
            }
            return new Read(source, null, text, ReadStatus.READ, null);
        } catch (NoSuchFileException e) {
            return new Read(source, null, null, ReadStatus.ERROR, "no such file");
        } catch (IOException e) {
            return new Read(source, null, null, ReadStatus.ERROR, "cannot read: " + e.getMessage());
        }
    }

    private static String tail(InputStream in, int maxBytes) throws IOException {
        Commands.Tail t = new Commands.Tail(maxBytes);
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) t.write(buf, n);
        return t.text();
    }

    /** docker (or podman) logs --tail N CONTAINER; a missing optional container is "absent", not an error. */
    private static Read docker(String container, String kind, Request req, boolean required) {
        String source = "docker:" + container;
        var tool = Commands.containerTool(req.env());
        if (tool.isEmpty()) return new Read(source, kind, null, ReadStatus.ERROR, "neither docker nor podman is on PATH");
        List<String> cmd = List.of(tool.get(), "logs", "--tail", String.valueOf(req.maxLines()), container);
        try {
            Commands.Result r = Commands.run(cmd, req.env(), req.timeoutSeconds(), req.maxBytes());
            if (r.timedOut()) return new Read(source, kind, null, ReadStatus.ERROR, "'" + String.join(" ", cmd.subList(1, cmd.size())) + "' did not finish within " + req.timeoutSeconds() + " s");
            if (r.exit() != 0) {
                String why = r.firstLine();
                if (!required && why.toLowerCase().contains("no such container")) return new Read(source, kind, null, ReadStatus.ABSENT, why);
                return new Read(source, kind, null, ReadStatus.ERROR, Path.of(tool.get()).getFileName() + " logs exited with " + r.exit() + ": " + why);
            }
            return new Read(source, kind, r.output(), ReadStatus.READ, null);
        } catch (IOException e) {
            return new Read(source, kind, null, ReadStatus.ERROR, "cannot run " + tool.get() + ": " + e.getMessage());
        }
    }

    /**
     * The database pods (label cnpg.io/cluster, container postgres) and Immich's server pod (a container whose image
     * is immich-server), from the pods the Kubernetes collector listed; the previous container's log too when the
     * container has restarted (a crash loop's reason is in the previous run).
     */
    private static List<Read> kube(Facts facts, Request req) {
        List<Read> out = new ArrayList<>();
        JsonNode k = facts.json().path("k8s");
        if (facts.sourceStatus("kubernetes") != CollectionStatus.OK || !k.path("pods").isArray()) {
            out.add(new Read("kube", null, null, ReadStatus.ERROR, "the pods could not be listed: " + facts.sourceMessage("kubernetes")
                    + facts.unavailable().getOrDefault("k8s.pods", "")));
            return out;
        }
        String ns = k.path("namespace").asText();
        record Target(String pod, String container, String kind, boolean previous) {
        }
        List<Target> targets = new ArrayList<>();
        for (JsonNode p : k.path("pods")) {
            String pod = p.path("name").asText();
            boolean db = p.path("labels").has("cnpg.io/cluster");
            for (JsonNode c : p.path("containers")) {
                String name = c.path("name").asText();
                String kind = db && name.equals("postgres") ? "postgres" : c.path("image").asText().contains("immich-server") ? "immich" : null;
                if (kind == null) continue;
                targets.add(new Target(pod, name, kind, false));
                if (c.path("restarts").asInt() > 0) targets.add(new Target(pod, name, kind, true));
            }
        }
        if (targets.isEmpty()) {
            out.add(new Read("kube:" + ns, null, null, ReadStatus.ABSENT, "no database (cnpg.io/cluster) or immich-server pod in namespace " + ns));
            return out;
        }
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(KubernetesCollector.config(req.kube())).build()) {
            for (Target t : targets) {
                String source = "kube:" + t.pod() + "/" + t.container() + (t.previous() ? "[previous]" : "");
                try {
                    var c = client.pods().inNamespace(ns).withName(t.pod()).inContainer(t.container());
                    String text;
                    if (t.previous()) {
                        try (InputStream in = c.terminated().tailingLines(req.maxLines()).getLogInputStream()) {
                            text = tail(in, req.maxBytes());
                        }
                    } else {
                        text = c.limitBytes(req.maxBytes()).tailingLines(req.maxLines()).getLog();
                    }
                    out.add(new Read(source, t.kind(), text == null ? "" : text, ReadStatus.READ, null));
                } catch (KubernetesClientException e) {
                    // 404: the pod or its log is gone (restarted meanwhile); 400 for [previous]: no earlier container. Neither is an error.
                    boolean absent = e.getCode() == 404 || e.getCode() == 400 && t.previous();
                    String why = e.getCode() == 403 ? "forbidden: get pods/log in namespace " + ns + " (deploy/kubernetes/rbac.yaml grants it)"
                            : absent ? "no log (" + e.getCode() + ")" : "the API answered " + e.getCode() + ": "
                            + String.valueOf(e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage()).lines().findFirst().orElse("");
                    out.add(new Read(source, t.kind(), null, absent ? ReadStatus.ABSENT : ReadStatus.ERROR, why));
                } catch (IOException e) {
                    out.add(new Read(source, t.kind(), null, ReadStatus.ERROR, "cannot read the log: " + e.getMessage()));
                }
            }
        } catch (IOException | RuntimeException e) {
            out.add(new Read("kube:" + ns, null, null, ReadStatus.ERROR, "cannot read pod logs: " + e.getMessage()));
        }
        return out;
    }
}
