package dev.vccheck.collect.postgres;

import dev.vccheck.Fuzz;
import dev.vccheck.cli.Cli;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Hostile and odd database URLs and .env files: the parsers either give a target or refuse with a message (which the
 * CLI turns into exit 2, see HostileInputTest); no other exception, and a password never reaches the label that
 * reports and messages show. Seeds are fixed so that CI is repeatable; {@code Fuzz.SEED} says how to fuzz harder.
 */
class PgTargetsProperties {
    /** Characters that mean something in a URL, a shell, SQL or a .env file, plus control and non-ASCII ones. */
    static final String NASTY = ":/@?#&=%[],;'\"`$\\ \t\n\r\u0000+*!~<>|(){}é€😀\u202e";

    static Arbitrary<String> nasty(int max) {
        return Arbitraries.oneOf(Arbitraries.strings().withChars(NASTY).ofMaxLength(max),
                Arbitraries.strings().withChars(NASTY).withCharRange('a', 'z').withCharRange('0', '9').ofMaxLength(max),
                Arbitraries.strings().ofMaxLength(max));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void parseOrRefuse(String url) {
        try {
            PgTarget t = PgTargets.fromUrl(url, "--db-url");
            assertTrue(t.port() >= 1 && t.port() <= 65535, t::toString);
            assertFalse(t.host().isEmpty() || t.user().isEmpty() || t.database().isEmpty(), t::toString);
            assertTrue(PgTarget.SSL_MODES.contains(t.sslmode()), t::toString);
        } catch (IllegalArgumentException e) {
            assertReadable(e.getMessage());
        }
    }

    /** A refusal says why in words: not blank, and not a Java exception's own text. */
    static void assertReadable(String message) {
        assertFalse(message == null || message.isBlank(), "a refusal says why");
        assertFalse(JAVA_TEXT.matcher(message).find(), () -> "a Java exception's text reaches the user: " + message);
    }

    private static final java.util.regex.Pattern JAVA_TEXT = java.util.regex.Pattern.compile(
            "For input string|Input length =|out of bounds for length|Exception|^null$|java\\.|\\bat [a-z]+\\.");

    /**
     * Through the real CLI: a URL the parser refuses is exit 2, "vccheck: --db-url: " and the parser's reason, never
     * exit 4 or a stack trace, and the URL (which may carry a password) is not echoed. Only refused URLs run: one that
     * parses would be connected to, and this test sends nothing anywhere.
     */
    @Property(tries = 250, seed = Fuzz.SEED)
    void aRefusedUrlIsExitTwoWithTheReasonThroughTheCli(@ForAll("schemes") String scheme, @ForAll("urlBodies") String body) {
        String url = scheme + body;
        // Registered on every try, so a run in which no URL is refused fails the check instead of passing untested.
        Statistics.label("url").coverage(c -> c.check("refused").count(n -> n >= 100));
        String reason;
        try {
            PgTargets.fromUrl(url, "--db-url");
            Statistics.label("url").collect("parses (not run)");
            return;
        } catch (IllegalArgumentException e) {
            reason = e.getMessage();
        }
        Statistics.label("url").collect("refused");
        Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("collect", "--db-url", url), "a hang");
        assertEquals(2, r.exit(), r::toString);
        assertEquals("vccheck: --db-url: " + reason + "\n", r.err(), r::toString);
        assertEquals("", r.out(), "nothing on standard output");
        if (url.length() > 12) assertFalse(r.err().contains(url), r::toString);
    }

