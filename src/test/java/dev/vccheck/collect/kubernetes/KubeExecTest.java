package dev.vccheck.collect.kubernetes;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import dev.vccheck.collect.postgres.PsqlTransportTest;
import dev.vccheck.demo.TestServers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --kube-exec}: the cluster is read from fabric8's mock API server, the CloudNativePG primary named by the
 * Cluster's status is exec'd into through a recording stand-in {@code kubectl} (first on PATH) that checks its exact
 * arguments and then runs the real psql against a test server.
 */
@EnableKubernetesMockClient(crud = true)
class KubeExecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
        throw new AssertionError("no finding " + id + " in\n" + report.toPrettyString());
    }

    @Test
    void kubectlExecIntoTheCnpgPrimaryRunsPsqlThere() throws Exception {
        MockCluster.registerCrds(server);
        MockCluster.load(client, "cnpg-cluster-pgvectors-healthy.yaml");
        Path kubeconfig = MockCluster.kubeconfig(client, dir);
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("kubeexec");
        ImmichDatabase.create(s, db, Spec.of(State.PGVECTORS));
        Path bin = dir.resolve("bin");
        List<String> expected = new ArrayList<>(List.of("--kubeconfig", kubeconfig.toString(), "--context", "mock", "exec", "-i", "-n", "immich",
                "immich-cnpg-main-1", "-c", "postgres", "--"));
        expected.addAll(PsqlTransportTest.psqlWords("postgres", db));
        PsqlTransportTest.recordingStandIn(bin, "kubectl", dir, expected, 13, s.port());
        Path env = dir.resolve(".env");
        Files.writeString(env, "DB_DATABASE_NAME=" + db + "\n");
        Cli.Result r = Cli.runWithEnv(false, Map.of("PATH", bin + ":" + PsqlTransportTest.SYSTEM_PATH), "scan", "-n", "immich", "--kube-exec",
                "--kubeconfig", kubeconfig.toString(), "--context", "mock", "--env-file", env.toString(), "--format", "json", "--immich-version", "2.1.0");
        PsqlTransportTest.onlyTheCatalogStatementWasSent(Files.readString(dir.resolve("kubectl.stdin")));
        JsonNode rep = JSON.readTree(r.out());
        JsonNode connect = finding(rep, "pg.connect");
        assertEquals("pass", connect.get("status").asText(), r::toString);
        assertTrue(connect.get("message").asText().contains("Connected to " + db + " on kubectl exec immich/immich-cnpg-main-1:"), connect::toString);
        assertEquals("pgvectors", rep.at("/migration/state").asText(), r::toString);
    }

    @Test
    void withoutACnpgClusterThereIsNoPodToExecInto() throws Exception {
        MockCluster.registerCrds(server);
        Path kubeconfig = MockCluster.kubeconfig(client, dir);
        Cli.Result r = Cli.runWithEnv(false, Map.of("PATH", PsqlTransportTest.SYSTEM_PATH), "scan", "-n", "immich", "--kube-exec",
                "--kubeconfig", kubeconfig.toString(), "--format", "json");
        assertEquals(3, r.exit(), r::toString);
        JsonNode rep = JSON.readTree(r.out());
        String message = "--kube-exec: no CloudNativePG Cluster in namespace immich (or it could not be listed); name the namespace with -n, or use --psql or --db-url";
        assertEquals(message, rep.at("/target/postgres/message").asText(), r::toString);
        assertEquals("error", finding(rep, "pg.connect").get("status").asText(), r::toString);
    }
}
