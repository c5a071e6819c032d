package dev.vccheck;

import dev.vccheck.demo.TestServers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's way of running a scan, {@code ./vccheck}, as its own process: the launcher's first run trains and
 * writes its start-up file (the class-data-sharing archive on Java 17 to 24, the ahead-of-time cache on Java 25 and
 * newer, one per Java version), and every run (built-in rules loading on their own thread while the database is read,
 * only the process entry point does that) reports exactly what the in-process scan reports, whichever Java runs it.
 */
class LauncherIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private static Processes.Result run(Path dir, List<String> cmd) throws Exception {
        return Processes.run(dir, cmd, Duration.ofMinutes(3));
    }

    /** The launcher run as a user runs it, with VCCHECK_JAVA (and VCCHECK_JAVA_OPTS) set. */
    private static Processes.Result launch(Path launcher, String java, String javaOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(launcher.getParent().toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("DB_") || k.startsWith("VCCHECK_"));
        pb.environment().put("NO_COLOR", "1");
        pb.environment().put("VCCHECK_JAVA", java);
        if (javaOpts != null) pb.environment().put("VCCHECK_JAVA_OPTS", javaOpts);
        return Processes.run(pb, Duration.ofMinutes(3));
    }

    private static Map<String, String> statuses(String report) throws Exception {
        Map<String, String> st = new TreeMap<>();
        for (JsonNode f : JSON.readTree(report).get("findings")) st.put(f.get("id").asText() + " " + f.path("message").asText(), f.get("status").asText());
        return st;
    }

    /** A report without what differs from run to run: when it was made and how long each part took. */
    private static String stable(String report) {
        return report.replaceAll("\"generated_at\" : \"[^\"]*\"", "\"generated_at\" : \"-\"").replaceAll("\"duration_ms\" : \\d+", "\"duration_ms\" : 0");
    }

    /** The start-up file the launcher keeps for a Java feature version. */
    private static String cacheName(int feature) {
        return "vccheck-" + feature + (feature >= 25 ? ".aot" : ".jsa");
    }

    private static int feature(Path javaHome) {
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(javaHome.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Java 25 is no Debian package and cannot be installed from the registries CI may reach, so it is not required the
     * way psql or kubectl are: .ci/run sets VCCHECK_TEST_JAVA25 when the machine has one, and then it must work; a
     * machine without any Java 25 skips these cases (the launcher there only ever takes its Java 17-24 branch).
     */
    private static void requireJava25(Optional<Path> java25) {
        if (System.getenv("VCCHECK_TEST_JAVA25") != null && !System.getenv("VCCHECK_TEST_JAVA25").isBlank()) {
            assertTrue(java25.isPresent(), "VCCHECK_TEST_JAVA25 names no executable Java: " + System.getenv("VCCHECK_TEST_JAVA25"));
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(java25.isPresent(), "no Java 25 or newer under /usr/lib/jvm or /opt");
    }

    /** Java 25 or newer: VCCHECK_TEST_JAVA25 (a JDK directory or its bin/java), else a JDK under /usr/lib/jvm or /opt. */
    static Optional<Path> java25() throws IOException {
        String given = System.getenv("VCCHECK_TEST_JAVA25");
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            return Optional.of(Files.isDirectory(p) ? p.resolve("bin/java") : p).filter(Files::isExecutable);
        }
        List<Path> homes = new ArrayList<>();
        for (Path root : List.of(Path.of("/usr/lib/jvm"), Path.of("/opt"))) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.walk(root, 3)) {
                s.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("release")).map(Path::getParent).forEach(homes::add);
            }
        }
        return homes.stream().filter(h -> feature(h) >= 25 && Files.isExecutable(h.resolve("bin/java")))
                .min((a, b) -> Integer.compare(feature(a), feature(b))).map(h -> h.resolve("bin/java"));
    }

    /** A copy of the install (the launcher and target/vccheck.jar) in {@code dir}, so each case starts with no cache. */
    private static Path install(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("target"));
        Files.copy(repo("vccheck"), dir.resolve("vccheck"));
        Files.copy(repo("target/vccheck.jar"), dir.resolve("target/vccheck.jar"));
        return dir.resolve("vccheck");
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theLauncherTrainsItsArchiveAndScansAsTheInProcessScanDoes(@TempDir Path dir) throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("launcher");
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS));
        String url = TestServers.url(s, db, "postgres");
        Cli.Result expected = Cli.run("scan", "--db-url", url, "--immich-version", "2.1.0", "--format", "json");

        // The launcher picks `java` from PATH (or JAVA_HOME), the Java that runs these tests.
        Path cache = repo("target/" + cacheName(Runtime.version().feature()));
        Files.deleteIfExists(cache);
        List<String> scan = new ArrayList<>(List.of("bash", repo("vccheck").toString(), "scan", "--db-url", url, "--immich-version", "2.1.0", "--format", "json"));
        for (int i = 0; i < 2; i++) {
            Processes.Result r = run(dir, scan);
            assertEquals(expected.exit(), r.exit(), r::toString);
            assertEquals("", r.err(), "only the report is printed");
            assertEquals(statuses(expected.out()), statuses(r.out()), "run " + (i + 1) + " reports what the in-process scan reports");
            assertTrue(Files.size(cache) > 1_000_000, "the first run wrote " + cache.getFileName());
        }
        // A bundle collected while the rules load elsewhere still names the packs that were loaded.
        Processes.Result collect = run(dir, List.of("bash", repo("vccheck").toString(), "collect", "--db-url", url));
        assertEquals(0, collect.exit(), collect::toString);
        JsonNode bundle = JSON.readTree(collect.out());
        assertTrue(bundle.at("/meta/rule_packs").size() >= 6, collect::out);
        assertEquals(db, bundle.at("/pg/database/name").asText(), collect::out);
    }

    /**
     * On Java 25 the launcher trains the ahead-of-time cache (target/vccheck-25.aot) beside Java 17's archive, maps it
     * on the next run, trains again when the jar is newer (a run started meanwhile still reports correctly and no
     * half-written file is left), and a scan on Java 25 prints the same report as on Java 17.
     */
    @Test
    void onJava25TheLauncherUsesTheAheadOfTimeCacheAndReportsAsOnJava17(@TempDir Path dir) throws Exception {
        Optional<Path> java25 = java25();
        requireJava25(java25);
        String j25 = java25.get().toString(), j17 = Processes.java();
        int feature25 = feature(java25.get().getParent().getParent()), featureHere = Runtime.version().feature();
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("launcher25");
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS));
        String url = TestServers.url(s, db, "postgres");
        String[] scan = {"scan", "--db-url", url, "--immich-version", "2.1.0", "--format", "json"};
        // The run started during training reads a database of its own as a role of its own: pg.sessions counts the
        // sessions on the same database or of the same user, so with either shared each run would see the other's.
        String other = TestServers.newDatabaseName("launcher25");
        ImmichDatabase.create(s, other, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS));
        s.sql("postgres", "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'launcher_other') THEN "
                + "CREATE ROLE launcher_other LOGIN SUPERUSER; END IF; END $$");
        String[] scanOther = {"scan", "--db-url", TestServers.url(s, other, "launcher_other"), "--immich-version", "2.1.0", "--format", "json"};
        Cli.Result expectedOther = Cli.run(scanOther);
        Path launcher = install(dir.resolve("install")), target = launcher.resolveSibling("target"), jar = target.resolve("vccheck.jar");
        Path aot = target.resolve(cacheName(feature25)), jsa = target.resolve(cacheName(featureHere));

        Processes.Result on17 = launch(launcher, j17, null, scan);
        assertEquals("", on17.err(), on17::toString);
        assertTrue(Files.size(jsa) > 1_000_000, "the Java " + featureHere + " run wrote " + jsa.getFileName());

        Processes.Result first = launch(launcher, j25, null, scan);
        assertEquals(on17.exit(), first.exit(), first::toString);
        assertEquals("", first.err(), "only the report is printed, no JVM warning: " + first);
        assertEquals(stable(on17.out()), stable(first.out()), "Java 25 prints the report Java 17 prints");
        assertTrue(Files.size(aot) > 1_000_000, "the first Java 25 run wrote " + aot.getFileName());
        assertEquals(Stream.of(aot.getFileName().toString(), jsa.getFileName().toString(), "vccheck.jar").sorted().toList(), files(target),
                "one file per Java, each kept (switching Java does not retrain), nothing half-written left behind");

        Path log = dir.resolve("aot.log");
        Processes.Result second = launch(launcher, j25, "-Xlog:aot=info:file=" + log, scan);
        assertEquals(stable(on17.out()), stable(second.out()), second::toString);
        assertTrue(Files.readString(log).contains("Opened AOT cache " + aot), "the second run maps the cache:\n" + Files.readString(log));

        // A new build: the jar is newer than the cache. Two runs at once, the second started while the first trains.
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
        CompletableFuture<Processes.Result> meanwhile = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(1500);
                return launch(launcher, j25, null, scanOther);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Processes.Result rebuilt = launch(launcher, j25, null, scan);
        Processes.Result during = meanwhile.get();
        assertEquals("", rebuilt.err(), rebuilt::toString);
        assertEquals(stable(on17.out()), stable(rebuilt.out()), rebuilt::toString);
        assertEquals("", during.err(), during::toString);
        assertEquals(expectedOther.exit(), during.exit(), during::toString);
        assertEquals(statuses(expectedOther.out()), statuses(during.out()), "the run started during training: " + during);
        // Written again: newer than the jar that was just touched. (Not the inode: a file deleted and written anew often
        // gets the same inode number back, so comparing them failed at random.)
        assertTrue(Files.getLastModifiedTime(aot).compareTo(Files.getLastModifiedTime(jar)) > 0, "the cache was written again after the jar changed");
        assertEquals(Stream.of(aot.getFileName().toString(), jsa.getFileName().toString(), "vccheck.jar").sorted().toList(), files(target), "no temporary file left");
        Files.delete(log);
        Processes.Result after = launch(launcher, j25, "-Xlog:aot=info:file=" + log, scan);
        assertEquals(stable(on17.out()), stable(after.out()), after::toString);
        assertTrue(Files.readString(log).contains("Opened AOT cache " + aot), "the rebuilt cache is mapped:\n" + Files.readString(log));
    }

    /**
     * An install directory the user cannot write (a package, a read-only image): the launcher runs without a cache on
     * both Javas and prints the same report. The test runs as root here, which may write anywhere, so the launcher then
     * runs as nobody.
     */
    @Test
    void aReadOnlyInstallRunsWithoutACacheOnJava17AndJava25(@TempDir Path dir) throws Exception {
        Optional<Path> java25 = java25();
        requireJava25(java25);
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("launcherro");
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS));
        String url = TestServers.url(s, db, "postgres");
        Cli.Result expected = Cli.run("scan", "--db-url", url, "--immich-version", "2.1.0", "--format", "json");

        Path launcher = install(dir.resolve("install")), target = launcher.resolveSibling("target");
        for (Path p : List.of(dir, launcher.getParent(), target)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(target.resolve("vccheck.jar"), PosixFilePermissions.fromString("r--r--r--"));
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            for (String java : List.of(Processes.java(), java25.get().toString())) {
                List<String> cmd = new ArrayList<>(root ? List.of("runuser", "-u", "nobody", "--") : List.of());
                cmd.addAll(List.of("env", "VCCHECK_JAVA=" + java, "bash", launcher.toString(), "scan", "--db-url", url, "--immich-version", "2.1.0", "--format", "json"));
                Processes.Result r = run(launcher.getParent(), cmd);
                assertEquals(expected.exit(), r.exit(), r::toString);
                assertEquals("", r.err(), java + ": only the report is printed");
                assertEquals(statuses(expected.out()), statuses(r.out()), java + " reports what the in-process scan reports");
                assertEquals(List.of("vccheck.jar"), files(target), "nothing written into the read-only install");
            }
        } finally {
            for (Path p : List.of(dir, launcher.getParent(), target)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
        assertFalse(Files.exists(target.resolve(cacheName(Runtime.version().feature()))));
    }
}
