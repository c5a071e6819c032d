package dev.vccheck.rules;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * rules/compat/immich.yaml against the ranges Immich enforces in code (server/src/constants.ts and the start-up checks of
 * each release) and the ranges its documentation states:
 * one test row per Immich release range, first and last release of each.
 */
class CompatibilityTest {
    private static final Compatibility COMPAT = load();

    private static Compatibility load() {
        try {
            return RuleSources.compatibility();
        } catch (RuleLoadException e) {
            throw new AssertionError(e.getMessage());
        }
    }

    private static Map<String, String> ranges(String version) {
        return COMPAT.select(version, "flag").release().ranges();
    }

    // immich, postgres (code), vectors, vector, vchord, extensions; "-" = absent (not checked / cannot be used)
    @ParameterizedTest(name = "Immich {0}")
    @CsvSource(delimiter = ';', value = {
            "1.91.0   ; -         ; -                 ; -        ; -          ; vectors",
            "1.91.3   ; -         ; -                 ; -        ; -          ; vectors",
            "1.91.4   ; -         ; 0.1.1 || 0.1.11   ; -        ; -          ; vectors",
            "1.92.0   ; >=14.0.0  ; >=0.1.1 <=0.1.11  ; -        ; -          ; vectors",
            "1.94.1   ; >=14.0.0  ; >=0.1.1 <=0.1.11  ; -        ; -          ; vectors",
            "1.95.0   ; >=14.0.0  ; 0.2.x             ; >=0.5 <1 ; -          ; vectors vector",
            "1.105.1  ; >=14.0.0  ; 0.2.x             ; >=0.5 <1 ; -          ; vectors vector",
            "1.106.0  ; >=14.0.0  ; 0.2.x             ; >=0.5 <1 ; -          ; vectors vector",
            "1.111.0  ; >=14.0.0  ; 0.2.x             ; >=0.5 <1 ; -          ; vectors vector",
            "1.112.0  ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; -          ; vectors vector",
            "1.132.3  ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; -          ; vectors vector",
            "1.133.0  ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <0.4 ; vchord vectors vector",
            "1.134.0  ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <0.4 ; vchord vectors vector",
            "1.135.0  ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <0.5 ; vchord vectors vector",
            "2.0.1    ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <0.5 ; vchord vectors vector",
            "2.1.0    ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <0.6 ; vchord vectors vector",
            "2.4.1    ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <0.6 ; vchord vectors vector",
            "2.5.0    ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <2   ; vchord vectors vector",
            "2.7.5    ; >=14.0.0  ; >=0.2 <0.4        ; >=0.5 <1 ; >=0.3 <2   ; vchord vectors vector",
            "3.0.0    ; >=14.0.0  ; -                 ; >=0.5 <1 ; >=0.3 <2   ; vchord vector",
            "3.1.0    ; >=14.0.0  ; -                 ; >=0.5 <1 ; >=0.3 <2   ; vchord vector",
    })
    void enforcedRangesMatchTheResearch(String immich, String postgres, String vectors, String vector, String vchord, String ext) {
        Compatibility.TargetRelease t = COMPAT.select(immich, "flag");
        Map<String, String> r = t.release().ranges();
        assertEquals(dash(postgres), r.get("postgres"), "postgres");
        assertEquals(dash(vectors), r.get("vectors"), "vectors");
        assertEquals(dash(vector), r.get("vector"), "vector");
        assertEquals(dash(vchord), r.get("vchord"), "vchord");
        assertEquals(List.of(ext.split(" ")), t.release().vectorExtensions());
        assertNull(t.note(), "a known release needs no note");
    }

    private static String dash(String s) {
        return s.equals("-") ? null : s;
    }

    @ParameterizedTest(name = "docs for Immich {0}: postgres {1}")
    @CsvSource({"1.132.3, '>=14 <17'", "1.133.0, '>=14 <18'", "2.2.0, '>=14 <18'", "2.3.0, '>=14 <19'", "2.7.5, '>=14 <19'", "3.0.0, '>=14 <20'"})
    void documentedPostgresRangesMatchTheResearch(String immich, String docs) {
        assertEquals(docs, ranges(immich).get("postgres_docs"));
    }

