package dev.vccheck.cli;

import dev.vccheck.facts.CollectionStatus;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vccheck.facts.Facts;
import dev.vccheck.preflight.Preflight;
import dev.vccheck.report.NextStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** {@code vccheck collect -o bundle.json}: the facts, for 'vccheck analyze' elsewhere. Exit 3 when a target was unreachable. */
@Command(name = "collect", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Collect the facts into a bundle (JSON) that 'vccheck analyze' evaluates later or elsewhere.")
final class CollectCommand implements Callable<Integer> {
    @ParentCommand
    VcCheck root;
    @Spec
    CommandSpec spec;
    @Mixin
    ScannedSystemOptions system = new ScannedSystemOptions();
    @Mixin
    LogOptions logOptions = new LogOptions();
    @Option(names = "--rules", paramLabel = "PATH", description = "Rule packs whose own queries (collect blocks) should run too.")
    java.util.List<Path> rules = new java.util.ArrayList<>();
    @Option(names = "--immich-version", paramLabel = "X.Y.Z", description = "Recorded in the bundle as a hint.")
    String immichVersion;
    @Option(names = "--redact", paramLabel = "LEVEL", defaultValue = "secrets", description = "none, secrets (default) or all: see 'scan --help'.")
    dev.vccheck.facts.Redactor.Level redact;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the bundle here (default: standard output).")
    Path output;

    @Override
    public Integer call() throws Exception {
        RuleOptions ro = new RuleOptions();
        ro.rules = rules;
        Preflight preflight = Preflights.of(ro);
        var context = NextSteps.Context.of(system.envFile, redact);
        var steps = new AtomicReference<Map<String, NextStep>>();
        Facts facts = preflight.facts(p -> p.collect(system.system(root.env, logOptions, immichVersion)), redact,
                f -> steps.set(NextSteps.of(NextSteps.Context.collection(f), context)));   // before redaction, as in a scan
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(facts.json()) + "\n";
        var err = spec.commandLine().getErr();
        new Output(output).write((w, toStdout) -> w.write(json), "facts bundle", spec.commandLine().getOut(), err, false);
        NextSteps.lines(NextSteps.Context.collection(facts), steps.get()).forEach(err::println);
        err.flush();
        boolean failed = facts.json().path("collection").findValues("status").stream().anyMatch(s -> CollectionStatus.of(s.asText()) == CollectionStatus.ERROR);
        return failed ? ExitCode.INCOMPLETE.code : ExitCode.OK.code;
    }
}
