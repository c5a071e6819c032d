package dev.vccheck.collect.kubernetes;

import dev.vccheck.facts.CollectionStatus;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.facts.Facts;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stage 1 for Kubernetes: get and list only, never Secrets, exec or port-forward. Records what it read under
 * {@code k8s}; a forbidden read is named in {@code unavailable} ("forbidden: list pods in namespace immich") and the
 * rest goes on; a missing CRD means "not installed"; an unreachable API server ends the Kubernetes part with one
 * message (the PostgreSQL part is independent). Retries are bounded so that an unreachable cluster fails within
 * the timeout.
 */
public final class KubernetesCollector {
    private static final Pattern IMMICH_TAG = Pattern.compile("^v?(\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?)$");

    /**
     * The API server could not be reached at all. {@code cause} is recorded as {@code collection.kubernetes.cause}:
     * config (no usable kubeconfig), dns, refused, timeout, auth (401), tls or other.
     */
    static final class Unreachable extends RuntimeException {
        final String cause;

        Unreachable(String cause, String message) {
            super(message);
            this.cause = cause;
        }
    }

    /** What kept the client from the API server, from the exception chain (fabric8 wraps the JDK's exceptions). */
    static String cause(Throwable e) {
        if (cause(e, java.net.UnknownHostException.class) != null) return "dns";
        if (cause(e, java.net.ConnectException.class) != null) return "refused";
        if (cause(e, javax.net.ssl.SSLException.class) != null) return "tls";
        if (timedOut(e)) return "timeout";
        return "other";
    }

