package dev.vccheck.collect.kubernetes;


import dev.vccheck.Processes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.Fuzz;
import dev.vccheck.cli.Cli;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kubernetes names full of shell metacharacters (a hand-edited bundle, a hostile API server: Kubernetes itself would
 * refuse them) reach the commands vccheck prints only as inert words. Every shell block of the report and of the plan
 * runs in bash with kubectl replaced by a function that records its arguments: the namespace, Deployment and pod
 * names arrive exactly as they are, nothing else runs, no file appears.
 */
class ShellQuotingProperties {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KubernetesMockServer server;
    private static Path dir;
    private static JsonNode bundle;

    @BeforeContainer
    static void collectARealBundle() throws Exception {
        dir = Files.createTempDirectory("vccheck-shell");
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        MockCluster.registerCrds(server);
        try (KubernetesClient client = server.createClient()) {
            MockCluster.load(client, KubernetesScanTest.TRUECHARTS_CRASHLOOP);
            Path out = dir.resolve("k8s.json");
            Cli.Result r = Cli.run("collect", "--kubeconfig", MockCluster.kubeconfig(client, dir).toString(), "-n", "immich", "-o", out.toString());
            assertEquals(0, r.exit(), r::toString);
            bundle = JSON.readTree(out.toFile());
        }
    }

    @AfterContainer
    static void stop() throws Exception {
        if (server != null) server.destroy();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Shell metacharacters and a few letters; no '/', so no generated word can name a real program. */
    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars(" \t\n;|&$()`'\"\\<>*?~!#{}[]=%^,:-.ab").ofMinLength(1).ofMaxLength(16)
                .filter(s -> !s.isBlank());
    }

