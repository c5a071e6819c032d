package dev.vccheck.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A PostgreSQL server that ImmichDatabase can shape: the embedded one, or a container in the optional suite. */
public interface SqlServer {
    /** A connection as {@code user} (trusted, or with the server's known password). */
    Connection connect(String database, String user) throws SQLException;

    /** The superuser's name. */
    default String superuser() {
        return "postgres";
    }

    /** Runs SQL as the superuser (one string, may hold several statements). */
    default void sql(String database, String sql) throws SQLException {
        try (Connection c = connect(database, superuser()); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    default void createDatabase(String name, String owner) throws SQLException {
        sql("postgres", "CREATE DATABASE " + name + (owner == null ? "" : " OWNER " + owner));
    }

    default boolean hasExtension(String name) throws SQLException {
        try (Connection c = connect("postgres", superuser());
             var st = c.prepareStatement("SELECT 1 FROM pg_available_extensions WHERE name = ?")) {
            st.setString(1, name);
            try (var rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }
}
