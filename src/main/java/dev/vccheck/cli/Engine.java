package dev.vccheck.cli;

import dev.vccheck.engine.AnalysisOptions;
import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.Facts;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.report.Report;
import dev.vccheck.rules.Compatibility;
import dev.vccheck.rules.RuleLoadException;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.RuleSources;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Wires the stages for a command: load rules (built-in + user) and the compatibility matrix, then analyze facts. */
final class Engine {
    final RuleLoader.Loaded rules;
    final Compatibility compat;
    final long loadMillis;

    private Engine(RuleLoader.Loaded rules, Compatibility compat, long loadMillis) {
        this.rules = rules;
        this.compat = compat;
        this.loadMillis = loadMillis;
    }

    /** Loads everything or throws a UsageException listing every problem (file:line:column). */
    static Engine load(List<RuleLoader.Source> user) {
        long t0 = System.nanoTime();
        List<RuleLoader.Source> all = new ArrayList<>(RuleSources.builtin());
        all.addAll(user);
        try {
            Compatibility compat = RuleSources.compatibility();
            RuleLoader.Loaded loaded = new RuleLoader(FactsSchema.get()).load(all);
            return new Engine(loaded, compat, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuleLoadException e) {
            List<String> lines = new ArrayList<>(e.issues().stream().map(Object::toString).toList());
            lines.add(e.issues().size() + (e.issues().size() == 1 ? " problem" : " problems") + " in the rule files; nothing was analyzed");
            throw new UsageException(lines);
        }
    }

    static Engine load(RuleOptions ro) {
        try {
            return load(ro.userSources());
        } catch (RuleLoadException e) {
            throw new UsageException(e.issues().stream().map(Object::toString).toList());
        }
    }

    /**
     * What scan and analyze share: check the options (exit 2 before any work), load the rules, get the facts,
     * analyze, write every requested output; returns the exit code.
     */
    static int run(VcCheck root, picocli.CommandLine.Model.CommandSpec spec, RuleOptions ruleOptions, OutputOptions output,
                   java.util.function.Function<Engine, Facts> facts) throws java.io.IOException {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var targets = output.targets(root.terminal);
        var opts = ruleOptions.analysisOptions();
        Engine engine = load(ruleOptions);
        Facts f = facts.apply(engine);
        dev.vccheck.facts.Redactor.apply(f, output.redact);
        Report report = engine.analyze(f, opts, err, output.verbose);
        return output.write(report, targets, out, err, root.terminal).code;
    }

    Report analyze(Facts facts, AnalysisOptions opts, PrintWriter log, boolean verbose) {
        long t0 = System.nanoTime();
        Analyzer analyzer = new Analyzer(FactsSchema.get(), rules, compat, VersionProvider.version());
        try {
            analyzer.target(facts, opts.immichVersion());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--immich-version: " + e.getMessage());
        }
        Report r = analyzer.analyze(facts, opts, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (verbose) {
            log.printf("rules: %d loaded from %d packs in %d ms; evaluated in %d ms%n", rules.rules().size(),
                    rules.packs().size(), loadMillis, (System.nanoTime() - t0) / 1_000_000);
            rules.overridden().forEach(o -> log.println("override: " + o));
        }
        return r;
    }
}
