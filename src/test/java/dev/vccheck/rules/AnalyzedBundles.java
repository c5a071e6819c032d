package dev.vccheck.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.engine.AnalysisOptions;
import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.BundleReader;
import dev.vccheck.report.Report;
import dev.vccheck.report.render.Renderers;

import java.io.StringWriter;
import java.time.LocalDate;
import java.util.List;

import static dev.vccheck.TestFiles.bundle;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A test bundle analyzed and rendered as its JSON report, timings left out: what two rule sets are compared by. */
final class AnalyzedBundles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnalyzedBundles() {
    }

    /**
     * Asserts that {@code expected} and {@code actual} give the same report for every bundle, phase (null: inferred)
     * and target release (null: the default); returns how many findings were compared.
     */
    static int assertSameReports(Analyzer expected, Analyzer actual, List<String> bundles, List<String> phases, List<String> versions) throws Exception {
        int findings = 0;
        for (String b : bundles) {
            for (String phase : phases) {
                for (String version : versions) {
                    AnalysisOptions o = new AnalysisOptions(version, phase, List.of(), List.of(), List.of(), LocalDate.of(2026, 12, 1));
                    JsonNode e = json(expected, b, o), a = json(actual, b, o);
                    assertEquals(e, a, () -> b + " " + phase + " " + version);
                    findings += a.get("findings").size();
                }
            }
        }
        return findings;
    }

    static JsonNode json(Analyzer analyzer, String bundle, AnalysisOptions o) throws Exception {
        var facts = BundleReader.read(bundle(bundle));
        analyzer.targetRelease(facts, o.immichVersion());
        Report r = analyzer.analyze(facts, o, "2026-12-01T00:00:00Z");
        StringWriter w = new StringWriter();
        Renderers.get("json").orElseThrow().render(r, w, false);
        JsonNode n = JSON.readTree(w.toString());
        n.get("findings").forEach(f -> ((ObjectNode) f).remove("duration_ms"));
        return n;
    }
}
