package dev.vccheck.collect.postgres;

import java.util.List;
import java.util.Optional;

/**
 * Where to connect, from --db-url, --env-file, the environment or libpq's variables. The password is kept out of
 * {@link #toString()} and {@link #label()}, so no message, log or report can carry it.
 */
public record PgTarget(String host, int port, String database, String user, String password, String sslmode,
                       String sslrootcert, String source, String vectorExtension) {

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

    public PgTarget withPassword(String pw) {
        return new PgTarget(host, port, database, user, pw, sslmode, sslrootcert, source, vectorExtension);
    }

    @Override
    public String toString() {
        return label() + " (sslmode " + sslmode + ", password " + (password == null ? "none" : "set") + ", from " + source + ")";
    }
}
