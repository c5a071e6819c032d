package dev.vccheck.collect.kubernetes;


import dev.vccheck.cli.Cli;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Regenerates src/test/resources/bundles/k8s-*.json: Kubernetes facts collected by the real collector from
 * fabric8's mock API server loaded with the shared fixtures (never typed). The rule cases of the k8s.* and
 * cross.* rules start from these bundles. Run with
 * {@code mvn -o -q test -Dtest=RegenerateKubernetesBundles -Dvccheck.regenerate=true}.
 */
@EnableKubernetesMockClient(crud = true)
@EnabledIfSystemProperty(named = "vccheck.regenerate", matches = "true")
class RegenerateKubernetesBundles {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "k8s-truecharts-crashloop; cnpg-cluster-vectorchord-crashloop.yaml cnpg-pods-vectorchord-crashloop.yaml immich-deployments-truecharts-one-running.yaml truecharts-redis.yaml flux-helmrelease-immich-drift-enabled-v24.yaml cnpg-backups.yaml",
            "k8s-pgvectors-scaled-down; cnpg-cluster-pgvectors-healthy.yaml cnpg-pods-pgvectors.yaml immich-deployments-truecharts-scaled-down.yaml truecharts-redis.yaml flux-helmrelease-immich-suspended-warn.yaml cnpg-backups.yaml",
            "k8s-argocd-selfheal; immich-deployments-official-chart.yaml argocd-application-immich-selfheal.yaml",
            "k8s-rolling-update; cnpg-cluster-vectorchord-crashloop.yaml cnpg-pods-mixed-rolling-update.yaml",
            "k8s-chart-25-on-pgvectors; cnpg-cluster-pgvectors-healthy.yaml immich-deployments-truecharts-scaled-down.yaml flux-helmrelease-immich-v25-no-drift.yaml"})
    void collect(String name, String fixtures) throws Exception {
        MockCluster.registerCrds(server);
        MockCluster.load(client, fixtures.split(" "));
        Path out = Path.of(System.getProperty("user.dir")).resolve("src/test/resources/bundles/" + name + ".json");
        Cli.Result r = Cli.run("collect", "--kube", "--kubeconfig", MockCluster.kubeconfig(client, dir).toString(), "-n", "immich", "-o", out.toString());
        assertEquals(0, r.exit(), r::toString);
        // The mock's port differs per run; fix it so the bundles stay stable under version control.
        Files.writeString(out, Files.readString(out).replaceAll("https?://(localhost|127\\.0\\.0\\.1):\\d+", "https://kubernetes.default.svc"));
    }
}
