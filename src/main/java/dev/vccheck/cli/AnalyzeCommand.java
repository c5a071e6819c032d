package dev.vccheck.cli;

import dev.vccheck.preflight.Preflight;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vccheck analyze BUNDLE}: the rules on a saved facts bundle, offline. */
@Command(name = "analyze", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Evaluate the rules on a facts bundle (from 'vccheck collect'), without access to any system.")
final class AnalyzeCommand implements Callable<Integer> {
    @ParentCommand
    VcCheck root;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "BUNDLE", description = "The facts bundle (JSON).")
    Path bundle;

    @Mixin
    RuleOptions ruleOptions = new RuleOptions();

    @Mixin
    OutputOptions output = new OutputOptions();

    @Override
    public Integer call() throws Exception {
        return Preflights.report(root, spec, ruleOptions, output, preflight -> Preflight.bundle(bundle), NextSteps.Context.NONE);
    }
}
