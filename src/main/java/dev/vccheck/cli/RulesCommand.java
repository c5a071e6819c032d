package dev.vccheck.cli;

import dev.vccheck.preflight.Preflight;
import dev.vccheck.rules.Outcome;
import dev.vccheck.rules.Remediation;
import dev.vccheck.rules.Rule;
import dev.vccheck.rules.RuleLoadException;
import dev.vccheck.rules.RuleSources;
import dev.vccheck.rules.Status;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vccheck rules list | explain ID | validate PATH...}. */
@Command(name = "rules", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List, explain and validate rules.",
        subcommands = {RulesCommand.ListRules.class, RulesCommand.Explain.class, RulesCommand.Validate.class})
final class RulesCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed: list, explain RULE_ID, validate PATH...");
    }

    /** --rules for the rules subcommands. */
    static final class Packs {
        @Option(names = "--rules", paramLabel = "PATH", description = "Also load these rule packs (files or folders). Repeatable.")
        List<Path> rules = new java.util.ArrayList<>();

        Preflight load() {
            try {
                return Preflight.load(RuleSources.user(rules));
            } catch (RuleLoadException e) {
                throw new UsageException(e.issues().stream().map(Object::toString).toList());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "List the rules: id, source, severity, phases, title.")
    static final class ListRules implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Packs packs = new Packs();

        @Override
        public Integer call() {
            Preflight e = packs.load();
            PrintWriter out = spec.commandLine().getOut();
            int w = e.rules().rules().stream().mapToInt(r -> r.id().length()).max().orElse(10);
            out.printf("%-" + w + "s  %-10s  %-8s  %-15s  %s%n", "ID", "SOURCE", "SEVERITY", "PHASES", "TITLE");
            for (Rule r : e.rules().rules()) {
                out.printf("%-" + w + "s  %-10s  %-8s  %-15s  %s%n", r.id(), r.source(), r.severity().id(), String.join(",", r.phases()), r.title());
            }
            out.printf("%n%d rules in %d packs; compatibility matrix: %d Immich release ranges up to %s%n",
                    e.rules().rules().size(), e.rules().packs().size(), Preflight.compat().releases().size(), Preflight.compat().newestRelease());
            out.flush();
            return ExitCode.OK.code;
        }
    }

    @Command(name = "explain", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Show one rule: what it checks, when it applies, its outcomes and fixes.")
    static final class Explain implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        Packs packs = new Packs();
        @Parameters(paramLabel = "RULE_ID")
        String id;

        @Override
        public Integer call() {
            Preflight e = packs.load();
            Rule r = e.rules().rules().stream().filter(x -> x.id().equals(id)).findFirst()
                    .orElseThrow(() -> new UsageException("no rule with id '" + id + "' (see: vccheck rules list)"));
            PrintWriter out = spec.commandLine().getOut();
            out.println(r.id() + " — " + r.title());
            if (r.description() != null) out.println("\n" + r.description().strip());
            out.println();
            out.println("defined at: " + r.pos());
            out.println("source:     " + r.source() + (r.source() == Rule.Source.any ? " (needs both a database and a cluster)" : ""));
            out.println("severity:   " + r.severity().id());
            out.println("phases:     " + String.join(", ", r.phases()));
            if (!r.tags().isEmpty()) out.println("tags:       " + String.join(", ", r.tags()));
            if (r.when() != null) out.println("applies when: " + r.when().source() + (r.whenNot() == null ? "" : "\n  (otherwise skipped: " + r.whenNot().source() + ")"));
            if (!r.needs().isEmpty()) out.println("needs facts:  " + String.join(", ", r.needs()));
            if (r.collect() != null) out.println("own query:  " + (r.collect().sql() != null ? r.collect().sql() : r.collect().apiVersion() + " " + r.collect().kind()));
            out.println("\noutcomes (every matching non-pass outcome is reported; else the first matching pass):");
            for (Outcome o : r.outcomes()) {
                out.println("  " + (o.status() == Status.PASS ? "pass" : o.status().id()) + " when " + o.condition().source());
                out.println("      " + o.message().source().strip().replace("\n", "\n      "));
                for (Remediation rem : o.remediation()) {
                    out.println("      fix (" + rem.kind() + ")" + (rem.when() != null ? " when " + rem.when().source() : "") + ":");
                    out.println("        " + rem.text().source().strip().replace("\n", "\n        "));
                }
            }
            if (!r.references().isEmpty()) {
                out.println("\nreferences:");
                r.references().forEach(x -> out.println("  " + x));
            }
            out.flush();
            return ExitCode.OK.code;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Load rule packs exactly as a scan would (with the built-in packs) and report every problem as file:line:column.")
    static final class Validate implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(paramLabel = "PATH", arity = "1..*", description = "Rule pack files or folders.")
        List<Path> paths;

        @Override
        public Integer call() {
            Preflight e;
            try {
                e = Preflight.load(RuleSources.user(paths));
            } catch (RuleLoadException ex) {
                throw new UsageException(ex.issues().stream().map(Object::toString).toList());
            }
            PrintWriter out = spec.commandLine().getOut();
            long user = e.rules().rules().stream().filter(r -> e.rules().packs().stream().anyMatch(p -> !p.builtin() && p.file().equals(r.pack()))).count();
            out.printf("ok: %d rules in %d user packs (and the built-in packs) load and compile%n", user,
                    e.rules().packs().stream().filter(p -> !p.builtin()).count());
            e.rules().overridden().forEach(o -> out.println("override: " + o));
            out.flush();
            return ExitCode.OK.code;
        }
    }
}
