package dev.vccheck.collect.kubernetes;


import dev.vccheck.Processes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kubectl commands vccheck prints, run verbatim with a real kubectl against the mock API server (.ci/run installs
 * Debian's kubectl when it is missing), then a rescan: the findings pass. The mock has no controllers, so the test
 * plays the Deployment controller's part (status follows spec) after kubectl scale.
 */
@EnableKubernetesMockClient(crud = true)
public class KubectlCommandsTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private static boolean hasKubectl() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) if (Files.isExecutable(Path.of(d, "kubectl"))) return true;
        return false;
    }

    /**
     * The scale subresource (the CRUD mock has none): kubectl's request is answered and recorded; the test then
     * applies it to the Deployment, as the API server would (a reply cannot call back into the mock server).
     */
    private final java.util.Map<String, Integer> scaled = new java.util.concurrent.ConcurrentHashMap<>();

    private void scaleSubresource(String name, int current) {
        String path = "/apis/apps/v1/namespaces/immich/deployments/" + name + "/scale";
        server.expect().get().withPath(path).andReply(200, req -> scale(name, scaled.getOrDefault(name, current))).always();
        for (var verb : List.of(server.expect().patch(), server.expect().put())) {
            verb.withPath(path).andReply(200, req -> {
                try {
                    int replicas = new ObjectMapper().readTree(req.getBody().readUtf8()).at("/spec/replicas").asInt();
                    scaled.put(name, replicas);
                    return scale(name, replicas);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).always();
        }
    }

    private static String scale(String name, int replicas) {
        return "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"" + name
                + "\",\"namespace\":\"immich\"},\"spec\":{\"replicas\":" + replicas + "},\"status\":{\"replicas\":" + replicas + "}}";
    }

    /** What kubectl asks before it acts: the API groups and resources (the CRUD mock answers only the custom ones). */
    private void discovery() {
        for (String q : new String[]{"", "?timeout=32s"}) discovery(q);
    }

    private void discovery(String q) {
        server.expect().get().withPath("/api" + q).andReturn(200, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}").always();
        server.expect().get().withPath("/api/v1" + q).andReturn(200, "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
                + "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\",\"verbs\":[\"get\",\"list\",\"delete\"],\"shortNames\":[\"po\"]}]}").always();
        server.expect().get().withPath("/apis" + q).andReturn(200, "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":["
                + "{\"name\":\"apps\",\"versions\":[{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}],\"preferredVersion\":{\"groupVersion\":\"apps/v1\",\"version\":\"v1\"}}]}").always();
        server.expect().get().withPath("/apis/apps/v1" + q).andReturn(200, "{\"kind\":\"APIResourceList\",\"groupVersion\":\"apps/v1\",\"resources\":["
                + "{\"name\":\"deployments\",\"singularName\":\"deployment\",\"namespaced\":true,\"kind\":\"Deployment\",\"verbs\":[\"get\",\"list\",\"patch\",\"update\"],\"shortNames\":[\"deploy\"]},"
                + "{\"name\":\"deployments/scale\",\"singularName\":\"\",\"namespaced\":true,\"group\":\"autoscaling\",\"version\":\"v1\",\"kind\":\"Scale\",\"verbs\":[\"get\",\"patch\",\"update\"]},"
                + "{\"name\":\"statefulsets\",\"singularName\":\"statefulset\",\"namespaced\":true,\"kind\":\"StatefulSet\",\"verbs\":[\"get\",\"list\"]}]}").always();
    }

    private JsonNode scan(Path kubeconfig) throws Exception {
        Cli.Result r = Cli.run("scan", "--kubeconfig", kubeconfig.toString(), "-n", "immich", "--format", "json", "--phase", "pre");
        return new ObjectMapper().readTree(r.out());
    }

    private static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
        throw new AssertionError(id);
    }

    @Test
    void scaleAndDeletePodRunVerbatimAndTheRescanPasses() throws Exception {
        dev.vccheck.Tools.require(hasKubectl(), "kubectl (Debian's kubernetes-client)");
        MockCluster.registerCrds(server);
        discovery();
        MockCluster.load(client, KubernetesScanTest.TRUECHARTS_CRASHLOOP);
        for (Deployment d : client.apps().deployments().inNamespace("immich").list().getItems()) {
            scaleSubresource(d.getMetadata().getName(), d.getSpec().getReplicas());
        }
        Path kubeconfig = MockCluster.kubeconfig(client, dir);
        JsonNode before = scan(kubeconfig);
        List<String> commands = new ArrayList<>();
        for (String id : List.of("k8s.workloads.scaled-down", "k8s.cnpg.crashloop")) {
            JsonNode f = finding(before, id);
            assertEquals("fail", f.get("status").asText(), f::toString);
            f.at("/remediation/0/text").asText().lines().forEach(commands::add);
        }
        for (String command : commands) {
            List<String> argv = new ArrayList<>(List.of(command.split(" ")));
            argv.add(1, "--kubeconfig=" + kubeconfig);
            Processes.Result r = Processes.run(new ProcessBuilder(argv).redirectErrorStream(true), Duration.ofSeconds(60));
            assertEquals(0, r.exit(), command + "\n" + r.out());
        }
        assertEquals(java.util.Map.of("immich-microservices", 0), scaled, "kubectl scaled exactly the running workload");
        // The API server's and the Deployment controller's part: spec takes the scale, status follows.
        for (Deployment d : client.apps().deployments().inNamespace("immich").list().getItems()) {
            if (scaled.containsKey(d.getMetadata().getName())) {
                d.getSpec().setReplicas(scaled.get(d.getMetadata().getName()));
                d = client.resource(d).update();
            }
            if (d.getSpec().getReplicas() == 0 && d.getStatus() != null) {
                d.getStatus().setReplicas(0);
                d.getStatus().setReadyReplicas(0);
                d.getStatus().setAvailableReplicas(0);
                client.resource(d).updateStatus();
            }
        }
        JsonNode after = scan(kubeconfig);
        assertEquals("pass", finding(after, "k8s.workloads.scaled-down").get("status").asText(), after::toString);
        assertEquals("pass", finding(after, "k8s.cnpg.crashloop").get("status").asText(), after::toString);
    }
}
