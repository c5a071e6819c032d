package dev.vccheck.demo;


import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;

/**
 * The C stand-ins of {@code src/test/c} (pgvecto.rs {@code vectors}, VectorChord {@code vchord}, pgvector
 * {@code vector}; see its README.md), built with gcc through PGXS against Debian's postgresql-server-dev-15 in
 * {@code target/c-standins} and installed into the Debian server's {@link #PKGLIBDIR} and {@link #EXTENSION_DIR},
 * where {@code $libdir/vectors} and {@code CREATE EXTENSION vectors} find them, as on a real installation.
 * <p>
 * Those folders are the machine's, shared by every {@link DebianServer}: {@link #removeLibrary} and
 * {@link #removeExtension} (an image switch) affect all servers until {@link #install()} puts the files back.
 * Tests that remove files restore them when they end, and a test JVM that uses the stand-ins holds a file lock
 * ({@link #LOCK_FILE}) until it exits, so two builds on one machine take turns instead of removing each other's files.
 * A file that a Debian package owns (e.g.
 * {@code postgresql-15-pgvector}'s {@code vector.control}) is never overwritten: {@link #install()} refuses instead.
 */
public final class CStandIns {
    public static final Path PKGLIBDIR = Path.of("/usr/lib/postgresql/15/lib");
    public static final Path EXTENSION_DIR = Path.of("/usr/share/postgresql/15/extension");
    public static final Path PG_CONFIG = DebianServer.BIN.resolve("pg_config");
    static final List<String> EXTENSIONS = List.of("vectors", "vchord", "vector");
    static final List<String> LIBRARIES = List.of("vectors", "vchord");

    /** Held (exclusively) by the one test JVM on this machine that uses the stand-ins, until it exits. */
    public static final Path LOCK_FILE = Path.of(System.getProperty("java.io.tmpdir"), "vccheck-debian-pg.lock");

    private static boolean checked;
    private static FileLock lock;

    private CStandIns() {
    }

    /** Builds (when the sources changed) and installs every stand-in; idempotent, and restores removed files. */
    public static synchronized void install() throws IOException, InterruptedException {
        DebianServer.requireAvailable();
        exclusive();
        if (!checked) {
            refuseToOverwritePackagedFiles();
            checked = true;
        }
        Path src = repo("src/test/c");
        Path build = repo("target/c-standins");
        Files.createDirectories(build);
        try (Stream<Path> s = Files.list(src)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Path to = build.resolve(f.getFileName());
                if (!Files.exists(to) || Files.mismatch(f, to) != -1) Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        // with_llvm=no: no JIT bitcode, so clang is not needed (gcc builds the libraries).
        String out = run(build, "make", "-s", "PG_CONFIG=" + PG_CONFIG, "with_llvm=no", "install");
        for (String lib : LIBRARIES) {
            if (!Files.exists(PKGLIBDIR.resolve(lib + ".so"))) throw new IllegalStateException(lib + ".so was not installed:\n" + out);
        }
    }

    /** Deletes {@code name.so} from the server's library folder (the library file gone, as after an image switch). */
    public static synchronized void removeLibrary(String name) throws IOException {
        exclusive();
        Files.deleteIfExists(PKGLIBDIR.resolve(name + ".so"));
    }

    /** Deletes the extension's library, control file and scripts (an image that does not have it at all). */
    public static synchronized void removeExtension(String name) throws IOException {
        removeLibrary(name);
        Files.deleteIfExists(EXTENSION_DIR.resolve(name + ".control"));
        try (Stream<Path> s = Files.list(EXTENSION_DIR)) {
            for (Path f : s.filter(f -> f.getFileName().toString().startsWith(name + "--")).toList()) Files.delete(f);
        }
    }

    /** Takes the machine-wide lock once per JVM (waiting, with a note, while another build holds it). */
    private static void exclusive() throws IOException {
        if (lock != null) return;
        FileChannel ch = FileChannel.open(LOCK_FILE,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l = ch.tryLock();
        if (l == null) {
            System.err.println("waiting for " + LOCK_FILE + ": another build on this machine is using the C stand-ins");
            l = ch.lock();
        }
        lock = l; // released when this JVM exits
    }

    private static void refuseToOverwritePackagedFiles() throws IOException, InterruptedException {
        List<Path> targets = new ArrayList<>();
        for (String lib : LIBRARIES) targets.add(PKGLIBDIR.resolve(lib + ".so"));
        for (String ext : EXTENSIONS) targets.add(EXTENSION_DIR.resolve(ext + ".control"));
        for (Path t : targets) {
            if (!Files.exists(t)) continue;
            ProcessBuilder pb = new ProcessBuilder("dpkg-query", "-S", t.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process p;
            try {
                p = pb.start();
            } catch (IOException noDpkg) {
                return; // not a Debian system: nothing packaged to protect
            }
            if (p.waitFor() == 0) {
                throw new IllegalStateException(t + " belongs to a Debian package (dpkg-query -S " + t + "); the stand-ins would"
                        + " overwrite the real extension. Remove that package on this test machine, or run these tests elsewhere.");
            }
        }
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("vccheck-make", ".txt");
        try {
            Process p = new ProcessBuilder(Arrays.asList(cmd)).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("no end within 300 s: " + String.join(" ", cmd));
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ") in " + dir + ":\n" + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
