package dev.vccheck.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.TestFiles;
import dev.vccheck.engine.AnalysisOptions;
import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.BundleReader;
import dev.vccheck.facts.Facts;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.RuleSources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plan says what the rules say: it reads the analysis's derived values instead of working them out again. */
class PlannerTest {
    private static Analyzer analyzer;

    @BeforeAll
    static void load() throws Exception {
        analyzer = new Analyzer(FactsSchema.get(), new RuleLoader(FactsSchema.get()).load(RuleSources.builtin()), RuleSources.compatibility(), "test");
    }

    static Report analyze(Facts facts) {
        return analyzer.analyze(facts, new AnalysisOptions("2.1.0", null, List.of(), List.of(), List.of(), LocalDate.of(2026, 12, 3)), "2026-12-03T00:00:00Z");
    }

    @Test
    void scalesDownTheDeploymentsTheKubernetesRuleCallsImmichs() throws Exception {
        Facts facts = BundleReader.read(TestFiles.bundle("k8s-chart-25-on-pgvectors"));
        // An official-chart server Deployment under a release name no name pattern knows: its label says it is Immich.
        ObjectNode w = ((ObjectNode) facts.json().at("/k8s/workloads")).putObject("photos");
        w.put("kind", "Deployment").put("replicas", 1).put("ready", 1).put("current", 1);
        w.putObject("labels").put("app.kubernetes.io/name", "server");
        w.putArray("images").add("ghcr.io/immich-app/immich-server:v2.1.0");
        Report report = analyze(facts);
        Finding running = report.findings().stream().filter(f -> f.id().equals("k8s.workloads.scaled-down")).findFirst().orElseThrow();
        assertTrue(running.message().contains("photos"), running.message());

        String md = PlanRenderer.markdown(Planner.plan(facts, report, Plan.Path.CNPG));
        assertTrue(md.contains("kubectl scale --replicas=0 deployment/photos -n immich"), md);
        assertTrue(md.contains("kubectl scale --replicas=0 deployment/immich-machinelearning -n immich"), md);
    }

    @Test
    void runsTheSqlWhereTheFindingsSayOrWithPsqlOnThisMachine() throws Exception {
        Facts facts = BundleReader.read(TestFiles.bundle("k8s-chart-25-on-pgvectors"));
        Report report = analyze(facts);
        assertEquals(report.derived().get("psql"), Planner.plan(facts, report, Plan.Path.CNPG).where());
        assertTrue(Planner.plan(facts, report, Plan.Path.CNPG).where().startsWith("kubectl exec -it -n immich immich-cnpg-main-1 -- psql "));

        Facts local = BundleReader.read(TestFiles.bundle("pgvectors-dual"));
        Report localReport = analyze(local);
        assertEquals("", localReport.derived().get("psql"));
        assertTrue(Planner.plan(local, localReport, Plan.Path.DUAL).where().startsWith("psql -d "));
    }

    @Test
    void theDerivedValuesStayOutOfTheJsonReport() throws Exception {
        Facts facts = BundleReader.read(TestFiles.bundle("pgvectors-dual"));
        Report report = analyze(facts);
        assertFalse(report.derived().isEmpty());
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(report);
        assertFalse(json.contains("\"derived\""), json);
        assertFalse(json.contains("migration_image"), json);
    }

    private static Facts columnsReal(int sampleDimension) throws Exception {
        Facts facts = BundleReader.read(TestFiles.repo("src/test/resources/rule-cases/pg.migration.state/columns-real-no-rows/facts.json"));
        if (sampleDimension > 0) ((ObjectNode) facts.json().at("/pg/embeddings/smart_search")).put("sample_dimension", sampleDimension);
        return facts;
    }

    private static String stateRuleSql(Report report) {
        Finding f = report.findings().stream().filter(x -> x.id().equals("pg.migration.state")).findFirst().orElseThrow();
        return f.remediation().stream().filter(s -> s.kind().equals("sql")).map(Finding.Step::text).findFirst().orElseThrow().strip();
    }

    @Test
    void stepThreeIsTheSqlTheStateRuleShows() throws Exception {
        Facts facts = columnsReal(768);
        Report report = analyze(facts);
        assertEquals(dev.vccheck.rules.Status.FAIL, report.findings().stream().filter(x -> x.id().equals("pg.migration.state")).findFirst().orElseThrow().status());
        Plan plan = Planner.plan(facts, report, Plan.Path.MANUAL);
        String rule = stateRuleSql(report);
        assertTrue(rule.startsWith("CREATE EXTENSION IF NOT EXISTS vchord CASCADE;\n"), rule);
        assertTrue(rule.contains("SET DATA TYPE vector(768);"), rule);
        assertEquals(rule, plan.sql().step3());
        assertTrue(PlanRenderer.markdown(plan).contains(rule.replace("\n", "\n   ")), PlanRenderer.markdown(plan));
        assertTrue(Scripts.script(plan).contains("BEGIN;\n" + rule + "\nCOMMIT;"), Scripts.script(plan));
    }

    @Test
    void anUnknownDimensionIsNever512() throws Exception {
        Facts facts = columnsReal(0);
        Report report = analyze(facts);
        Plan plan = Planner.plan(facts, report, Plan.Path.MANUAL);
        String rule = stateRuleSql(report);
        assertTrue(rule.contains("smart_search ALTER COLUMN embedding SET DATA TYPE vector(DIMENSION);"), rule);
        assertEquals(rule, plan.sql().step3());
        assertTrue(PlanRenderer.markdown(plan).contains("vector(DIMENSION)"), PlanRenderer.markdown(plan));
        // The guarded script runs unattended: it stops before changing anything rather than guess.
        String script = Scripts.script(plan);
        assertFalse(script.contains("ALTER TABLE"), script);
        assertTrue(script.contains("RAISE EXCEPTION 'vccheck plan: the CLIP dimension of smart_search is unknown"), script);
    }
}
