package dev.vccheck.cli;

import dev.vccheck.report.Report;
import dev.vccheck.report.render.Renderer;
import dev.vccheck.report.render.Renderers;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the report goes and when the gate fails. {@code --format} and {@code -o} pair up in order, so one run can
 * write several formats ({@code --format json -o r.json --format text -o r.txt}); a file without a paired format
 * takes it from its name. Without {@code -o}, the one format goes to standard output.
 */
public final class OutputOptions {
    @Option(names = "--format", paramLabel = "FORMAT", completionCandidates = FormatNames.class,
            description = "${COMPLETION-CANDIDATES} (default: text on a terminal, json otherwise). Repeatable, paired with -o.")
    List<String> formats = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report to FILE instead of standard output. Repeatable, paired with --format.")
    List<Path> outputs = new ArrayList<>();

    @Option(names = "--fail-on", paramLabel = "LEVEL", defaultValue = "fail", description = "${COMPLETION-CANDIDATES}: the lowest status that fails the gate (exit 1). Default: ${DEFAULT-VALUE}.")
    FailOn failOn;

    @Option(names = "--redact", paramLabel = "LEVEL", defaultValue = "secrets",
            description = "none, secrets (default: passwords, tokens, credentials in URLs) or all (also hosts, IP addresses, user, role, database and namespace names, as stable placeholders).")
    dev.vccheck.facts.Redactor.Level redact;

    @Option(names = "--no-color", description = "No ANSI colors (NO_COLOR in the environment does the same).")
    boolean noColor;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing on standard error.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Timings and details on standard error; stack traces for internal errors.")
    boolean verbose;

    /** The formats that show an unreachable target, its reason and next step, to a person. */
    private static final List<String> HUMAN = List.of("text", "markdown", "html");

    /** One report: its format and where it goes. */
    record ReportOutput(Renderer renderer, Output to) {
        Path file() {
            return to.file();
        }
    }

    /** The report formats, for --help and shell completion: the renderers' own names, so help cannot miss one. */
    static final class FormatNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of(Renderers.names().split(", ")).iterator();
        }
    }

    /** Checks the options before anything runs (usage errors are exit 2 before any work). */
    List<ReportOutput> outputs(boolean stdoutIsTerminal) {
        List<ReportOutput> out = new ArrayList<>();
        if (outputs.isEmpty()) {
            if (formats.size() > 1) throw new UsageException("several --format values need as many -o files (only one report can go to standard output)");
            String f = formats.isEmpty() ? (stdoutIsTerminal ? "text" : "json") : formats.get(0);
            out.add(new ReportOutput(renderer(f), Output.STDOUT));
            return out;
        }
        if (formats.size() > outputs.size()) throw new UsageException("more --format values (" + formats.size() + ") than -o files (" + outputs.size() + ")");
        for (int i = 0; i < outputs.size(); i++) {
            Path p = outputs.get(i);
            String f = i < formats.size() ? formats.get(i) : Renderers.forFileName(p.getFileName().toString())
                    .orElseThrow(() -> new UsageException("-o " + p + ": add --format (cannot tell the format from the file name)"));
            out.add(new ReportOutput(renderer(f), new Output(p)));
        }
        return out;
    }

    private static Renderer renderer(String f) {
        return Renderers.get(f).orElseThrow(() -> new UsageException("--format '" + f + "' is not one of " + Renderers.names()));
    }

    boolean color(boolean stdoutIsTerminal) {
        String nc = System.getenv("NO_COLOR");
        return stdoutIsTerminal && !noColor && (nc == null || nc.isEmpty());
    }

    /** Writes every requested output; returns the exit code for the report. */
    ExitCode write(Report report, List<ReportOutput> outputs, PrintWriter stdout, PrintWriter stderr, boolean stdoutIsTerminal) throws IOException {
        for (ReportOutput t : outputs) {
            boolean color = color(stdoutIsTerminal);
            t.to().write((w, toStdout) -> t.renderer().render(report, w, toStdout && color), t.renderer().format() + " report", stdout, stderr, quiet);
        }
        // A report in a file, or JSON/JUnit on standard output, does not show a person why a target could not be
        // read: say it on standard error, one line per target.
        if (!quiet && outputs.stream().noneMatch(t -> t.file() == null && HUMAN.contains(t.renderer().format()))) {
            NextSteps.lines(report).forEach(stderr::println);
        }
        if (!quiet && outputs.stream().noneMatch(t -> t.file() == null)) {
            var s = report.summary();
            stderr.println("summary: " + s.fail() + " fail, " + s.error() + " error, " + s.warn() + " warn, " + s.skip()
                    + " skip, " + s.pass() + " pass — verdict " + s.verdict());
        }
        stderr.flush();
        return ExitCode.of(report.summary(), failOn);
    }
}
