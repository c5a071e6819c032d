package dev.vccheck.collect.postgres;

import dev.vccheck.facts.CollectionStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vccheck.facts.Facts;
import dev.vccheck.facts.PlainJson;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
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
 * statement); the connection is {@code readOnly} with autocommit off, so pgjdbc opens every transaction with
 * {@code BEGIN READ ONLY}; a statement runs after it (so no {@code SET TRANSACTION READ WRITE} is accepted) and the
 * transaction is rolled back at once. The session's own {@code default_transaction_read_only} is left alone, so the
 * scan reads the server's value (and its source), which is what decides whether Immich can write (a read-only
 * server is a finding), and psql on the other path ({@link PsqlCollector}) sees the same. Built-in facts take one
 * round trip after connecting ({@link CatalogQueries}; two when Immich's tables are locked). A rule's own SQL runs
 * afterwards, one statement per rule,
 * inside a READ ONLY transaction that is rolled back.
 */
public final class PostgresCollector {
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
        source.put("via", "jdbc");
        try (Connection c = connect(t, timeouts)) {
            connected = true;
            ObjectNode pg = facts.json().putObject("pg");
            Map<String, String> unavailable = new LinkedHashMap<>();
            JsonNode doc;
            String guardedLost = null;
            try {
                doc = query(c, CatalogQueries.statement(true));
            } catch (SQLException e) {
                // A lock or a timeout on Immich's bookkeeping tables (or a server without libxml) costs only the
                // facts read through query_to_xml: the statement runs again without them.
                if (!CatalogQueries.RETRY_WITHOUT_GUARDED.contains(String.valueOf(e.getSQLState()))) throw e;
                guardedLost = "could not read Immich's tables: " + firstLine(String.valueOf(e.getMessage()));
                doc = query(c, CatalogQueries.statement(false));
            }
            CatalogFacts.apply(doc, pg, unavailable, new CatalogFacts.Connection(t.host(), t.port(), t.database(), t.user(),
                    !t.sslmode().equals("disable")), t.vectorExtension(), guardedLost);
            int catalogTrips = statements.size();
            Map<String, String> customSql = rulesSql.get();
            if (!customSql.isEmpty()) readCustom(c, t, facts.json().putObject("custom"), customSql, null);
            pg.with("connection").put("round_trips", catalogTrips);
            if (!unavailable.isEmpty()) {
                ObjectNode u = facts.json().with("unavailable");
                unavailable.forEach(u::put);
            }
            source.put("status", CollectionStatus.OK.id());
        } catch (SQLException e) {
            facts.json().remove("pg");
            facts.json().remove("custom");
            source.put("status", CollectionStatus.ERROR.id());
            (connected ? ConnectionFailure.afterConnect(e, t, timeouts) : ConnectionFailure.beforeConnect(e, t, timeouts)).record(source, t);
        }
        source.put("duration_ms", (System.nanoTime() - start) / 1_000_000);
        return new Result(List.copyOf(statements));
    }

    private static final java.sql.Driver DRIVER = new org.postgresql.Driver();

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
        p.setProperty("readOnlyMode", "transaction");
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
        // pgjdbc's driver itself, not DriverManager: it would first look through the class path for every JDBC driver
        // (a service lookup in the jar), on the way to the one vccheck ships. The login timeout is the property above.
        Connection c = DRIVER.connect(url, p);
        if (c == null) throw new SQLException("pgjdbc did not accept the URL " + url);
        // Every statement in BEGIN READ ONLY (pgjdbc sends it at the start of each transaction), rolled back at
        // once: the same transaction psql gets on the other path, and the session's own settings stay untouched.
        c.setAutoCommit(false);
        c.setReadOnly(true);
        return c;
    }

    private JsonNode query(Connection c, String sql) throws SQLException {
        statements.add(sql);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return PlainJson.readTree(rs.getString(1));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("the server returned malformed JSON: " + e.getOriginalMessage());
        } finally {
            if (!c.isClosed()) {
                try {
                    c.rollback();
                } catch (SQLException e) {
                    // the connection is gone: the caller's exception says so
                }
            }
        }
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
                            else if (v instanceof Number num) row.set(md.getColumnLabel(i), PlainJson.toTree(num));
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

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse(s);
    }

}
