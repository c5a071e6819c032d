package dev.vccheck.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/kubernetes/*.yaml load with the fabric8 client, are accepted by the API (mock), and grant read-only access. */
@EnableKubernetesMockClient(crud = true)
class DeployManifestsTest {
    KubernetesClient client;

    private List<HasMetadata> load(String file) throws Exception {
        try (InputStream in = Files.newInputStream(repo("deploy/kubernetes/" + file))) {
            return client.load(in).items();
        }
    }

    @Test
    void rbacIsGetAndListOnlyOnWhatTheCollectorReads() throws Exception {
        List<HasMetadata> items = load("rbac.yaml");
        items.forEach(o -> client.resource(o).create());
        ClusterRole role = items.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast).findFirst().orElseThrow();
        Set<String> read = new java.util.TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            // pods/log is read with a get (the logs of the database and Immich server pods); everything else get and list.
            assertEquals(r.getResources().equals(List.of("pods/log")) ? List.of("get") : List.of("get", "list"), r.getVerbs(), "only get and list: " + r);
            assertFalse(r.getResources().contains("secrets"), "no Secrets");
            for (String res : r.getResources()) read.add(r.getApiGroups().get(0) + "/" + res);
        }
        assertEquals(Set.of("apps/deployments", "apps/statefulsets", "/pods", "/pods/log", "postgresql.cnpg.io/clusters", "postgresql.cnpg.io/backups",
                "postgresql.cnpg.io/scheduledbackups", "helm.toolkit.fluxcd.io/helmreleases", "argoproj.io/applications"), read);
        assertEquals(2, items.stream().filter(RoleBinding.class::isInstance).count(), "the Immich namespace and argocd");
        assertTrue(client.rbac().clusterRoles().withName("vccheck-readonly").get() != null);
    }

    @Test
    void jobAndCronJobRunVccheckWithItsServiceAccount() throws Exception {
        Job job = (Job) load("job.yaml").get(0);
        CronJob cron = (CronJob) load("cronjob.yaml").get(0);
        client.resource(job).create();
        client.resource(cron).create();
        for (var spec : List.of(job.getSpec().getTemplate().getSpec(), cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec())) {
            assertEquals("vccheck", spec.getServiceAccountName());
            List<String> cmd = spec.getContainers().get(0).getCommand();
            assertTrue(cmd.contains("scan") && cmd.contains("--kube") && cmd.contains("json"), cmd::toString);
            assertTrue(spec.getSecurityContext().getRunAsNonRoot());
        }
        assertEquals("30 3 * * *", client.batch().v1().cronjobs().inNamespace("immich").withName("vccheck-health").get().getSpec().getSchedule());
    }
}
