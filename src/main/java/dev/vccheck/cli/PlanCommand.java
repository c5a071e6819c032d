package dev.vccheck.cli;

import dev.vccheck.facts.CollectionStatus;
import dev.vccheck.facts.Facts;
import dev.vccheck.facts.Redactor;
import dev.vccheck.preflight.Preflight;
import dev.vccheck.plan.Plan;
import dev.vccheck.plan.PlanRenderer;
import dev.vccheck.plan.Planner;
import dev.vccheck.plan.Scripts;
import dev.vccheck.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vccheck plan}: the ordered runbook for the detected (or chosen) path, from a scan or a bundle. */
@Command(name = "plan", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "The migration runbook for your path, filled in with your names and numbers; --format sql gives a guarded script.")
final class PlanCommand implements Callable<Integer> {
    @ParentCommand
    VcCheck root;
    @Spec
    CommandSpec spec;
    @Mixin
    ScannedSystemOptions system = new ScannedSystemOptions();
    @Option(names = "--bundle", paramLabel = "BUNDLE", description = "Plan from a facts bundle instead of live targets.")
    Path bundle;
    @Option(names = "--path", paramLabel = "PATH", description = "dual, manual, pgvector or cnpg (default: detected).")
    String path;
    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "markdown", description = "markdown, html or sql. Default: ${DEFAULT-VALUE}.")
    String format;
    @Option(names = {"-o", "--output"}, paramLabel = "FILE")
    Path output;
    @Option(names = "--immich-version", paramLabel = "X.Y.Z")
    String immichVersion;

    @Override
    public Integer call() throws Exception {
        if (path != null && !Planner.PATHS.contains(path)) throw new UsageException("--path must be one of " + String.join(", ", Planner.PATHS) + "; not '" + path + "'");
        if (!List.of("markdown", "html", "sql").contains(format)) throw new UsageException("--format must be markdown, html or sql; not '" + format + "'");
        RuleOptions ro = new RuleOptions();
        ro.immichVersion = immichVersion;
        var opts = ro.analysisOptions();
        Preflight preflight = Preflights.of(ro);
        Facts facts = preflight.facts(p -> bundle != null ? Preflight.bundle(bundle) : p.collect(system.system(root.env, null, immichVersion)),
                Redactor.Level.secrets, f -> { });
        if (facts.sourceStatus("postgres") != CollectionStatus.OK && facts.sourceStatus("kubernetes") == CollectionStatus.NOT_CONFIGURED) {
            throw new UsageException("cannot plan: the database could not be read (" + facts.sourceMessage("postgres") + ")");
        }
        Report report = preflight.analyze(facts, opts, spec.commandLine().getErr(), false);
        Plan plan = Planner.plan(facts, report, path != null ? path : Planner.detectPath(facts, report));
        String text = switch (format) {
            case "sql" -> Scripts.script(plan);
            case "html" -> PlanRenderer.html(plan);
            default -> PlanRenderer.markdown(plan);
        };
        new Output(output).write((w, toStdout) -> w.write(text), "the " + format + " plan", spec.commandLine().getOut(), spec.commandLine().getErr(), false);
        return ExitCode.OK.code;
    }
}
