package dev.vccheck.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.concurrent.Callable;

/** {@code vccheck scan}: collect and analyze in one process (exactly collect + analyze). */
@Command(name = "scan", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Look at the live database and report what will break, with the fixes.")
final class ScanCommand implements Callable<Integer> {
    @ParentCommand
    VcCheck root;
    @Spec
    CommandSpec spec;
    @Mixin
    ScannedSystemOptions system = new ScannedSystemOptions();
    @Mixin
    LogOptions logOptions = new LogOptions();
    @Mixin
    RuleOptions ruleOptions = new RuleOptions();
    @Mixin
    OutputOptions output = new OutputOptions();

    @Override
    public Integer call() throws Exception {
        return Preflights.report(root, spec, ruleOptions, output, preflight -> preflight.collect(system.system(root.env, logOptions, ruleOptions.immichVersion)),
                NextSteps.Context.of(system.envFile, output.redact));
    }
}
