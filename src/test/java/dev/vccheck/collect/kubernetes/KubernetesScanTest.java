package dev.vccheck.collect.kubernetes;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vccheck scan --kube against fabric8's mock API server in CRUD mode, loaded with the shared fixtures. */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KubernetesScanTest {
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    static final String[] TRUECHARTS_CRASHLOOP = {"cnpg-cluster-vectorchord-crashloop.yaml", "cnpg-pods-vectorchord-crashloop.yaml",
            "immich-deployments-truecharts-one-running.yaml", "truecharts-redis.yaml", "flux-helmrelease-immich-drift-enabled-v24.yaml", "cnpg-backups.yaml"};

    @BeforeEach
    void crds() {
        MockCluster.registerCrds(server);
    }

    record Scan(int exit, JsonNode report, Map<String, String> statuses, String out) {
        JsonNode finding(String id) {
            for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
            throw new AssertionError("no " + id + " in " + out);
        }
    }

    Scan scan(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("scan", "--kube", "--kubeconfig", MockCluster.kubeconfig(client, dir).toString(),
                "-n", "immich", "--format", "json", "--connect-timeout", "3"));
        args.addAll(List.of(extra));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        if (r.exit() == 2 || r.exit() == 4) throw new AssertionError(r.toString());
        JsonNode report = new ObjectMapper().readTree(r.out());
        Map<String, String> st = new TreeMap<>();
        report.get("findings").forEach(f -> st.merge(f.get("id").asText(), f.get("status").asText(), (a, b) -> a.equals("fail") ? a : b));
        return new Scan(r.exit(), report, st, r.out() + r.err());
    }

    @Test
    void trueChartsMidMigrationWithDriftCrashLoopAndMicroservicesBack() throws Exception {
        MockCluster.load(client, TRUECHARTS_CRASHLOOP);
        Scan s = scan();
        assertEquals("fail", s.statuses().get("k8s.workloads.scaled-down"), s::out);
        assertEquals("fail", s.statuses().get("k8s.gitops.flux"), s::out);
        assertEquals("fail", s.statuses().get("k8s.cnpg.crashloop"), s::out);
        assertEquals("pass", s.statuses().get("k8s.access"), s::out);
        assertEquals("immich-cnpg-main-2", s.finding("k8s.cnpg.primary").at("/evidence/primary").asText());
        assertEquals("kubectl exec -it -n immich immich-cnpg-main-2 -- psql immich", s.finding("k8s.cnpg.primary").at("/evidence/psql").asText());
        assertEquals("kubectl scale --replicas=0 deployment/immich-microservices -n immich",
                s.finding("k8s.workloads.scaled-down").at("/remediation/0/text").asText());
        assertEquals("kubectl delete pod immich-cnpg-main-1 -n immich", s.finding("k8s.cnpg.crashloop").at("/remediation/0/text").asText());
        assertEquals("2.1.0", s.report().at("/immich_version/value").asText());
        assertEquals("image", s.report().at("/immich_version/source").asText());
        assertEquals("skip", s.statuses().get("pg.connect"), "no database target");
        assertEquals(1, s.exit());
    }

    @Test
    void withoutPermissionOnPodsTheRestStillAnswersAndNothingFailsGivesThree() throws Exception {
        MockCluster.load(client, "cnpg-cluster-pgvectors-healthy.yaml", "immich-deployments-truecharts-scaled-down.yaml",
                "truecharts-redis.yaml", "flux-helmrelease-immich-suspended-warn.yaml");
        server.expect().get().withPath("/api/v1/namespaces/immich/pods")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage("pods is forbidden: User \"system:serviceaccount:immich:vccheck\" cannot list resource \"pods\"").build()).always();
        Scan s = scan("--immich-version", "2.1.0");
        for (String rule : List.of("k8s.only-db-pods", "k8s.cnpg.crashloop")) {
            assertEquals("error", s.statuses().get(rule), s::out);
            assertEquals("could not verify: forbidden: list pods in namespace immich", s.finding(rule).get("message").asText());
        }
        assertEquals("warn", s.statuses().get("k8s.access"), s::out);
        assertEquals("pass", s.statuses().get("k8s.workloads.scaled-down"), s::out);
        assertEquals("pass", s.statuses().get("k8s.gitops.flux"), s::out);
        assertEquals(3, s.exit(), s::out);
    }

    @Test
    void aSlowApiIsCutOffAtTheTimeoutAndWhatWasReadBeforeIsKept() throws Exception {
        MockCluster.load(client, "cnpg-cluster-pgvectors-healthy.yaml", "immich-deployments-truecharts-scaled-down.yaml", "truecharts-redis.yaml");
        server.expect().get().delay(30, java.util.concurrent.TimeUnit.SECONDS).withPath("/api/v1/namespaces/immich/pods")
                .andReturn(200, new io.fabric8.kubernetes.api.model.PodListBuilder().build()).always();
        long start = System.nanoTime();
        Scan s = scan("--immich-version", "2.1.0");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertTrue(seconds < 15, "the request timeout (3 s) bounds the scan, not the 30 s the API takes: " + seconds + " s");
        String slow = "the Kubernetes API did not answer list pods in namespace immich within 3 s";
        for (String rule : List.of("k8s.only-db-pods", "k8s.cnpg.crashloop")) {
            assertEquals("error", s.statuses().get(rule), s::out);
            assertEquals("could not verify: " + slow, s.finding(rule).get("message").asText(), s::out);
        }
        assertEquals("pass", s.statuses().get("k8s.workloads.scaled-down"), "read before the slow call\n" + s.out());
        // After one timed-out call the others are not tried (each would cost the timeout again): they are unavailable, named.
        assertEquals("error", s.statuses().get("k8s.cnpg.primary"), s::out);
        assertTrue(s.finding("k8s.cnpg.primary").get("message").asText().contains("not read: " + slow), s::out);
        assertEquals(3, s.exit(), s::out);
    }

    @Test
    void malformedJsonFromTheApiCostsOnlyThatResource() throws Exception {
        MockCluster.load(client, "cnpg-cluster-pgvectors-healthy.yaml", "cnpg-pods-pgvectors.yaml", "immich-deployments-truecharts-scaled-down.yaml");
        server.expect().get().withPath("/apis/postgresql.cnpg.io/v1/namespaces/immich/backups").andReturn(200, "{\"kind\": \"BackupList\", \"items\": [{").always();
        Scan s = scan("--immich-version", "2.1.0");
        assertEquals("error", s.statuses().get("k8s.backup.recent"), s::out);
        assertTrue(s.finding("k8s.backup.recent").get("message").asText()
                .startsWith("could not verify: the Kubernetes API answered list backups.postgresql.cnpg.io in namespace immich with malformed JSON"), s::out);
        assertEquals("pass", s.statuses().get("k8s.cnpg.primary"), s::out);
        assertEquals("pass", s.statuses().get("k8s.workloads.scaled-down"), s::out);
        assertEquals(3, s.exit(), s::out);
    }

    @Test
    void anEmptyNamespaceGivesClearSkips() throws Exception {
        Scan s = scan();
        assertEquals("pass", s.statuses().get("k8s.access"), s::out);
        for (String rule : List.of("k8s.workloads.scaled-down", "k8s.cnpg.primary", "k8s.cnpg.crashloop", "k8s.cnpg.image")) {
            assertEquals("skip", s.statuses().get(rule), rule + "\n" + s.out());
        }
    }

    @Test
    void argoCdSelfHealFailsAndAutomatedDisabledPasses() throws Exception {
        MockCluster.load(client, "immich-deployments-official-chart.yaml", "argocd-application-immich-selfheal.yaml");
        Scan s = scan();
        assertEquals("fail", s.statuses().get("k8s.gitops.argocd"), s::out);
        assertTrue(s.finding("k8s.gitops.argocd").at("/remediation/0/text").asText().startsWith("argocd app set "), s::out);
        assertEquals("fail", s.statuses().get("k8s.workloads.scaled-down"), "immich-machine-learning is at 1\n" + s.out());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = ';', value = {
            "argo automated but disabled; immich-deployments-official-chart.yaml argocd-application-immich-automated-disabled.yaml; k8s.gitops.argocd=pass",
            "argo manual sync; immich-deployments-official-chart.yaml argocd-application-immich-manual-sync.yaml; k8s.gitops.argocd=pass",
            "flux suspended; immich-deployments-truecharts-scaled-down.yaml flux-helmrelease-immich-suspended-warn.yaml; k8s.gitops.flux=pass k8s.workloads.scaled-down=pass",
            "image volume extension; cnpg-cluster-imagevolume-extension.yaml; k8s.cnpg.image=pass k8s.cnpg.primary=pass",
            "rolling update half done; cnpg-cluster-vectorchord-crashloop.yaml cnpg-pods-mixed-rolling-update.yaml; k8s.cnpg.image=warn k8s.cnpg.crashloop=pass",
            "backups all old; cnpg-cluster-pgvectors-healthy.yaml cnpg-backups.yaml; k8s.backup.recent=warn",
            "chart 25 while on pgvecto.rs; cnpg-cluster-pgvectors-healthy.yaml immich-deployments-truecharts-scaled-down.yaml flux-helmrelease-immich-v25-no-drift.yaml; k8s.chart.version=fail",
            "chart 24 before migrating; cnpg-cluster-pgvectors-healthy.yaml immich-deployments-truecharts-scaled-down.yaml; k8s.chart.version=pass"})
    void fixtureSets(String name, String fixtures, String expected) throws Exception {
        MockCluster.load(client, fixtures.split(" "));
        Scan s = scan("--immich-version", "2.1.0");
        for (String kv : expected.split(" ")) {
            String[] p = kv.split("=");
            assertEquals(p[1], s.statuses().get(p[0]), name + ": " + p[0] + "\n" + s.out());
        }
    }

    @Test
    void serverErrorsAreRecordedPerResource() throws Exception {
        MockCluster.load(client, "cnpg-cluster-pgvectors-healthy.yaml", "cnpg-pods-pgvectors.yaml");
        server.expect().get().withPath("/apis/postgresql.cnpg.io/v1/namespaces/immich/backups")
                .andReturn(500, new StatusBuilder().withStatus("Failure").withCode(500).withMessage("etcd timeout").build()).always();
        long t0 = System.nanoTime();
        Scan s = scan("--immich-version", "2.1.0");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        // fabric8 retries a 500 with backoff for about 100 s by default; vccheck allows one retry.
        assertTrue(seconds < 10, () -> "a 500 is not retried for " + seconds + " s");
        assertEquals(3, s.exit(), "a check that could not be evaluated makes the scan incomplete");
        assertEquals("error", s.statuses().get("k8s.backup.recent"), s::out);
        assertTrue(s.finding("k8s.backup.recent").get("message").asText().contains("the API answered 500"), s::out);
        assertEquals("pass", s.statuses().get("k8s.cnpg.primary"), s::out);
    }

    @Test
    void bothTargetsTheSqlFixesNameThePrimaryPodAndImmichRunningCombinesBoth() throws Exception {
        MockCluster.load(client, TRUECHARTS_CRASHLOOP);
        var pg = dev.vccheck.demo.TestServers.shared(16, dev.vccheck.demo.TestServers.DUAL, "vectors.so");
        String db = dev.vccheck.demo.TestServers.newDatabaseName("cross");
        dev.vccheck.demo.ImmichDatabase.create(pg, db, dev.vccheck.demo.ImmichDatabase.Spec.of(dev.vccheck.demo.ImmichDatabase.State.PGVECTORS));
        Scan s = scan("--db-url", dev.vccheck.demo.TestServers.url(pg, db, "postgres"));
        String psql = "kubectl exec -it -n immich immich-cnpg-main-2 -- psql " + db;
        // CloudNativePG disables ALTER SYSTEM: the preload fix is the Cluster spec (and the TrueCharts values), not SQL.
        JsonNode preload = s.finding("pg.vchord.preload");
        assertEquals("yaml", preload.at("/remediation/0/kind").asText(), s::out);
        assertTrue(preload.at("/remediation/0/title").asText().contains("in the Cluster immich-cnpg-main"), s::out);
        assertTrue(preload.at("/remediation/0/text").asText().contains("shared_preload_libraries:\n      - vectors.so\n      - vchord.so"), s::out);
        assertTrue(preload.at("/remediation/1/text").asText().contains("preloadLibraries:"), s::out);
        assertFalse(preload.get("remediation").toString().contains("ALTER SYSTEM SET"), s::out);
        assertEquals("pass", s.statuses().get("cross.primary"), s::out);
        assertEquals("Run the SQL of the PostgreSQL findings on immich-cnpg-main-2: " + psql, s.finding("cross.primary").get("message").asText());
        assertEquals("fail", s.statuses().get("cross.immich-running"), s::out);
        assertTrue(s.finding("cross.immich-running").get("message").asText().startsWith("Immich is still running: immich-microservices not at 0 replicas; 0 database session(s)"), s::out);
        assertEquals("image", s.report().at("/immich_version/source").asText(), "the target release comes from the server image");
    }

    @Test
    void redactAllHidesTheNamespaceContextAndServerInEveryFormat() throws Exception {
        MockCluster.loadInto(client, "family-photos", TRUECHARTS_CRASHLOOP);
        String kubeconfig = MockCluster.kubeconfig(client, dir).toString();
        String host = java.net.URI.create(client.getConfiguration().getMasterUrl()).getHost();
        StringBuilder all = new StringBuilder();
        for (String format : List.of("json", "text", "html", "markdown", "junit")) {
            Cli.Result r = Cli.run("scan", "--kubeconfig", kubeconfig, "-n", "family-photos", "--redact", "all", "--format", format);
            assertEquals(1, r.exit(), r::toString);
            all.append(r.out()).append(r.err());
        }
        Path bundle = dir.resolve("b.json");
        assertEquals(0, Cli.run("collect", "--kubeconfig", kubeconfig, "-n", "family-photos", "--redact", "all", "-o", bundle.toString()).exit());
        all.append(java.nio.file.Files.readString(bundle));
        // Loopback addresses identify nobody and are kept; the mock server runs on one.
        List<String> secrets = host.equals("localhost") || host.startsWith("127.") ? List.of("family-photos", "\"mock\"") : List.of("family-photos", "\"mock\"", host);
        for (String secret : secrets) {
            assertTrue(!all.toString().contains(secret), "'" + secret + "' survived --redact all");
        }
        assertTrue(all.toString().contains("namespace-1"), "placeholders are used");
    }

    @Test
    void aNamespaceCarryingScriptRendersInert() throws Exception {
        // Kubernetes would refuse such a name; a hand-edited bundle need not.
        MockCluster.load(client, TRUECHARTS_CRASHLOOP);
        Path bundle = dir.resolve("b.json");
        assertEquals(0, Cli.run("collect", "--kubeconfig", MockCluster.kubeconfig(client, dir).toString(), "-n", "immich", "-o", bundle.toString()).exit());
        String evil = "<script>alert(1)</script>";
        java.nio.file.Files.writeString(bundle, java.nio.file.Files.readString(bundle).replace("\"namespace\" : \"immich\"", "\"namespace\" : \"" + evil + "\""));
        for (String format : List.of("html", "markdown")) {
            Cli.Result r = Cli.run("analyze", bundle.toString(), "--format", format);
            String outside = r.out().replaceAll("(?s)```.*?```", "");
            assertTrue(r.out().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), format + ": the payload is shown, escaped\n" + r.out());
            assertTrue(!outside.contains(evil), format + ": no live script tag\n" + r.out());
        }
    }

    @Test
    void theMarkdownPlanForTrueChartsNamesTheDeploymentsAndThePrimaryPod() throws Exception {
        MockCluster.load(client, TRUECHARTS_CRASHLOOP);
        Cli.Result r = Cli.run("plan", "--kubeconfig", MockCluster.kubeconfig(client, dir).toString(), "-n", "immich", "--immich-version", "2.1.0");
        assertEquals(0, r.exit(), r::toString);
        String md = r.out();
        assertTrue(md.startsWith("## Migration plan: cnpg path"), md);
        for (String expected : List.of("kubectl scale --replicas=0 deployment/immich -n immich", "kubectl scale --replicas=0 deployment/immich-machinelearning -n immich",
                "kubectl scale --replicas=0 deployment/immich-microservices -n immich", "kubectl exec -it -n immich immich-cnpg-main-2 -- psql immich",
                "Turn off Flux drift correction for immich/immich", "type: vectorchord", "chart 25.0.1")) {
            assertTrue(md.contains(expected), "missing '" + expected + "' in\n" + md);
        }
        Cli.Result html = Cli.run("plan", "--kubeconfig", MockCluster.kubeconfig(client, dir).toString(), "-n", "immich", "--immich-version", "2.1.0", "--format", "html");
        assertEquals(0, html.exit(), html::toString);
        assertTrue(html.out().contains("kubectl exec -it -n immich immich-cnpg-main-2 -- psql immich") && html.out().contains("<h1>Migration plan: cnpg path</h1>"), html.out());
    }

    @Test
    void anUnreachableApiServerEndsTheKubernetesPartWithOneMessage() throws Exception {
        Path cfg = MockCluster.kubeconfig(client, dir);
        java.nio.file.Files.writeString(cfg, java.nio.file.Files.readString(cfg).replace(client.getConfiguration().getMasterUrl(), "https://127.0.0.1:1/"));
        long start = System.nanoTime();
        Cli.Result r = Cli.run("scan", "--kubeconfig", cfg.toString(), "--format", "json", "--connect-timeout", "2");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(3, r.exit(), r::toString);
        JsonNode report = new ObjectMapper().readTree(r.out());
        assertTrue(report.at("/target/kubernetes/message").asText().startsWith("cannot reach the Kubernetes API"), r::toString);
        assertEquals("refused", report.at("/target/kubernetes/cause").asText(), r::toString);
        assertTrue(seconds < 20, "took " + seconds + " s");
        // The JSON report shows no person why: standard error does, with the command that shows whether the cluster answers.
        assertTrue(r.err().matches("(?s).*cannot read the Kubernetes cluster \\(kube://[^)]*/immich\\): cannot reach the Kubernetes API: [^\n]* — next: "
                + "kubectl --context \\S+ get pods -n immich\n.*"), r::toString);
        Cli.Result text = Cli.run("scan", "--kubeconfig", cfg.toString(), "--format", "text", "--connect-timeout", "2");
        assertTrue(text.out().contains("CANNOT READ THE KUBERNETES CLUSTER") && text.out().contains(" checks need the Kubernetes cluster: k8s.access, ")
                && !text.out().contains("could not verify"), text::toString);
    }
}
