package dev.vccheck.collect.postgres;

import java.util.List;
import java.util.Optional;

/**
 * Where to connect, from a URL, Immich's .env, the environment or libpq's variables. The password is kept out of
 * {@link #toString()} and {@link #label()}, so no message, log or report can carry it; {@code passwordSource} says
 * where it came from (one of {@link #PASSWORD_SOURCES}), so that a failed login can name the place to look.
 */
public record PgTarget(String host, int port, String database, String user, String password, String sslmode,
                       String sslrootcert, String source, String vectorExtension, String passwordSource) {

    /**
     * Where a password can come from: the URL given on the command line, Immich's DB_URL, DB_PASSWORD in a .env
     * file, DB_PASSWORD in the environment, libpq's PGPASSWORD, a .pgpass file, Immich's default (DB_PASSWORD not
     * set), or none at all.
     */
    public static final List<String> PASSWORD_SOURCES = List.of("URL", "DB_URL", ".env", "DB_PASSWORD", "PGPASSWORD", ".pgpass", "default", "none");

    public PgTarget {
        if (passwordSource == null) passwordSource = password == null ? "none" : "URL";
        if (!PASSWORD_SOURCES.contains(passwordSource)) throw new IllegalArgumentException("unknown password source " + passwordSource);
    }

    /** Without saying where the password came from: a URL's, when there is one. */
    public PgTarget(String host, int port, String database, String user, String password, String sslmode,
                    String sslrootcert, String source, String vectorExtension) {
        this(host, port, database, user, password, sslmode, sslrootcert, source, vectorExtension, null);
    }

    /** sslmode values vccheck accepts: libpq's, plus Immich's no-verify (encrypt, do not verify). */
    public static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full", "no-verify");

    public boolean isSocket() {
        return host.startsWith("/");
    }

    /** What was scanned, without credentials: postgresql://user@host:port/db. */
    public String label() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "postgresql://" + user + "@" + h + ":" + port + "/" + database;
    }

    public Optional<String> passwordValue() {
        return Optional.ofNullable(password);
    }

    /** With the password from a .pgpass file. */
    public PgTarget withPassword(String pw) {
        return withPassword(pw, ".pgpass");
    }

    public PgTarget withPassword(String pw, String from) {
        return new PgTarget(host, port, database, user, pw, sslmode, sslrootcert, source, vectorExtension, from);
    }

    @Override
    public String toString() {
        return label() + " (sslmode " + sslmode + ", password " + (password == null ? "none" : "set") + ", from " + source + ")";
    }
}
