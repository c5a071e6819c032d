package dev.vccheck.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a connection fails gives pg.connect = error with a clear reason naming host and port, exit 3, and the
 * other PostgreSQL rules end in error too (nothing was judged). No output ever carries the password.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectionFailuresTest {
    private static final String PASSWORD = "Sup3r-Secret-Pw!";
    private static EmbeddedServer server;
    private static final List<String> OUTPUTS = new ArrayList<>();

    @BeforeAll
    static void passwordServer() throws Exception {
        server = TestServers.start(16, TestServers.DUAL, "vchord.so, vectors.so");
        ImmichDatabase.create(server, "immich", ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS).owner("immich"));
        server.sql("postgres", "ALTER ROLE immich PASSWORD '" + PASSWORD + "'");
        server.hba("local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static Cli.Result scan(String url, String... extra) {
        List<String> args = new ArrayList<>(List.of("scan", "--db-url", url, "--format", "json", "--connect-timeout", "2"));
        args.addAll(List.of(extra));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        OUTPUTS.add(r.out());
        OUTPUTS.add(r.err());
        return r;
    }

    private static String connectError(Cli.Result r) throws Exception {
        assertEquals(3, r.exit(), r::toString);
        JsonNode report = new ObjectMapper().readTree(r.out());
        for (JsonNode f : report.get("findings")) {
            if (f.get("source").asText().equals("postgres") && !f.get("status").asText().equals("skip")) {
                assertEquals("error", f.get("status").asText(), f::toString);
            }
        }
        return report.at("/target/postgres/message").asText();
    }

    @Test
    void wrongPassword() throws Exception {
        String msg = connectError(scan("postgresql://immich:wrong-" + PASSWORD + "@127.0.0.1:" + server.port() + "/immich?sslmode=disable"));
        assertEquals("authentication failed for user 'immich' at 127.0.0.1:" + server.port() + " (wrong password, or pg_hba.conf does not allow this client)", msg);
    }

    @Test
    void rightPasswordWorks() {
        Cli.Result r = scan("postgresql://immich:" + PASSWORD.replace("!", "%21") + "@127.0.0.1:" + server.port() + "/immich?sslmode=disable", "--immich-version", "2.1.0");
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.out().contains("\"id\" : \"pg.connect\",\n    \"title\" : \"vccheck can connect and read the catalog\",\n    \"status\" : \"pass\""), r::toString);
    }

    @Test
    void missingDatabase() throws Exception {
        String msg = connectError(scan("postgresql://postgres@127.0.0.1:" + server.port() + "/nope?sslmode=disable"));
        assertEquals("database 'nope' does not exist at 127.0.0.1:" + server.port(), msg);
    }

    @Test
    void refused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertEquals("connection refused: 127.0.0.1:" + port + " (is PostgreSQL running and listening there?)",
                connectError(scan("postgresql://immich@127.0.0.1:" + port + "/immich")));
    }

    @Test
    void unknownHost() throws Exception {
        String msg = connectError(scan("postgresql://immich@no-such-host.invalid:5432/immich"));
        assertEquals("cannot resolve host 'no-such-host.invalid' (DNS): check the host name", msg);
    }

    @Test
    void aPortThatAcceptsButNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread t = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept());
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            long start = System.nanoTime();
            String msg = connectError(scan("postgresql://immich@127.0.0.1:" + silent.getLocalPort() + "/immich?sslmode=disable"));
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertEquals("no answer from 127.0.0.1:" + silent.getLocalPort() + " within 2 s (wrong host or port, or a firewall dropping packets)", msg);
            assertTrue(seconds < 15, "gave up after " + seconds + " s");
            for (Socket s : held) s.close();
        }
    }

    @Test
    void tlsRequiredButTheServerHasNone() throws Exception {
        String msg = connectError(scan("postgresql://postgres@127.0.0.1:" + server.port() + "/immich?sslmode=require"));
        assertTrue(msg.startsWith("TLS failed with 127.0.0.1:" + server.port() + " (sslmode require): "), msg);
    }

    @Test
    void unixSocketHost() throws Exception {
        // The embedded server also listens on /tmp/.s.PGSQL.<port>; pg_hba lets local connections in (trust).
        Cli.Result r = scan("postgres:///immich?host=/tmp&port=" + server.port() + "&user=postgres", "--only", "pg.connect");
        assertEquals(0, r.exit(), r::toString);
        Cli.Result missing = scan("postgres:///immich?host=/nonexistent&port=" + server.port() + "&user=postgres");
        assertEquals("cannot connect to the socket /nonexistent/.s.PGSQL." + server.port() + " (is PostgreSQL running there, on port " + server.port() + "?)",
                connectError(missing));
    }

    @Test
    void noTargetAtAllIsAUsageError() {
        Cli.Result r = Cli.run("scan");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("no target given"), r::toString);
    }

    @Test
    void envFileTargetsTheServerAndRecordsTheVectorExtension(@TempDir Path dir) throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "DB_HOSTNAME=127.0.0.1\nDB_PORT=" + server.port() + "\nDB_USERNAME=immich\nDB_PASSWORD=" + PASSWORD
                + "\nDB_SSL_MODE=disable\nDB_VECTOR_EXTENSION=pgvector\n");
        Cli.Result r = Cli.run("scan", "--env-file", env.toString(), "--format", "json", "--immich-version", "2.1.0");
        OUTPUTS.add(r.out());
        OUTPUTS.add(r.err());
        JsonNode report = new ObjectMapper().readTree(r.out());
        boolean found = false;
        for (JsonNode f : report.get("findings")) {
            if (f.get("id").asText().equals("pg.vector-extension-setting")) {
                assertEquals("warn", f.get("status").asText(), f::toString);
                found = true;
            }
        }
        assertTrue(found, r::toString);
    }

    @Test
    void pgEnvironmentAndPgpass(@TempDir Path dir) throws Exception {
        Path pgpass = dir.resolve("pgpass");
        Files.writeString(pgpass, "127.0.0.1:" + server.port() + ":immich:immich:" + PASSWORD + "\n");
        Cli.Result r = Cli.runWithEnv(false, Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(server.port()), "PGUSER", "immich",
                "PGDATABASE", "immich", "PGSSLMODE", "disable", "PGPASSFILE", pgpass.toString()), "scan", "--format", "json", "--only", "pg.connect");
        OUTPUTS.add(r.out());
        OUTPUTS.add(r.err());
        assertEquals(0, r.exit(), r::toString);
    }

    @Test
    void collectedBundleHasNoPassword(@TempDir Path dir) throws Exception {
        Path bundle = dir.resolve("b.json");
        Cli.Result r = Cli.run("collect", "--db-url", "postgresql://immich:" + PASSWORD.replace("!", "%21") + "@127.0.0.1:" + server.port() + "/immich?sslmode=disable", "-o", bundle.toString());
        assertEquals(0, r.exit(), r::toString);
        OUTPUTS.add(Files.readString(bundle));
        OUTPUTS.add(r.err());
    }

    /** Runs last in spirit: greps everything every test of this class printed (and the server log is not ours). */
    @AfterAll
    static void noOutputContainsThePassword() {
        for (String o : OUTPUTS) {
            assertFalse(o.contains(PASSWORD) || o.contains(PASSWORD.replace("!", "%21")), "the password leaked into:\n" + o);
        }
        assertTrue(OUTPUTS.size() >= 10, "the grep needs the outputs of the other tests");
    }

}
