package dev.vccheck.collect.kubernetes;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.cli.Cli;
import dev.vccheck.collect.logs.RealLogs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vccheck scan --kube reads the database pods' logs (pods/log get, current and previous container) from fabric8's mock
 * API server, serving real PostgreSQL output ({@link RealLogs}) as CloudNativePG writes it: JSON lines, the csvlog
 * record under "record" once the log collector runs, and the raw stderr line under "msg" before that (the failed
 * start). https://cloudnative-pg.io/documentation/current/logging/
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class KubernetesLogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PG_LINE = Pattern.compile("^(\\S+ \\S+ \\S+) \\[(\\d+)\\] (\\w+):\\s+(.*)$");
    KubernetesMockServer server;
    KubernetesClient client;
    static RealLogs.Logs logs;

    @TempDir
    Path dir;

    @BeforeAll
    static void produce() throws Exception {
        logs = RealLogs.get();
    }

    @BeforeEach
    void crds() {
        MockCluster.registerCrds(server);
    }

    /** PostgreSQL's text log as CNPG's instance manager writes it: a csvlog record per message, DETAIL/HINT inside it. */
    static String cnpgRecords(String pod, String text) {
        List<ObjectNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = PG_LINE.matcher(line);
            if (!m.matches()) continue;
            String level = m.group(3);
            if ((level.equals("DETAIL") || level.equals("HINT") || level.equals("STATEMENT")) && !out.isEmpty()) {
                ((ObjectNode) out.get(out.size() - 1).get("record")).put(level.equals("STATEMENT") ? "query" : level.toLowerCase(), m.group(4));
                continue;
            }
            ObjectNode o = JSON.createObjectNode().put("level", "info").put("ts", "2026-12-02T15:41:29.506Z").put("logger", "postgres").put("msg", "record");
            o.putObject("record").put("log_time", m.group(1)).put("user_name", "").put("database_name", "").put("process_id", m.group(2))
                    .put("error_severity", level).put("sql_state_code", "00000").put("message", m.group(4)).put("detail", "").put("hint", "")
                    .put("backend_type", "client backend");
            o.put("logging_pod", pod);
            out.add(o);
        }
        StringBuilder sb = new StringBuilder();
        out.forEach(o -> sb.append(o.toString()).append('\n'));
        return sb.toString();
    }

    /** Raw stderr lines passed on before the log collector runs (the failed start). */
    static String cnpgRaw(String pod, String text) {
        StringBuilder sb = new StringBuilder();
        sb.append(JSON.createObjectNode().put("level", "info").put("ts", "2026-12-02T15:41:30Z").put("logger", "instance-manager")
                .put("msg", "Starting up instance").put("logging_pod", pod)).append('\n');
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            sb.append(JSON.createObjectNode().put("level", "info").put("ts", "2026-12-02T15:41:30Z").put("logger", "pg_ctl").put("msg", line)
                    .put("pipe", "stderr").put("logging_pod", pod)).append('\n');
        }
        return sb.toString();
    }

    void serveLogs(String pod, String current, String previous) {
        String base = "/api/v1/namespaces/immich/pods/" + pod + "/log?pretty=false&container=postgres";
        server.expect().get().withPath(base + "&tailLines=2000&limitBytes=1048576").andReturn(200, current).always();
        server.expect().get().withPath(base + "&previous=true&tailLines=2000").andReturn(200, previous).always();
    }

    void load(boolean crashingPodIsPrimary) throws Exception {
        for (String f : KubernetesScanTest.TRUECHARTS_CRASHLOOP) {
            String text = Files.readString(MockCluster.FIXTURES.resolve(f));
            if (crashingPodIsPrimary && f.equals("cnpg-cluster-vectorchord-crashloop.yaml")) {
                text = text.replace("currentPrimary: immich-cnpg-main-2", "currentPrimary: immich-cnpg-main-1")
                        .replace("targetPrimary: immich-cnpg-main-2", "targetPrimary: immich-cnpg-main-1");
            }
            try (InputStream in = new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))) {
                client.load(in).items().forEach(o -> client.resource(o).create());
            }
        }
    }

    JsonNode scan() throws Exception {
        Cli.Result r = Cli.run("scan", "--kube", "--kubeconfig", MockCluster.kubeconfig(client, dir).toString(), "-n", "immich",
                "--format", "json", "--connect-timeout", "5");
        if (r.exit() == 2 || r.exit() == 4) throw new AssertionError(r.toString());
        JsonNode report = JSON.readTree(r.out());
        ((ObjectNode) report).put("exit", r.exit());
        return report;
    }

    static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.get("findings")) if (f.get("id").asText().equals(id)) return f;
        throw new AssertionError("no " + id + " in " + report.toPrettyString());
    }

    static String remediation(JsonNode report, String id) {
        StringBuilder sb = new StringBuilder();
        finding(report, id).get("remediation").forEach(r -> sb.append(r.path("title").asText()).append('\n').append(r.get("text").asText()).append('\n'));
        return sb.toString();
    }

    @Test
    void aCrashLoopingReplicaIsDeleted() throws Exception {
        load(false);
        serveLogs("immich-cnpg-main-1", cnpgRaw("immich-cnpg-main-1", logs.failedStart()), cnpgRecords("immich-cnpg-main-1", logs.running())
                + cnpgRaw("immich-cnpg-main-1", logs.failedStart()));
        serveLogs("immich-cnpg-main-2", cnpgRecords("immich-cnpg-main-2", ""), "");
        // Immich's server pod: its log is read too (Immich v3.x text, database.repository.ts getVectorExtension).
        client.pods().inNamespace("immich").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("immich-server-7d9f")
                .withNamespace("immich").endMetadata().withNewSpec().addNewContainer().withName("immich-server")
                .withImage("ghcr.io/immich-app/immich-server:v3.1.0").endContainer().endSpec().build()).create();
        server.expect().get().withPath("/api/v1/namespaces/immich/pods/immich-server-7d9f/log?pretty=false&container=immich-server&tailLines=2000&limitBytes=1048576")
                .andReturn(200, "Error: No vector extension found. Available extensions: vchord, vector\n    at getVectorExtension (/usr/src/app/server/dist/repositories/database.repository.js:51:15)\n").always();
        JsonNode r = scan();
        assertEquals("fail", finding(r, "logs.immich.no-vector-extension").get("status").asText(), r.at("/target/logs").toString());
        assertTrue(finding(r, "logs.immich.no-vector-extension").get("evidence").toString().contains("kube:immich-server-7d9f/immich-server: Error: No vector"),
                finding(r, "logs.immich.no-vector-extension").toString());
        assertEquals(1, r.get("exit").asInt());
        assertEquals("ok", r.at("/target/logs/status").asText(), r.at("/target/logs").toString());
        JsonNode pre = finding(r, "logs.pg.preload-missing");
        assertEquals("fail", pre.get("status").asText(), pre.toString());
        assertTrue(pre.get("evidence").get("lines").toString().contains("kube:immich-cnpg-main-1/postgres[previous]: FATAL: could not access file \\\"vectors.so\\\""),
                pre.toString());
        assertTrue(remediation(r, "logs.pg.preload-missing").contains("preloadLibraries"), pre.toString());
        assertEquals("fail", finding(r, "logs.pg.library-gone").get("status").asText(), "the csvlog records of the run before");
        assertEquals("kubectl delete pod immich-cnpg-main-1 -n immich", remediation(r, "k8s.cnpg.crashloop").strip());
        // The primary (main-2) runs: the database is up, only not read, so the database checks are skipped, not errors.
        assertEquals("skip", finding(r, "pg.connect").get("status").asText(), finding(r, "pg.connect").toString());
    }

    @Test
    void aCrashLoopingPrimaryWithAMissingPreloadLibraryIsNotDeleted() throws Exception {
        load(true);
        serveLogs("immich-cnpg-main-1", cnpgRaw("immich-cnpg-main-1", logs.failedStart()), cnpgRaw("immich-cnpg-main-1", logs.failedStart()));
        serveLogs("immich-cnpg-main-2", "", "");
        JsonNode r = scan();
        assertEquals(1, r.get("exit").asInt());
        assertEquals("fail", finding(r, "k8s.cnpg.crashloop").get("status").asText());
        String fix = remediation(r, "k8s.cnpg.crashloop");
        assertFalse(fix.contains("kubectl delete pod immich-cnpg-main-1"), fix);
        assertTrue(fix.contains("Do not delete immich-cnpg-main-1: it is the primary"), fix);
        assertTrue(fix.contains("vectors.so"), fix);
        assertEquals("fail", finding(r, "logs.pg.preload-missing").get("status").asText());
        assertTrue(remediation(r, "logs.pg.preload-missing").contains("type: vectorchord"), remediation(r, "logs.pg.preload-missing"));
        // The database is down, and the pods say so: pg.connect is an error with that reason, not "no database target given".
        JsonNode connect = finding(r, "pg.connect");
        assertEquals("error", connect.get("status").asText(), connect.toString());
        assertTrue(connect.get("message").asText().contains("pod immich-cnpg-main-1, the primary of CloudNativePG Cluster immich-cnpg-main, is waiting in CrashLoopBackOff"),
                connect.toString());
    }

    @Test
    void withoutTheLogRightTheScanGoesOnAndSaysWhich() throws Exception {
        load(false);
        server.expect().get().withPath("/api/v1/namespaces/immich/pods/immich-cnpg-main-1/log?pretty=false&container=postgres&tailLines=2000&limitBytes=1048576")
                .andReturn(403, new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage("pods \"immich-cnpg-main-1\" is forbidden: User cannot get resource \"pods/log\"").build()).always();
        serveLogs("immich-cnpg-main-2", "", "");
        JsonNode r = scan();
        assertTrue(r.at("/target/logs/message").asText().contains("forbidden: get pods/log in namespace immich"), r.at("/target/logs").toString());
        assertEquals("fail", finding(r, "k8s.cnpg.crashloop").get("status").asText());
    }
}
