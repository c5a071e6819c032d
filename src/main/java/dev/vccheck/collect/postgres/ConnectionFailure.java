package dev.vccheck.collect.postgres;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Why the database could not be read, twice: as a cause a program can act on ({@code collection.postgres.cause})
 * and as a sentence naming the host and port. It states what happened, never what to type: the next step depends on
 * how vccheck was started, which only the command line knows. Never the password.
 */
public record ConnectionFailure(Cause cause, String message) {

    /** The causes, as recorded in {@code collection.postgres.cause}. */
    public enum Cause {
        DNS, REFUSED, TIMEOUT, AUTH, DATABASE_MISSING, TLS, LOST, CATALOG_TIMEOUT, LOCK, COMMAND_FAILED, OTHER;

        /** dns, refused, …, database-missing, catalog-timeout, command-failed, other. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * Records the failure in {@code collection.postgres}: message, cause, the host and port tried and, when the
     * server refused the login, where the password came from (its source, never its value).
     */
    public void record(ObjectNode source, PgTarget t) {
        source.put("message", message).put("cause", cause.id()).put("host", t.host()).put("port", t.port());
        if (cause == Cause.AUTH) source.put("password_source", t.passwordSource());
    }

    /** The connection could not be opened. */
    static ConnectionFailure beforeConnect(SQLException e, PgTarget t, PostgresCollector.Timeouts to) {
        String where = t.host() + ":" + t.port();
        Throwable cause = e.getCause();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (cause instanceof UnknownHostException) {
            return of(t, Cause.DNS, "cannot resolve host '" + t.host() + "' (DNS)");
        } else if (t.isSocket() && (cause instanceof java.net.SocketException || msg.contains("No such file"))) {
            return of(t, Cause.REFUSED, "cannot connect to the socket " + t.host() + "/.s.PGSQL." + t.port() + " (is PostgreSQL running there, on port " + t.port() + "?)");
        } else if (cause instanceof ConnectException) {
            return of(t, Cause.REFUSED, "connection refused: " + where + " (is PostgreSQL running and listening there?)");
        } else if (cause instanceof NoRouteToHostException) {
            return of(t, Cause.OTHER, "no route to " + where);
        } else if (cause instanceof SocketTimeoutException || msg.contains("timed out") || msg.contains("timeout")) {
            return of(t, Cause.TIMEOUT, "no answer from " + where + " within " + to.connect() + " s (wrong host or port, or a firewall dropping packets)");
        } else if (state.equals("28P01") || state.equals("28000") && msg.contains("password")) {
            return of(t, Cause.AUTH, "authentication failed for user '" + t.user() + "' at " + where + " (wrong password, or pg_hba.conf does not allow this client)");
        } else if (state.equals("28000")) {
            return of(t, Cause.AUTH, "the server refused user '" + t.user() + "' at " + where + ": " + firstLine(msg));
        } else if (state.equals("3D000")) {
            return of(t, Cause.DATABASE_MISSING, "database '" + t.database() + "' does not exist at " + where);
        } else if (msg.contains("SSL") || msg.contains("TLS") || msg.contains("certificate") || cause instanceof javax.net.ssl.SSLException) {
            return of(t, Cause.TLS, "TLS failed with " + where + " (sslmode " + t.sslmode() + "): " + firstLine(msg));
        }
        return of(t, Cause.OTHER, "cannot connect to " + where + ": " + firstLine(msg));
    }

    /** Connected, but the catalog round trip failed. */
    static ConnectionFailure afterConnect(SQLException e, PgTarget t, PostgresCollector.Timeouts to) {
        String where = t.host() + ":" + t.port();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("57014")) {
            return of(t, Cause.CATALOG_TIMEOUT, "connected to " + where + ", but reading the catalog did not finish within the statement timeout of " + to.statement()
                    + " s: the server is overloaded, or a session holds a lock on a system catalog (see pg_locks)");
        } else if (state.equals("55P03")) {
            return of(t, Cause.LOCK, "connected to " + where + ", but reading the catalog waited more than 1 s for a lock on a system catalog: another session holds it (see pg_locks)");
        } else if (e.getCause() instanceof SocketTimeoutException) {
            return of(t, Cause.TIMEOUT, "connected to " + where + ", but it did not answer the catalog query within " + (to.statement() + to.connect()) + " s");
        } else if (PostgresCollector.lost(e)) {
            return of(t, Cause.LOST, PostgresCollector.lostMessage(e, t));
        }
        return of(t, Cause.OTHER, "connected to " + where + ", but reading the catalog failed: " + firstLine(String.valueOf(e.getMessage())));
    }

    /** The driver's text may quote the connection string; the password never leaves. */
    private static ConnectionFailure of(PgTarget t, Cause cause, String message) {
        String pw = t.password();
        return new ConnectionFailure(cause, pw == null || pw.isEmpty() ? message : message.replace(pw, "********"));
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse(s);
    }
}