    @Test
    void documentedPostgresRangeStartsAt1102() {
        // "14, 15 and 16" first appears in postgres-standalone.md in v1.102.0 (immich-app/immich@c70d9f905), not v1.92.
        assertNull(ranges("1.92.0").get("postgres_docs"));
        assertNull(ranges("1.101.0").get("postgres_docs"));
        assertEquals(">=14 <17", ranges("1.102.0").get("postgres_docs"));
    }

    @Test
    void documentedPgvectorRangeUnderVectorChord() {
        assertNull(ranges("1.132.3").get("vector_docs"));
        assertEquals(">=0.7.0 <1.0.0", ranges("1.133.0").get("vector_docs"));
        assertEquals(">=0.7 <0.9", ranges("2.3.0").get("vector_docs"));
    }

    @Test
    void upgradePathRequirements() {
        assertEquals("1.107.2", COMPAT.select("1.133.0", "flag").release().upgradeFrom());
        assertNull(COMPAT.select("1.136.0", "flag").release().requiresTypeormLast());
        assertEquals("AddMissingIndex1744910873956", COMPAT.select("1.137.0", "flag").release().requiresTypeormLast());
    }

    @Test
    void realFailuresFromTheIssueCorpusAreReproduced() {
        // immich#18810: "The VectorChord extension version is 0.4.1, but Immich only supports >=0.3 <0.4" (v1.134).
        assertFalse(SemverRange.satisfies("0.4.1", ranges("1.134.0").get("vchord")));
        assertTrue(SemverRange.satisfies("0.4.3", ranges("2.1.0").get("vchord")));
        assertTrue(SemverRange.satisfies("1.0.0", ranges("2.5.0").get("vchord")));
        // Nightly builds report 0.0.0, which no range accepts.
        assertFalse(SemverRange.satisfies("0.0.0", ranges("3.1.0").get("vchord")));
        // pgvecto.rs 0.3.0 is fine up to 2.7.5 and unusable from 3.0.
        assertTrue(SemverRange.satisfies("0.3.0", ranges("2.7.5").get("vectors")));
        assertNull(ranges("3.0.0").get("vectors"));
    }

    @Test
    void everyReleaseFrom191To31HasExactlyOneRowAndEveryRowIsUsed() {
        Set<String> used = new TreeSet<>();
        for (int minor = 91; minor <= 137; minor++) for (int patch = 0; patch <= 5; patch++) used.add(exactlyOne("1." + minor + "." + patch));
        for (int minor = 0; minor <= 7; minor++) for (int patch = 0; patch <= 5; patch++) used.add(exactlyOne("2." + minor + "." + patch));
        for (String v : List.of("3.0.0", "3.0.1", "3.1.0")) used.add(exactlyOne(v));
        // A row no release from 1.91 to 3.1 falls into is a mistyped range (or one this test should cover).
        Set<String> all = new TreeSet<>();
        COMPAT.releases().forEach(r -> all.add(r.immich()));
        assertEquals(all, used, "rows that no checked release selects");
    }

    /** The range of the one row that {@code v} falls into. */
    private static String exactlyOne(String v) {
        List<String> rows = COMPAT.releases().stream().filter(r -> SemverRange.satisfies(v, r.immich())).map(r -> r.immich()).toList();
        assertEquals(1, rows.size(), () -> "rows matching " + v + ": " + rows);
        return rows.get(0);
    }

    @Test
    void preReleasesUseTheirReleaseRow() {
        assertEquals("v3.0.0 - v3.1.0", COMPAT.select("v3.0.0-rc.0", "flag").release().label());
    }

    @Test
    void aNewerVersionUsesTheNewestRowAndSaysSo() {
        Compatibility.TargetRelease t = COMPAT.select("3.4.0", "flag");
        assertEquals("v3.0.0 - v3.1.0", t.release().label());
        assertTrue(t.note().contains("newer than the newest release vccheck knows (3.1.0)"), t.note());
    }

    @Test
    void malformedAndTooOldVersionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> COMPAT.select("2.1", "flag"));
        assertThrows(IllegalArgumentException.class, () -> COMPAT.select("latest", "flag"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> COMPAT.select("1.90.2", "flag"));
        assertTrue(e.getMessage().contains("older than the first release"), e.getMessage());
    }
}
