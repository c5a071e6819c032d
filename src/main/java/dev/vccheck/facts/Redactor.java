package dev.vccheck.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redaction happens on the facts, before anything is rendered or saved, so a bundle and every report format agree.
 * {@code secrets} (the default) removes passwords, tokens and credentials in connection strings wherever a string
 * holds them (vccheck never collects a password, this is the second line). {@code all} also replaces host names,
 * IP addresses, user, role, database and namespace names with stable placeholders (host-1, user-1, ...): the same
 * name gets the same placeholder everywhere in one document. Loopback addresses (localhost, 127.x) identify nobody
 * and are kept. A name is replaced only as a whole word: "immich" becomes namespace-1, but a pod named
 * immich-cnpg-main-2 keeps its name (object names are what the fixes need). The kinds redacted are listed in meta.redaction.
 */
public final class Redactor {
    public enum Level {
        none, secrets, all
    }

    static final Pattern URL_CREDENTIALS = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^:/@\\s]*):([^@\\s]*)@");
    static final Pattern KEY_VALUE = Pattern.compile("(?i)\\b(password|passwd|pwd|token|secret|api[_-]?key)(\\s*[=:]\\s*)([^\\s&;,'\"]+)");
    static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer)\\s+[A-Za-z0-9._~+/=-]{8,}");
    private static final Pattern IPV4 = Pattern.compile("\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b");

    private Redactor() {
    }

    public static void apply(Facts facts, Level level) {
        ObjectNode doc = facts.json();
        Set<String> kinds = new TreeSet<>();
        if (level != Level.none) {
            walk(doc, s -> {
                String r = secrets(s);
                if (!r.equals(s)) kinds.add("secrets");
                return r;
            });
        }
        if (level == Level.all) {
            Map<String, String> names = new LinkedHashMap<>();
            Map<String, Integer> counters = new LinkedHashMap<>();
            collect(doc, "/pg/connection/host", "host", names, counters, kinds);
            collect(doc, "/collection/postgres/host", "host", names, counters, kinds);
            collect(doc, "/k8s/server", "host", names, counters, kinds);
            for (String p : List.of("/pg/connection/user", "/pg/role/name", "/pg/database/owner")) collect(doc, p, "user", names, counters, kinds);
            doc.at("/pg/role/member_of").forEach(n -> add(n.asText(), "user", names, counters, kinds));
            doc.at("/pg/sessions").forEach(n -> {
                add(n.path("user").asText(null), "user", names, counters, kinds);
                add(n.path("database").asText(null), "database", names, counters, kinds);
                add(n.path("client").asText(null), "ip", names, counters, kinds);
            });
            for (String p : List.of("/pg/connection/database", "/pg/database/name")) collect(doc, p, "database", names, counters, kinds);
            collect(doc, "/k8s/namespace", "namespace", names, counters, kinds);
            collect(doc, "/k8s/context", "context", names, counters, kinds);
            // Log lines name users, databases and hosts the other facts may not (the database was down).
            doc.at("/logs/lines").forEach(n -> learn(n.path("text").asText(""), names, counters, kinds));
            // Longest first, so that a name inside another name is not replaced half-way.
            List<String> keys = new ArrayList<>(names.keySet());
            keys.sort(Comparator.comparingInt(String::length).reversed());
            List<Pattern> patterns = new ArrayList<>();
            for (String k : keys) patterns.add(Pattern.compile("(?<![A-Za-z0-9_-])" + Pattern.quote(k) + "(?![A-Za-z0-9_-])"));
            walk(doc, s -> {
                String r = s;
                for (int i = 0; i < keys.size(); i++) r = patterns.get(i).matcher(r).replaceAll(Matcher.quoteReplacement(names.get(keys.get(i))));
                Matcher ip = IPV4.matcher(r);
                StringBuilder sb = new StringBuilder();
                while (ip.find()) {
                    String v = ip.group();
                    if (!v.startsWith("127.")) {
                        kinds.add("ip addresses");
                        ip.appendReplacement(sb, Matcher.quoteReplacement(names.computeIfAbsent(v, x -> "ip-" + counters.merge("ip", 1, Integer::sum))));
                    }
                }
                ip.appendTail(sb);
                return sb.toString();
            });
        }
        ObjectNode meta = doc.with("meta").putObject("redaction");
        meta.put("level", level.name());
        ArrayNode k = meta.putArray("kinds");
        kinds.forEach(k::add);
    }

    private static final Pattern LOG_URL = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://([^:/@\\s]+)(?::[^@\\s]*)?@([^:/\\s?]+)(?::\\d+)?(?:/([A-Za-z0-9_-]+))?");
    private static final Pattern LOG_NAMED = Pattern.compile("\\b(user|role|database|host)(?: \"([^\"]+)\"|=([^\\s,;\"]+))");

    /** Names in a log line: a connection URL's user, host and database; user "x", database "x", host=x and the like. */
    private static void learn(String text, Map<String, String> names, Map<String, Integer> counters, Set<String> kinds) {
        Matcher u = LOG_URL.matcher(text);
        while (u.find()) {
            add(u.group(1), "user", names, counters, kinds);
            add(u.group(2), "host", names, counters, kinds);
            if (u.group(3) != null) add(u.group(3), "database", names, counters, kinds);
        }
        Matcher m = LOG_NAMED.matcher(text);
        while (m.find()) {
            String v = m.group(2) != null ? m.group(2) : m.group(3);
            String kind = switch (m.group(1)) {
                case "role" -> "user";
                default -> m.group(1);
            };
            // The default superuser's name identifies nobody, and is also a word the facts use (kind: postgres).
            if (!v.equals("postgres")) add(v, kind, names, counters, kinds);
        }
    }

    private static void collect(ObjectNode doc, String pointer, String kind, Map<String, String> names, Map<String, Integer> counters, Set<String> kinds) {
        JsonNode n = doc.at(pointer);
        if (n.isTextual()) {
            String v = n.asText();
            if (kind.equals("host")) v = v.replaceFirst("^[a-z]+://", "").replaceFirst("[:/].*$", "");
            add(v, kind, names, counters, kinds);
        }
    }

    private static void add(String v, String kind, Map<String, String> names, Map<String, Integer> counters, Set<String> kinds) {
        if (v == null || v.isBlank() || names.containsKey(v) || v.matches("(host|user|database|namespace|context|ip)-\\d+")) return;
        if (kind.equals("host") && (v.equals("localhost") || v.startsWith("127."))) return;
        names.put(v, kind + "-" + counters.merge(kind, 1, Integer::sum));
        kinds.add(switch (kind) {
            case "host" -> "hosts";
            case "user" -> "users and roles";
            case "database" -> "databases";
            case "namespace" -> "namespaces";
            case "context" -> "kubernetes contexts";
            default -> "ip addresses";
        });
    }

    /**
     * {@code s} with its credentials redacted. A pattern runs only on a value that holds what it cannot match without
     * (the URL's "://" and "@", a key's name, "bearer"): most values hold none, and running all three on every value
     * of the facts was 8 ms of a scan (bench/results.md). The patterns are ASCII-case-insensitive, so a lower-cased
     * copy holds every name they match.
     */
    static String secrets(String s) {
        String r = s;
        if (r.contains("://") && r.indexOf('@') >= 0) r = URL_CREDENTIALS.matcher(r).replaceAll("$1:[redacted]@");
        String lower = r.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("pass") || lower.contains("pwd") || lower.contains("token") || lower.contains("secret") || lower.contains("api")) {
            r = KEY_VALUE.matcher(r).replaceAll("$1$2[redacted]");
        }
        if (lower.contains("bearer")) r = BEARER.matcher(r).replaceAll("$1 [redacted]");
        return r;
    }

    interface Edit {
        String apply(String s);
    }

    /** Applies the edit to every string value and every object key (map keys can be names too). */
    private static void walk(JsonNode node, Edit edit) {
        if (node instanceof ObjectNode o) {
            List<String> fields = new ArrayList<>();
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) fields.add(it.next());
            for (String f : fields) {
                JsonNode v = o.get(f);
                // kind and level hold enumerations (postgres, immich, FATAL), never a name.
                if (v.isTextual() && (f.equals("kind") || f.equals("level"))) continue;
                if (v.isTextual()) o.set(f, TextNode.valueOf(edit.apply(v.asText())));
                else walk(v, edit);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isTextual()) a.set(i, TextNode.valueOf(edit.apply(a.get(i).asText())));
                else walk(a.get(i), edit);
            }
        }
    }
}
