package dev.vccheck.collect.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.facts.Facts;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Stage 1 for PostgreSQL: connects read-only and records facts. It never judges: a failure to connect or to read a
 * fact is recorded (collection.postgres, unavailable) and the rules decide what it means.
 * <p>
 * The session, read-only by construction: {@code statement_timeout}, {@code lock_timeout=1s}, {@code idle_in_transaction_session_timeout}
 * and {@code application_name=vccheck} are set in the startup packet (no round trip, in force before the first
 * statement); the connection is {@code readOnly} with pgjdbc's {@code readOnlyMode=always}, so every statement runs
 * inside {@code BEGIN READ ONLY}, which no statement can switch back to read-write. One deliberate difference from
 * a session-wide {@code default_transaction_read_only=on}: leaving that setting alone lets the scan read the
 * server's own value, which is what decides whether Immich can write (a read-only server is a finding). Built-in facts take two
 * round trips after connecting ({@link CatalogQueries}). A rule's own SQL runs afterwards, one statement per rule,
 * inside a READ ONLY transaction that is rolled back.
 */
public final class PostgresCollector {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern READ_ONLY_SQL = Pattern.compile("(?is)^\\s*(select|with|values|table|show)\\b.*");

    /** Connection and statement timeouts, in seconds. */
    public record Timeouts(int connect, int statement) {
        public static Timeouts defaults() {
            return new Timeouts(10, 5);
        }
    }

    /** Everything a run recorded, including the statements it sent (tests compare them across databases). */
    public record Result(List<String> statements) {
    }

    private final List<String> statements = new ArrayList<>();

    /** Collects into {@code facts}: collection.postgres, pg, unavailable, custom. */
    public Result collect(Facts facts, PgTarget t, Timeouts timeouts, Map<String, String> customSql) {
        return collect(facts, t, timeouts, () -> customSql);
    }

    /**
     * The same, with the rules' own queries asked for only once the catalog has been read: a scan loads its rules
     * while it connects and reads the catalog.
     */
    public Result collect(Facts facts, PgTarget t, Timeouts timeouts, java.util.function.Supplier<Map<String, String>> rulesSql) {
        ObjectNode source = facts.json().with("collection").putObject("postgres");
        source.put("label", t.label());
        long start = System.nanoTime();
        boolean connected = false;
        try (Connection c = connect(t, timeouts)) {
            connected = true;
            ObjectNode pg = facts.json().putObject("pg");
            Map<String, String> unavailable = new LinkedHashMap<>();
            readCatalog(c, t, pg, unavailable);
            String lost = null;
            try {
                readImmichTables(c, pg, unavailable);
            } catch (SQLException e) {
                // A lock or a timeout on Immich's bookkeeping tables costs only the facts read from them; a lost
                // connection costs everything after it, and the catalog facts already read are kept.
                String why = lost(e) ? lost = lostMessage(e, t) : "could not read Immich's tables: " + firstLine(e.getMessage());
                for (String fact : List.of("pg.immich.version_history", "pg.immich.kysely_migrations", "pg.immich.typeorm_migrations")) {
                    unavailable.put(fact, why);
                }
            }
            Map<String, String> customSql = rulesSql.get();
            if (!customSql.isEmpty()) readCustom(c, t, facts.json().putObject("custom"), customSql, lost);
            pg.with("connection").put("round_trips", statements.size() - customSql.size());
            if (!unavailable.isEmpty()) {
                ObjectNode u = facts.json().with("unavailable");
                unavailable.forEach(u::put);
            }
            source.put("status", "ok");
        } catch (SQLException e) {
            facts.json().remove("pg");
            facts.json().remove("custom");
            source.put("status", "error");
            source.put("message", connected ? describeAfterConnect(e, t, timeouts) : describe(e, t, timeouts));
        }
        source.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
        return new Result(List.copyOf(statements));
    }

