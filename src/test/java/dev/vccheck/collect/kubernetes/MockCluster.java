package dev.vccheck.collect.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the Kubernetes fixtures (src/test/resources/fixtures/kubernetes, from shared/fixtures) into fabric8's CRUD mock server and writes a kubeconfig for it. */
final class MockCluster {
    static final Path FIXTURES = Path.of(System.getProperty("user.dir")).resolve("src/test/resources/fixtures/kubernetes");

    private MockCluster() {
    }

    static void registerCrds(KubernetesMockServer server) {
        crd(server, "postgresql.cnpg.io", "v1", "Cluster", "clusters");
        crd(server, "postgresql.cnpg.io", "v1", "Backup", "backups");
        crd(server, "postgresql.cnpg.io", "v1", "ScheduledBackup", "scheduledbackups");
        crd(server, "helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases");
        crd(server, "argoproj.io", "v1alpha1", "Application", "applications");
    }

    private static void crd(KubernetesMockServer server, String group, String version, String kind, String plural) {
        server.expectCustomResource(new CustomResourceDefinitionContext.Builder().withGroup(group).withVersion(version)
                .withKind(kind).withPlural(plural).withScope("Namespaced").build());
    }

    static void load(KubernetesClient client, String... fixtures) throws Exception {
        loadInto(client, "immich", fixtures);
    }

    /** Loads the fixtures with namespace immich renamed (the argocd namespace and Argo's destination follow). */
    static void loadInto(KubernetesClient client, String namespace, String... fixtures) throws Exception {
        for (String f : fixtures) {
            String text = Files.readString(FIXTURES.resolve(f)).replace("namespace: immich", "namespace: " + namespace)
                    .replace("helm.toolkit.fluxcd.io/namespace: immich", "helm.toolkit.fluxcd.io/namespace: " + namespace);
            try (InputStream in = new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                client.load(in).items().forEach(o -> client.resource(o).create());
            }
        }
    }

    static Path kubeconfig(KubernetesClient client, Path dir) throws Exception {
        Path file = dir.resolve("kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: mock
                    cluster:
                      server: %s
                      insecure-skip-tls-verify: true
                users:
                  - name: mock
                    user:
                      token: mock-token
                contexts:
                  - name: mock
                    context:
                      cluster: mock
                      user: mock
                      namespace: immich
                current-context: mock
                """.formatted(client.getConfiguration().getMasterUrl()));
        return file;
    }
}
