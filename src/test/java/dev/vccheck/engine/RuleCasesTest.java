package dev.vccheck.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.facts.BundleReader;
import dev.vccheck.facts.Facts;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.rules.Compatibility;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.RuleSources;
import dev.vccheck.rules.Waivers;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.read;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rule cases as data: {@code rule-cases/<rule-id>/<case>/facts.json} in, {@code expected.json} out. Instead of a
 * whole facts.json, a case may give {@code facts.patch.json}: a base bundle from {@code rule-case-bases/<base>.json}
 * and a JSON Merge Patch (RFC 7386: objects merge key by key, {@code null} removes a key, anything else, arrays too,
 * replaces) that makes the one difference the case is about:
 * <pre>
 * { "base": "hand-typed-pgvectors", "patch": { "pg": { "settings": { "shared_preload_libraries": "vchord.so" } } } }
 * </pre>
 * Each case runs
 * the one rule (built-in packs plus examples/rules) and compares its findings, in order: status, message fragments,
 * remediation fragments, evidence values, waived. {@code expected.json}:
 * <pre>
 * { "description": "...", "options": { "immich_version": "2.1.0", "phase": "pre", "waivers": "waivers.yaml", "today": "2026-11-22" },
 *   "findings": [ { "status": "fail", "message_contains": ["..."], "remediation_contains": ["..."],
 *                   "contains": ["in the message or a remediation"],
 *                   "evidence": { "k": "v" }, "waived": false, "id": "optional, defaults to the rule id" } ] }
 * </pre>
 */
class RuleCasesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final Path ROOT = repo("src/test/resources/rule-cases");

    /** The built-in packs plus examples/rules, as the cases see them. */
    static RuleLoader.Loaded rules() throws Exception {
        List<RuleLoader.Source> sources = new ArrayList<>(RuleSources.builtin());
        sources.addAll(RuleSources.user(List.of(repo("examples/rules"))));
        return new RuleLoader(FactsSchema.get()).load(sources);
    }

    @TestFactory
    Stream<DynamicNode> ruleCases() throws Exception {
        RuleLoader.Loaded loaded = rules();
        Compatibility compat = RuleSources.compatibility();
        Analyzer analyzer = new Analyzer(FactsSchema.get(), loaded, compat, "test");
        Path root = ROOT;
        List<DynamicNode> rules = new ArrayList<>();
        try (Stream<Path> ruleDirs = Files.list(root)) {
            for (Path ruleDir : ruleDirs.sorted().toList()) {
                String ruleId = ruleDir.getFileName().toString();
                assertTrue(loaded.rules().stream().anyMatch(r -> r.id().equals(ruleId)), "rule-cases/" + ruleId + " names no loaded rule");
                List<DynamicTest> cases = new ArrayList<>();
                try (Stream<Path> caseDirs = Files.list(ruleDir)) {
                    for (Path caseDir : caseDirs.sorted().toList()) {
                        cases.add(DynamicTest.dynamicTest(caseDir.getFileName().toString(), caseDir.toUri(), () -> run(analyzer, ruleId, caseDir)));
                    }
                }
                rules.add(DynamicContainer.dynamicContainer(ruleId, ruleDir.toUri(), cases.stream()));
            }
        }
        return rules.stream();
    }

    /** Runs one case (facts.json or base + patch.json, expected.json in {@code dir}) through {@code analyzer} and checks its findings. */
    static void run(Analyzer analyzer, String ruleId, Path dir) throws Exception {
        Facts facts = facts(dir);
        JsonNode expected = JSON.readTree(read(dir.resolve("expected.json")));
        JsonNode o = expected.path("options");
        List<Waivers.Waiver> waivers = o.has("waivers")
                ? Waivers.parse(o.get("waivers").asText(), read(dir.resolve(o.get("waivers").asText()))) : List.of();
        LocalDate today = o.has("today") ? LocalDate.parse(o.get("today").asText()) : LocalDate.now();
        AnalysisOptions opts = new AnalysisOptions(text(o, "immich_version"), text(o, "phase"), List.of(ruleId), List.of(), waivers, today);
        Report report = analyzer.analyze(facts, opts, "2026-11-22T00:00:00Z");
        List<Finding> got = report.findings().stream().filter(f -> f.id().equals(ruleId) || f.id().startsWith("vccheck.")).toList();
        JsonNode want = expected.get("findings");
        String all = describe(got);
        assertEquals(want.size(), got.size(), () -> "number of findings; got:\n" + all);
        for (int i = 0; i < want.size(); i++) {
            JsonNode w = want.get(i);
            Finding f = got.get(i);
            String ctx = "finding " + i + " of:\n" + all;
            assertEquals(w.has("id") ? w.get("id").asText() : ruleId, f.id(), ctx);
            assertEquals(w.get("status").asText(), f.status().id(), ctx);
            String everything = f.message() + "\n" + String.join("\n", f.remediation().stream().map(Finding.Step::text).toList());
            for (JsonNode frag : w.path("contains")) {
                assertTrue(everything.contains(frag.asText()), () -> "neither message nor remediation has '" + frag.asText() + "' in " + ctx);
            }
            for (JsonNode frag : w.path("message_contains")) {
                assertTrue(f.message().contains(frag.asText()), () -> "message lacks '" + frag.asText() + "' in " + ctx);
            }
            String remediation = String.join("\n", f.remediation().stream().map(Finding.Step::text).toList());
            for (JsonNode frag : w.path("remediation_contains")) {
                assertTrue(remediation.contains(frag.asText()), () -> "remediation lacks '" + frag.asText() + "' in " + ctx);
            }
            if (w.has("remediation_count")) assertEquals(w.get("remediation_count").asInt(), f.remediation().size(), ctx);
            w.path("evidence").fields().forEachRemaining(e ->
                    assertEquals(e.getValue(), JSON.valueToTree(f.evidence().get(e.getKey())), "evidence " + e.getKey() + " in " + ctx));
            if (w.has("waived")) assertEquals(w.get("waived").asBoolean(), f.waived() != null, ctx);
        }
        if (expected.has("migration_state")) assertEquals(expected.get("migration_state").asText(), report.migration().state());
    }

    /** The case's facts.json, or its base with its patch applied (exactly one of the two files). */
    static Facts facts(Path dir) throws Exception {
        Path whole = dir.resolve("facts.json"), patchFile = dir.resolve("facts.patch.json");
        assertTrue(Files.exists(whole) != Files.exists(patchFile), dir + ": give either facts.json or facts.patch.json");
        if (Files.exists(whole)) return BundleReader.read(whole);
        JsonNode p = JSON.readTree(read(patchFile));
        assertTrue(p.path("base").isTextual() && p.has("patch"), patchFile + ": needs \"base\" and \"patch\"");
        Path base = repo("src/test/resources/rule-case-bases").resolve(p.get("base").asText() + ".json");
        JsonNode merged = mergePatch(JSON.readTree(read(base)), p.get("patch"));
        return BundleReader.parse(patchFile + " (" + base.getFileName() + " + patch)", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(merged));
    }

    /** RFC 7386 section 2, MergePatch(Target, Patch). */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) return patch.deepCopy();
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JSON.createObjectNode();
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) result.remove(e.getKey());
            else result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
        });
        return result;
    }

    /** The examples of RFC 7386 Appendix A. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'a':'b'}|{'a':'c'}|{'a':'c'}",
            "{'a':'b'}|{'b':'c'}|{'a':'b','b':'c'}",
            "{'a':'b'}|{'a':null}|{}",
            "{'a':'b','b':'c'}|{'a':null}|{'b':'c'}",
            "{'a':['b']}|{'a':'c'}|{'a':'c'}",
            "{'a':'c'}|{'a':['b']}|{'a':['b']}",
            "{'a':{'b':'c'}}|{'a':{'b':'d','c':null}}|{'a':{'b':'d'}}",
            "{'a':[{'b':'c'}]}|{'a':[1]}|{'a':[1]}",
            "['a','b']|['c','d']|['c','d']",
            "{'a':'b'}|['c']|['c']",
            "{'a':'foo'}|null|null",
            "{'a':'foo'}|\"bar\"|\"bar\"",
            "{'e':null}|{'a':1}|{'e':null,'a':1}",
            "[1,2]|{'a':'b','c':null}|{'a':'b'}",
            "{}|{'a':{'bb':{'ccc':null}}}|{'a':{'bb':{}}}"})
    void mergePatchFollowsRfc7386(String target, String patch, String result) throws Exception {
        assertEquals(JSON.readTree(result.replace('\'', '"')), mergePatch(JSON.readTree(target.replace('\'', '"')), JSON.readTree(patch.replace('\'', '"'))));
    }

    private static String text(JsonNode o, String k) {
        return o.has(k) ? o.get(k).asText() : null;
    }

    private static String describe(List<Finding> fs) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : fs) sb.append("  ").append(f.status().id()).append(' ').append(f.id()).append(": ").append(f.message())
                .append(f.waived() != null ? " [waived]" : "").append('\n');
        if (fs.isEmpty()) sb.append("  (none)\n");
        return sb.toString();
    }

}