    @Property(tries = 60, seed = Fuzz.SEED)
    void namesWithShellMetacharactersArriveAsInertWords(@ForAll("names") String namespace, @ForAll("names") String deployment,
                                                         @ForAll("names") String pod) throws Exception {
        ObjectNode facts = bundle.deepCopy();
        Map<String, String> renames = rename(facts, namespace, deployment, pod);
        List<String> deployments = new ArrayList<>();
        facts.get("k8s").get("workloads").fieldNames().forEachRemaining(deployments::add);
        Path f = dir.resolve("hostile.json");
        JSON.writeValue(f.toFile(), facts);

        Cli.Result report = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("analyze", f.toString(), "--format", "json", "--immich-version", "2.1.0"));
        assertTrue(report.exit() == 1 || report.exit() == 0 || report.exit() == 3, report::toString);
        List<String> scripts = new ArrayList<>();
        for (JsonNode finding : JSON.readTree(report.out()).get("findings")) {
            if (finding.at("/evidence/psql").isTextual()) scripts.add(finding.at("/evidence/psql").asText());
            for (JsonNode rem : finding.path("remediation")) {
                if (List.of("kubectl", "shell").contains(rem.path("kind").asText())) scripts.add(rem.get("text").asText());
            }
        }
        Cli.Result plan = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("plan", "--bundle", f.toString(), "--immich-version", "2.1.0"));
        assertTrue(plan.exit() == 0, plan::toString);
        // Fenced sh blocks, at the top level or indented under a numbered step.
        Matcher m = Pattern.compile("(?s)\\n( {3})?(`{3,})sh\\n(.*?)\\n\\1\\2\\n").matcher(plan.out());
        while (m.find()) scripts.add(m.group(1) == null ? m.group(3) : m.group(3).replaceAll("(?m)^   ", ""));
        assertTrue(scripts.size() >= 3, () -> "the crash-looping TrueCharts install has kubectl fixes in report and plan\n" + report.out() + plan.out());

        List<List<String>> all = new ArrayList<>();
        for (String script : scripts) {
            List<List<String>> calls = runWithRecordingKubectl(script);
            all.addAll(calls);
            assertFalse(calls.isEmpty(), () -> "a command ran: " + script);
            for (List<String> args : calls) {
                Statistics.collect(args.get(0) + " " + args.get(1));
                int n = args.indexOf("-n");
                if (n >= 0) assertEquals(namespace, args.get(n + 1), () -> "namespace word in " + args + " from\n" + script);
                for (String a : args) {
                    if (a.startsWith("deployment/")) assertTrue(deployments.contains(a.substring("deployment/".length())), () -> args + " names a Deployment of " + deployments);
                }
                if (args.get(1).equals("exec")) assertTrue(args.contains(renames.get("primary")), () -> "the primary pod in " + args);
                if (args.get(1).equals("delete")) assertEquals(renames.get("crashing"), args.get(3), () -> "the crash-looping pod in " + args);
                if (args.get(0).equals("flux")) assertEquals(List.of("flux", "suspend", "helmrelease", renames.get("release"), "-n", namespace), args);
            }
        }
        assertTrue(all.stream().anyMatch(a -> a.contains("deployment/" + deployment)), () -> "the renamed Deployment is scaled down: " + all);
        assertTrue(all.stream().anyMatch(a -> a.contains(renames.get("primary"))), () -> "psql runs in the primary pod: " + all);
    }

    /**
     * Renames the namespace, one Immich Deployment (and the pods it owns), and the CNPG pods: the primary and the
     * crash-looping one, which the fixes name. Returns which generated name went where.
     */
    private static Map<String, String> rename(ObjectNode facts, String namespace, String deployment, String pod) {
        Map<String, String> out = new LinkedHashMap<>();
        ObjectNode k8s = (ObjectNode) facts.get("k8s");
        k8s.put("namespace", namespace);
        ObjectNode workloads = (ObjectNode) k8s.get("workloads");
        JsonNode micro = workloads.remove("immich-microservices");
        workloads.set(deployment, micro);
        out.put("deployment", deployment);
        for (JsonNode p : k8s.get("pods")) {
            ObjectNode o = (ObjectNode) p;
            if ("immich-microservices".equals(o.path("owner_name").asText())) o.put("owner_name", deployment);
        }
        // The HelmRelease (Flux) lives in the renamed namespace too and gets a hostile name.
        for (JsonNode hr : k8s.path("flux").path("helmreleases")) {
            ((ObjectNode) hr).put("namespace", namespace).put("name", pod);
            out.put("release", pod);
        }
        String primary = k8s.path("cnpg").path("clusters").elements().next().path("current_primary").asText();
        assertEquals("immich-cnpg-main-2", primary, "the fixture's primary");
        renamePod(k8s, primary, pod + "-2");
        setAll(k8s.get("cnpg"), primary, pod + "-2");
        out.put("primary", pod + "-2");
        renamePod(k8s, "immich-cnpg-main-1", pod + "-1");
        out.put("crashing", pod + "-1");
        return out;
    }

    private static void renamePod(ObjectNode k8s, String from, String to) {
        for (JsonNode p : k8s.get("pods")) if (from.equals(p.path("name").asText())) ((ObjectNode) p).put("name", to);
    }

    /** Every string field equal to {@code from} under {@code node} becomes {@code to} (the CNPG status names the primary pod). */
    private static void setAll(JsonNode node, String from, String to) {
        if (node instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (o.get(k).isTextual() && o.get(k).asText().equals(from)) o.put(k, to);
                else setAll(o.get(k), from, to);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isTextual() && a.get(i).asText().equals(from)) a.set(i, to);
                else setAll(a.get(i), from, to);
            }
        }
    }

    /** Runs the script in bash in an empty folder with kubectl, flux and argocd as recorders (psql does nothing); returns their argument lists. */
    static List<List<String>> runWithRecordingKubectl(String script) throws Exception {
        Path cwd = Files.createTempDirectory(dir, "run");
        Path calls = dir.resolve(cwd.getFileName() + ".calls");
        String prelude = """
                rec() { printf '%s\\0' "$@" >> "$VCC_CALLS"; printf '\\1\\0' >> "$VCC_CALLS"; }
                kubectl() { rec kubectl "$@"; }
                flux() { rec flux "$@"; }
                argocd() { rec argocd "$@"; }
                psql() { :; }
                """;
        ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-c", prelude + script).directory(cwd.toFile());
        pb.environment().put("VCC_CALLS", calls.toString());
        pb.environment().put("PATH", "/nonexistent");
        Processes.Result r = Processes.run(pb, Duration.ofSeconds(20));
        assertEquals("", r.err(), () -> "bash complained (a word broke out of its quotes?) running\n" + script);
        assertEquals(0, r.exit(), () -> "bash failed running\n" + script);
        try (Stream<Path> s = Files.list(cwd)) {
            assertEquals(List.of(), s.toList(), () -> "a redirection escaped its quotes in\n" + script);
        }
        List<List<String>> out = new ArrayList<>();
        if (!Files.exists(calls)) return out;
        List<String> current = new ArrayList<>();
        for (String word : Files.readString(calls, StandardCharsets.UTF_8).split("\0")) {
            if (word.equals("\1")) {
                out.add(current);
                current = new ArrayList<>();
            } else {
                current.add(word);
            }
        }
        return out;
    }
}
