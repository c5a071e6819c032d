package dev.vccheck.cli;

import dev.vccheck.facts.CollectionStatus;
import dev.vccheck.collect.postgres.PgTarget;
import dev.vccheck.collect.postgres.PostgresCollector;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.StandIns;
import dev.vccheck.facts.Facts;
import dev.vccheck.preflight.Preflight;
import dev.vccheck.report.Report;
import dev.vccheck.report.render.Renderers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code vccheck demo}: a real PostgreSQL (binaries from Maven Central) shaped like an Immich database on
 * pgvecto.rs that has just been switched to Immich's VectorChord image, with the old preload setting left behind and
 * Immich still connected (the failures Immich users report most often). It is scanned through the same code path
 * as {@code vccheck scan}; the reports go to {@code -o DIR}; the server is stopped at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Start an embedded PostgreSQL shaped like an Immich database on pgvecto.rs, scan it, write the reports.")
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    VcCheck root;
    @Spec
    CommandSpec spec;
    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "vccheck-demo", description = "Where to write the reports (default: ./${DEFAULT-VALUE}/).")
    Path dir;
    @Option(names = "--open", description = "Open the HTML report afterwards (when a desktop is available).")
    boolean open;
    @Option(names = "--rows", paramLabel = "N", defaultValue = "3000", hidden = true)
    int rows;
    @Option(names = "--no-color", description = "No ANSI colors.")
    boolean noColor;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Preflight preflight = Preflight.load(java.util.List.of());
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "vccheck-pg");
        Files.createDirectories(work);
        err.println("vccheck demo: starting an embedded PostgreSQL (first run unpacks it under " + work + ") ...");
        err.flush();
        // Immich's image 14-vectorchord0.4.3-pgvectors0.2.0 ships these; the old pgvecto.rs compose file preloaded only vectors.so.
        StandIns.Profile profile = StandIns.Profile.of("0.8.0", "0.4.3", "0.2.0");
        try (EmbeddedServer server = EmbeddedServer.start(work, "classpath", EmbeddedServer.classpathBinaries(), profile, "vectors.so")) {
            err.println("vccheck demo: PostgreSQL on port " + server.port() + "; creating an Immich database on pgvecto.rs with " + rows + " photos ...");
            err.flush();
            ImmichDatabase.create(server, "immich", ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS).rows(rows).owner("immich").immich("2.7.5"));
            Properties p = new Properties();
            p.setProperty("user", "immich");
            p.setProperty("ApplicationName", "postgres.js");
            try (Connection immich = java.sql.DriverManager.getConnection(server.jdbcUrl("immich"), p)) {
                PgTarget target = new PgTarget("localhost", server.port(), "immich", "postgres", null, "disable", null, "demo", null);
                Facts facts = Facts.empty(Preflight.toolVersion(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
                facts.json().with("collection").putObject("kubernetes").put("status", CollectionStatus.NOT_CONFIGURED.id()).put("message", "demo: no Kubernetes target");
                new PostgresCollector().collect(facts, target, PostgresCollector.Timeouts.defaults(), Map.of());
                dev.vccheck.facts.Redactor.apply(facts, dev.vccheck.facts.Redactor.Level.secrets);
                Report report = preflight.analyze(facts, dev.vccheck.engine.AnalysisOptions.defaults(), err, false);
                Files.createDirectories(dir);
                Path json = dir.resolve("report.json");
                write(report, "json", json);
                Path html = dir.resolve("report.html");
                boolean hasHtml = Renderers.get("html").isPresent();
                if (hasHtml) write(report, "html", html);
                write(report, "markdown", dir.resolve("report.md"));
                write(report, "junit", dir.resolve("report.junit.xml"));
                String nc = root.env.get("NO_COLOR");
                boolean color = root.terminal && !noColor && (nc == null || nc.isEmpty());
                Renderers.get("text").orElseThrow().render(report, out, color);
                out.println();
                out.println("Reports in " + dir.toAbsolutePath() + ": report.html, report.json, report.md, report.junit.xml");
                if (open && hasHtml) openInBrowser(html, err);
                out.println("The demo database was stopped and removed. Scan your own: vccheck scan --db-url 'postgresql://USER:PASSWORD@HOST:5432/immich'");
                out.flush();
                return ExitCode.of(report.summary(), FailOn.fail).code;
            }
        }
    }

    /** --open: the desktop's opener (xdg-open, or open on macOS); where there is none, say where the file is. */
    private static void openInBrowser(Path html, PrintWriter err) {
        for (String opener : new String[]{"xdg-open", "open"}) {
            try {
                new ProcessBuilder(opener, html.toAbsolutePath().toString()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                return;
            } catch (Exception e) {
                // try the next opener
            }
        }
        err.println("vccheck demo: no desktop opener found; open " + html.toAbsolutePath() + " in a browser");
    }

    private static void write(Report report, String format, Path file) throws Exception {
        try (Writer w = new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8)) {
            Renderers.get(format).orElseThrow().render(report, w, false);
        }
    }
}
