package dev.vccheck.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vccheck.engine.AnalysisOptions;
import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programs are planned on first evaluation (Expr): rules loaded on one thread (as a scan's rules thread does) and
 * first evaluated by several threads at once give every thread the report one thread gets alone.
 */
class LazyProgramsTest {
    private static final int THREADS = 4;

    @Test
    void rulesLoadedOnOneThreadAndFirstEvaluatedOnManyAtOnceGiveTheSameReports() throws Exception {
        Compatibility compat = RuleSources.compatibility();
        AnalysisOptions o = new AnalysisOptions(null, null, List.of(), List.of(), List.of(), LocalDate.of(2026, 12, 1));
        JsonNode alone = json(new Analyzer(FactsSchema.get(), new RuleLoader(FactsSchema.get()).load(RuleSources.builtin()), compat, "test"), o);
        assertTrue(alone.get("findings").size() > 20, "a report with findings: " + alone.get("findings").size());

        RuleLoader.Loaded loaded = CompletableFuture.supplyAsync(() -> {
            try {
                return new RuleLoader(FactsSchema.get()).load(RuleSources.builtin());
            } catch (RuleLoadException e) {
                throw new IllegalStateException(e);
            }
        }).get();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<JsonNode>> reports = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                reports.add(pool.submit(() -> {
                    Analyzer a = new Analyzer(FactsSchema.get(), loaded, compat, "test");
                    start.await();
                    return json(a, o);
                }));
            }
            for (Future<JsonNode> r : reports) assertEquals(alone, r.get());
        } finally {
            pool.shutdownNow();
        }
    }

    private static JsonNode json(Analyzer analyzer, AnalysisOptions o) throws Exception {
        return AnalyzedBundles.json(analyzer, "pgvectors-dual", o);
    }
}
