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
import java.util.Optional;

/**
 * vccheck's benchmark, one run on one machine: round trips per scan, server-side time of the collector's
 * statements for 10,000 and 1,000,000 smart_search rows, whole-process wall time of a scan against psql running the
 * same statements and a minimal JDBC program (the JVM floor, on the default Java), rule loading and evaluation, peak
 * memory; the launcher's columns side by side for the default Java (CDS archive) and Java 25 (AOT cache) when one
 * is installed.
 * Run through bench/run.sh, which writes bench/results.md.
 */
public class Bench {
    static final int RUNS = 11;

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--find-java25")) {
            java25().ifPresent(System.out::println);
            return;
        }
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
            String java17 = ProcessHandle.current().info().command().orElse("java");   // the default Java: run.sh's `java`
            int feature17 = Runtime.version().feature();
            Optional<String> java25 = java25();
            // pgjdbc from its own jar (the build copies it to target/bench): a minimal JDBC program does not open
            // vccheck's 23,000-entry jar, which alone costs a JVM ~20 ms.
            Path pgjdbc;
            try (var jars = Files.list(repo.resolve("target/bench"))) {
                pgjdbc = jars.filter(j -> j.getFileName().toString().matches("postgresql-.*\\.jar")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no pgjdbc jar in target/bench: run mvn package"));
            }
            List<String> floorArgs = new ArrayList<>(List.of("-cp", floorDir + ":" + pgjdbc, "Floor",
                    "jdbc:postgresql://127.0.0.1:" + s.port() + "/rows1m"));
            floorArgs.addAll(big.statements());
            String launcher = repo.resolve("vccheck").toString(), jarPath = repo.resolve("target/vccheck.jar").toString();
            List<String> scanArgs = List.of("scan", "--db-url", url, "--format", "json", "-q");
            Map<String, List<String>> commands = new java.util.LinkedHashMap<>();
            Map<String, String> javas = new java.util.LinkedHashMap<>();
            javas.put("17", java17);
            java25.ifPresent(j -> javas.put("25", j));
            for (Map.Entry<String, String> j : javas.entrySet()) {
                output(List.of("env", "VCCHECK_JAVA=" + j.getValue(), launcher, "--version"));   // trains the archive or cache first
                commands.put("version" + j.getKey(), List.of("env", "VCCHECK_JAVA=" + j.getValue(), launcher, "--version"));
                commands.put("scan" + j.getKey(), concat(List.of("env", "VCCHECK_JAVA=" + j.getValue(), launcher), scanArgs));
                commands.put("jar" + j.getKey(), concat(List.of(j.getValue(), "-jar", jarPath), scanArgs));
                commands.put("floor" + j.getKey(), concat(List.of(j.getValue()), floorArgs));
            }
            if (Files.isExecutable(Path.of("/usr/bin/psql"))) {
                commands.put("psql", List.of("/usr/bin/psql", "-X", "-q", "-h", "127.0.0.1", "-p", String.valueOf(s.port()), "-U", "postgres", "-d", "rows1m",
                        "-f", sql.toString(), "-o", "/dev/null"));
            }
            String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
            Map<String, Double> median = interleaved(commands);
            String loadAfter = Files.readString(Path.of("/proc/loadavg")).trim();
            double floor = median.get("floor17"), psql = median.getOrDefault("psql", Double.NaN);
            Map<String, String> rules = new java.util.LinkedHashMap<>(), peak = new java.util.LinkedHashMap<>(), floorPeak = new java.util.LinkedHashMap<>();
            boolean time = Files.isExecutable(Path.of("/usr/bin/time"));
            for (Map.Entry<String, String> j : javas.entrySet()) {
                List<String> env = List.of("env", "VCCHECK_JAVA=" + j.getValue(), launcher);
                rules.put(j.getKey(), output(concat(env, List.of("scan", "--db-url", url, "--format", "json", "-o", "/dev/null", "-v")))
                        .lines().filter(l -> l.startsWith("rules:")).findFirst().orElse("rules: ?").replace("rules: ", ""));
                peak.put(j.getKey(), time ? maxRss(concat(env, scanArgs)) : "?");
                floorPeak.put(j.getKey(), time ? maxRss(concat(List.of(j.getValue()), floorArgs)) : "?");
            }
            md.append("Load average (1, 5, 15 min) before the timed rounds: ").append(loadBefore.split(" ", 4)[0]).append(' ')
                    .append(loadBefore.split(" ", 4)[1]).append(' ').append(loadBefore.split(" ", 4)[2]).append("; after: ")
                    .append(String.join(" ", List.of(loadAfter.split(" ")).subList(0, 3))).append(" (").append(Runtime.getRuntime().availableProcessors())
                    .append(" cores). Every wall time: median of ").append(RUNS).append(" interleaved rounds (each command once per round). ")
                    .append("The floor: a minimal JDBC program that connects with pgjdbc (from its own jar) and runs the same statements, on the default Java (")
                    .append(feature17).append(").\n\n");
            md.append("| measure | value |\n|---|---|\n");
            md.append("| round trips per scan after connecting (10k / 1M rows) | ").append(small.statements().size()).append(" / ").append(big.statements().size())
                    .append(small.statements().equals(big.statements()) ? " (the same statements)" : " (DIFFERENT statements)").append(" |\n");
            md.append(String.format("| server-side time of those statements, median of %d (EXPLAIN ANALYZE), 10k rows | %.2f ms |%n", RUNS, smallMs));
            md.append(String.format("| the same, 1,000,000 rows | %.2f ms (ratio 1M/10k: %.2f) |%n", bigMs, bigMs / smallMs));
            md.append(String.format("| wall time, `psql -f` with the same statements | %.0f ms |%n", psql));
            md.append(String.format("| wall time, the floor (minimal JDBC program, Java %d) | %.0f ms |%n", feature17, floor));
            md.append("\n| measure | ").append(String.join(" | ", javas.keySet().stream().map(k -> "Java " + (k.equals("17") ? feature17 : k)
                    + (k.equals("17") ? " (CDS archive)" : " (AOT cache)")).toList())).append(" |\n|---|").append("---|".repeat(javas.size())).append('\n');
            row(md, "wall time, `./vccheck --version` (JVM start, command line; no rules, no database)", javas, k -> ms(median.get("version" + k), floor));
            row(md, "wall time, `./vccheck scan --format json` (/ the floor; / psql)", javas, k -> String.format("**%.0f ms** (**%.2fx**; %.1fx)",
                    median.get("scan" + k), median.get("scan" + k) / floor, median.get("scan" + k) / psql));
            row(md, "wall time, `java -jar target/vccheck.jar scan --format json` (no archive or cache)", javas, k -> ms(median.get("jar" + k), floor));
            row(md, "wall time, the floor program on this Java", javas, k -> ms(median.get("floor" + k), floor));
            row(md, "rule loading and evaluation (built-in packs, `./vccheck scan -v`)", javas, rules::get);
            row(md, "peak memory (max RSS), `./vccheck scan`", javas, peak::get);
            row(md, "peak memory (max RSS), the floor program", javas, floorPeak::get);
        }
        System.out.print(md);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static String ms(double v, double floor) {
        return String.format("%.0f ms (%.2fx the floor)", v, v / floor);
    }

    static void row(StringBuilder md, String measure, Map<String, String> javas, java.util.function.Function<String, String> cell) {
        md.append("| ").append(measure).append(" | ").append(String.join(" | ", javas.keySet().stream().map(cell).toList())).append(" |\n");
    }

    /** Peak resident memory of one run, by /usr/bin/time (GNU time's %M: the largest RSS of the process, in KB). */
    static String maxRss(List<String> cmd) throws Exception {
        List<String> timed = concat(List.of("/usr/bin/time", "-f", "peak %M KB"), cmd);
        return output(timed).lines().filter(l -> l.startsWith("peak")).findFirst().orElse("peak ?").replace("peak ", "");
    }

    /** Java 25 or newer: VCCHECK_BENCH_JAVA25 (bin/java or its JDK), else the first JDK 25+ under /usr/lib/jvm or /opt. */
    static Optional<String> java25() throws Exception {
        String given = System.getenv("VCCHECK_BENCH_JAVA25");
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            return Optional.of((Files.isDirectory(p) ? p.resolve("bin/java") : p).toString());
        }
        List<Path> homes = new ArrayList<>();
        for (Path root : List.of(Path.of("/usr/lib/jvm"), Path.of("/opt"))) {
            if (!Files.isDirectory(root)) continue;
            try (var w = Files.walk(root, 3)) {
                w.filter(p -> p.getFileName() != null && p.getFileName().toString().equals("release")).map(Path::getParent).forEach(homes::add);
            }
        }
        return homes.stream().filter(h -> feature(h) >= 25 && Files.isExecutable(h.resolve("bin/java"))).sorted()
                .map(h -> h.resolve("bin/java").toString()).findFirst();
    }

    static int feature(Path home) {
        try {
            var m = java.util.regex.Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (Exception e) {
            return 0;
        }
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
