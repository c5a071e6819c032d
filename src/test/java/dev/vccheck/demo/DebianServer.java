package dev.vccheck.demo;


import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL 15 server from Debian's {@code postgresql-15} package, on a data directory and port of its own
 * (never the packaged cluster; the {@code postgresql} service is not touched), run by an unprivileged user
 * ({@code nobody}) through {@code runuser}, with its server log kept in a file that tests read ({@link #log()}).
 * <p>
 * What it is for: running vccheck against the C stand-ins of {@link CStandIns} (which load into this server as the
 * real libraries would, and fail as they do), running a remediation exactly as printed followed by a
 * {@link #restart()} that must succeed, and producing real failure logs: {@link #tryStart()} starts a server into a
 * broken configuration and reports whether it came up; {@link #logSince(long)} gives the lines of that attempt.
 * <pre>
 * try (DebianServer s = DebianServer.create("vectors.so")) {          // initdb + start, preloading vectors.so
 *     ImmichDatabase.create(s, "immich", Spec.of(State.PGVECTORS));  // any SqlServer code works
 *     s.setConf("shared_preload_libraries", "");                    // postgresql.conf (server may be down)
 *     s.restart();                                                  // must start; AssertionError with the log if not
 *     s.alterSystem("shared_preload_libraries", "'vectors.so'");     // ALTER SYSTEM (server up)
 *     s.psql("immich", "postgres", remediationText);                 // a printed fix, through Debian's psql
 *     s.stop();
 *     DebianServer.Start st = s.tryStart();                          // a start that may fail: st.ok(), st.log()
 * }
 * </pre>
 * Requirements: Debian's {@code postgresql-15} (server binaries in {@link #BIN}) and, for the stand-ins,
 * {@code postgresql-server-dev-15}, gcc and make; root (to write the server's extension folders and to run the
 * server as {@code nobody}). {@code .ci/run} installs the packages. Without them the tests fail with that message;
 * {@code -Dvccheck.debian-pg=optional} turns that into a skip for machines where they cannot be installed.
 */
public final class DebianServer implements SqlServer, AutoCloseable {
    /** Debian's PostgreSQL 15 server programs. */
    public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");
    /** The unprivileged user the servers run as (PostgreSQL refuses root). */
    public static final String USER = "nobody";
    /** Where the servers' folders go: one temporary folder per server under it. */
    public static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "vccheck-debian-pg");

    private static final Set<DebianServer> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (DebianServer s : List.copyOf(RUNNING)) s.stopQuietly();
        }));
    }

    /** The outcome of a start attempt: whether the server accepts connections, and the log lines it wrote. */
    public record Start(boolean ok, String pgCtlOutput, String log) {
    }

    private final Path dir;
    private final Path data;
    private final Path logFile;
    private final int port;
    private boolean running;

    private DebianServer(Path dir, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.logFile = dir.resolve("server.log");
        this.port = port;
    }

    /**
     * Fails (or, with {@code -Dvccheck.debian-pg=optional}, skips) the calling test when Debian's PostgreSQL 15, its
     * development files or root are missing, saying what to install.
     */
    public static void requireAvailable() {
        String missing = null;
        if (!Files.isExecutable(BIN.resolve("pg_ctl"))) missing = BIN.resolve("pg_ctl") + " (Debian package postgresql-15)";
        else if (!Files.isExecutable(BIN.resolve("pg_config"))) missing = BIN.resolve("pg_config") + " (Debian package postgresql-server-dev-15)";
        else if (!"root".equals(System.getProperty("user.name"))) missing = "root (to install the stand-ins into the server's folders and run it as " + USER + ")";
        if (missing == null) return;
        String msg = "Debian PostgreSQL 15 tests need " + missing + "; .ci/run installs postgresql-15 and postgresql-server-dev-15"
                + " (apt-get install -y postgresql-15 postgresql-server-dev-15)";
        if ("optional".equals(System.getProperty("vccheck.debian-pg"))) Assumptions.abort(msg);
        throw new IllegalStateException(msg);
    }

    /** A new cluster (initdb), not started; {@code preload} is written to postgresql.conf ("" for none). */
    public static DebianServer initdb(String preload) throws IOException, InterruptedException {
        requireAvailable();
        Files.createDirectories(ROOT);
        Files.setPosixFilePermissions(ROOT, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = Files.createTempDirectory(ROOT, "pg15-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setOwner(dir, user());
        DebianServer s = new DebianServer(dir, freePort());
        Run r = s.asUser(List.of(BIN.resolve("initdb").toString(), "-D", s.data.toString(), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"), 120);
        if (r.exit != 0) throw new IllegalStateException("initdb failed (exit " + r.exit + "):\n" + r.output);
        s.appendConf("""
                # vccheck test server (src/test/java/dev/vccheck/demo/DebianServer.java)
                port = %d
                listen_addresses = 'localhost'
                unix_socket_directories = '%s'
                fsync = off
                max_connections = 30
                shared_buffers = 16MB
                logging_collector = off
                lc_messages = 'C'
                """.formatted(s.port, dir));
        s.setConf("shared_preload_libraries", preload);
        return s;
    }

    /** {@link #initdb(String)} and a start that must succeed. */
    public static DebianServer create(String preload) throws IOException, InterruptedException {
        DebianServer s = initdb(preload);
        try {
            s.start();
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Starts the server; it must come up (AssertionError with the log lines of this attempt if not). */
    public DebianServer start() throws IOException, InterruptedException {
        Start st = tryStart();
        if (!st.ok()) throw new AssertionError("PostgreSQL did not start:\n" + st.pgCtlOutput() + "\n--- server log of this start\n" + st.log());
        return this;
    }

    /** Tries to start the server (waiting until it accepts connections or gives up); the caller looks at the outcome. */
    public Start tryStart() throws IOException, InterruptedException {
        if (running) throw new IllegalStateException("already running");
        long mark = logSize();
        Run r = asUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", logFile.toString(),
                "-w", "-t", "120", "start"), 150);
        boolean ok = r.exit == 0;
        if (ok) {
            running = true;
            RUNNING.add(this);
        } else if (Files.exists(data.resolve("postmaster.pid"))) {
            // pg_ctl gave up waiting on a slow machine while the postmaster lives on: no orphan server.
            asUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
        }
        return new Start(ok, r.output, logSince(mark));
    }

    /** Stops the server (fast shutdown); a no-op when it is not running. */
    public DebianServer stop() throws IOException, InterruptedException {
        if (!running) return this;
        Run r = asUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"), 90);
        if (r.exit != 0) throw new IllegalStateException("pg_ctl stop failed (exit " + r.exit + "):\n" + r.output);
        running = false;
        RUNNING.remove(this);
        return this;
    }

    /** Stops and starts the server; the start must succeed (what every configuration remediation must survive). */
    public DebianServer restart() throws IOException, InterruptedException {
        return stop().start();
    }

    /** Stops and tries to start the server again; the caller looks at the outcome. */
    public Start tryRestart() throws IOException, InterruptedException {
        return stop().tryStart();
    }

    public boolean running() {
        return running;
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return data;
    }

    public Path logFile() {
        return logFile;
    }

    /** The whole server log so far (what {@code pg_ctl -l} collected: the postmaster's and every backend's lines). */
    public String log() throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    }

    /** The log's current length, to read what a later step adds with {@link #logSince(long)}. */
    public long logSize() throws IOException {
        return Files.exists(logFile) ? Files.size(logFile) : 0;
    }

    /** The log written after {@code mark} (a {@link #logSize()}). */
    public String logSince(long mark) throws IOException {
        if (!Files.exists(logFile)) return "";
        byte[] all = Files.readAllBytes(logFile);
        int from = (int) Math.min(mark, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    /**
     * Sets {@code name} in postgresql.conf (appended, so it wins over earlier lines there; postgresql.auto.conf still
     * overrides it). The value is written as one quoted string, e.g. {@code setConf("shared_preload_libraries",
     * "vchord.so, vectors.so")}. Takes effect at the next start (or reload for reloadable settings).
     */
    public DebianServer setConf(String name, String value) throws IOException {
        appendConf(name + " = '" + value.replace("'", "''") + "'\n");
        return this;
    }

    /** Runs {@code ALTER SYSTEM SET name = valueSql} (SQL as written, e.g. {@code "'vchord.so', 'vectors.so'"}). */
    public DebianServer alterSystem(String name, String valueSql) throws SQLException {
        sql("postgres", "ALTER SYSTEM SET " + name + " = " + valueSql);
        return this;
    }

    /** What a psql run printed (standard output and error together) and its exit status. */
    public record Psql(int exit, String output) {
    }

    /**
     * Runs {@code script} through Debian's own psql 15 as {@code user} (as a user pastes a printed remediation:
     * {@code psql -X -v ON_ERROR_STOP=1}, the script on standard input), against this server.
     */
    public Psql psql(String database, String user, String script) throws IOException, InterruptedException {
        Path in = Files.createTempFile("vccheck-psql", ".sql");
        Path out = Files.createTempFile("vccheck-psql", ".txt");
        try {
            Files.writeString(in, script, StandardCharsets.UTF_8);
            ProcessBuilder pb = new ProcessBuilder(BIN.resolve("psql").toString(), "-X", "-v", "ON_ERROR_STOP=1",
                    "-h", "localhost", "-p", String.valueOf(port), "-U", user, "-d", database)
                    .redirectErrorStream(true).redirectOutput(out.toFile()).redirectInput(in.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("psql: no end within 120 s");
            }
            return new Psql(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }

    /** Replaces postgresql.auto.conf (the file ALTER SYSTEM writes), e.g. with a stale or broken one. */
    public DebianServer writeAutoConf(String content) throws IOException {
        Path f = data.resolve("postgresql.auto.conf");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        Files.setOwner(f, user());
        return this;
    }

    public String readAutoConf() throws IOException {
        return Files.readString(data.resolve("postgresql.auto.conf"), StandardCharsets.UTF_8);
    }

    private void appendConf(String text) throws IOException {
        Files.writeString(data.resolve("postgresql.conf"), text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** A libpq URL for vccheck's {@code --db-url} (trust authentication on localhost, no password). */
    public String url(String database, String user) {
        return "postgresql://" + user + "@localhost:" + port + "/" + database + "?sslmode=disable";
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    @Override
    public Connection connect(String database, String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("sslmode", "disable");
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /** Stops the server (immediately) and deletes its folder; the log is gone with it, so read it first. */
    @Override
    public void close() {
        stopQuietly();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            // a leftover temporary folder is not worth failing a test for
        }
    }

    private void stopQuietly() {
        if (!running) return;
        try {
            asUser(List.of(BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 60);
        } catch (Exception e) {
            // shutting down anyway
        }
        running = false;
        RUNNING.remove(this);
    }

    private record Run(int exit, String output) {
    }

    /** Runs a server program as {@link #USER} in the server's folder, output (stdout and stderr) captured. */
    private Run asUser(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", USER, "--"));
        full.addAll(cmd);
        Path out = Files.createTempFile("vccheck-pgctl", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
            pb.environment().put("LC_ALL", "C.UTF-8");
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("no end within " + timeoutSeconds + " s: " + full);
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static UserPrincipal user() throws IOException {
        return ROOT.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return "Debian PostgreSQL 15 on port " + port + " (" + data + ")";
    }
}
