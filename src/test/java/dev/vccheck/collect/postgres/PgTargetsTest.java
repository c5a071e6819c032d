package dev.vccheck.collect.postgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DB_URL, .env, PG* and .pgpass, read the way Immich and libpq read them. */
class PgTargetsTest {
    @Test
    void immichsUrlForm() {
        PgTarget t = PgTargets.fromUrl("postgresql://immich:s3cr%40t%3Apw@db.example:5433/photos?sslmode=require", "test");
        assertEquals("db.example", t.host());
        assertEquals(5433, t.port());
        assertEquals("photos", t.database());
        assertEquals("immich", t.user());
        assertEquals("s3cr@t:pw", t.password(), "percent-encoded password");
        assertEquals("require", t.sslmode());
        assertFalse(t.toString().contains("s3cr"), t.toString());
        assertFalse(t.label().contains("s3cr"));
    }

    @Test
    void repeatedKeysLastWinsAsInImmichsParser() {
        assertEquals("no-verify", PgTargets.fromUrl("postgres://u:p@h/db?sslmode=require&sslmode=no-verify", "t").sslmode());
    }

    @Test
    void ipv6SocketHostAndJdbcUrls() {
        PgTarget v6 = PgTargets.fromUrl("postgresql://u@[::1]:6543/db", "t");
        assertEquals("::1", v6.host());
        assertEquals(6543, v6.port());
        assertEquals("postgresql://u@[::1]:6543/db", v6.label());
        PgTarget sock = PgTargets.fromUrl("postgres:///immich?host=/var/run/postgresql", "t");
        assertTrue(sock.isSocket());
        assertEquals("immich", sock.database());
        PgTarget jdbc = PgTargets.fromUrl("jdbc:postgresql://h:5432/immich?user=a&password=b", "t");
        assertEquals("a", jdbc.user());
        assertEquals("b", jdbc.password());
    }

    @Test
    void badUrlsSayWhatIsWrongWithoutThePassword() {
        var e = assertThrows(IllegalArgumentException.class, () -> PgTargets.fromUrl("postgresql://u:hunter2@h:99999/db", "t"));
        assertTrue(e.getMessage().contains("port '99999'"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
        var ssl = assertThrows(IllegalArgumentException.class, () -> PgTargets.fromUrl("postgresql://u@h/db?sslmode=sometimes", "t"));
        assertTrue(ssl.getMessage().contains("disable, allow, prefer, require, verify-ca, verify-full, no-verify"), ssl.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PgTargets.fromUrl("mysql://u@h/db", "t"));
    }

    @Test
    void envFileWithImmichDefaults(@TempDir Path dir) throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, """
                # Immich's example .env
                UPLOAD_LOCATION=./library
                DB_PASSWORD="a pass#word"
                DB_USERNAME=immich   # inline comment
                export DB_VECTOR_EXTENSION=pgvector
                """);
        PgTarget t = PgTargets.fromImmichEnv(PgTargets.readEnvFile(env), "env").orElseThrow();
        assertEquals("database", t.host());
        assertEquals(5432, t.port());
        assertEquals("immich", t.database());
        assertEquals("immich", t.user());
        assertEquals("a pass#word", t.password());
        assertEquals("pgvector", t.vectorExtension());
    }

    @Test
    void dbUrlWinsOverTheParts() {
        PgTarget t = PgTargets.fromImmichEnv(Map.of("DB_URL", "postgresql://x@urlhost/db", "DB_HOSTNAME", "ignored"), "env").orElseThrow();
        assertEquals("urlhost", t.host());
        assertTrue(PgTargets.fromImmichEnv(Map.of("UNRELATED", "1"), "env").isEmpty());
    }

    @Test
    void libpqVariablesAndPgpass(@TempDir Path dir) throws Exception {
        PgTarget t = PgTargets.fromLibpqEnv(Map.of("PGHOST", "pg.local", "PGUSER", "immich"), "root").orElseThrow();
        assertEquals("immich", t.database(), "libpq: the database defaults to the user name");
        assertNull(t.password());
        Path pgpass = dir.resolve(".pgpass");
        Files.writeString(pgpass, "other:5432:*:immich:nope\npg.local:*:*:immich:pa\\:ss\n");
        assertEquals("pa:ss", PgTargets.fromPgpass(pgpass, t).orElseThrow());
    }
}
