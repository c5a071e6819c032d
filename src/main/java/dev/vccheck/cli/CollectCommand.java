package dev.vccheck.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vccheck.facts.Facts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code vccheck collect -o bundle.json}: the facts, for 'vccheck analyze' elsewhere. Exit 3 when a target was unreachable. */
@Command(name = "collect", mixinStandardHelpOptions = true,
        description = "Collect the facts into a bundle (JSON) that 'vccheck analyze' evaluates later or elsewhere.")
final class CollectCommand implements Callable<Integer> {
    @ParentCommand
    VcCheck root;
    @Spec
    CommandSpec spec;
    @Mixin
    TargetOptions targets = new TargetOptions();
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
        Engine engine = Engine.load(ro);
        Facts facts = Scanner.collect(() -> engine, targets, root.env, immichVersion);
        var context = NextSteps.Context.of(targets.envFile, redact);
        var steps = NextSteps.of(NextSteps.Context.collection(facts), context);   // before redaction, as in a scan
        dev.vccheck.facts.Redactor.apply(facts, redact);
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(facts.json()) + "\n";
        if (output == null) {
            spec.commandLine().getOut().print(json);
            spec.commandLine().getOut().flush();
        } else {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(output, json);
            spec.commandLine().getErr().println("wrote facts bundle to " + output);
        }
        NextSteps.lines(NextSteps.Context.collection(facts), steps).forEach(spec.commandLine().getErr()::println);
        spec.commandLine().getErr().flush();
        boolean failed = facts.json().path("collection").findValues("status").stream().anyMatch(s -> s.asText().equals("error"));
        return failed ? ExitCode.INCOMPLETE.code : ExitCode.OK.code;
    }
}
