package dev.vccheck.collect.kubernetes;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.Processes;
import dev.vccheck.cli.Cli;
import dev.vccheck.cli.VersionProvider;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.TestServers;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The container image, built by {@code deploy/image/build.sh} as a user builds it (Debian's podman, runc and mmdebstrap;
 * .ci/run installs them), run the way deploy/kubernetes/job.yaml and cronjob.yaml run it: as user 65534 on a read-only
 * root with only an empty /tmp writable, their memory limit, their own arguments and DB_URL, against a real PostgreSQL
 * server and fabric8's mock API server, both reached over the host's network. Without those tools the tests are skipped, and fail instead
 * when VCCHECK_REQUIRE_IMAGE=1 (.ci/run sets it, so CI never passes without having built and run the image).
 */
@EnableKubernetesMockClient(crud = true)
class ContainerImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String image;
    private static List<String> podman;
    private static List<String> limits;
    private static String missingTools;

    KubernetesClient client;
    KubernetesMockServer server;

    @BeforeAll
    static void build(@TempDir Path dir) throws Exception {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("podman", "runc", "mmdebstrap")) if (!onPath(tool)) missing.add(tool);
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!missing.isEmpty() || !root) {
            String why = (missing.isEmpty() ? "" : "missing " + missing + " (apt-get install podman runc mmdebstrap)") + (root ? "" : " not root");
            if ("1".equals(System.getenv("VCCHECK_REQUIRE_IMAGE"))) fail("VCCHECK_REQUIRE_IMAGE=1 but the image cannot be built: " + why);
            // Each test reports itself skipped (an abort here would leave the class with no test at all in the report).
            missingTools = "the container image needs Debian's podman, runc and mmdebstrap and root: " + why;
            return;
        }
        // A cold cache runs mmdebstrap against Debian's mirror (about 3 minutes here); a warm one takes seconds.
        Processes.Result r = Processes.run(dir, List.of("bash", repo("deploy/image/build.sh").toString()), Duration.ofMinutes(15));
        assertEquals(0, r.exit(), r::toString);
        image = r.out().strip();
        assertEquals("localhost/vccheck:" + VersionProvider.version(), image, r::toString);
        podman = new ArrayList<>(List.of("podman"));
        podman.addAll(words(dir, "--print-podman-args"));
        limits = words(dir, "--print-run-args");
    }

    private static void requireImage() {
        Assumptions.assumeTrue(missingTools == null, () -> missingTools);
    }

    private static boolean onPath(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private static List<String> words(Path dir, String option) throws Exception {
        Processes.Result r = Processes.run(dir, List.of("bash", repo("deploy/image/build.sh").toString(), option), Duration.ofSeconds(30));
        assertEquals(0, r.exit(), r::toString);
        return List.of(r.out().strip().split(" "));
    }

    private static Processes.Result podman(Path dir, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(podman);
        cmd.addAll(args);
        return Processes.run(dir, cmd, Duration.ofMinutes(3));
    }

    /** podman run options for what a pod spec says: user, read-only root, dropped capabilities, emptyDir mounts as tmpfs, memory limit. */
    private static List<String> runOptions(PodSpec spec, Container c) {
        List<String> o = new ArrayList<>(List.of("run", "--rm", "--network", "host"));
        o.addAll(limits);
        o.addAll(List.of("--user", spec.getSecurityContext().getRunAsUser() + ":" + spec.getSecurityContext().getRunAsGroup()));
        // podman's --read-only adds writable /tmp, /var/tmp and /run unless told not to; Kubernetes does not.
        if (Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem())) o.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        if (c.getSecurityContext().getCapabilities() != null && c.getSecurityContext().getCapabilities().getDrop().contains("ALL")) o.addAll(List.of("--cap-drop", "ALL"));
        for (VolumeMount m : c.getVolumeMounts()) {
            Volume v = spec.getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElseThrow();
            assertTrue(v.getEmptyDir() != null, "only emptyDir volumes are mounted: " + v);
            Quantity size = v.getEmptyDir().getSizeLimit();
            o.addAll(List.of("--tmpfs", m.getMountPath() + ":rw,mode=1777" + (size == null ? "" : ",size=" + Quantity.getAmountInBytes(size).toBigInteger())));
        }
        // The memory limit, as the kubelet sets it: the JVM sizes its heap from it (a quarter: 128 MiB of 512 MiB).
        Quantity memory = c.getResources() == null || c.getResources().getLimits() == null ? null : c.getResources().getLimits().get("memory");
        if (memory != null) o.addAll(List.of("--memory", Quantity.getAmountInBytes(memory).toBigInteger().toString()));
        return o;
    }

    private static PodSpec podSpec(String manifest) throws Exception {
        try (InputStream in = Files.newInputStream(repo("deploy/kubernetes/" + manifest))) {
            Object o = Serialization.unmarshal(in);
            return o instanceof CronJob cron ? cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec() : ((Job) o).getSpec().getTemplate().getSpec();
        }
    }

    private static Map<String, String> statuses(String report) throws Exception {
        Map<String, String> st = new TreeMap<>();
        for (JsonNode f : JSON.readTree(report).get("findings")) st.put(f.get("id").asText() + " " + f.path("message").asText(), f.get("status").asText());
        return st;
    }

    @Test
    void theImageRunsAsNobodyOnAReadOnlyRootWithoutAnyWritablePlace(@TempDir Path dir) throws Exception {
        requireImage();
        Processes.Result user = podman(dir, List.of("image", "inspect", "--format", "{{.Config.User}}", image));
        assertEquals("65534:65534", user.out().strip(), "the image's own user (runAsNonRoot needs a numeric one)");
        // Not even /tmp writable: --version still works (and prints what the jar in target/ prints).
        List<String> run = new ArrayList<>(List.of("run", "--rm", "--read-only", "--read-only-tmpfs=false", "--cap-drop", "ALL", "--network", "none"));
        run.addAll(limits);
        run.addAll(List.of(image, "--version"));
        Processes.Result r = podman(dir, run);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("vccheck " + VersionProvider.version() + "\nJava 17."), r::toString);
        assertEquals("", r.err(), "nothing on standard error (no JVM warning about the class-data archive or /tmp)");
    }

    @Test
    void theJobAndTheCronJobAsTheirManifestsRunThemScanTheDatabaseAndTheCluster(@TempDir Path dir) throws Exception {
        requireImage();
        MockCluster.registerCrds(server);
        MockCluster.load(client, "cnpg-cluster-pgvectors-healthy.yaml", "cnpg-pods-pgvectors.yaml", "immich-deployments-truecharts-scaled-down.yaml");
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("image");
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS));
        String url = "postgresql://postgres@127.0.0.1:" + s.port() + "/" + db + "?sslmode=disable";
        // The kubeconfig stands in for the service account's token (in a pod the client finds that by itself).
        Path kube = Files.createDirectories(dir.resolve("kube"));
        Path kubeconfig = MockCluster.kubeconfig(client, kube);
        Files.setPosixFilePermissions(kube, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-r--r--"));

        Map<String, Integer> exits = new TreeMap<>();
        for (String manifest : List.of("job.yaml", "cronjob.yaml")) {
            PodSpec spec = podSpec(manifest);
            Container c = spec.getContainers().get(0);
            assertEquals("vccheck:" + VersionProvider.version(), c.getImage(), manifest);
            List<String> run = runOptions(spec, c);
            assertEquals(List.of("DB_URL"), c.getEnv().stream().map(EnvVar::getName).toList(), manifest + ": the only variable, from the Secret");
            run.addAll(List.of("-e", "DB_URL=" + url));
            run.addAll(List.of("-v", kube + ":/kube:ro", "-e", "KUBECONFIG=/kube/kubeconfig"));
            // A command in the manifest replaces the image's entrypoint, as in Kubernetes.
            if (c.getCommand() != null && !c.getCommand().isEmpty()) run.addAll(List.of("--entrypoint", JSON.writeValueAsString(c.getCommand())));
            run.add(image);
            run.addAll(c.getArgs());
            Processes.Result r = podman(dir, run);

            List<String> inProcess = new ArrayList<>(c.getArgs());
            inProcess.addAll(List.of("--db-url", url, "--kubeconfig", kubeconfig.toString()));
            Cli.Result expected = Cli.run(inProcess.toArray(String[]::new));
            assertEquals(expected.exit(), r.exit(), manifest + "\n" + r);
            Map<String, String> st = statuses(r.out());
            assertEquals("pass", st.entrySet().stream().filter(e -> e.getKey().startsWith("pg.connect ")).findFirst().orElseThrow().getValue(), r::toString);
            assertEquals(statuses(expected.out()), st, manifest + ": the image reports what the in-process scan reports");
            assertTrue(st.keySet().stream().anyMatch(k -> k.startsWith("k8s.")), "the cluster was read too: " + st.keySet());
            exits.put(manifest, r.exit());
        }
        // Complete scans (not 3: the database and the cluster were both read), and nothing fails on this healthy
        // pgvecto.rs installation, so neither Job is marked failed.
        assertEquals(Map.of("job.yaml", 0, "cronjob.yaml", 0), exits);
    }

    @Test
    void theArchiveLoadsIntoAnotherStoreUnderTheNameTheManifestsUse(@TempDir Path dir) throws Exception {
        requireImage();
        Path archive = repo("target/vccheck-image.tar");
        assertTrue(Files.size(archive) > 50_000_000, archive::toString);
        // A store of its own stands in for a cluster node's (kind load image-archive / k3s ctr images import / docker load).
        List<String> store = List.of("--root", dir.resolve("root").toString(), "--runroot", dir.resolve("run").toString());
        List<String> load = new ArrayList<>(store);
        load.addAll(List.of("load", "-i", archive.toString()));
        Processes.Result r = podman(dir, load);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("docker.io/library/vccheck:" + VersionProvider.version()), r::toString);
        List<String> run = new ArrayList<>(store);
        run.addAll(List.of("run", "--rm", "--network", "none"));
        run.addAll(limits);
        run.addAll(List.of("docker.io/library/vccheck:" + VersionProvider.version(), "--version"));
        r = podman(dir, run);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("vccheck " + VersionProvider.version()), r::toString);
        Processes.Result rm = podman(dir, List.of(store.get(0), store.get(1), store.get(2), store.get(3), "rmi", "--all", "--force"));
        assertEquals(0, rm.exit(), rm::toString);
    }
}
