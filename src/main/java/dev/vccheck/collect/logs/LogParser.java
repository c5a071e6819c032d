package dev.vccheck.collect.logs;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the last lines of a log into the lines worth keeping: PostgreSQL's WARNING, ERROR, FATAL and PANIC messages
 * (with the DETAIL and HINT that follow them), and Immich's WARN, ERROR and FATAL lines and thrown errors. Everything
 * else (LOG lines, stack frames, connection chatter) is dropped, except a LOG line right before a FATAL (its context:
 * "syntax error in file ... line 3"), so the facts hold the failure, not the log.
 * Identical lines are kept once with a count (a crash loop prints the same FATAL on every start).
 * <p>
 * Formats understood, one line at a time:
 * <ul>
 *   <li>PostgreSQL's stderr/text log: anything (log_line_prefix), then {@code LEVEL:  message}
 *       (e.g. {@code 2026-12-02 15:36:33.842 UTC [14309] FATAL:  could not access file "vectors.so": ...});</li>
 *   <li>CloudNativePG's JSON lines: {@code {"logger":"postgres","msg":"record","record":{"error_severity":"FATAL",
 *       "message":"...","detail":"...","hint":"..."}}} (its csvlog record), or a raw PostgreSQL line in
 *       {@code msg} (what the instance manager passes on from pg_ctl/postgres stderr before the log collector runs);
 *       https://cloudnative-pg.io/documentation/current/logging/;</li>
 *   <li>Immich's server (NestJS console logger): {@code [Nest] 7  - 12/02/2026, 3:04:05 PM   FATAL [Api:DatabaseService] ...},
 *       and thrown errors printed unindented: {@code PostgresError: ...}, {@code Error: No vector extension found. ...}.</li>
 * </ul>
 */
public final class LogParser {
    /** A kept line: kind postgres or immich; level as the log wrote it (FATAL, ERROR, WARN, DETAIL ...). */
    public record Line(String kind, String level, String text) {
    }

    static final Set<String> PG_KEEP = Set.of("WARNING", "ERROR", "FATAL", "PANIC");
    static final Set<String> PG_FOLLOW = Set.of("DETAIL", "HINT");
    static final Set<String> IMMICH_KEEP = Set.of("WARN", "ERROR", "FATAL");

    private static final Pattern PG = Pattern.compile(
            "^(?:.*?[\\s\\]])?(DEBUG[1-5]?|INFO|NOTICE|WARNING|ERROR|LOG|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):\\s+(.*)$");
    private static final Pattern NEST = Pattern.compile(
            "^(?:.*?\\s)?\\[Nest\\]\\s+\\d+\\s+-\\s+.*?\\s(LOG|WARN|ERROR|FATAL|DEBUG|VERBOSE)\\s+(\\[[^\\]]*\\]\\s*)?(.*)$");
    private static final Pattern THROWN = Pattern.compile("^(?:[A-Za-z_$][\\w$]*)?Error: .+");
    private static final Pattern PID = Pattern.compile("\\[(\\d+)\\]");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    static final int MAX_TEXT = 2000;

    private LogParser() {
    }

    /** {@code defaultKind}: postgres or immich when the source is known to be one of them, null to decide per line. */
    public static Map<Line, Integer> parse(List<String> lines, String defaultKind) {
        Map<Line, Integer> kept = new LinkedHashMap<>();
        boolean lastKeptPg = false;
        Line previousLog = null;
        String previousPid = null;
        for (String raw : lines) {
            Matcher pm = PID.matcher(raw);
            String pid = pm.find() ? pm.group(1) : null;
            for (Line l : parseOne(raw, defaultKind)) {
                boolean keep;
                if (l.kind().equals("postgres")) {
                    keep = PG_KEEP.contains(l.level()) || PG_FOLLOW.contains(l.level()) && lastKeptPg;
                    if (!PG_FOLLOW.contains(l.level())) lastKeptPg = keep;
                    // The LOG line right before a FATAL is its context (e.g. which line of a configuration file is wrong).
                    // Only the same process's line: a crash loop's "database system is shut down" belongs to the start before.
                    if (keep && l.level().equals("FATAL") && previousLog != null && java.util.Objects.equals(pid, previousPid)) {
                        kept.merge(previousLog, 1, Integer::sum);
                    }
                    previousLog = l.level().equals("LOG") ? l : null;
                    previousPid = pid;
                } else {
                    keep = IMMICH_KEEP.contains(l.level());
                    lastKeptPg = false;
                    previousLog = null;
                }
                if (keep) kept.merge(l, 1, Integer::sum);
            }
        }
        return kept;
    }

    static List<Line> parseOne(String raw, String defaultKind) {
        String s = ANSI.matcher(raw).replaceAll("").stripTrailing();
        List<Line> out = new ArrayList<>();
        String t = s.strip();
        if (t.startsWith("{") && t.endsWith("}")) {
            try {
                JsonNode j = dev.vccheck.facts.PlainJson.readTree(t);
                JsonNode rec = j.path("record");
                if (rec.isObject() && rec.has("error_severity")) {
                    String level = rec.path("error_severity").asText();
                    out.add(new Line("postgres", level, clip(rec.path("message").asText())));
                    if (!rec.path("detail").asText().isEmpty()) out.add(new Line("postgres", "DETAIL", clip(rec.path("detail").asText())));
                    if (!rec.path("hint").asText().isEmpty()) out.add(new Line("postgres", "HINT", clip(rec.path("hint").asText())));
                    return out;
                }
                if (j.path("msg").isTextual()) {
                    // A raw line passed on by CNPG's instance manager (pg_ctl, postgres before its log collector).
                    for (String part : j.path("msg").asText().split("\n")) {
                        Line l = plain(part, "postgres");
                        if (l != null) out.add(l);
                    }
                    return out;
                }
            } catch (Exception e) {
                // Not JSON after all: read it as text.
            }
        }
        Line l = plain(s, defaultKind);
        if (l != null) out.add(l);
        return out;
    }

    private static Line plain(String s, String defaultKind) {
        if (!"postgres".equals(defaultKind)) {
            Matcher n = NEST.matcher(s);
            if (n.matches()) {
                String ctx = n.group(2) == null ? "" : n.group(2).strip() + " ";
                return new Line("immich", n.group(1), clip(ctx + n.group(3).strip()));
            }
            if (THROWN.matcher(s).matches()) return new Line("immich", "ERROR", clip(s.strip()));
        }
        if (!"immich".equals(defaultKind)) {
            Matcher m = PG.matcher(s);
            if (m.matches()) return new Line("postgres", m.group(1), clip(m.group(2).strip()));
        }
        return null;
    }

    private static String clip(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + " [...]";
    }
}
