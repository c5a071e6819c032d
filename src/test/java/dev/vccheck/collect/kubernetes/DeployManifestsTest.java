package dev.vccheck.collect.kubernetes;


import dev.vccheck.cli.VersionProvider;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
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
 * the role the file defines, grant read-only access and run the image of deploy/image/ (ContainerImageIT runs that image
 * as these manifests say). (The mock API server in CRUD mode stores whatever it is given, so these tests do not claim
 * that a real API server would accept the manifests.)
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
            // pods/log is read with a get (the logs of the database and Immich server pods); everything else get and list.
            assertEquals(r.getResources().equals(List.of("pods/log")) ? List.of("get") : List.of("get", "list"), r.getVerbs(), "only get and list: " + r);
            assertFalse(r.getResources().contains("secrets"), "no Secrets");
            for (String res : r.getResources()) read.add(r.getApiGroups().get(0) + "/" + res);
        }
        assertEquals(Set.of("apps/deployments", "apps/statefulsets", "/pods", "/pods/log", "postgresql.cnpg.io/clusters", "postgresql.cnpg.io/backups",
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
            Container c = spec.getContainers().get(0);
            // The image's entrypoint runs the jar (deploy/image/Containerfile): a command here would replace it.
            assertTrue(c.getCommand() == null || c.getCommand().isEmpty(), "arguments only, the image's entrypoint runs vccheck: " + c.getCommand());
            List<String> args = c.getArgs();
            assertTrue(args.get(0).equals("scan") && args.contains("--kube") && args.contains("json"), args::toString);
            assertTrue(spec.getSecurityContext().getRunAsNonRoot());
        }
        assertEquals("30 3 * * *", cron.getSpec().getSchedule());
    }

    /**
     * The image that deploy/image/build.sh builds for this version, never pulled (there is no public copy), run as
     * the image's user on a read-only root with only /tmp writable, as ContainerImageIT runs it.
     */
    @Test
    void jobAndCronJobRunTheLocallyBuiltImageAsNobodyOnAReadOnlyRoot() throws Exception {
        Job job = (Job) load("job.yaml").get(0);
        CronJob cron = (CronJob) load("cronjob.yaml").get(0);
        for (PodSpec spec : List.of(job.getSpec().getTemplate().getSpec(), cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec())) {
            Container c = spec.getContainers().get(0);
            assertEquals("vccheck:" + VersionProvider.version(), c.getImage(), "the tag deploy/image/build.sh gives this version");
            assertEquals("IfNotPresent", c.getImagePullPolicy(), "a loaded image is used, never pulled");
            assertEquals(65534L, spec.getSecurityContext().getRunAsUser());
            assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
            // The "restricted" Pod Security Standard (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
            // so the Job is admitted in a namespace that enforces it.
            assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
            assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
            assertEquals("RuntimeDefault", spec.getSecurityContext().getSeccompProfile().getType());
            VolumeMount tmp = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst().orElseThrow();
            Volume v = spec.getVolumes().stream().filter(x -> x.getName().equals(tmp.getName())).findFirst().orElseThrow();
            assertTrue(v.getEmptyDir() != null, "/tmp is an emptyDir: " + v);
            assertEquals(List.of("/tmp"), c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList(), "nothing else is mounted (no ConfigMap with the jar)");
            assertTrue(spec.getVolumes().stream().allMatch(x -> x.getConfigMap() == null && x.getSecret() == null), spec.getVolumes()::toString);
            assertEquals("immich-cnpg-main-urls", c.getEnv().stream().filter(e -> e.getName().equals("DB_URL")).findFirst().orElseThrow()
                    .getValueFrom().getSecretKeyRef().getName(), "the database URL from the Secret Immich uses");
        }
    }
}
