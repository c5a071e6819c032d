import dev.vccheck.collect.postgres.PgTargets;
import dev.vccheck.collect.postgres.PostgresCollector;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.StandIns;
import dev.vccheck.facts.Facts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * vccheck's benchmark, one run on one machine: round trips per scan, server-side time of the collector's
 * statements for 10,000 and 1,000,000 smart_search rows, whole-process wall time of a scan against psql running the
 * same statements and a minimal JDBC program (the JVM floor), rule loading and evaluation, peak memory.
 * Run through bench/run.sh, which writes bench/results.md.
 */
public class Bench {
    static final int RUNS = 11;

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(args[0]);
        Path work = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "vccheck-bench"));
        StandIns.Profile profile = StandIns.Profile.of("0.8.0", "0.4.3", "0.2.0");
        StringBuilder md = new StringBuilder();
        try (EmbeddedServer s = EmbeddedServer.start(work, "classpath", null, profile, "vchord.so, vectors.so")) {
            ImmichDatabase.create(s, "rows10k", ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS).rows(10_000));
            ImmichDatabase.create(s, "rows1m", ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS).rows(1_000_000));
            // Settle the server first, so that autovacuum working through a million new rows does not share the two
            // cores with the timed runs.
            for (String db : List.of("rows10k", "rows1m")) {
                try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement()) {
                    st.execute("VACUUM (ANALYZE)");
                    st.execute("CHECKPOINT");
                }
            }
            var small = collect(s, "rows10k");
            var big = collect(s, "rows1m");
            double smallMs = serverTime(s, "rows10k", small.statements());
            double bigMs = serverTime(s, "rows1m", big.statements());
            Path sql = Files.createTempFile("collector", ".sql");
            Files.writeString(sql, String.join(";\n", big.statements()) + ";\n");
            String url = "postgresql://postgres@127.0.0.1:" + s.port() + "/rows1m?sslmode=disable";
            Path floorDir = Files.createTempDirectory("floor");
            Files.writeString(floorDir.resolve("Floor.java"), """
                    import java.sql.*;
                    public class Floor { public static void main(String[] a) throws Exception {
                      int rows = 0;
                      try (Connection c = DriverManager.getConnection(a[0], "postgres", null); Statement st = c.createStatement()) {
                        for (int i = 1; i < a.length; i++) try (ResultSet r = st.executeQuery(a[i])) { while (r.next()) rows++; }
                      }
                      System.out.println(rows);
                    }}
                    """);
            run(List.of("javac", "-d", floorDir.toString(), floorDir.resolve("Floor.java").toString()));
            List<String> floorCmd = new ArrayList<>(List.of("java", "-cp", floorDir + ":" + repo.resolve("target/vccheck.jar"), "Floor",
                    "jdbc:postgresql://127.0.0.1:" + s.port() + "/rows1m"));
            floorCmd.addAll(big.statements());
            Map<String, List<String>> commands = new java.util.LinkedHashMap<>();
            commands.put("version", List.of(repo.resolve("vccheck").toString(), "--version"));
            commands.put("scan", List.of(repo.resolve("vccheck").toString(), "scan", "--db-url", url, "--format", "json", "-q"));
            commands.put("jar", List.of("java", "-jar", repo.resolve("target/vccheck.jar").toString(), "scan", "--db-url", url, "--format", "json", "-q"));
            if (Files.isExecutable(Path.of("/usr/bin/psql"))) {
                commands.put("psql", List.of("/usr/bin/psql", "-X", "-q", "-h", "127.0.0.1", "-p", String.valueOf(s.port()), "-U", "postgres", "-d", "rows1m",
                        "-f", sql.toString(), "-o", "/dev/null"));
            }
            commands.put("floor", floorCmd);
            Map<String, Double> median = interleaved(commands);
            double version = median.get("version"), scan = median.get("scan"), jar = median.get("jar"), floor = median.get("floor");
            double psql = median.getOrDefault("psql", Double.NaN);
            String rules = output(List.of(repo.resolve("vccheck").toString(), "scan", "--db-url", url, "--format", "json", "-o", "/dev/null", "-v"))
                    .lines().filter(l -> l.startsWith("rules:")).findFirst().orElse("rules: ?");
            String peak = Files.isExecutable(Path.of("/usr/bin/time"))
                    ? output(List.of("/usr/bin/time", "-f", "peak %M KB", "java", "-jar", repo.resolve("target/vccheck.jar").toString(), "scan", "--db-url", url, "--format", "json", "-q"))
                    .lines().filter(l -> l.startsWith("peak")).findFirst().orElse("?") : "?";
            md.append("| measure | value |\n|---|---|\n");
            md.append("| round trips per scan after connecting (10k / 1M rows) | ").append(small.statements().size()).append(" / ").append(big.statements().size())
                    .append(small.statements().equals(big.statements()) ? " (the same statements)" : " (DIFFERENT statements)").append(" |\n");
            md.append(String.format("| server-side time of those statements, median of %d (EXPLAIN ANALYZE), 10k rows | %.2f ms |%n", RUNS, smallMs));
            md.append(String.format("| the same, 1,000,000 rows | %.2f ms (ratio 1M/10k: %.2f) |%n", bigMs, bigMs / smallMs));
            md.append(String.format("| wall time, `./vccheck --version` (JVM start, command line; no rules, no database) | %.0f ms |%n", version));
            md.append(String.format("| wall time, `./vccheck scan --format json` (CDS + C1); every wall time: median of %d interleaved rounds | %.0f ms |%n", RUNS, scan));
            md.append(String.format("| wall time, `java -jar target/vccheck.jar scan --format json` | %.0f ms |%n", jar));
            md.append(String.format("| wall time, `psql -f` with the same statements | %.0f ms (vccheck / psql: %.1fx) |%n", psql, scan / psql));
            md.append(String.format("| wall time, minimal JDBC program with the same statements (the JVM floor) | %.0f ms (vccheck / floor: %.2fx; plain jar: %.2fx) |%n", floor, scan / floor, jar / floor));
            md.append("| rule loading and evaluation (built-in packs, fresh process via ./vccheck) | ").append(rules.replace("rules: ", "")).append(" |\n");
            md.append("| peak memory of a scan (`java -jar`, max RSS) | ").append(peak.replace("peak ", "")).append(" |\n");
        }
        System.out.print(md);
    }

    static PostgresCollector.Result collect(EmbeddedServer s, String db) {
        Facts f = new Facts(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
        return new PostgresCollector().collect(f, PgTargets.fromUrl("postgresql://postgres@127.0.0.1:" + s.port() + "/" + db + "?sslmode=disable", "bench"),
                PostgresCollector.Timeouts.defaults(), Map.of());
    }

    static double serverTime(EmbeddedServer s, String db, List<String> statements) throws Exception {
        List<Double> total = new ArrayList<>();
        try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement()) {
            for (int i = 0; i < RUNS + 2; i++) {
                double sum = 0;
                for (String q : statements) {
                    try (ResultSet r = st.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) " + q)) {
                        r.next();
                        var plan = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.getString(1)).get(0);
                        sum += plan.get("Execution Time").asDouble() + plan.path("Planning Time").asDouble();
                    }
                }
                if (i >= 2) total.add(sum);
            }
        }
        Collections.sort(total);
        return total.get(total.size() / 2);
    }

    /**
     * Each command once per round, {@code RUNS} rounds after one warm-up round, so that a slow spell of the machine
     * (a shared, virtual one) costs every command alike and the ratios stay fair; the median of each.
     */
    static Map<String, Double> interleaved(Map<String, List<String>> commands) throws Exception {
        Map<String, List<Long>> ms = new java.util.LinkedHashMap<>();
        for (int round = 0; round <= RUNS; round++) {
            for (Map.Entry<String, List<String>> c : commands.entrySet()) {
                long t = run(c.getValue());
                if (round > 0) ms.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(t);
            }
        }
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        ms.forEach((k, l) -> {
            Collections.sort(l);
            out.put(k, (double) l.get(l.size() / 2));
        });
        return out;
    }

    static long run(List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    static String output(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
