package dev.vccheck.report.render;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vccheck.engine.AnalysisOptions;
import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.BundleReader;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.RuleSources;
import dev.vccheck.rules.Status;
import dev.vccheck.rules.Waivers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.bundle;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JSON report is written field by field (JsonRenderer) instead of by Jackson's data binding; the records'
 * annotations still describe the document. Every real bundle, analyzed with the built-in rules in every phase and with
 * waivers, renders byte for byte as the data binding renders the same Report (PlainJsonTest holds the value helpers).
 */
public class JsonRendererTest {
    /** What JsonRenderer wrote before: the data binding, indented, the target left open. */
    static final ObjectMapper DATABIND = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    static Analyzer analyzer;

    @BeforeAll
    static void rules() throws Exception {
        analyzer = new Analyzer(FactsSchema.get(), new RuleLoader(FactsSchema.get()).load(RuleSources.builtin()), RuleSources.compatibility(), "test");
    }

    static Stream<String> bundles() throws Exception {
        try (Stream<java.nio.file.Path> s = Files.list(repo("src/test/resources/bundles"))) {
            return s.map(p -> p.getFileName().toString().replace(".json", "")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void everyBundleRendersAsTheDataBindingRendersIt(String name) throws Exception {
        List<Waivers.Waiver> waivers = Waivers.parse("w.yaml", """
                waivers:
                  - rule: pg.*
                    reason: "accepted \\"for now\\" \u00e9"
                    expires: 2027-01-31
                  - rule: k8s.*
                    reason: expired long ago
                    expires: 2020-01-01
                """);
        int findings = 0;
        for (String phase : Arrays.asList(null, "pre", "post")) {
            for (List<Waivers.Waiver> w : List.of(List.<Waivers.Waiver>of(), waivers)) {
                AnalysisOptions o = new AnalysisOptions(null, phase, List.of(), List.of(), w, LocalDate.of(2026, 12, 1));
                Report r = analyzer.analyze(BundleReader.read(bundle(name)), o, "2026-12-01T00:00:00Z");
                assertSameJson(r);
                findings += r.findings().size();
            }
        }
        assertTrue(findings > 0, name);
    }

    @Test
    void aReportWithNullsAndOddValuesRendersAsTheDataBindingRendersIt() throws Exception {
        Map<String, Object> evidence = new LinkedHashMap<>(oddValues());
        List<Finding> findings = List.of(
                new Finding("a.b", null, Status.WARN, null, null, evidence, List.of(new Finding.Step("sql", null, "SELECT 1;")),
                        null, List.of(), null, new Finding.Waived("r", null), 7),
                new Finding("c.d", "t", Status.PASS, Status.FAIL, "m", null, null, List.of("https://x"), List.of("tag"), "s", null, 0));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", "ok");
        fields.put("nothing", null);
        Report r = new Report("s", new Report.Tool("vccheck", null), null,
                Map.of("postgres", dev.vccheck.report.ScannedSource.of(fields)), null,
                new Report.ImmichVersion(null, "x", null, null), new Report.Migration(null, null, null),
                dev.vccheck.report.Summary.of(findings), findings);
        assertSameJson(r);
        assertSameJson(new Report(null, null, null, null, null, null, null, null, null));
    }

    /** Every type a CEL value, a fact or the matrix gives, and one (a record) that only the fallback knows. */
    public static Map<String, Object> oddValues() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("null", null);
        v.put("text", "quote \" backslash \\ tab \t newline \n unicode \u00e9 \u2028 control \u0001");
        v.put("true", true);
        v.put("int", 42);
        v.put("long", 1L << 40);
        v.put("double", 0.1);
        v.put("big double", 1e300);
        v.put("nan", Double.NaN);
        v.put("float", 1.5f);
        v.put("big integer", BigInteger.TWO.pow(70));
        v.put("big decimal", new BigDecimal("1.50"));
        v.put("list", new ArrayList<>(List.of(1, "two", List.of(), Map.of())));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("b", null);
        nested.put("a", List.of(Map.of("x", 1L)));
        v.put("map", nested);
        v.put("date", LocalDate.of(2026, 12, 3).toString());
        v.put("record", new Finding.Step("sql", null, "SELECT 1;"));
        return v;
    }

    static void assertSameJson(Report r) throws Exception {
        StringWriter expected = new StringWriter(), actual = new StringWriter();
        DATABIND.writeValue(expected, r);
        expected.write("\n");
        new JsonRenderer().render(r, actual, false);
        assertEquals(expected.toString(), actual.toString());
    }
}
