package dev.vccheck.cli;

import dev.vccheck.facts.Facts;
import dev.vccheck.preflight.Preflight;
import dev.vccheck.report.NextStep;
import dev.vccheck.report.Report;
import dev.vccheck.rules.RuleLoadException;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** What the commands that run a preflight share: their options turned into a Preflight, and the report written. */
final class Preflights {
    private Preflights() {
    }

    /** The rules for these options: user packs that cannot be read are a usage error (exit 2) before any work. */
    static Preflight of(RuleOptions ro) {
        try {
            return Preflight.forRun(ro.userSources());
        } catch (RuleLoadException e) {
            throw new UsageException(e.issues().stream().map(Object::toString).toList());
        }
    }

    /**
     * What scan and analyze share: check the options (exit 2 before any work), load the rules, get the facts,
     * analyze, write every requested output; returns the exit code. {@code next}: what the command line knows for
     * the next steps of a target that could not be read.
     */
    static int report(VcCheck root, CommandSpec spec, RuleOptions ruleOptions, OutputOptions output,
                      Function<Preflight, Facts> source, NextSteps.Context next) throws IOException {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var outputs = output.outputs(root.terminal);
        var opts = ruleOptions.analysisOptions();
        Preflight preflight = of(ruleOptions);
        var steps = new AtomicReference<Map<String, NextStep>>();
        // the steps are chosen before redaction: it hides what the choice needs
        Facts f = preflight.facts(source, output.redact, facts -> steps.set(NextSteps.of(NextSteps.Context.collection(facts), next)));
        Report report = preflight.analyze(f, opts, err, output.verbose).withNextSteps(steps.get());
        return output.write(report, outputs, out, err, root.terminal).code;
    }
}
