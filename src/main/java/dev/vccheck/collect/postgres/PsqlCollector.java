package dev.vccheck.collect.postgres;

import dev.vccheck.facts.CollectionStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.collect.Setting;
import dev.vccheck.facts.Facts;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Stage 1 for PostgreSQL through a command that runs psql ({@link PsqlChannel}). Sends exactly
 * {@code BEGIN READ ONLY;}, the catalog statement ({@link CatalogQueries}) and {@code ROLLBACK;} on standard input,
 * nothing else, and turns the one JSON line psql prints into facts with {@link CatalogFacts}, the same code the JDBC
 * path uses. One run of the command per scan (two when Immich's tables are locked: the second without them).
 * <p>
 * A rule's own {@code collect: sql} is not run through this channel: each such rule gets the error "not supported
 * through" the channel (worded by the caller, {@link Setting}) and ends in {@code error}. Running arbitrary rule SQL through psql would
 * need a second output format (typed rows) and a second statement per rule; the built-in rules need none.
 * <p>
 * The command is missing, exits non-zero, prints something that is not the catalog document, or runs past the
 * timeout: collection.postgres ends in {@code error} with a message that quotes the first lines it printed
 * (passwords redacted), so pg.connect fails and the scan exits 3.
 */
public final class PsqlCollector {
    private static final Pattern RETRY = Pattern.compile("55P03|57014|0A000|canceling statement due to (lock|statement) timeout|unsupported XML feature");
    private static final Pattern SECRET = Pattern.compile("(?i)(password|passwd|pwd|secret|token)(\\s*[=:]\\s*|\\s+)\\S+");
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@\\s]+:)[^@\\s]+@");

    private final Map<String, String> env;
    private final Setting.Words words;
    private int runs;

    /**
     * {@code env}: the environment vccheck was started with (its PATH finds the command); {@code words}: how the
     * messages name the settings they point to.
     */
    public PsqlCollector(Map<String, String> env, Setting.Words words) {
        this.env = env;
        this.words = words;
    }

    /** What one run of the command gave. */
    record Run(int exit, String out, String err, boolean timedOut) {
    }

    /** A failure that ends collection: the message is for the user. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    public void collect(Facts facts, PsqlChannel ch, PostgresCollector.Timeouts to, String vectorExtension,
                        Supplier<Map<String, String>> rulesSql) {
        ObjectNode source = facts.json().with("collection").putObject("postgres");
        source.put("label", ch.label()).put("via", ch.via());
        if (ch.interactive() != null) source.put("psql_command", ch.interactive());
        long start = System.nanoTime();
        try {
            String guardedLost = null;
            JsonNode doc;
            Run r = run(ch, CatalogQueries.statement(true), to);
            // psql without ON_ERROR_STOP (a --psql command of the user's) goes on to ROLLBACK and exits 0 after the error
            if (!r.timedOut() && RETRY.matcher(r.err()).find() && (r.exit() != 0 || !r.out().contains("{\"server\""))) {
                guardedLost = "could not read Immich's tables: " + firstLine(r.err().strip().replaceFirst("^(psql:[^:]*:\\d+: )?", ""));
                r = run(ch, CatalogQueries.statement(false), to);
            }
            doc = document(ch, r, to);
            ObjectNode pg = facts.json().putObject("pg");
            Map<String, String> unavailable = new LinkedHashMap<>();
            CatalogFacts.apply(doc, pg, unavailable, new CatalogFacts.Connection(ch.host(), null, null, null, null), vectorExtension, guardedLost);
            pg.with("connection").put("round_trips", runs);
            Map<String, String> custom = rulesSql.get();
            if (!custom.isEmpty()) {
                ObjectNode c = facts.json().putObject("custom");
                for (String id : custom.keySet()) {
                    c.putObject(id).put("error", "a rule's own SQL is not supported through " + words.of(setting(ch.via()))
                            + ": vccheck sends only its catalog statement through that channel; scan with " + words.of(Setting.DATABASE_URL) + " to run it");
                }
            }
            if (!unavailable.isEmpty()) {
                ObjectNode u = facts.json().with("unavailable");
                unavailable.forEach(u::put);
            }
            source.put("status", CollectionStatus.OK.id());
        } catch (Failure e) {
            facts.json().remove("pg");
            facts.json().remove("custom");
            source.put("status", CollectionStatus.ERROR.id());
            source.put("message", e.getMessage());
            source.put("cause", ConnectionFailure.Cause.COMMAND_FAILED.id());
        }
        source.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
    }

    private static Setting setting(String via) {
        return switch (via) {
            case "docker" -> Setting.DOCKER_CONTAINER;
            case "kube-exec" -> Setting.KUBE_EXEC;
            default -> Setting.PSQL_COMMAND;
        };
    }

    /** The catalog document from what the command printed, or a Failure that quotes it. */
    private JsonNode document(PsqlChannel ch, Run r, PostgresCollector.Timeouts to) throws Failure {
        String what = "'" + redact(ch.via().equals("psql") ? String.join(" ", ch.command()) : ch.host() + " psql") + "'";
        if (r.timedOut()) {
            throw new Failure(what + " did not finish within " + timeout(to) + " s (" + words.of(Setting.CONNECT_TIMEOUT) + " + " + words.of(Setting.STATEMENT_TIMEOUT) + ")" + printed(r));
        }
        if (r.exit() != 0) {
            throw new Failure(what + " exited with status " + r.exit() + printed(r));
        }
        for (String line : r.out().split("\n")) {
            String l = line.strip();
            if (!l.startsWith("{")) continue;
            try {
                JsonNode doc = dev.vccheck.facts.PlainJson.readTree(l);
                if (doc.path("server").has("version_num")) return doc;
            } catch (IOException e) {
                // not the document: keep looking, then fail below
            }
        }
        throw new Failure(what + " did not print vccheck's catalog document (is it psql, connected to the database?)" + printed(r));
    }

    private static int timeout(PostgresCollector.Timeouts to) {
        return to.connect() + to.statement();
    }

    /** ": it printed: first lines" of standard error, then standard output; or that it printed nothing. */
    private static String printed(Run r) {
        List<String> lines = new ArrayList<>();
        for (String s : (r.err() + "\n" + r.out()).split("\n")) {
            if (!s.isBlank()) lines.add(s.strip());
        }
        if (lines.isEmpty()) return "; it printed nothing";
        List<String> first = lines.subList(0, Math.min(5, lines.size()));
        String text = String.join(" | ", first.stream().map(s -> s.length() > 200 ? s.substring(0, 200) + "…" : s).toList());
        return "; it printed: " + redact(text) + (lines.size() > first.size() ? " | … (" + (lines.size() - first.size()) + " more lines)" : "");
    }

    /** Passwords in what a command printed or was called with: key=value / key: value forms and URL user:password@. */
    static String redact(String s) {
        s = URL_PASSWORD.matcher(s).replaceAll("$1********@");
        return SECRET.matcher(s).replaceAll("$1$2********");
    }

    /** Runs the command once with BEGIN READ ONLY; statement; ROLLBACK; on its standard input. */
    private Run run(PsqlChannel ch, String statement, PostgresCollector.Timeouts to) throws Failure {
        runs++;
        List<String> cmd = new ArrayList<>(ch.command());
        String program = cmd.get(0);
        Path exe = PsqlChannel.onPath(program, env).orElseThrow(() -> new Failure(switch (ch.via()) {
            case "docker" -> words.of(Setting.DOCKER_CONTAINER) + " needs docker or podman, and neither is on PATH";
            case "kube-exec" -> words.of(Setting.KUBE_EXEC) + " needs kubectl, and it is not on PATH";
            default -> words.of(Setting.PSQL_COMMAND) + ": '" + program + "' is not " + (program.contains("/") ? "an executable file" : "on PATH");
        }));
        cmd.set(0, exe.toString());
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("vccheck-psql", ".out");
            err = Files.createTempFile("vccheck-psql", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (env.containsKey("PATH")) pb.environment().put("PATH", env.get("PATH"));
            pb.environment().putAll(ch.env());
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(("BEGIN READ ONLY;\n" + statement + ";\nROLLBACK;\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the command did not read its input (it exited early): its exit status and output say why
            }
            boolean done = p.waitFor(timeout(to), TimeUnit.SECONDS);
            if (!done) {
                // The command first (so a shell in between does not report its killed child), then what it started.
                List<ProcessHandle> started = p.descendants().toList();
                p.destroyForcibly();
                started.forEach(ProcessHandle::destroyForcibly);
                p.waitFor(5, TimeUnit.SECONDS);
            }
            return new Run(done ? p.exitValue() : -1, read(out), read(err), !done);
        } catch (IOException e) {
            throw new Failure("cannot run '" + program + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while running '" + program + "'");
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static String read(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        return new String(b, 0, Math.min(b.length, 16 * 1024 * 1024), StandardCharsets.UTF_8);
    }

    private static void delete(Path p) {
        if (p == null) return;
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary file left behind
        }
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse(s);
    }
}
