package dev.vccheck.collect.postgres;

import dev.vccheck.demo.TestServers;

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
public class ConnectionFailuresTest {
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

    /**
     * A scan with a 10 s connect timeout: the failures here (refused, DNS, wrong password, no such database) answer at
     * once, and the cases that connect must not fail on a slow moment of a shared CI machine (2 s did). The one case
     * that waits for the timeout gives its own.
     */
    private static Cli.Result scan(String url, String... extra) {
        List<String> args = new ArrayList<>(List.of("scan", "--db-url", url, "--format", "json"));
        if (!List.of(extra).contains("--connect-timeout")) args.addAll(List.of("--connect-timeout", "10"));
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
        assertEquals("cannot resolve host 'no-such-host.invalid' (DNS)", msg);
    }

    private static Cli.Result run(Map<String, String> env, String... args) {
        Cli.Result r = Cli.runWithEnv(false, env, args);
        OUTPUTS.add(r.out());
        OUTPUTS.add(r.err());
        return r;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }

    /**
     * Immich's default docker compose .env names the host 'database', a compose service that resolves only inside
     * the compose network. The human reports say so once, with the exact command that scans through the container,
     * and list the checks that could not run on one line; JSON keeps one finding per rule.
     */
    @Test
    void immichsDefaultEnvFileGetsTheDockerCommandLine(@TempDir Path dir) throws Exception {
        Path env = dir.resolve(".env");
        Files.writeString(env, "# Immich's example.env\nUPLOAD_LOCATION=./library\nDB_DATA_LOCATION=./postgres\nIMMICH_VERSION=release\n"
                + "DB_PASSWORD=" + PASSWORD + "\nDB_USERNAME=postgres\nDB_DATABASE_NAME=immich\nDB_HOSTNAME=database\n");
        String command = "./vccheck scan --docker immich_postgres --env-file " + env;
        Cli.Result json = run(Map.of(), "scan", "--env-file", env.toString(), "--format", "json", "--connect-timeout", "10");
        assertEquals(3, json.exit(), json::toString);
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertEquals("dns", report.at("/target/postgres/cause").asText(), json::toString);
        assertEquals("database", report.at("/target/postgres/host").asText(), json::toString);
        // JSON: one finding per rule, as every run (a CI dashboard sees the same test cases).
        List<String> ids = new ArrayList<>();
        List<String> blocked = new ArrayList<>();
        for (JsonNode f : report.get("findings")) {
            ids.add(f.get("id").asText());
            if (f.get("status").asText().equals("error")) {
                assertEquals("could not verify: cannot resolve host 'database' (DNS)", f.get("message").asText(), f::toString);
                blocked.add(f.get("id").asText());
            }
        }
        List<String> every = Cli.run("rules", "list").out().lines().skip(1).map(l -> l.split("\\s+")[0]).filter(x -> x.contains(".")).sorted().toList();
        assertEquals(every, ids.stream().sorted().toList(), "one finding per rule");
        assertTrue(blocked.size() >= 15 && blocked.contains("pg.version") && blocked.contains("pg.connect"), blocked::toString);
        String needs = blocked.size() + " checks need the database: ";
        assertTrue(json.err().contains("cannot read the database (postgresql://postgres@database:5432/immich): cannot resolve host 'database' (DNS) — next: " + command),
                "JSON on standard output shows no person the reason: standard error does\n" + json);

        Cli.Result text = run(Map.of(), "scan", "--env-file", env.toString(), "--format", "text", "--connect-timeout", "10");
        assertEquals(3, text.exit(), text::toString);
        assertEquals(1, count(text.out(), "cannot resolve host 'database' (DNS)"), text::toString);
        assertEquals(0, count(text.out(), "could not verify"), text::toString);
        assertTrue(text.out().contains("CANNOT READ THE DATABASE  postgresql://postgres@database:5432/immich\n"), text::toString);
        assertTrue(text.out().contains("\n        " + command + "\n"), text::toString);
        assertTrue(text.out().contains(needs + String.join(", ", blocked) + "\n"), text::toString);
        assertFalse(text.err().contains("cannot read the database"), "the text report on standard output already says it\n" + text);

        Cli.Result md = run(Map.of(), "scan", "--env-file", env.toString(), "--format", "markdown", "--connect-timeout", "10");
        assertEquals(3, md.exit(), md::toString);
        assertEquals(1, count(md.out(), "cannot resolve host 'database' (DNS)"), md::toString);
        assertEquals(0, count(md.out(), "could not verify"), md::toString);
        assertTrue(md.out().contains("```sh\n" + command + "\n```"), md::toString);
        assertTrue(md.out().contains(needs), md::toString);

        Path html = dir.resolve("out/report.html");
        Cli.Result h = run(Map.of(), "scan", "--env-file", env.toString(), "-o", html.toString(), "--connect-timeout", "10");
        assertEquals(3, h.exit(), h::toString);
        String page = Files.readString(html);
        OUTPUTS.add(page);
        assertEquals(1, count(page, "cannot resolve host &#39;database&#39; (DNS)"), page);
        assertEquals(0, count(page, "could not verify"), page);
        assertTrue(page.contains("<pre><code>" + command + "</code></pre>"), page);
        assertTrue(page.contains(needs), page);
        // The report went to a file: standard error still says which target failed, why, and what next, on one line.
        assertEquals(1, count(h.err(), "cannot read the database"), h::toString);
        assertTrue(h.err().contains("cannot read the database (postgresql://postgres@database:5432/immich): cannot resolve host 'database' (DNS) — next: " + command + "\n"), h::toString);
    }

