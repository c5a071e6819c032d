package dev.vccheck.cli;

import picocli.CommandLine.Command;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Hidden: the training run of the launcher's class-data-sharing archive (Java 17 to 24) or ahead-of-time cache (Java
 * 25 and newer). The launcher ({@code ./vccheck}) runs it once after a build, so that what it records is what a scan
 * loads, not just what the command that happened to run first loaded. It goes through the real entry point, and
 * nothing leaves the machine: it scans a stand-in server on this machine's loopback address that speaks just enough
 * of PostgreSQL's protocol to answer the collector's statement with a document a real server returned
 * ({@code cds/catalog}, TrainingCatalogTest), so a scan's whole path runs (the driver's query and result handling,
 * CatalogFacts, the analysis of real facts, the JSON and text reports); then a scan of a closed port (the path of a
 * target that cannot be read). Without {@code --scan-only} it also analyzes a bundle from a real scan in every format
 * and scans a stand-in that refuses every query.
 * <p>
 * {@code --scan-only} is for the ahead-of-time cache: the JVM loads and links every class in it at each start, so
 * what only other commands use (the bundle's schema validation, Freemarker, the XML writer) would cost every scan
 * (bench/results.md: a scan 453 -> 401 ms on Java 25 with the cache of scans alone). The archive of Java 17 to 24 maps
 * classes only when asked for, and keeps everything.
 */
@Command(name = "cds-training", hidden = true)
final class CdsTrainingCommand implements java.util.concurrent.Callable<Integer> {
    static final String BUNDLE = "cds/pgvectors-dual.json";
    static final String CATALOG = "cds/catalog/pgvectors-dual.json";

    @picocli.CommandLine.Option(names = "--scan-only", description = "Only what a scan does (for the ahead-of-time cache).")
    boolean scanOnly;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vccheck-cds");
        byte[] catalog = resource(CATALOG);
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        try {
            if (!scanOnly) {
                Path bundle = dir.resolve("bundle.json");
                Files.write(bundle, resource(BUNDLE));
                for (String f : List.of("json", "text", "markdown", "junit", "html")) {
                    VcCheck.run(none, none, false, Map.of(), "analyze", bundle.toString(), "--format", f, "-o", dir.resolve("report." + f).toString());
                }
            }
            // The answering stand-in for a JSON and a text report; without --scan-only, a refusing one too (null).
            List<byte[]> answers = scanOnly ? List.of(catalog, catalog) : java.util.Arrays.asList(catalog, catalog, null);
            List<String> formats = List.of("json", "text", "json");
            try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                Thread t = new Thread(() -> standIn(server, answers), "vccheck-cds-server");
                t.setDaemon(true);
                t.start();
                for (int i = 0; i < answers.size(); i++) {
                    int code = VcCheck.run(none, none, false, Map.of(), "scan", "--db-url", "postgresql://vccheck@127.0.0.1:" + server.getLocalPort() + "/immich?sslmode=disable",
                            "--connect-timeout", "2", "--statement-timeout", "2", "--format", formats.get(i), "-o", dir.resolve("scan-" + i).toString());
                    // A scan of the answering stand-in reads it and evaluates every check (CdsTrainingTest): else
                    // the training ran the error path only, which is a bug.
                    if (answers.get(i) != null && code > ExitCode.GATE_FAILED.code) return ExitCode.INTERNAL.code;
                }
            }
            // Port 1 of the loopback address: refused at once.
            VcCheck.run(none, none, false, Map.of(), "scan", "--db-url", "postgresql://vccheck@127.0.0.1:1/immich?sslmode=disable",
                    "--connect-timeout", "1", "--format", "json", "-o", dir.resolve("scan.json").toString());
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    private static byte[] resource(String name) throws java.io.IOException {
        try (InputStream in = CdsTrainingCommand.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return in.readAllBytes();
        }
    }

    /**
     * Just enough of PostgreSQL's protocol (v3) for one client per entry of {@code answers}, one after the other:
     * authentication succeeds without a password, the server reports the parameters the driver insists on; then
     * every SELECT is answered with that entry's document as one row of one json column and every other statement
     * (BEGIN READ ONLY, ROLLBACK) succeeds, or, for a null entry, every query is refused with an error.
     */
    private static void standIn(java.net.ServerSocket server, List<byte[]> answers) {
        for (byte[] answer : answers) {
            try (java.net.Socket s = server.accept()) {
                s.setSoTimeout(5000);
                session(new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream())),
                        new java.io.DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream())), answer);
            } catch (java.io.IOException e) {
                // The client went away: on to the next one.
            }
        }
    }

    private static void session(java.io.DataInputStream in, java.io.DataOutputStream out, byte[] answer) throws java.io.IOException {
        java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        in.readNBytes(in.readInt() - 4);                                         // StartupMessage
        message(out, 'R', new byte[]{0, 0, 0, 0});                               // AuthenticationOk
        for (String[] p : new String[][]{{"server_version", "16.4"}, {"client_encoding", "UTF8"}, {"DateStyle", "ISO, MDY"},
                {"integer_datetimes", "on"}, {"standard_conforming_strings", "on"}, {"TimeZone", "UTC"}, {"is_superuser", "on"}}) {
            message(out, 'S', (p[0] + '\0' + p[1] + '\0').getBytes(utf8));
        }
        message(out, 'K', new byte[]{0, 0, 0, 1, 0, 0, 0, 2});                   // BackendKeyData
        message(out, 'Z', new byte[]{'I'});                                      // ReadyForQuery
        out.flush();
        byte[] error = "SERROR\0VERROR\0C42501\0Mthis is vccheck's start-up training\0\0".getBytes(utf8);
        String sql = "";
        boolean inTransaction = false;
        while (true) {
            int type = in.read();
            if (type < 0 || type == 'X') return;
            byte[] body = in.readNBytes(in.readInt() - 4);
            if (answer == null) {
                if (type == 'S' || type == 'Q') {
                    message(out, 'E', error);
                    message(out, 'Z', new byte[]{'I'});
                    out.flush();
                }
                continue;
            }
            switch (type) {
                case 'P' -> {                                                    // Parse: name, query, parameter types
                    int from = indexOf(body, 0) + 1;
                    sql = new String(body, from, indexOf(body, from) - from, utf8);
                    message(out, '1', new byte[0]);
                }
                case 'B' -> message(out, '2', new byte[0]);
                case 'D' -> {
                    if (body[0] == 'S') message(out, 't', new byte[]{0, 0});
                    describe(out, sql);
                }
                case 'E' -> inTransaction = execute(out, sql, answer, inTransaction);
                case 'C' -> message(out, '3', new byte[0]);
                case 'H' -> out.flush();
                case 'Q' -> {
                    sql = new String(body, 0, indexOf(body, 0), utf8);
                    if (select(sql)) describe(out, sql);                        // a simple query sends no NoData
                    inTransaction = execute(out, sql, answer, inTransaction);
                    message(out, 'Z', new byte[]{(byte) (inTransaction ? 'T' : 'I')});
                    out.flush();
                }
                case 'S' -> {
                    message(out, 'Z', new byte[]{(byte) (inTransaction ? 'T' : 'I')});
                    out.flush();
                }
                default -> {
                    // nothing else is sent by the driver for a scan
                }
            }
        }
    }

    private static boolean select(String sql) {
        return sql.stripLeading().regionMatches(true, 0, "SELECT", 0, 6);
    }

    /** RowDescription of one json column for a SELECT, else NoData. */
    private static void describe(java.io.DataOutputStream out, String sql) throws java.io.IOException {
        if (!select(sql)) {
            message(out, 'n', new byte[0]);
            return;
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream d = new java.io.DataOutputStream(b);
        d.writeShort(1);
        d.write("json_build_object\0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        d.writeInt(0);                                                           // table
        d.writeShort(0);                                                         // column
        d.writeInt(114);                                                         // json
        d.writeShort(-1);                                                        // variable length
        d.writeInt(-1);                                                          // no modifier
        d.writeShort(0);                                                         // text
        message(out, 'T', b.toByteArray());
    }

    /** The row and CommandComplete; returns whether a transaction is open afterwards. */
    private static boolean execute(java.io.DataOutputStream out, String sql, byte[] answer, boolean inTransaction) throws java.io.IOException {
        String tag = sql.strip().split("\\s+", 2)[0].toUpperCase(java.util.Locale.ROOT);
        if (select(sql)) {
            java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream d = new java.io.DataOutputStream(b);
            d.writeShort(1);
            d.writeInt(answer.length);
            d.write(answer);
            message(out, 'D', b.toByteArray());
            tag = "SELECT 1";
        }
        message(out, 'C', (tag + '\0').getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return tag.equals("BEGIN") || (inTransaction && !tag.equals("ROLLBACK") && !tag.equals("COMMIT"));
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) if (b[i] == 0) return i;
        return b.length;
    }

    private static void message(java.io.DataOutputStream out, char type, byte[] body) throws java.io.IOException {
        out.writeByte(type);
        out.writeInt(body.length + 4);
        out.write(body);
    }
}