    public void collect(Facts facts, KubeTarget t) {
        ObjectNode source = facts.json().with("collection").putObject("kubernetes");
        long start = System.nanoTime();
        Config cfg;
        try {
            cfg = config(t);
        } catch (Exception e) {
            source.put("status", CollectionStatus.ERROR.id()).put("message", "cannot load the Kubernetes configuration: " + firstLine(e.getMessage())).put("cause", "config");
            return;
        }
        String ns = t.namespace() != null ? t.namespace() : cfg.getNamespace() != null ? cfg.getNamespace() : "immich";
        String ctx = t.context() != null ? t.context() : cfg.getCurrentContext() != null ? cfg.getCurrentContext().getName() : "in-cluster";
        source.put("label", "kube://" + ctx + "/" + ns);
        ObjectNode k = facts.json().putObject("k8s");
        k.put("context", ctx).put("namespace", ns).put("server", cfg.getMasterUrl()).put("backup_max_age_hours", t.backupMaxAgeHours());
        ObjectNode unavailable = facts.json().with("unavailable");
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg).build()) {
            Reader r = new Reader(ns, unavailable, t.timeoutSeconds());
            readWorkloads(client, r, k);
            readPods(client, r, k);
            readCnpg(client, r, k.putObject("cnpg"));
            readFlux(client, r, k.putObject("flux"), ns);
            readArgo(client, r, k.putObject("argocd"), ns);
            source.put("status", CollectionStatus.OK.id());
        } catch (Unreachable e) {
            facts.json().remove("k8s");
            source.put("status", CollectionStatus.ERROR.id()).put("message", e.getMessage()).put("cause", e.cause);
        }
        if (unavailable.isEmpty()) facts.json().remove("unavailable");
        source.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
    }

    public static Config config(KubeTarget t) throws IOException {
        Config cfg;
        if (t.kubeconfig() != null) {
            cfg = Config.fromKubeconfig(t.context(), Files.readString(t.kubeconfig()), t.kubeconfig().toString());
        } else {
            cfg = Config.autoConfigure(t.context());
        }
        int ms = t.timeoutSeconds() * 1000;
        cfg.setConnectionTimeout(ms);
        cfg.setRequestTimeout(ms);
        cfg.setRequestRetryBackoffLimit(1);
        cfg.setRequestRetryBackoffInterval(200);
        return cfg;
    }

    /**
     * Runs one read; 403, API errors and malformed answers are recorded per resource, connection failures end the
     * collection. After one read times out the rest are not tried (each would cost the timeout again): they are
     * recorded as not read, naming the slow call, and what was read before is kept.
     */
    private static final class Reader {
        final String ns;
        final ObjectNode unavailable;
        final int timeoutSeconds;
        String stalled;

        Reader(String ns, ObjectNode unavailable, int timeoutSeconds) {
            this.ns = ns;
            this.unavailable = unavailable;
            this.timeoutSeconds = timeoutSeconds;
        }

        /** null when the read failed (recorded) or the resource type is not installed (installed[0] = false). */
        <T> T read(String fact, String verbResource, Supplier<T> call, boolean[] installed) {
            if (stalled != null) {
                unavailable.put(fact, "not read: " + stalled);
                return null;
            }
            try {
                return call.get();
            } catch (KubernetesClientException e) {
                com.fasterxml.jackson.core.JsonProcessingException malformed = cause(e, com.fasterxml.jackson.core.JsonProcessingException.class);
                if (e.getCode() == 403) {
                    unavailable.put(fact, "forbidden: " + verbResource);
                } else if (timedOut(e)) {
                    stalled = "the Kubernetes API did not answer " + verbResource + " within " + timeoutSeconds + " s";
                    unavailable.put(fact, stalled);
                } else if (malformed != null) {
                    unavailable.put(fact, "the Kubernetes API answered " + verbResource + " with malformed JSON: " + firstLine(malformed.getOriginalMessage()));
                } else if (e.getCode() == 404 || e.getCode() == -1 && String.valueOf(e.getMessage()).contains("Could not find the metadata")) {
                    if (installed != null) installed[0] = false;
                    else unavailable.put(fact, "not found: " + verbResource);
                } else if (e.getCode() == -1 || e.getCause() instanceof IOException) {
                    throw new Unreachable(KubernetesCollector.cause(e), "cannot reach the Kubernetes API: " + firstLine(e.getCause() != null ? e.getCause().toString() : e.getMessage()));
                } else if (e.getCode() == 401) {
                    throw new Unreachable("auth", "the Kubernetes API refused the credentials (401)");
                } else {
                    unavailable.put(fact, "the API answered " + e.getCode() + " to " + verbResource + ": " + firstLine(e.getMessage()));
                }
                return null;
            }
        }
    }

    /** A timeout anywhere in the chain, whichever HTTP client fabric8 runs on (JDK, OkHttp, Vert.x). */
    static boolean timedOut(Throwable e) {
        for (Throwable x = e; x != null; x = x.getCause()) {
            if (x instanceof java.util.concurrent.TimeoutException || x instanceof java.net.SocketTimeoutException
                    || x.getClass().getSimpleName().contains("Timeout")) return true;
        }
        return false;
    }

    static <X extends Throwable> X cause(Throwable e, Class<X> type) {
        for (Throwable x = e; x != null; x = x.getCause()) if (type.isInstance(x)) return type.cast(x);
        return null;
    }

    private void readWorkloads(KubernetesClient c, Reader r, ObjectNode k) {
        ObjectNode w = k.putObject("workloads");
        List<Deployment> deps = r.read("k8s.workloads", "list deployments in namespace " + r.ns,
                () -> c.apps().deployments().inNamespace(r.ns).list().getItems(), null);
        List<StatefulSet> sts = r.read("k8s.workloads", "list statefulsets in namespace " + r.ns,
                () -> c.apps().statefulSets().inNamespace(r.ns).list().getItems(), null);
        if (deps == null || sts == null) {
            k.remove("workloads");
            return;
        }
        ObjectNode immich = k.putObject("immich");
        for (Deployment d : deps) {
            ObjectNode o = workload(w, d.getMetadata().getName(), "Deployment", d.getMetadata().getLabels(), d.getSpec().getTemplate().getSpec());
            o.put("replicas", d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas());
            o.put("ready", d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas());
            o.put("current", d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas());
            noteImmich(immich, d.getMetadata().getLabels(), d.getSpec().getTemplate().getSpec());
        }
        for (StatefulSet s : sts) {
            ObjectNode o = workload(w, s.getMetadata().getName(), "StatefulSet", s.getMetadata().getLabels(), s.getSpec().getTemplate().getSpec());
            o.put("replicas", s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas());
            o.put("ready", s.getStatus() == null || s.getStatus().getReadyReplicas() == null ? 0 : s.getStatus().getReadyReplicas());
            o.put("current", s.getStatus() == null || s.getStatus().getReplicas() == null ? 0 : s.getStatus().getReplicas());
        }
        if (immich.isEmpty()) k.remove("immich");
    }

    private static ObjectNode workload(ObjectNode w, String name, String kind, Map<String, String> labels, PodSpec spec) {
        ObjectNode o = w.putObject(name);
        o.put("kind", kind);
        ObjectNode l = o.putObject("labels");
        if (labels != null) labels.forEach(l::put);
        ArrayNode images = o.putArray("images");
        if (spec != null) for (Container c : spec.getContainers()) images.add(c.getImage());
        if (labels != null && labels.containsKey("helm.toolkit.fluxcd.io/name")) {
            o.put("helm_release", labels.get("helm.toolkit.fluxcd.io/name"));
            o.put("helm_release_namespace", labels.getOrDefault("helm.toolkit.fluxcd.io/namespace", ""));
        }
        return o;
    }

    /** The immich-server image tag gives the Immich version the cluster runs or is about to run. */
    private static void noteImmich(ObjectNode immich, Map<String, String> labels, PodSpec spec) {
        if (spec == null) return;
        for (Container c : spec.getContainers()) {
            String img = c.getImage() == null ? "" : c.getImage().replaceFirst("@sha256:[0-9a-f]+$", "");
            int slash = img.lastIndexOf('/');
            int colon = img.lastIndexOf(':');
            if (!img.substring(slash + 1).startsWith("immich-server") || colon <= slash) continue;
            immich.put("server_image", c.getImage());
            Matcher m = IMMICH_TAG.matcher(img.substring(colon + 1));
            if (m.matches()) immich.put("version", m.group(1));
            if (labels != null && labels.containsKey("helm.sh/chart")) {
                immich.put("chart", labels.get("helm.sh/chart"));
                immich.put("chart_version", labels.get("helm.sh/chart").replaceFirst("^.*?-(\\d+\\.\\d+\\.\\d+.*)$", "$1"));
            }
            if (labels != null && labels.containsKey("app.kubernetes.io/instance")) immich.put("release", labels.get("app.kubernetes.io/instance"));
        }
    }

    private void readPods(KubernetesClient c, Reader r, ObjectNode k) {
        List<Pod> pods = r.read("k8s.pods", "list pods in namespace " + r.ns, () -> c.pods().inNamespace(r.ns).list().getItems(), null);
        if (pods == null) return;
        ArrayNode out = k.putArray("pods");
        for (Pod p : pods) {
            ObjectNode o = out.addObject();
            o.put("name", p.getMetadata().getName());
            o.put("phase", p.getStatus() == null ? "Unknown" : String.valueOf(p.getStatus().getPhase()));
            ObjectNode l = o.putObject("labels");
            if (p.getMetadata().getLabels() != null) p.getMetadata().getLabels().forEach(l::put);
            List<OwnerReference> owners = p.getMetadata().getOwnerReferences();
            if (owners != null && !owners.isEmpty()) {
                o.put("owner_kind", owners.get(0).getKind()).put("owner_name", owners.get(0).getName());
            }
            boolean ready = p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                    .anyMatch(cd -> "Ready".equals(cd.getType()) && "True".equals(cd.getStatus()));
            o.put("ready", ready);
            ArrayNode cs = o.putArray("containers");
            if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null) {
                for (ContainerStatus s : p.getStatus().getContainerStatuses()) {
                    ObjectNode co = cs.addObject();
                    co.put("name", s.getName()).put("image", s.getImage()).put("ready", Boolean.TRUE.equals(s.getReady()))
                            .put("restarts", s.getRestartCount() == null ? 0 : s.getRestartCount());
                    if (s.getState() != null && s.getState().getWaiting() != null && s.getState().getWaiting().getReason() != null) {
                        co.put("waiting", s.getState().getWaiting().getReason());
                    }
                    if (s.getState() != null && s.getState().getTerminated() != null && s.getState().getTerminated().getReason() != null) {
                        co.put("terminated", s.getState().getTerminated().getReason());
                    }
                }
            } else if (p.getSpec() != null) {
                for (Container ct : p.getSpec().getContainers()) cs.addObject().put("name", ct.getName()).put("image", ct.getImage()).put("ready", false).put("restarts", 0);
            }
        }
    }

    private static List<GenericKubernetesResource> list(KubernetesClient c, String apiVersion, String kind, String ns) {
        return c.genericKubernetesResources(apiVersion, kind).inNamespace(ns).list().getItems();
    }

    private void readCnpg(KubernetesClient c, Reader r, ObjectNode cnpg) {
        boolean[] installed = {true};
        List<GenericKubernetesResource> clusters = r.read("k8s.cnpg.clusters", "list clusters.postgresql.cnpg.io in namespace " + r.ns,
                () -> list(c, "postgresql.cnpg.io/v1", "Cluster", r.ns), installed);
        cnpg.put("installed", installed[0]);
        if (!installed[0]) return;
        if (clusters != null) {
            ObjectNode out = cnpg.putObject("clusters");
            for (GenericKubernetesResource cl : clusters) {
                ObjectNode o = out.putObject(cl.getMetadata().getName());
                putStr(o, "image", cl.get("spec", "imageName"));
                putStr(o, "status_image", cl.get("status", "image"));
                putInt(o, "instances", cl.get("spec", "instances"));
                putInt(o, "ready_instances", cl.get("status", "readyInstances"));
                putStr(o, "phase", cl.get("status", "phase"));
                putStr(o, "phase_reason", cl.get("status", "phaseReason"));
                putStr(o, "current_primary", cl.get("status", "currentPrimary"));
                putStr(o, "target_primary", cl.get("status", "targetPrimary"));
                strings(o.putArray("preload"), cl.get("spec", "postgresql", "shared_preload_libraries"));
                ArrayNode ext = o.putArray("extensions");
                if (cl.get("spec", "postgresql", "extensions") instanceof List<?> l) {
                    for (Object e : l) {
                        if (e instanceof Map<?, ?> m) {
                            Object img = m.get("image") instanceof Map<?, ?> im ? im.get("reference") : null;
                            ext.addObject().put("name", String.valueOf(m.get("name"))).put("image", img == null ? "" : String.valueOf(img));
                        }
                    }
                }
                Map<String, String> ann = cl.getMetadata().getAnnotations();
                o.put("hibernation", ann == null ? "off" : ann.getOrDefault("cnpg.io/hibernation", "off"));
                for (String s : new String[]{"healthy", "replicating", "failed"}) strings(o.putArray(s), cl.get("status", "instancesStatus", s));
                ObjectNode l = o.putObject("labels");
                if (cl.getMetadata().getLabels() != null) cl.getMetadata().getLabels().forEach(l::put);
            }
        }
        List<GenericKubernetesResource> backups = r.read("k8s.cnpg.backups", "list backups.postgresql.cnpg.io in namespace " + r.ns,
                () -> list(c, "postgresql.cnpg.io/v1", "Backup", r.ns), new boolean[]{true});
        if (backups != null) {
            ArrayNode out = cnpg.putArray("backups");
            for (GenericKubernetesResource b : backups) {
                ObjectNode o = out.addObject().put("name", b.getMetadata().getName());
                putStr(o, "cluster", b.get("spec", "cluster", "name"));
                putStr(o, "phase", b.get("status", "phase"));
                putStr(o, "method", b.get("spec", "method"));
                putStr(o, "started_at", b.get("status", "startedAt"));
                putStr(o, "stopped_at", b.get("status", "stoppedAt"));
                putStr(o, "error", b.get("status", "error"));
            }
        }
        List<GenericKubernetesResource> scheduled = r.read("k8s.cnpg.scheduled_backups", "list scheduledbackups.postgresql.cnpg.io in namespace " + r.ns,
                () -> list(c, "postgresql.cnpg.io/v1", "ScheduledBackup", r.ns), new boolean[]{true});
        if (scheduled != null) {
            ArrayNode out = cnpg.putArray("scheduled_backups");
            for (GenericKubernetesResource s : scheduled) {
                ObjectNode o = out.addObject().put("name", s.getMetadata().getName());
                putStr(o, "cluster", s.get("spec", "cluster", "name"));
                putStr(o, "schedule", s.get("spec", "schedule"));
                o.put("suspend", Boolean.TRUE.equals(s.get("spec", "suspend")));
            }
        }
    }

    private void readFlux(KubernetesClient c, Reader r, ObjectNode flux, String ns) {
        for (String version : new String[]{"helm.toolkit.fluxcd.io/v2", "helm.toolkit.fluxcd.io/v2beta2", "helm.toolkit.fluxcd.io/v2beta1"}) {
            boolean[] installed = {true};
            List<GenericKubernetesResource> hrs = r.read("k8s.flux.helmreleases", "list helmreleases.helm.toolkit.fluxcd.io in namespace " + ns,
                    () -> list(c, version, "HelmRelease", ns), installed);
            if (!installed[0]) continue;
            flux.put("installed", true);
            if (hrs == null) return;
            ArrayNode out = flux.putArray("helmreleases");
            for (GenericKubernetesResource h : hrs) {
                ObjectNode o = out.addObject().put("name", h.getMetadata().getName()).put("namespace", h.getMetadata().getNamespace()).put("api_version", version);
                putStr(o, "target_namespace", h.get("spec", "targetNamespace"));
                putStr(o, "chart", h.get("spec", "chart", "spec", "chart"));
                putStr(o, "version", h.get("spec", "chart", "spec", "version"));
                putStr(o, "deployed_version", h.get("status", "history", 0, "chartVersion"));
                o.put("suspend", Boolean.TRUE.equals(h.get("spec", "suspend")));
                Object mode = h.get("spec", "driftDetection", "mode");
                o.put("drift_mode", mode == null ? "disabled" : String.valueOf(mode));
                boolean ignoresReplicas = false;
                if (h.get("spec", "driftDetection", "ignore") instanceof List<?> ignores) {
                    for (Object ig : ignores) {
                        if (ig instanceof Map<?, ?> m && m.get("paths") instanceof List<?> paths && paths.contains("/spec/replicas")) ignoresReplicas = true;
                    }
                }
                o.put("drift_ignores_replicas", ignoresReplicas);
            }
            return;
        }
        flux.put("installed", false);
    }

    private void readArgo(KubernetesClient c, Reader r, ObjectNode argo, String ns) {
        ArrayNode out = argo.putArray("applications");
        boolean any = false;
        for (String where : ns.equals("argocd") ? new String[]{"argocd"} : new String[]{"argocd", ns}) {
            boolean[] installed = {true};
            List<GenericKubernetesResource> apps = r.read("k8s.argocd.applications", "list applications.argoproj.io in namespace " + where,
                    () -> list(c, "argoproj.io/v1alpha1", "Application", where), installed);
            if (!installed[0]) {
                argo.put("installed", false);
                return;
            }
            any = true;
            if (apps == null) continue;
            for (GenericKubernetesResource a : apps) {
                if (!ns.equals(String.valueOf((Object) a.get("spec", "destination", "namespace")))) continue;
                ObjectNode o = out.addObject().put("name", a.getMetadata().getName()).put("namespace", a.getMetadata().getNamespace());
                putStr(o, "destination_namespace", a.get("spec", "destination", "namespace"));
                Object automated = a.get("spec", "syncPolicy", "automated");
                boolean enabled = automated != null && !Boolean.FALSE.equals(a.get("spec", "syncPolicy", "automated", "enabled"));
                o.put("automated", enabled);
                o.put("self_heal", Boolean.TRUE.equals(a.get("spec", "syncPolicy", "automated", "selfHeal")));
                o.put("prune", Boolean.TRUE.equals(a.get("spec", "syncPolicy", "automated", "prune")));
                putStr(o, "chart", a.get("spec", "source", "chart"));
                putStr(o, "target_revision", a.get("spec", "source", "targetRevision"));
                putStr(o, "sync_status", a.get("status", "sync", "status"));
                List<OwnerReference> owners = a.getMetadata().getOwnerReferences();
                o.put("from_applicationset", owners != null && owners.stream().anyMatch(ow -> "ApplicationSet".equals(ow.getKind())));
            }
        }
        argo.put("installed", any);
    }

    private static void putStr(ObjectNode o, String k, Object v) {
        if (v != null) o.put(k, String.valueOf(v));
    }

    private static void putInt(ObjectNode o, String k, Object v) {
        if (v instanceof Number n) o.put(k, n.longValue());
    }

    private static void strings(ArrayNode a, Object v) {
        if (v instanceof List<?> l) for (Object x : l) a.add(String.valueOf(x));
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse(s);
    }
}