    /**
     * --redact all hides the host name, but the step is chosen before redaction: still the docker command, with the
     * .env file's own name only (its folder may name the user). collect says the same on standard error.
     */
    @Test
    void redactedReportsKeepTheStepButNotTheNames(@TempDir Path dir) throws Exception {
        Path env = dir.resolve("immich.env");
        Files.writeString(env, "DB_HOSTNAME=database\nDB_PASSWORD=" + PASSWORD + "\n");
        Path md = dir.resolve("r.md");
        Cli.Result r = run(Map.of(), "scan", "--env-file", env.toString(), "--redact", "all", "-o", md.toString(), "--connect-timeout", "10");
        assertEquals(3, r.exit(), r::toString);
        String report = Files.readString(md);
        OUTPUTS.add(report);
        assertTrue(report.contains("cannot resolve host 'host-1' (DNS)") && report.contains("```sh\n./vccheck scan --docker immich_postgres --env-file immich.env\n```"), report);
        assertFalse(report.contains("'database'") || report.contains(dir.toString()), report);
        assertTrue(r.err().contains("(postgresql://postgres@host-1:5432/immich): cannot resolve host 'host-1' (DNS) — next: ./vccheck scan --docker immich_postgres --env-file immich.env\n"), r::toString);
        Cli.Result c = run(Map.of(), "collect", "--env-file", env.toString(), "-o", dir.resolve("b.json").toString(), "--connect-timeout", "10");
        assertEquals(3, c.exit(), c::toString);
        assertTrue(c.err().contains("cannot read the database (postgresql://postgres@database:5432/immich): cannot resolve host 'database' (DNS) — next: "
                + "./vccheck scan --docker immich_postgres --env-file " + env + "\n"), c::toString);
    }

