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

/**
 * deploy/kubernetes/*.yaml load with the fabric8 client as the typed objects they claim to be, bind the service account to
 * the role the file defines, and grant read-only access. (The mock API server in CRUD mode stores whatever it is given,
 * so these tests do not claim that a real API server would accept the manifests.)
 */
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
        ClusterRole role = items.stream().filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast).findFirst().orElseThrow();
        Set<String> read = new java.util.TreeSet<>();
        for (PolicyRule r : role.getRules()) {
            assertEquals(List.of("get", "list"), r.getVerbs(), "only get and list: " + r);
            assertFalse(r.getResources().contains("secrets"), "no Secrets");
            for (String res : r.getResources()) read.add(r.getApiGroups().get(0) + "/" + res);
        }
        assertEquals(Set.of("apps/deployments", "apps/statefulsets", "/pods", "postgresql.cnpg.io/clusters", "postgresql.cnpg.io/backups",
                "postgresql.cnpg.io/scheduledbackups", "helm.toolkit.fluxcd.io/helmreleases", "argoproj.io/applications"), read);
        List<RoleBinding> bindings = items.stream().filter(RoleBinding.class::isInstance).map(RoleBinding.class::cast).toList();
        assertEquals(2, bindings.size(), "the Immich namespace and argocd");
        for (RoleBinding b : bindings) {
            assertEquals(role.getMetadata().getName(), b.getRoleRef().getName(), "binds the role defined in rbac.yaml: " + b);
            assertEquals(List.of("ServiceAccount/vccheck"), b.getSubjects().stream().map(s -> s.getKind() + "/" + s.getName()).toList());
        }
    }

    @Test
    void jobAndCronJobRunVccheckWithItsServiceAccount() throws Exception {
        Job job = (Job) load("job.yaml").get(0);
        CronJob cron = (CronJob) load("cronjob.yaml").get(0);
        for (var spec : List.of(job.getSpec().getTemplate().getSpec(), cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec())) {
            assertEquals("vccheck", spec.getServiceAccountName());
            List<String> cmd = spec.getContainers().get(0).getCommand();
            assertTrue(cmd.contains("scan") && cmd.contains("--kube") && cmd.contains("json"), cmd::toString);
            assertTrue(spec.getSecurityContext().getRunAsNonRoot());
        }
        assertEquals("30 3 * * *", cron.getSpec().getSchedule());
    }
}