    /** Through the real CLI: a .env file that cannot be read or is refused is exit 2 naming the file, with the reason. */
    @Property(tries = 250, seed = Fuzz.SEED)
    void aRefusedEnvFileIsExitTwoNamingTheFileThroughTheCli(@ForAll("envFiles") byte[] content) throws Exception {
        // Registered on every try, so a run in which no file is refused fails the check instead of passing untested.
        Statistics.label("env").coverage(c -> c.check("refused").count(n -> n >= 50));
        Path f = Files.createTempFile("vccheck-env", ".env");
        try {
            Files.write(f, content);
            String reason;
            try {
                Map<String, String> vars = PgTargets.readEnvFile(f);
                Optional<PgTarget> t = PgTargets.fromImmichEnv(vars, "--env-file " + f);
                if (t.isPresent()) {
                    Statistics.label("env").collect("a target (not run)");
                    return;
                }
                reason = "no DB_URL or DB_* variable in it";
            } catch (IOException e) {
                reason = "cannot read: " + e.getMessage();
            } catch (IllegalArgumentException e) {
                reason = e.getMessage();
            }
            Statistics.label("env").collect("refused");
            Cli.Result r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Cli.run("collect", "--env-file", f.toString()), "a hang");
            assertEquals(2, r.exit(), r::toString);
            assertEquals("vccheck: --env-file " + f + ": " + reason + "\n", r.err(), r::toString);
            assertReadable(reason);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 3000, seed = Fuzz.SEED)
    void anyStringAfterTheSchemeParsesOrIsRefused(@ForAll("schemes") String scheme, @ForAll("urlBodies") String body) {
        parseOrRefuse(scheme + body);
    }

    @Provide
    Arbitrary<String> schemes() {
        return Arbitraries.of("postgresql://", "postgres://", "jdbc:postgresql://", "POSTGRESQL://", "", "http://", "postgresql:/");
    }

