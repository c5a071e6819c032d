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
    final long loadMillis;
    private static volatile Compatibility compat;

    private Engine(RuleLoader.Loaded rules, long loadMillis) {
        this.rules = rules;
        this.loadMillis = loadMillis;
    }

    /**
     * The compatibility matrix, read when first needed (by the analysis, after the targets were read, while the
     * rules may still be loading elsewhere). It ships in the jar and CompatibilityTest checks it row by row; two
     * threads that both read it get equal copies.
     */
    static Compatibility compat() {
        Compatibility c = compat;
        if (c == null) {
            try {
                compat = c = RuleSources.compatibility();
            } catch (RuleLoadException e) {
                throw new IllegalStateException("the built-in compatibility matrix does not load: " + e.issues(), e);
            }
        }
        return c;
    }

    /** Loads everything or throws a UsageException listing every problem (file:line:column). */
    static Engine load(List<RuleLoader.Source> user) {
        long t0 = System.nanoTime();
        List<RuleLoader.Source> all = new ArrayList<>(RuleSources.builtin());
        all.addAll(user);
        try {
            RuleLoader.Loaded loaded = new RuleLoader(FactsSchema.get()).load(all);
            return new Engine(loaded, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuleLoadException e) {
            List<String> lines = new ArrayList<>(e.issues().stream().map(Object::toString).toList());
            lines.add(e.issues().size() + (e.issues().size() == 1 ? " problem" : " problems") + " in the rule files; nothing was analyzed");
            throw new UsageException(lines);
        }
    }

    static Engine load(RuleOptions ro) {
        return engine(ro).get();
    }

    /**
     * The rules for these options. User packs are read and loaded now (and refused, exit 2, before anything is
     * read from a target); the built-in ones alone may still be loading on another thread (preloadBuiltin), and the
     * supplier waits for them.
     */
    private static java.util.function.Supplier<Engine> engine(RuleOptions ro) {
        List<RuleLoader.Source> user;
        try {
            user = ro.userSources();
        } catch (RuleLoadException e) {
            throw new UsageException(e.issues().stream().map(Object::toString).toList());
        }
        if (user.isEmpty() && preloaded != null) return Engine::preloaded;
        Engine e = load(user);
        return () -> e;
    }

    /**
     * What scan and analyze share: check the options (exit 2 before any work), load the rules, get the facts,
     * analyze, write every requested output; returns the exit code.
     */
    static int run(VcCheck root, picocli.CommandLine.Model.CommandSpec spec, RuleOptions ruleOptions, OutputOptions output,
                   java.util.function.Function<java.util.function.Supplier<Engine>, Facts> facts) throws java.io.IOException {
        return run(root, spec, ruleOptions, output, facts, NextSteps.Context.NONE);
    }

    /** The same, with what the command line knows for the next steps of a target that could not be read. */
    static int run(VcCheck root, picocli.CommandLine.Model.CommandSpec spec, RuleOptions ruleOptions, OutputOptions output,
                   java.util.function.Function<java.util.function.Supplier<Engine>, Facts> facts, NextSteps.Context next) throws java.io.IOException {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var targets = output.targets(root.terminal);
        var opts = ruleOptions.analysisOptions();
        var engine = engine(ruleOptions);
        Facts f = facts.apply(engine);
        compat();   // read here, on this thread, while the rules may still be loading on theirs
        var steps = NextSteps.of(NextSteps.Context.collection(f), next);   // before redaction: it hides what the choice needs
        dev.vccheck.facts.Redactor.apply(f, output.redact);
        Report report = engine.get().analyze(f, opts, err, output.verbose).withNextSteps(steps);
        return output.write(report, targets, out, err, root.terminal).code;
    }

    private static volatile java.util.concurrent.CompletableFuture<Engine> preloaded;

    /**
     * Starts loading the built-in packs on a thread of their own, so that a scan connects to its targets meanwhile
     * (the process has two cores' worth of work to do before it can analyze). Only the process entry point calls
     * this, for commands that need the rules and have no --rules of their own.
     */
    static void preloadBuiltin() {
        if (preloaded != null) return;
        preloaded = java.util.concurrent.CompletableFuture.supplyAsync(() -> load(List.<RuleLoader.Source>of()), r -> {
            Thread t = new Thread(r, "vccheck-rules");
            t.setDaemon(true);
            t.start();
        });
    }

    private static Engine preloaded() {
        try {
            return preloaded.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw e;
        }
    }

    Report analyze(Facts facts, AnalysisOptions opts, PrintWriter log, boolean verbose) {
        long t0 = System.nanoTime();
        Analyzer analyzer = new Analyzer(FactsSchema.get(), rules, compat(), VersionProvider.version());
        try {
            analyzer.target(facts, opts.immichVersion());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--immich-version: " + e.getMessage());
        }
        Report r = analyzer.analyze(facts, opts, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (verbose) {
            log.printf("rules: %d loaded from %d packs in %d ms (%d of %d expressions precompiled); evaluated in %d ms%n", rules.rules().size(),
                    rules.packs().size(), loadMillis, rules.precompiled(), rules.expressions(), (System.nanoTime() - t0) / 1_000_000);
            rules.overridden().forEach(o -> log.println("override: " + o));
        }
        return r;
    }
}
