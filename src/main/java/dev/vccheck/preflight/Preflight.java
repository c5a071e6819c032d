package dev.vccheck.preflight;

import dev.vccheck.engine.AnalysisOptions;
import dev.vccheck.engine.Analyzer;
import dev.vccheck.facts.BundleReader;
import dev.vccheck.facts.Facts;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.facts.Redactor;
import dev.vccheck.report.Report;
import dev.vccheck.rules.Compatibility;
import dev.vccheck.rules.Rule;
import dev.vccheck.rules.RuleLoadException;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.RuleSources;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One preflight: the rules (built-in and user packs) and the compatibility matrix, then the facts (collected from a
 * {@link ScannedSystem} or read from a bundle), redacted, then analyzed. The commands ask for the stages they need;
 * they word what goes wrong ({@link PreflightException}) and write the outputs.
 */
public final class Preflight {
    private static volatile Compatibility compat;
    private static volatile CompletableFuture<Loaded> preloaded;

    /** Loaded rules, and how long loading took (for -v). */
    private record Loaded(RuleLoader.Loaded rules, long millis) {
    }

    private final Supplier<Loaded> rules;

    private Preflight(Supplier<Loaded> rules) {
        this.rules = rules;
    }

    /** The built-in packs and {@code user}, loaded now (what 'rules' and 'demo' use). */
    public static Preflight load(List<RuleLoader.Source> user) {
        Loaded l = loadNow(user);
        return new Preflight(() -> l);
    }

    /**
     * The rules for one run. User packs are loaded now (and refused, before anything is read from a target); the
     * built-in ones alone may still be loading on another thread ({@link #preloadBuiltin()}), and are waited for
     * when first needed.
     */
    public static Preflight forRun(List<RuleLoader.Source> user) {
        if (user.isEmpty() && preloaded != null) return new Preflight(Preflight::preloaded);
        return load(user);
    }

    public RuleLoader.Loaded rules() {
        return rules.get().rules();
    }

    /**
     * The compatibility matrix, read when first needed (by the analysis, after the targets were read, while the
     * rules may still be loading elsewhere). It ships in the jar and CompatibilityTest checks it row by row; two
     * threads that both read it get equal copies.
     */
    public static Compatibility compat() {
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

    /** The facts of a live system. */
    public Facts collect(ScannedSystem system) {
        return Collection.collect(this::rules, system);
    }

    /** A saved bundle, or a PreflightException (BUNDLE_INVALID) that says what is wrong and where. */
    public static Facts bundle(Path file) {
        try {
            return BundleReader.read(file);
        } catch (BundleReader.InvalidBundleException e) {
            throw new PreflightException(PreflightException.Cause.BUNDLE_INVALID, e.problems());
        }
    }

    /**
     * Gets the facts ({@code source}: collected or read), hands them to {@code beforeRedaction} as they are (what
     * needs the real names, such as the next steps), then redacts them to {@code level}.
     */
    public Facts facts(Function<Preflight, Facts> source, Redactor.Level level, Consumer<Facts> beforeRedaction) {
        Facts f = source.apply(this);
        compat();   // read here, on this thread, while the rules may still be loading on theirs
        beforeRedaction.accept(f);
        Redactor.apply(f, level);
        return f;
    }

    /** The rules on (redacted) facts; with {@code verbose}, the timings and overrides go to {@code log}. */
    public Report analyze(Facts facts, AnalysisOptions opts, PrintWriter log, boolean verbose) {
        Loaded loaded = rules.get();
        long t0 = System.nanoTime();
        RuleLoader.Loaded r = loaded.rules();
        Analyzer analyzer = new Analyzer(FactsSchema.get(), r, compat(), toolVersion());
        try {
            analyzer.targetRelease(facts, opts.immichVersion());
        } catch (IllegalArgumentException e) {
            throw new PreflightException(PreflightException.Cause.RELEASE_UNKNOWN, List.of(String.valueOf(e.getMessage())));
        }
        Report report = analyzer.analyze(facts, opts, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        if (verbose) {
            log.printf("rules: %d loaded from %d packs in %d ms (%d of %d expressions precompiled); evaluated in %d ms%n", r.rules().size(),
                    r.packs().size(), loaded.millis(), r.precompiled(), r.expressions(), (System.nanoTime() - t0) / 1_000_000);
            r.overridden().forEach(o -> log.println("override: " + o));
        }
        return report;
    }

    /**
     * Starts loading the built-in packs on a thread of their own, so that a scan connects to its targets meanwhile
     * (the process has two cores' worth of work to do before it can analyze). Only the process entry point calls
     * this, for commands that need the rules and have no user packs.
     */
    public static void preloadBuiltin() {
        if (preloaded != null) return;
        CompletableFuture<Loaded> f = new CompletableFuture<>();
        preloaded = f;
        Thread t = new Thread(() -> {
            Loaded l;
            try {
                l = loadNow(List.of());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
                return;
            }
            f.complete(l);
            prepare(l.rules());
        }, "vccheck-rules");
        t.setDaemon(true);
        t.start();
        // One helper thread, not two: CEL's runtime is built on this one when the first program is planned. On two
        // cores a second helper (it built the runtime beside the rules) took the main thread's share of the CPU while
        // it parsed the command line and connected (bench/results.md: Java 25 271 -> 262 ms, Java 17 338 -> 329).
    }

    /**
     * What every analysis needs next, made on the rules thread while the main one reads the targets: the facts
     * schema, the compatibility matrix and its ranges, and the programs of the derived values and the database's
     * rules, with their semver ranges (each made once, whichever thread asks first; bench/results.md has the timeline).
     */
    private static void prepare(RuleLoader.Loaded rules) {
        try {
            FactsSchema.get();
            compat().prepare();
            // The database's rules: a scan almost always reads a database (a Kubernetes-only one prepares less).
            rules.prepare(r -> r.source() == Rule.Source.postgres || r.source() == Rule.Source.any);
        } catch (RuntimeException e) {
            // the main thread asks for each again and reports what fails
        }
    }

    private static Loaded preloaded() {
        try {
            return preloaded.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw e;
        }
    }

    /** Loads everything or throws RULES_INVALID listing every problem (file:line:column). */
    private static Loaded loadNow(List<RuleLoader.Source> user) {
        long t0 = System.nanoTime();
        try {
            RuleLoader.Loaded loaded;
            if (user.isEmpty()) {
                loaded = RuleLoader.builtin();
            } else {
                List<RuleLoader.Source> all = new ArrayList<>(RuleSources.builtin());
                all.addAll(user);
                loaded = new RuleLoader(FactsSchema.get()).load(all);
            }
            return new Loaded(loaded, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuleLoadException e) {
            List<String> lines = new ArrayList<>(e.issues().stream().map(Object::toString).toList());
            lines.add(e.issues().size() + (e.issues().size() == 1 ? " problem" : " problems") + " in the rule files; nothing was analyzed");
            throw new PreflightException(PreflightException.Cause.RULES_INVALID, lines);
        }
    }

    /** This build's version, from the Maven-filtered {@code vccheck.properties}. */
    public static String toolVersion() {
        try (InputStream in = Preflight.class.getClassLoader().getResourceAsStream("vccheck.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "dev");
        } catch (Exception e) {
            return "dev";
        }
    }
}