    @Provide
    Arbitrary<String> urlBodies() {
        Arbitrary<String> part = Arbitraries.oneOf(nasty(12), Arbitraries.of("u", "u:p", "h", "[::1]", "[::1", "5432", "99999", "-1", "db",
                "sslmode=require", "sslmode=", "ssl=1", "ssl=maybe", "port=0", "host=", "%", "%zz", "%2", "%00", "%C3%28"));
        Arbitrary<String> sep = Arbitraries.of("", "@", ":", "/", "?", "&", "=", "[", "]", ",");
        return Combinators.combine(part.list().ofMaxSize(6), sep.list().ofMaxSize(6)).as((parts, seps) -> {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < parts.size(); i++) sb.append(parts.get(i)).append(i < seps.size() ? seps.get(i) : "");
            return sb.toString();
        });
    }

    @Property(tries = 2000, seed = Fuzz.SEED)
    void percentEncodedPartsComeBackExactlyAndThePasswordNeverReachesTheLabel(
            @ForAll("names") String user, @ForAll("names") String password, @ForAll("hosts") String host,
            @ForAll("ports") int port, @ForAll("names") String db) {
        String url = "postgresql://" + enc(user) + ":" + enc(password) + "@" + host + ":" + port + "/" + enc(db) + "?sslmode=require";
        PgTarget t = PgTargets.fromUrl(url, "--db-url");
        assertEquals(user, t.user());
        assertEquals(password, t.password());
        assertEquals(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, t.host());
        assertEquals(port, t.port());
        assertEquals(db, t.database());
        if (password.length() >= 3 && !(user + host + port + db).contains(password)) {
            assertFalse(t.label().contains(password), t.label());
            assertFalse(t.toString().contains(password), t.toString());
        }
    }

    @Provide
    Arbitrary<String> names() {
        // Unpaired surrogates have no UTF-8 form, so no URL can carry them.
        return nasty(20).filter(s -> !s.isEmpty() && s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<String> hosts() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-').ofMinLength(1).ofMaxLength(12);
        return Arbitraries.oneOf(label.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(".", l)),
                Arbitraries.of("[::1]", "[fe80::1]", "[2001:db8::42]", "127.0.0.1", "10.0.0.5"));
    }

    @Provide
    Arbitrary<Integer> ports() {
        return Arbitraries.integers().between(1, 65535);
    }

    /** A .env file as people write them, with hostile bytes thrown in: a target, a refusal, or an unreadable file. */
    @Property(tries = 1500, seed = Fuzz.SEED)
    void anyEnvFileGivesATargetOrAReason(@ForAll("envFiles") byte[] content) throws Exception {
        Path f = Files.createTempFile("vccheck-env", ".env");
        try {
            Files.write(f, content);
            Map<String, String> vars;
            try {
                vars = PgTargets.readEnvFile(f);
            } catch (IOException e) {
                assertFalse(e instanceof java.nio.charset.CharacterCodingException, "wrapped with a message a user understands: " + e);
                assertReadable(e.getMessage());
                return;
            }
            try {
                Optional<PgTarget> t = PgTargets.fromImmichEnv(vars, "--env-file");
                t.ifPresent(x -> assertTrue(x.port() >= 1 && x.port() <= 65535, x::toString));
                if (t.isPresent() && vars.containsKey("DB_PASSWORD") && vars.get("DB_PASSWORD").strip().length() >= 3) {
                    String pw = vars.get("DB_PASSWORD").strip();
                    PgTarget x = t.get();
                    if (!(x.user() + x.host() + x.port() + x.database()).contains(pw)) assertFalse(x.label().contains(pw), x.label());
                }
            } catch (IllegalArgumentException e) {
                assertReadable(e.getMessage());
            }
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Provide
    Arbitrary<byte[]> envFiles() {
        Arbitrary<String> key = Arbitraries.of("DB_URL", "DB_HOSTNAME", "DB_PORT", "DB_USERNAME", "DB_PASSWORD", "DB_DATABASE_NAME",
                "DB_SSL_MODE", "DB_VECTOR_EXTENSION", "export DB_PORT", "  DB_HOSTNAME ", "#DB_URL", "", "=", "UPLOAD_LOCATION");
        Arbitrary<String> value = Arbitraries.oneOf(nasty(30), Arbitraries.of("5432", "0", "70000", "db", "\"quoted\"", "'single'", "\"open",
                "x # comment", "postgresql://u:p@h/d", "postgresql://u@[::1", "require", "no-verify", "bogus", "vectors", "vectorchord"));
        Arbitrary<String> eol = Arbitraries.of("\n", "\r\n", "\r", "");
        Arbitrary<String> line = Combinators.combine(key, Arbitraries.of("=", " = ", "", "=="), value, eol).as((k, eq, v, e) -> k + eq + v + e);
        Arbitrary<byte[]> text = line.list().ofMaxSize(12).map(l -> String.join("", l).getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> bom = text.map(b -> concat(new byte[]{(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, b));
        Arbitrary<byte[]> latin1 = line.list().ofMaxSize(6).map(l -> String.join("", l).getBytes(StandardCharsets.ISO_8859_1));
        Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        return Arbitraries.oneOf(text, text, bom, latin1, binary);
    }

    /** What people write (export, quotes, spaces around =, CRLF, a BOM from Notepad) reads back as the values meant. */
    @Property(tries = 1000, seed = Fuzz.SEED)
    void envFilesAsEditorsSaveThemReadBackExactly(@ForAll("envMaps") Map<String, String> vars, @ForAll boolean bom, @ForAll boolean crlf,
                                                   @ForAll boolean export, @ForAll boolean quote, @ForAll boolean comment) throws Exception {
        StringBuilder sb = new StringBuilder(bom ? "\uFEFF" : "").append(comment ? "# Immich\n" : "");
        vars.forEach((k, v) -> sb.append(export ? "export " : "").append(k).append(quote ? "=\"" + v + "\"" : " = " + v).append(crlf ? "\r\n" : "\n"));
        Path f = Files.createTempFile("vccheck-env", ".env");
        try {
            Files.writeString(f, sb);
            assertEquals(vars, PgTargets.readEnvFile(f), sb::toString);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Provide
    Arbitrary<Map<String, String>> envMaps() {
        Arbitrary<String> value = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(20)
                .filter(v -> !v.contains("\"") && !v.contains("#") && !v.startsWith("'"));
        return Arbitraries.maps(Arbitraries.of("DB_URL", "DB_HOSTNAME", "DB_PORT", "DB_USERNAME", "DB_PASSWORD", "DB_DATABASE_NAME"), value).ofMaxSize(6);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Property(tries = 1, seed = Fuzz.SEED)
    void theNastyAlphabetIsNotEmpty() {
        // Guards the generators above: an empty alphabet would make every property pass vacuously.
        if (NASTY.codePoints().count() < 30) fail("alphabet too small");
        assertTrue(List.of(NASTY.split("")).contains("@"));
    }
}