    static Connection connect(PgTarget t, Timeouts to) throws SQLException {
        Properties p = new Properties();
        if (t.isSocket()) {
            // libpq's socket host: a directory holding .s.PGSQL.<port>; no TLS over a local socket.
            p.setProperty("socketFactory", "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg");
            p.setProperty("socketFactoryArg", t.host() + "/.s.PGSQL." + t.port());
        }
        p.setProperty("user", t.user());
        t.passwordValue().ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", "vccheck");
        p.setProperty("connectTimeout", String.valueOf(to.connect()));
        p.setProperty("loginTimeout", String.valueOf(to.connect()));
        p.setProperty("socketTimeout", String.valueOf(to.statement() + to.connect()));
        p.setProperty("assumeMinServerVersion", "10");
        p.setProperty("readOnly", "true");
        p.setProperty("readOnlyMode", "always");
        p.setProperty("options", "-c statement_timeout=" + to.statement() * 1000
                + " -c lock_timeout=1000 -c idle_in_transaction_session_timeout=" + (to.statement() + to.connect()) * 1000);
        switch (t.isSocket() ? "disable" : t.sslmode()) {
            case "no-verify" -> {
                p.setProperty("sslmode", "require");
                p.setProperty("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
            }
            default -> p.setProperty("sslmode", t.sslmode());
        }
        if (t.sslrootcert() != null) p.setProperty("sslrootcert", t.sslrootcert());
        String host = t.isSocket() ? "localhost" : t.host().contains(":") ? "[" + t.host() + "]" : t.host();
        String url = "jdbc:postgresql://" + host + ":" + t.port() + "/" + URLEncoder.encode(t.database(), StandardCharsets.UTF_8).replace("+", "%20");
        DriverManager.setLoginTimeout(to.connect());
        Connection c = DriverManager.getConnection(url, p);
        c.setReadOnly(true);
        return c;
    }

    private JsonNode query(Connection c, String sql) throws SQLException {
        statements.add(sql);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return JSON.readTree(rs.getString(1));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("the server returned malformed JSON: " + e.getOriginalMessage());
        }
    }

