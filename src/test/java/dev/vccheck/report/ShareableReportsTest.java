package dev.vccheck.report;

import dev.vccheck.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.vccheck.TestFiles.bundle;
import static dev.vccheck.TestFiles.read;
import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Markdown for support threads and JUnit XML for CI dashboards, from the same findings. */
class ShareableReportsTest {
    private static void validJUnit(String xml) throws Exception {
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(repo("reports/junit.xsd").toFile())
                .newValidator().validate(new StreamSource(new StringReader(xml)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pgvectors-dual", "migrated", "unreachable"})
    void junitValidatesAndMapsStatuses(String name) throws Exception {
        // The bundle's version_history says 1.132.3, a release without VectorChord; the migration targets 2.1.0.
        Cli.Result r = Cli.run("analyze", bundle(name).toString(), "--format", "junit", "--immich-version", "2.1.0");
        validJUnit(r.out());
        if (name.equals("pgvectors-dual")) {
            assertTrue(r.out().contains("<testcase classname=\"vccheck.postgres\" name=\"pg.vchord.preload: VectorChord is loaded through shared_preload_libraries\""), r.out());
            assertTrue(r.out().contains("<failure message=\"shared_preload_libraries is"), r.out());
            assertTrue(r.out().contains("<skipped message=\"pgvecto.rs 0.2.0 works with Immich 2.1.0"), "warn -> skipped with the message\n" + r.out());
        }
        if (name.equals("unreachable")) assertTrue(r.out().contains("<error message=\"could not verify: connection refused"), r.out());
    }

    @Test
    void markdownHasASummaryTableAndCollapsibleFindingsWithFencedFixes() {
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--format", "markdown", "--immich-version", "2.1.0");
        assertTrue(r.out().startsWith("## vccheck report: **fail**"), r.out());
        assertTrue(r.out().contains("<details open><summary><b>pg.vchord.preload</b>: VectorChord is loaded through shared\\_preload\\_libraries</summary>"), r.out());
        assertTrue(r.out().contains("```sql\nALTER SYSTEM SET shared_preload_libraries = 'vectors.so', 'vchord.so';\n```"), r.out());
    }

    @Test
    void targetTextRendersInertInMarkdownAndJUnit(@TempDir Path dir) throws Exception {
        String evil = "<script>alert(1)</script>";
        String text = read(bundle("pgvectors-dual"))
                .replace("\"comment\" : \"data type for storing sets of (key, value) pairs\"", "\"comment\" : \"" + evil + "\"")
                .replace("\"name\" : \"immich\",\n      \"owner\"", "\"name\" : \"" + evil + "\",\n      \"owner\"");
        assertTrue(text.contains(evil), "the fixture must carry the payload");
        Path b = dir.resolve("evil.json");
        Files.writeString(b, text);
        Cli.Result md = Cli.run("analyze", b.toString(), "--format", "markdown");
        assertEquals(1, md.exit(), md::toString);
        assertTrue(md.out().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), md.out());
        String outsideFences = md.out().replaceAll("(?s)```.*?```", "");
        assertFalse(outsideFences.contains("<script>"), "no live script tag in prose\n" + md.out());
        Cli.Result html = Cli.run("analyze", b.toString(), "--format", "html");
        assertFalse(html.out().contains(evil), "no live script from a target in HTML\n" + html.out());
        assertTrue(html.out().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "escaped instead");
        assertEquals(1, html.out().split("<script>", -1).length - 1, "only vccheck's own copy-button script");
        Cli.Result junit = Cli.run("analyze", b.toString(), "--format", "junit");
        validJUnit(junit.out());
        assertFalse(junit.out().contains("<script>"), junit.out());
    }

    @Test
    void htmlIsOneSelfContainedFile() {
        Cli.Result r = Cli.run("analyze", bundle("pgvectors-dual").toString(), "--format", "html", "--immich-version", "2.1.0");
        String html = r.out();
        assertTrue(html.startsWith("<!DOCTYPE html>") || html.contains("<!DOCTYPE html>"), html.substring(0, 200));
        for (String external : List.of("<link", "src=\"http", "href=\"http", "@import", "url(")) {
            assertFalse(html.contains(external), "fetches something: " + external);
        }
        assertTrue(html.contains("prefers-color-scheme: dark"));
        assertTrue(html.contains("<details class=\"f fail\" open>"), "failures open by default");
        assertTrue(html.contains("<code>ALTER SYSTEM SET shared_preload_libraries = &#39;vectors.so&#39;, &#39;vchord.so&#39;;</code>"), html);
    }

    @Test
    void aBacktickRunCannotCloseTheFence() {
        assertEquals("````", dev.vccheck.report.render.MarkdownRenderer.fence("a ``` b"));
        assertEquals("```", dev.vccheck.report.render.MarkdownRenderer.fence("SELECT 1;"));
    }
}
