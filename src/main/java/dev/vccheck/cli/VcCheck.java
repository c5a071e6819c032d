package dev.vccheck.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** The root command. Only the cli package knows exit codes; everything below it returns data. */
@Command(name = "vccheck",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Read-only preflight and health checks for an Immich database moving from pgvecto.rs to VectorChord.", ""},
        exitCodeListHeading = "%nExit codes:%n",
        footerHeading = "%n",
        footer = {"Documentation: README.md; rule format: vccheck rules explain RULE_ID."})
public final class VcCheck implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Whether standard output is a terminal (decides the default format and colors). */
    final boolean terminal;

    /** The process environment (injected, so that tests are hermetic). */
    final java.util.Map<String, String> env;

    VcCheck(boolean terminal, java.util.Map<String, String> env) {
        this.terminal = terminal;
        this.env = env;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: scan, collect, analyze, rules, demo, generate-completion (see --help)");
    }

    /** The process entry point (Main). */
    public static int run(String... args) {
        // Nothing on the main thread opens the jar (its 23,000-entry directory) before the connection needs it: the
        // command-line model and the classes come from the archive or cache; the rules thread's first resource read
        // opens it meanwhile (CommandModel.read, bench/results.md).
        // The built-in rules start loading before the command line is even parsed (Preflight.preloadBuiltin).
        if (args.length > 0 && List.of("scan", "analyze", "collect", "plan").contains(args[0])
                && Arrays.stream(args).noneMatch(a -> a.equals("--rules") || a.startsWith("--rules="))) {
            dev.vccheck.preflight.Preflight.preloadBuiltin();
        }
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return run(out, err, System.console() != null, System.getenv(), args);
    }

    public static int run(PrintWriter out, PrintWriter err, boolean terminal, java.util.Map<String, String> env, String... args) {
        CommandLine cl = commandLine(terminal, env, args.length > 0 ? args[0] : null);
        cl.setOut(out);
        cl.setErr(err);
        boolean verbose = Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("vccheck: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
            err.flush();
            return ExitCode.USAGE.code;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            if (ex instanceof dev.vccheck.preflight.PreflightException p) ex = Flags.usage(p);
            if (ex instanceof UsageException u) {
                u.lines().forEach(l -> err.println("vccheck: " + l));
                err.flush();
                return ExitCode.USAGE.code;
            }
            err.println("vccheck: internal error: " + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
            if (verbose) {
                StringWriter sw = new StringWriter();
                ex.printStackTrace(new PrintWriter(sw));
                err.print(sw);
            } else {
                err.println("This is a bug in vccheck. Run again with -v for the stack trace, and report it.");
            }
            err.flush();
            return ExitCode.INTERNAL.code;
        });
        return cl.execute(args);
    }

    /** The subcommands, in the order --help lists them (read from their annotations only when asked for). */
    private static final class Subcommands {
        static final java.util.Map<String, Class<?>> ALL = subcommands();

        private static java.util.Map<String, Class<?>> subcommands() {
            java.util.Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
            for (Class<?> c : List.of(ScanCommand.class, CollectCommand.class, AnalyzeCommand.class, PlanCommand.class, DemoCommand.class,
                    RulesCommand.class, AutoComplete.GenerateCompletion.class, InternalErrorCommand.class, CdsTrainingCommand.class)) {
                m.put(c.getAnnotation(Command.class).name(), c);
            }
            return m;
        }
    }

    /**
     * The command line for {@code first} (the first argument). For the commands the build recorded
     * ({@link CommandModel}) it is made from that record, without reading an annotation; for the others, from the
     * annotations ({@link #annotatedCommandLine}).
     */
    static CommandLine commandLine(boolean terminal, java.util.Map<String, String> env, String first) {
        if (first != null && CommandModel.MODELLED.contains(first)) {
            var model = CommandModel.model(first);
            if (model.isPresent()) {
                try {
                    return modelCommandLine(model.get(), terminal, env, first);
                } catch (Exception e) {
                    // a model this build cannot use (the build checks it, so this is a damaged jar): read the annotations
                }
            }
        }
        return annotatedCommandLine(terminal, env, first);
    }

    /** The root with the one subcommand {@code sub}, made from the recorded model. */
    static CommandLine modelCommandLine(java.util.Map<String, CommandModel.Command> model, boolean terminal, java.util.Map<String, String> env, String sub)
            throws Exception {
        return finish(CommandModel.commandLine(model, sub, new VcCheck(terminal, env), new Factory(terminal, env)));
    }

    /**
     * The command line read from the annotations. picocli reads every option of every subcommand by reflection when
     * it is added, about a tenth of a second for all of them, so when the first argument names a subcommand only that
     * one is added; root help, completion scripts and mistakes get the whole tree.
     */
    static CommandLine annotatedCommandLine(boolean terminal, java.util.Map<String, String> env, String first) {
        Factory factory = new Factory(terminal, env);
        CommandLine cl = new CommandLine(new VcCheck(terminal, env), factory);
        boolean one = first != null && Subcommands.ALL.containsKey(first) && !first.equals("generate-completion");
        for (var e : Subcommands.ALL.entrySet()) {
            if (!one || e.getKey().equals(first)) cl.addSubcommand(e.getKey(), new CommandLine(e.getValue(), factory));
        }
        return finish(cl);
    }

    /** What both ways of making the command line add in code: the exit codes in --help, enum values in any case. */
    private static CommandLine finish(CommandLine cl) {
        java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        for (String line : ExitCode.helpList()) {
            String[] kv = line.split(":", 2);
            codes.put(" ".repeat(Math.max(0, 3 - kv[0].length())) + kv[0], kv[1]); // String.format would start a Formatter for each run
        }
        cl.getCommandSpec().usageMessage().exitCodeList(codes);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Hands the terminal flag to commands that need it. */
    private record Factory(boolean terminal, java.util.Map<String, String> env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == VcCheck.class) return cls.cast(new VcCheck(terminal, env));
            // A class by its no-argument constructor; picocli's factory only for interfaces (collections). Its first
            // use looks for Groovy's closure class, a miss that has the class loader open the jar's 23,000-entry
            // directory on the main thread (CommandModel.read).
            if (!cls.isInterface() && !java.lang.reflect.Modifier.isAbstract(cls.getModifiers())) {
                var constructor = cls.getDeclaredConstructor();
                constructor.setAccessible(true);
                return constructor.newInstance();
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
