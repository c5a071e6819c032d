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

import static dev.vccheck.TestFiles.bundle;

/** A test bundle analyzed and rendered as its JSON report, timings left out: what two rule sets are compared by. */
final class AnalyzedBundles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AnalyzedBundles() {
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
