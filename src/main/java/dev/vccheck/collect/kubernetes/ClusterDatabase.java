package dev.vccheck.collect.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the database that the Kubernetes facts show is running, for a scan that reads the cluster but was given
 * no way into the database itself (no database URL, no kubectl exec). What it reports is what the API says about
 * the database's pods, not a judgement of the database: "pod X, the primary of CloudNativePG Cluster Y, is waiting
 * in CrashLoopBackOff after 7 restarts". The caller records it as the reason the database could not be reached, so
 * the report says the database is down (and why, as far as the pods tell) instead of "no database target given".
 *
 * <p>The database's pods are found as the rules find them: the pods of a CloudNativePG Cluster (its current primary,
 * else its target primary, else any instance), or else the pods whose container image is a PostgreSQL image
 * (postgres, postgresql, pgvecto-rs, vectorchord; not the CloudNativePG operator's own image). A database with at least one ready pod is running.
 */
public final class ClusterDatabase {
    private ClusterDatabase() {
    }

    /** Why the database in the cluster is not running, or empty when it runs or no database pod is known. */
    public static Optional<String> notRunning(JsonNode k8s) {
        JsonNode pods = k8s.path("pods");
        if (!pods.isArray()) return Optional.empty();
        for (Iterator<Map.Entry<String, JsonNode>> it = k8s.path("cnpg").path("clusters").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> cl = it.next();
            Optional<String> why = cnpg(cl.getKey(), cl.getValue(), pods);
            if (why.isPresent()) return why;
        }
        if (k8s.path("cnpg").path("clusters").size() > 0) return Optional.empty();
        List<JsonNode> db = new ArrayList<>();
        for (JsonNode p : pods) if (postgresImage(p)) db.add(p);
        if (db.isEmpty() || db.stream().anyMatch(p -> p.path("ready").asBoolean(false))) return Optional.empty();
        List<String> states = new ArrayList<>();
        for (JsonNode p : db) states.add("pod " + p.path("name").asText() + " " + state(p));
        return Optional.of("the database is not running in the cluster: " + String.join("; ", states));
    }

    private static Optional<String> cnpg(String name, JsonNode cluster, JsonNode pods) {
        List<JsonNode> instances = new ArrayList<>();
        for (JsonNode p : pods) if (name.equals(p.path("labels").path("cnpg.io/cluster").asText(null))) instances.add(p);
        String primary = cluster.path("current_primary").asText("");
        if (primary.isEmpty()) primary = cluster.path("target_primary").asText("");
        if (!primary.isEmpty()) {
            for (JsonNode p : instances) {
                if (p.path("name").asText().equals(primary)) {
                    if (p.path("ready").asBoolean(false)) return Optional.empty();
                    return Optional.of("the database is not running: pod " + primary + ", the primary of CloudNativePG Cluster " + name + ", "
                            + state(p));
                }
            }
            return Optional.of("the database is not running: the primary of CloudNativePG Cluster " + name + " (" + primary
                    + ") has no pod in the namespace" + (instances.isEmpty() ? "" : "; its other instances: " + names(instances)));
        }
        if (instances.stream().anyMatch(p -> p.path("ready").asBoolean(false))) return Optional.empty();
        if (instances.isEmpty()) {
            String phase = cluster.path("phase").asText("");
            return Optional.of("the database is not running: CloudNativePG Cluster " + name + " has no instance pod"
                    + (phase.isEmpty() ? "" : " (phase: " + phase + ")"));
        }
        List<String> states = new ArrayList<>();
        for (JsonNode p : instances) states.add("pod " + p.path("name").asText() + " " + state(p));
        return Optional.of("the database is not running: no instance of CloudNativePG Cluster " + name + " is ready: " + String.join("; ", states));
    }

    private static String names(List<JsonNode> pods) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : pods) out.add(p.path("name").asText());
        return String.join(", ", out);
    }

    /** "is waiting in CrashLoopBackOff after 7 restarts", "is not ready (phase Pending)". */
    static String state(JsonNode pod) {
        for (JsonNode c : pod.path("containers")) {
            if (c.path("ready").asBoolean(false)) continue;
            int restarts = c.path("restarts").asInt(0);
            String after = restarts > 0 ? " after " + restarts + (restarts == 1 ? " restart" : " restarts") : "";
            if (c.hasNonNull("waiting")) return "is waiting in " + c.get("waiting").asText() + after;
            if (c.hasNonNull("terminated")) return "has terminated (" + c.get("terminated").asText() + ")" + after;
        }
        return "is not ready (phase " + pod.path("phase").asText("Unknown") + ")";
    }

    private static boolean postgresImage(JsonNode pod) {
        for (JsonNode c : pod.path("containers")) {
            String image = c.path("image").asText("").toLowerCase(java.util.Locale.ROOT);
            String repo = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
            int colon = repo.lastIndexOf(':');
            if (colon > repo.lastIndexOf('/')) repo = repo.substring(0, colon);
            String last = repo.substring(repo.lastIndexOf('/') + 1);
            if (last.equals("postgres") || last.equals("postgresql") || last.startsWith("pgvecto") || last.contains("vectorchord")
                    || last.startsWith("postgresql-")) return true;
        }
        return false;
    }
}
