package dev.vccheck.rules;

import dev.vccheck.text.Quote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuoteAndSemverTest {
    @Test
    void identifiersAreQuotedOnlyWhenNeeded() {
        assertEquals("immich", Quote.ident("immich"));
        assertEquals("\"Immich\"", Quote.ident("Immich"));
        assertEquals("\"user\"", Quote.ident("user"), "reserved word");
        assertEquals("\"my-db\"", Quote.ident("my-db"));
        assertEquals("\"a\"\"b\"", Quote.ident("a\"b"));
    }

    @Test
    void literalsDoubleQuotesAndUseEscapeStringsForBackslashes() {
        assertEquals("'vectors.so, vchord.so'", Quote.literal("vectors.so, vchord.so"));
        assertEquals("'it''s'", Quote.literal("it's"));
        assertEquals("E'a\\\\b'", Quote.literal("a\\b"));
        assertThrows(IllegalArgumentException.class, () -> Quote.literal("a\0b"));
        assertEquals("'vchord.so', 'vectors.so'", Quote.literalList(java.util.List.of("vchord.so", "vectors.so")));
        // ALTER SYSTEM SET shared_preload_libraries = '' stops PostgreSQL (RemediationProofTest): no SET form for none.
        assertThrows(IllegalArgumentException.class, () -> Quote.literalList(java.util.List.of()));
    }

    @Test
    void shellWordsAreSafe() {
        assertEquals("immich-cnpg-main-2", Quote.shell("immich-cnpg-main-2"));
        assertEquals("'a b'", Quote.shell("a b"));
        assertEquals("''", Quote.shell(""));
        assertEquals("'$(rm -rf /)'", Quote.shell("$(rm -rf /)"));
        assertEquals("'it'\"'\"'s'", Quote.shell("it's"));
    }

    @ParameterizedTest
    @CsvSource({"0.4.3, '>=0.3 <0.5', true", "0.5.3, '>=0.3 <0.5', false", "0.2.1, 0.2.x, true", "0.3.0, 0.2.x, false",
            "0.0.0, '>=0.3 <2', false", "v1.0.0, '>=0.3 <2', true", "0.4, '>=0.3', false", "3.0.0-rc.0, '>=3.0.0', false"})
    void satisfiesBehavesLikeNpm(String version, String range, boolean expected) {
        assertEquals(expected, SemverRange.satisfies(version, range));
    }

    @Test
    void invalidRangesAreErrorsNotWiderRanges() {
        assertTrue(SemverRange.problem(">=0.3 <0.x5").isPresent());
        assertTrue(SemverRange.problem("garbage").isPresent());
        assertFalse(SemverRange.problem(">= 0.3 < 0.6").isPresent());
        assertFalse(SemverRange.problem("1.2.3 - 2.0").isPresent());
        assertThrows(IllegalArgumentException.class, () -> SemverRange.satisfies("0.4.0", ">=0.3 <0.x5"));
    }

    @Test
    void compareAndCoerceHandleServerVersions() {
        assertEquals("16.10.0", SemverRange.coerce("16.10 (Debian 16.10-1.pgdg120+1)"));
        assertEquals(-1, SemverRange.compare("0.4.3", "0.5.0"));
        assertEquals(1, SemverRange.compare("16.10", "14.0.0"));
        assertThrows(IllegalArgumentException.class, () -> SemverRange.compare("abc", "1.0.0"));
    }
}
