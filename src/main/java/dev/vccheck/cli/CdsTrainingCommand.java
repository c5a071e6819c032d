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
 * Hidden: the training run of the class-data-sharing archive. The launcher ({@code ./vccheck}) runs it once after a
 * build with {@code -XX:ArchiveClassesAtExit}, so the archive holds the classes a scan loads (rule loading, CEL,
 * analysis, every renderer, the JDBC driver's connect path), not just those of whatever command happened to run
 * first. It goes through the real entry point: it analyzes a bundle collected from a real server (shipped in the
 * jar) in every format, scans a stand-in server on this machine's loopback address that lets the JDBC driver log in
 * and then refuses every query (the driver's connect and query paths), and tries a closed port; nothing is printed,
 * nothing leaves the machine.
 */
@Command(name = "cds-training", hidden = true)
final class CdsTrainingCommand implements java.util.concurrent.Callable<Integer> {
    static final String BUNDLE = "cds/pgvectors-dual.json";

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("vccheck-cds");
        Path bundle = dir.resolve("bundle.json");
        try (InputStream in = CdsTrainingCommand.class.getClassLoader().getResourceAsStream(BUNDLE)) {
            if (in == null) throw new IllegalStateException("missing resource " + BUNDLE);
            Files.copy(in, bundle);
        }
        PrintWriter none = new PrintWriter(Writer.nullWriter());
        try {
            List<String> formats = List.of("json", "text", "markdown", "junit", "html");
            for (String f : formats) {
                VcCheck.run(none, none, false, Map.of(), "analyze", bundle.toString(), "--format", f, "-o", dir.resolve("report." + f).toString());
            }
            try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                Thread t = new Thread(() -> standIn(server), "vccheck-cds-server");
                t.setDaemon(true);
                t.start();
                VcCheck.run(none, none, false, Map.of(), "scan", "--db-url", "postgresql://vccheck@127.0.0.1:" + server.getLocalPort() + "/immich?sslmode=disable",
                        "--connect-timeout", "2", "--statement-timeout", "2", "--format", "json", "-o", dir.resolve("scan.json").toString());
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

    /**
     * Just enough of PostgreSQL's protocol (v3) for one client: authentication succeeds without a password, the
     * server reports the parameters the driver insists on, and every query is refused with an error.
     */
    private static void standIn(java.net.ServerSocket server) {
        try (java.net.Socket s = server.accept()) {
            s.setSoTimeout(5000);
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream()));
            in.readNBytes(in.readInt() - 4);                                         // StartupMessage
            message(out, 'R', new byte[]{0, 0, 0, 0});                               // AuthenticationOk
            for (String[] p : new String[][]{{"server_version", "16.4"}, {"client_encoding", "UTF8"}, {"DateStyle", "ISO, MDY"},
                    {"integer_datetimes", "on"}, {"standard_conforming_strings", "on"}, {"TimeZone", "UTC"}, {"is_superuser", "on"}}) {
                message(out, 'S', (p[0] + '\0' + p[1] + '\0').getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            message(out, 'K', new byte[]{0, 0, 0, 1, 0, 0, 0, 2});                   // BackendKeyData
            message(out, 'Z', new byte[]{'I'});                                      // ReadyForQuery
            out.flush();
            byte[] error = "SERROR\0VERROR\0C42501\0Mthis is vccheck's class-data-sharing training\0\0".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            while (true) {
                int type = in.read();
                if (type < 0 || type == 'X') return;
                in.readNBytes(in.readInt() - 4);
                if (type == 'S' || type == 'Q') {
                    message(out, 'E', error);
                    message(out, 'Z', new byte[]{'I'});
                    out.flush();
                }
            }
        } catch (java.io.IOException e) {
            // The client went away: training is over.
        }
    }

    private static void message(java.io.DataOutputStream out, char type, byte[] body) throws java.io.IOException {
        out.writeByte(type);
        out.writeInt(body.length + 4);
        out.write(body);
    }
}
