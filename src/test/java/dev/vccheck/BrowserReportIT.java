package dev.vccheck;

import dev.vccheck.cli.Cli;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML report in a real headless Chromium (Debian's, driven by playwright-core from npm; .ci/run installs
 * both): screenshots at desktop and phone widths kept under target/browser/ for review, no network request, and the
 * copy button copies the remediation text.
 */
class BrowserReportIT {
    private static final Path SCRIPT = repo("src/test/browser/report-check.mjs");

    private record Run(int exit, String out) {
    }

    private static Run check(Path html, Path out) throws Exception {
        Processes.Result r = Processes.run(new ProcessBuilder("node", SCRIPT.toString(), html.toString(), out.toString()).redirectErrorStream(true),
                Duration.ofMinutes(3));
        return new Run(r.exit(), r.out());
    }

    private static void requireBrowser() {
        boolean ready = Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isDirectory(repo("src/test/browser/node_modules/playwright-core"));
        Tools.require(ready, "Debian's chromium or playwright-core ('npm ci --prefix src/test/browser')");
    }

    @Test
    void reportWithEveryStatusRendersOfflineAndCopies() throws Exception {
        requireBrowser();
        Path out = Files.createDirectories(repo("target/browser"));
        Path html = out.resolve("report.html");
        // fail, warn, skip and pass from the bundle; error from a rule that reads a missing index.
        Cli.Result r = Cli.run("analyze", repo("src/test/resources/bundles/pgvectors-dual.json").toString(),
                "--rules", repo("src/test/resources/packs/always-error.yaml").toString(), "--format", "html", "-o", html.toString());
        assertEquals(1, r.exit(), r::toString);
        String page = Files.readString(html);
        for (String status : List.of("fail", "error", "warn", "skip", "pass")) assertTrue(page.contains("s-" + status), status);
        Run run = check(html, out);
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().contains("\"network\":[]"), run.out());
        assertTrue(Files.size(out.resolve("report-desktop.png")) > 10_000 && Files.size(out.resolve("report-phone.png")) > 10_000);
    }

    @Test
    void theCheckNoticesAPageThatFetchesSomething() throws Exception {
        requireBrowser();
        Path out = Files.createDirectories(repo("target/browser/control"));
        Path html = out.resolve("fetching.html");
        Files.writeString(html, "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/pixel.png\">"
                + "<div class=\"fix\"><button class=\"copy\">copy</button><pre><code>x</code></pre></div></body></html>");
        Run run = check(html, out);
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.out().contains("http://127.0.0.1:9/pixel.png"), run.out());
    }
}