    private void readCatalog(Connection c, PgTarget t, ObjectNode pg, Map<String, String> unavailable) throws SQLException {
        JsonNode r = query(c, CatalogQueries.CATALOG);
        ObjectNode conn = pg.putObject("connection");
        conn.put("host", t.host()).put("port", t.port()).put("database", t.database()).put("user", t.user())
                .put("ssl", !t.sslmode().equals("disable"));
        JsonNode settings = r.path("settings");
        ObjectNode server = pg.putObject("server");
        server.put("version", r.at("/server/version").asText());
        int num = r.at("/server/version_num").asInt();
        server.put("version_num", num).put("major", num / 10000);
        server.put("in_recovery", r.at("/server/in_recovery").asBoolean());
        // The server's (or database's, or role's) own default, what Immich's sessions get: reset_val, because the
        // driver's setReadOnly(true) changed this session's value.
        server.put("default_transaction_read_only", "on".equals(r.at("/server/default_transaction_read_only").asText()));
        ObjectNode s = pg.putObject("settings");
        settings.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("default_transaction_read_only")) s.put(e.getKey(), e.getValue().asText());
        });
        ObjectNode sources = pg.putObject("setting_sources");
        r.path("setting_sources").fields().forEachRemaining(e -> sources.put(e.getKey(), e.getValue().asText()));
        if (settings.has("shared_preload_libraries")) {
            List<String> entries = splitList(settings.get("shared_preload_libraries").asText());
            ArrayNode raw = pg.putArray("preload");
            ArrayNode names = pg.putArray("preload_names");
            for (String e : entries) {
                raw.add(e);
                names.add(libraryName(e));
            }
        } else {
            unavailable.put("pg.preload", "shared_preload_libraries is visible only to superusers and members of pg_read_all_settings");
            unavailable.put("pg.preload_names", "shared_preload_libraries is visible only to superusers and members of pg_read_all_settings");
        }
        if (r.hasNonNull("role")) pg.set("role", r.get("role"));
        JsonNode db = r.path("database");
        ObjectNode d = pg.putObject("database");
        d.put("name", db.path("name").asText()).put("owner", db.path("owner").asText())
                .put("owned_by_current_user", db.path("owned_by_current_user").asBoolean())
                .put("can_create", db.path("can_create").asBoolean());
        ObjectNode dbSettings = d.putObject("settings");
        for (JsonNode cfg : db.path("settings")) {
            String kv = cfg.asText();
            int eq = kv.indexOf('=');
            if (eq > 0) dbSettings.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        String sp = dbSettings.has("search_path") ? dbSettings.get("search_path").asText() : settings.path("search_path").asText("");
        ArrayNode path = d.putArray("search_path");
        for (String e : splitList(sp)) path.add(e);
        ObjectNode ext = pg.putObject("extensions");
        ObjectNode avail = ext.putObject("available");
        r.path("available").fields().forEachRemaining(e -> {
            ObjectNode a = avail.putObject(e.getKey());
            a.setAll((ObjectNode) e.getValue());
            if (r.path("versions").has(e.getKey())) a.set("versions", r.path("versions").get(e.getKey()));
        });
        ObjectNode inst = ext.putObject("installed");
        r.path("installed").fields().forEachRemaining(e -> inst.set(e.getKey(), e.getValue()));
        pg.set("schemas", r.path("schemas").isArray() ? r.get("schemas") : JsonNodeFactory.instance.arrayNode());
        ObjectNode emb = pg.putObject("embeddings");
        r.path("embeddings").fields().forEachRemaining(e -> {
            ObjectNode o = (ObjectNode) e.getValue();
            String formatted = o.path("formatted").asText();
            // format_type() omits the schema when it is on the search_path; name it always: vectors.vector(512).
            String bare = formatted.substring(formatted.indexOf('.') + 1);
            o.put("formatted", bare.contains(".") || o.path("type_schema").asText().equals("pg_catalog") || o.path("type_schema").asText().equals("public")
                    ? bare : formatted);
            if (o.path("estimated_rows").asLong() < 0) o.remove("estimated_rows");
            emb.set(e.getKey(), o);
        });
        ObjectNode idx = pg.putObject("indexes");
        r.path("indexes").fields().forEachRemaining(e -> {
            ObjectNode o = (ObjectNode) e.getValue();
            var m = Pattern.compile("lists\\s*=\\s*\\[(\\d+)").matcher(o.path("definition").asText());
            if (m.find()) o.put("lists", Integer.parseInt(m.group(1)));
            idx.set(e.getKey(), o);
        });
        ObjectNode tables = pg.putObject("tables");
        r.path("tables").fields().forEachRemaining(e -> {
            ObjectNode o = tables.putObject(e.getKey());
            o.put("schema", e.getValue().path("schema").asText());
            long rows = e.getValue().path("estimated_rows").asLong();
            if (rows >= 0) o.put("estimated_rows", rows);
            if (!e.getValue().path("readable").asBoolean()) {
                unavailable.put("pg.tables." + e.getKey(), "permission denied for table " + e.getKey());
            }
        });
        ArrayNode sessions = pg.putArray("sessions");
        for (JsonNode sess : r.path("sessions")) sessions.add(sess);
        if (!r.path("sees_all_sessions").asBoolean()) {
            pg.put("sessions_complete", false);
        }
        if (t.vectorExtension() != null) pg.with("immich").put("db_vector_extension", t.vectorExtension());
    }

    private void readImmichTables(Connection c, ObjectNode pg, Map<String, String> unavailable) throws SQLException {
        JsonNode tables = pg.path("tables");
        List<String> parts = new ArrayList<>();
        if (readable(tables, "version_history", unavailable, "pg.immich.version_history")) {
            parts.add("'version_history', (SELECT json_agg(json_build_object('version', version, 'created_at', "
                    + "to_char(\"createdAt\" AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))) FROM (SELECT version, \"createdAt\" FROM "
                    + table(tables, "version_history") + " ORDER BY \"createdAt\" DESC LIMIT 20) v)");
        }
        if (readable(tables, "kysely_migrations", unavailable, "pg.immich.kysely_migrations")) {
            parts.add("'kysely_latest', (SELECT name FROM " + table(tables, "kysely_migrations") + " ORDER BY name DESC LIMIT 1)");
        }
        if (readable(tables, "migrations", unavailable, "pg.immich.typeorm_migrations")) {
            parts.add("'typeorm_latest', (SELECT name FROM " + table(tables, "migrations") + " ORDER BY timestamp DESC LIMIT 1)");
        }
        JsonNode ss = pg.path("embeddings").path("smart_search");
        if (ss.path("type").asText().equals("_float4") && !unavailable.containsKey("pg.tables.smart_search")) {
            // real[] forgets the dimension; one row (not a scan) still has it.
            parts.add("'sample_dimension', (SELECT array_length(embedding, 1) FROM " + table(tables, "smart_search") + " LIMIT 1)");
        }
        ObjectNode immich = pg.with("immich");
        immich.putObject("kysely_migrations").put("exists", tables.has("kysely_migrations"));
        immich.putObject("typeorm_migrations").put("exists", tables.has("migrations"));
        if (parts.isEmpty()) return;
        JsonNode r = query(c, "SELECT json_build_object(" + String.join(", ", parts) + ")::text");
        if (r.path("version_history").isArray()) {
            ArrayNode vh = immich.putArray("version_history");
            for (JsonNode row : r.get("version_history")) vh.add(row);
            if (!vh.isEmpty()) immich.put("latest_version", vh.get(0).path("version").asText());
        }
        if (r.hasNonNull("sample_dimension")) ((ObjectNode) pg.get("embeddings").get("smart_search")).put("sample_dimension", r.get("sample_dimension").asInt());
        if (r.hasNonNull("kysely_latest")) ((ObjectNode) immich.get("kysely_migrations")).put("latest", r.get("kysely_latest").asText());
        if (r.hasNonNull("typeorm_latest")) ((ObjectNode) immich.get("typeorm_migrations")).put("latest", r.get("typeorm_latest").asText());
    }

    private static boolean readable(JsonNode tables, String name, Map<String, String> unavailable, String fact) {
        if (!tables.has(name)) return false;
        if (unavailable.containsKey("pg.tables." + name)) {
            unavailable.put(fact, "permission denied for table " + name);
            return false;
        }
        return true;
    }

    private static String table(JsonNode tables, String name) {
        return dev.vccheck.rules.Quote.ident(tables.get(name).path("schema").asText()) + "." + dev.vccheck.rules.Quote.ident(name);
    }

    /**
     * Each rule's own SQL: one read-only statement (SELECT, WITH, VALUES, TABLE or SHOW), run in a READ ONLY
     * transaction that is rolled back, so a statement that tries to write fails and leaves nothing behind.
     */
    private void readCustom(Connection c, PgTarget t, ObjectNode custom, Map<String, String> sql, String lost) throws SQLException {
        if (lost == null) c.setAutoCommit(false);
        for (Map.Entry<String, String> e : sql.entrySet()) {
            ObjectNode out = custom.putObject(e.getKey());
            if (lost != null) {
                out.put("error", lost);
                continue;
            }
            String q = e.getValue().strip();
            if (q.endsWith(";")) q = q.substring(0, q.length() - 1);
            if (!READ_ONLY_SQL.matcher(q).matches() || q.contains(";")) {
                out.put("error", "refused: a rule's SQL must be one read-only statement (SELECT, WITH, VALUES, TABLE or SHOW)");
                continue;
            }
            statements.add(q);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION READ ONLY");
                try (ResultSet rs = st.executeQuery(q)) {
                    ArrayNode rows = out.putArray("rows");
                    ResultSetMetaData md = rs.getMetaData();
                    int n = 0;
                    while (rs.next() && n++ < 1000) {
                        ObjectNode row = rows.addObject();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            Object v = rs.getObject(i);
                            if (v == null) row.putNull(md.getColumnLabel(i));
                            else if (v instanceof Number num) row.set(md.getColumnLabel(i), JSON.valueToTree(num));
                            else if (v instanceof Boolean b) row.put(md.getColumnLabel(i), b);
                            else row.put(md.getColumnLabel(i), String.valueOf(v));
                        }
                    }
                }
            } catch (SQLException ex) {
                out.remove("rows");
                if (lost(ex)) {
                    out.put("error", lost = lostMessage(ex, t));
                    continue;
                }
                out.put("error", "the rule's SQL failed: " + firstLine(String.valueOf(ex.getMessage())));
            }
            c.rollback();
        }
        if (lost == null) {
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    /** The connection is gone (server stopped, restarted, crashed or the network dropped): nothing more can be read. */
    static boolean lost(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.startsWith("57P0") || e.getCause() instanceof IOException;
    }

    static String lostMessage(SQLException e, PgTarget t) {
        return "the connection to " + t.host() + ":" + t.port() + " was lost during the scan (did the server stop or restart?): "
                + firstLine(String.valueOf(e.getMessage()));
    }

    /** Connected, but the catalog round trip failed: say why in the user's terms. */
    static String describeAfterConnect(SQLException e, PgTarget t, Timeouts to) {
        String where = t.host() + ":" + t.port();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String out;
        if (state.equals("57014")) {
            out = "connected to " + where + ", but reading the catalog did not finish within the statement timeout of " + to.statement()
                    + " s: the server is overloaded, or a session holds a lock on a system catalog (see pg_locks); try again, or raise --statement-timeout";
        } else if (state.equals("55P03")) {
            out = "connected to " + where + ", but reading the catalog waited more than 1 s for a lock on a system catalog: another session holds it (see pg_locks)";
        } else if (lost(e) && !(e.getCause() instanceof SocketTimeoutException)) {
            out = lostMessage(e, t);
        } else if (e.getCause() instanceof SocketTimeoutException) {
            out = "connected to " + where + ", but it did not answer the catalog query within " + (to.statement() + to.connect()) + " s";
        } else {
            out = "connected to " + where + ", but reading the catalog failed: " + firstLine(String.valueOf(e.getMessage()));
        }
        String pw = t.password();
        return pw == null || pw.isEmpty() ? out : out.replace(pw, "********");
    }

    /** "a.so, \"b c\".so" -> [a.so, b c.so] (PostgreSQL's list syntax: commas, optional double quotes). */
    static List<String> splitList(String v) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < v.length() && v.charAt(i + 1) == '"') {
                    sb.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (ch == ',' && !quoted) {
                if (!sb.toString().isBlank()) out.add(sb.toString().strip());
                sb.setLength(0);
            } else {
                sb.append(ch);
            }
        }
        if (!sb.toString().isBlank()) out.add(sb.toString().strip());
        return out;
    }

    /** "$libdir/vchord.so" -> "vchord"; "/usr/lib/postgresql/16/lib/vectors.so" -> "vectors". */
    static String libraryName(String entry) {
        String n = entry.substring(entry.lastIndexOf('/') + 1);
        return n.endsWith(".so") ? n.substring(0, n.length() - 3) : n;
    }

    /** A connection failure as the user needs it: what, which host and port, what to check. Never the password. */
    static String describe(SQLException e, PgTarget t, Timeouts to) {
        String where = t.host() + ":" + t.port();
        Throwable cause = e.getCause();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String out;
        if (cause instanceof UnknownHostException) {
            out = "cannot resolve host '" + t.host() + "' (DNS): check the host name";
        } else if (t.isSocket() && (cause instanceof java.net.SocketException || msg.contains("No such file"))) {
            out = "cannot connect to the socket " + t.host() + "/.s.PGSQL." + t.port() + " (is PostgreSQL running there, on port " + t.port() + "?)";
        } else if (cause instanceof ConnectException) {
            out = "connection refused: " + where + " (is PostgreSQL running and listening there?)";
        } else if (cause instanceof NoRouteToHostException) {
            out = "no route to " + where;
        } else if (cause instanceof SocketTimeoutException || msg.contains("timed out") || msg.contains("timeout")) {
            out = "no answer from " + where + " within " + to.connect() + " s (wrong host or port, or a firewall dropping packets)";
        } else if (state.equals("28P01") || state.equals("28000") && msg.contains("password")) {
            out = "authentication failed for user '" + t.user() + "' at " + where + " (wrong password, or pg_hba.conf does not allow this client)";
        } else if (state.equals("28000")) {
            out = "the server refused user '" + t.user() + "' at " + where + ": " + firstLine(msg);
        } else if (state.equals("3D000")) {
            out = "database '" + t.database() + "' does not exist at " + where;
        } else if (msg.contains("SSL") || msg.contains("TLS") || msg.contains("certificate") || cause instanceof javax.net.ssl.SSLException) {
            out = "TLS failed with " + where + " (sslmode " + t.sslmode() + "): " + firstLine(msg);
        } else {
            out = "cannot connect to " + where + ": " + firstLine(msg);
        }
        String pw = t.password();
        return pw == null || pw.isEmpty() ? out : out.replace(pw, "********");
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse(s);
    }

}
