package dev.vccheck.collect.postgres;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link PgTarget} the way Immich and libpq do. Problems are {@link IllegalArgumentException}s whose
 * messages never contain the password (the caller turns them into exit 2).
 * <ul>
 *   <li>URLs: {@code postgresql://} / {@code postgres://} (libpq URI: percent-encoded user and password, IPv6
 *   {@code [::1]}, {@code ?host=/socket/dir}, repeated query keys: the last wins, as in Immich's parser) and
 *   {@code jdbc:postgresql://}.</li>
 *   <li>Immich's variables: {@code DB_URL}, else {@code DB_HOSTNAME}, {@code DB_PORT}, {@code DB_USERNAME},
 *   {@code DB_PASSWORD}, {@code DB_DATABASE_NAME} with Immich's defaults (database, 5432, postgres, postgres,
 *   immich), {@code DB_SSL_MODE}, {@code DB_VECTOR_EXTENSION}.</li>
 *   <li>libpq's {@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD}, {@code PGDATABASE},
 *   {@code PGSSLMODE}, {@code PGSSLROOTCERT}, and {@code ~/.pgpass} (or {@code PGPASSFILE}) for a missing password.</li>
 * </ul>
 */
public final class PgTargets {
    private PgTargets() {
    }

    public static PgTarget fromUrl(String url, String source) {
        String rest;
        String lower = url.toLowerCase();
        if (lower.startsWith("jdbc:postgresql://")) rest = url.substring("jdbc:postgresql://".length());
        else if (lower.startsWith("postgresql://")) rest = url.substring("postgresql://".length());
        else if (lower.startsWith("postgres://")) rest = url.substring("postgres://".length());
        else throw new IllegalArgumentException("not a PostgreSQL URL (expected postgresql://user:password@host:port/database)");
        Map<String, String> q = new LinkedHashMap<>();
        int qm = rest.indexOf('?');
        if (qm >= 0) {
            for (String kv : rest.substring(qm + 1).split("&")) {
                if (kv.isEmpty()) continue;
                int eq = kv.indexOf('=');
                String k = decode(eq < 0 ? kv : kv.substring(0, eq));
                String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
                q.put(k, v); // repeated keys: the last one wins
            }
            rest = rest.substring(0, qm);
        }
        String db = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            db = decode(rest.substring(slash + 1));
            rest = rest.substring(0, slash);
        }
        String user = null, password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String info = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            if (colon >= 0) password = decode(info.substring(colon + 1));
        }
        String host = null;
        Integer port = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("IPv6 host without closing ']'");
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (after.startsWith(":")) port = port(after.substring(1));
            else if (!after.isEmpty()) throw new IllegalArgumentException("unexpected '" + after + "' after the IPv6 host");
        } else if (!rest.isEmpty()) {
            if (rest.contains(",")) throw new IllegalArgumentException("several hosts are not supported; give the primary's host");
            int colon = rest.lastIndexOf(':');
            host = decode(colon < 0 ? rest : rest.substring(0, colon));
            if (colon >= 0) port = port(rest.substring(colon + 1));
        }
        if (q.containsKey("host")) host = q.get("host");
        if (q.containsKey("port")) port = port(q.get("port"));
        if (q.containsKey("user")) user = q.get("user");
        if (q.containsKey("password")) password = q.get("password");
        if (q.containsKey("dbname")) db = q.get("dbname");
        String sslmode = q.get("sslmode");
        if (sslmode == null && q.containsKey("ssl")) {
            String ssl = q.get("ssl");
            sslmode = ssl.equals("true") || ssl.equals("1") ? "require" : ssl.equals("false") || ssl.equals("0") ? "disable" : badSsl(ssl);
        }
        return complete(host, port, db, user, password, sslmode, q.get("sslrootcert"), source, null, password == null ? "none" : "URL");
    }

    private static String badSsl(String ssl) {
        throw new IllegalArgumentException("ssl must be true, 1, false or 0, not '" + ssl + "'");
    }

    /** Immich's variables from an environment or a .env file; empty when none is set. */
    public static Optional<PgTarget> fromImmichEnv(Map<String, String> env, String source) {
        String ext = blankToNull(env.get("DB_VECTOR_EXTENSION"));
        String url = blankToNull(env.get("DB_URL"));
        if (url != null) {
            PgTarget t = fromUrl(url, source + " DB_URL");
            return Optional.of(new PgTarget(t.host(), t.port(), t.database(), t.user(), t.password(), t.sslmode(), t.sslrootcert(), t.source(), ext,
                    t.password() == null ? "none" : "DB_URL"));
        }
        List<String> keys = List.of("DB_HOSTNAME", "DB_PORT", "DB_USERNAME", "DB_PASSWORD", "DB_DATABASE_NAME", "DB_SSL_MODE");
        if (keys.stream().noneMatch(k -> blankToNull(env.get(k)) != null)) return Optional.empty();
        String host = def(env.get("DB_HOSTNAME"), "database");
        int port = port(def(env.get("DB_PORT"), "5432"));
        String from = blankToNull(env.get("DB_PASSWORD")) == null ? "default" : source.equals("environment") ? "DB_PASSWORD" : ".env";
        return Optional.of(complete(host, port, def(env.get("DB_DATABASE_NAME"), "immich"), def(env.get("DB_USERNAME"), "postgres"),
                def(env.get("DB_PASSWORD"), "postgres"), blankToNull(env.get("DB_SSL_MODE")), null, source + " DB_*", ext, from));
    }

    /** libpq's PG* variables; empty when none is set. */
    public static Optional<PgTarget> fromLibpqEnv(Map<String, String> env, String osUser) {
        List<String> keys = List.of("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSSLMODE");
        if (keys.stream().noneMatch(k -> blankToNull(env.get(k)) != null)) return Optional.empty();
        String user = def(env.get("PGUSER"), osUser);
        return Optional.of(complete(def(env.get("PGHOST"), "localhost"), port(def(env.get("PGPORT"), "5432")),
                def(env.get("PGDATABASE"), user), user, blankToNull(env.get("PGPASSWORD")), blankToNull(env.get("PGSSLMODE")),
                blankToNull(env.get("PGSSLROOTCERT")), "environment PG*", null, blankToNull(env.get("PGPASSWORD")) == null ? "none" : "PGPASSWORD"));
    }

    /**
     * Reads a .env file as docker compose does: KEY=VALUE lines, # comments, optional quotes and "export ". A UTF-8
     * byte order mark (Notepad writes one) is ignored; text that is not UTF-8 is refused with a message.
     */
    public static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : dev.vccheck.io.TextFiles.read(file, 1024 * 1024).split("\r?\n|\r")) {
            String line = raw.strip();
            if (line.startsWith("\uFEFF")) line = line.substring(1).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("export ")) line = line.substring(7).strip();
            int eq = line.indexOf('=');
            if (eq <= 0) continue;
            String k = line.substring(0, eq).strip();
            String v = line.substring(eq + 1).strip();
            if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                v = v.substring(1, v.length() - 1);
            } else {
                int hash = v.indexOf(" #");
                if (hash >= 0) v = v.substring(0, hash).strip();
            }
            out.put(k, v);
        }
        return out;
    }

    /** The password for a target from a .pgpass file (host:port:database:user:password, * wildcards, \ escapes). */
    public static Optional<String> fromPgpass(Path file, PgTarget t) {
        if (file == null || !Files.isReadable(file)) return Optional.empty();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) continue;
                List<String> f = splitPgpass(line);
                if (f.size() < 5) continue;
                if (match(f.get(0), t.isSocket() ? "localhost" : t.host()) && match(f.get(1), String.valueOf(t.port()))
                        && match(f.get(2), t.database()) && match(f.get(3), t.user())) {
                    return Optional.of(f.get(4));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean match(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    private static List<String> splitPgpass(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) sb.append(line.charAt(++i));
            else if (c == ':' && out.size() < 4) {
                out.add(sb.toString());
                sb.setLength(0);
            } else sb.append(c);
        }
        out.add(sb.toString());
        return out;
    }

    private static PgTarget complete(String host, Integer port, String db, String user, String password, String sslmode,
                                     String sslrootcert, String source, String ext, String passwordSource) {
        if (sslmode != null && !PgTarget.SSL_MODES.contains(sslmode)) {
            throw new IllegalArgumentException("sslmode '" + sslmode + "' is not one of " + String.join(", ", PgTarget.SSL_MODES));
        }
        String h = host == null || host.isEmpty() ? "localhost" : host;
        String u = user == null || user.isEmpty() ? "postgres" : user;
        return new PgTarget(h, port == null ? 5432 : port, db == null || db.isEmpty() ? u : db, u, password,
                sslmode == null ? "prefer" : sslmode, sslrootcert, source, ext, passwordSource);
    }

    private static int port(String s) {
        try {
            int p = Integer.parseInt(s.trim());
            if (p < 1 || p > 65535) throw new NumberFormatException();
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + s + "' is not a number from 1 to 65535");
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad percent-encoding in the URL");
        }
    }

    private static String def(String v, String d) {
        return v == null || v.isBlank() ? d : v.strip();
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.strip();
    }
}