    @Test
    void refusedSaysThePortIsNotPublished() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli.Result r = run(Map.of(), "scan", "--db-url", "postgresql://immich@127.0.0.1:" + port + "/immich", "--format", "text", "--connect-timeout", "10");
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.out().contains("Immich's docker compose file does not publish the database's port 5432"), r::toString);
        assertTrue(r.out().contains("\n        ./vccheck scan --docker immich_postgres\n"), r::toString);
        Cli.Result json = scan("postgresql://immich@127.0.0.1:" + port + "/immich");
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertEquals("refused", report.at("/target/postgres/cause").asText());
        assertEquals(port, report.at("/target/postgres/port").asInt());
    }

    /** A refused login names where the password came from, never the password. */
    @Test
    void aRefusedLoginNamesThePasswordsSource(@TempDir Path dir) throws Exception {
        Path env = dir.resolve("immich.env");
        Files.writeString(env, "DB_HOSTNAME=127.0.0.1\nDB_PORT=" + server.port() + "\nDB_USERNAME=immich\nDB_PASSWORD=wrong-" + PASSWORD + "\nDB_SSL_MODE=disable\n");
        Cli.Result r = run(Map.of(), "scan", "--env-file", env.toString(), "--format", "text");
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.out().contains("The password came from DB_PASSWORD in " + env + " (not shown here)."), r::toString);
        Cli.Result json = run(Map.of(), "scan", "--env-file", env.toString(), "--format", "json");
        assertEquals("auth", new ObjectMapper().readTree(json.out()).at("/target/postgres/cause").asText(), json::toString);
        assertEquals(".env", new ObjectMapper().readTree(json.out()).at("/target/postgres/password_source").asText(), json::toString);
        assertTrue(json.err().contains("cannot read the database (postgresql://immich@127.0.0.1:" + server.port() + "/immich): authentication failed"), json::toString);

        Cli.Result pg = run(Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(server.port()), "PGUSER", "immich", "PGDATABASE", "immich",
                "PGSSLMODE", "disable", "PGPASSWORD", "wrong-" + PASSWORD), "scan", "--format", "text");
        assertEquals(3, pg.exit(), pg::toString);
        assertTrue(pg.out().contains("The password came from PGPASSWORD in the environment (not shown here)."), pg::toString);

        Path pgpass = dir.resolve("pgpass");
        Files.writeString(pgpass, "*:*:*:immich:wrong-" + PASSWORD + "\n");
        Cli.Result file = run(Map.of("PGHOST", "127.0.0.1", "PGPORT", String.valueOf(server.port()), "PGUSER", "immich", "PGDATABASE", "immich",
                "PGSSLMODE", "disable", "PGPASSFILE", pgpass.toString()), "scan", "--format", "text");
        assertEquals(3, file.exit(), file::toString);
        assertTrue(file.out().contains("The password came from the .pgpass file (PGPASSFILE, or ~/.pgpass) (not shown here)."), file::toString);

        Cli.Result url = scan("postgresql://immich:wrong-" + PASSWORD + "@127.0.0.1:" + server.port() + "/immich?sslmode=disable");
        assertEquals("URL", new ObjectMapper().readTree(url.out()).at("/target/postgres/password_source").asText(), url::toString);
    }

    /** A Kubernetes service name resolves only inside the cluster: scan through the pod, or port-forward. */
    @Test
    void aKubernetesServiceNameFromOutsideTheCluster(@TempDir Path dir) throws Exception {
        Cli.Result r = run(Map.of(), "scan", "--db-url", "postgresql://immich@immich-cnpg-rw.photos.svc.cluster.local:5432/immich",
                "--format", "text", "--connect-timeout", "10");
        assertEquals(3, r.exit(), r::toString);
        assertTrue(r.out().contains("cannot resolve host 'immich-cnpg-rw.photos.svc.cluster.local' (DNS)"), r::toString);
        assertTrue(r.out().contains("\n        ./vccheck scan --kube -n photos --kube-exec\n"
                + "        kubectl port-forward -n photos svc/immich-cnpg-rw 15432:5432\n"
                + "        ./vccheck scan --db-url postgresql://immich@127.0.0.1:15432/immich\n"), r::toString);
        assertFalse(r.out().contains("--docker"), r::toString);

        Path env = dir.resolve(".env");
        Files.writeString(env, "DB_HOSTNAME=immich-postgresql.photos\nDB_PASSWORD=" + PASSWORD + "\n");
        Cli.Result shortName = run(Map.of(), "scan", "--env-file", env.toString(), "-o", dir.resolve("r.md").toString(), "--connect-timeout", "10");
        assertEquals(3, shortName.exit(), shortName::toString);
        assertTrue(shortName.err().contains("cannot resolve host 'immich-postgresql.photos' (DNS) — next: ./vccheck scan --kube -n photos --kube-exec --env-file " + env),
                shortName::toString);
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
            String msg = connectError(scan("postgresql://immich@127.0.0.1:" + silent.getLocalPort() + "/immich?sslmode=disable", "--connect-timeout", "2"));
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
