package dev.vccheck.facts;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static dev.vccheck.TestFiles.bundle;
import static dev.vccheck.TestFiles.read;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BundleReaderTest {
    @Test
    void theTestBundlesAreValid() {
        for (String b : new String[]{"pgvectors-dual", "migrated", "unreachable"}) assertDoesNotThrow(() -> BundleReader.read(bundle(b)), b);
    }

    @Test
    void aSchemaViolationNamesTheLineColumnAndPath() {
        String text = read(bundle("migrated")).replace("\"major\" : 16", "\"major\" : \"sixteen\"");
        var e = assertThrows(BundleReader.InvalidBundleException.class, () -> BundleReader.parse("b.json", text));
        assertEquals(1, e.problems().size(), e::getMessage);
        String p = e.problems().get(0);
        int line = text.substring(0, text.indexOf("\"major\" : \"sixteen\"")).split("\n", -1).length;
        assertTrue(p.startsWith("b.json:" + line + ":") && p.contains(": /pg/server/major: string found, integer expected"), p);
    }

    @Test
    void unknownFactsAreRejectedNotIgnored() {
        String text = read(bundle("migrated")).replace("\"schemas\" :", "\"schemaz\" : [], \"schemas\" :");
        var e = assertThrows(BundleReader.InvalidBundleException.class, () -> BundleReader.parse("b.json", text));
        assertTrue(e.getMessage().contains("schemaz"), e::getMessage);
    }

    @Test
    void notABundleAtAll() {
        var e = assertThrows(BundleReader.InvalidBundleException.class, () -> BundleReader.parse("x.json", "[1,2]"));
        assertTrue(e.getMessage().contains("not a vccheck facts bundle"), e::getMessage);
        var missing = assertThrows(BundleReader.InvalidBundleException.class, () -> BundleReader.read(Path.of("/no/such.json")));
        assertTrue(missing.getMessage().contains("no such file"), missing::getMessage);
    }
}
