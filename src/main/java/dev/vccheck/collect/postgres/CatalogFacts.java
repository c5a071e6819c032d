package dev.vccheck.collect.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The catalog document ({@link CatalogQueries#statement(boolean)}) turned into the {@code pg} facts: the one place
 * that does it, whichever way the document was read (JDBC, or psql through docker, kubectl or a command of the
 * user's), so every transport yields the same facts.
 */
public final class CatalogFacts {
    private static final Pattern LISTS = Pattern.compile("lists\\s*=\\s*\\[(\\d+)");

    private CatalogFacts() {
    }

    /**
     * How the session was reached. {@code host} is what the user knows the server by (a host name, or the channel
     * such as "docker exec immich_postgres"); a null port, database, user or ssl is taken from the server's own answer.
     */
    public record Connection(String host, Integer port, String database, String user, Boolean ssl) {
    }

    /**
     * Fills {@code pg} from the document {@code r}; facts that could not be read go to {@code unavailable} with the
     * reason. {@code guardedLost}: why the guarded parts (Immich's tables, pg_file_settings) were left out of the
     * statement, or null when they were read.
     */
    public static void apply(JsonNode r, ObjectNode pg, Map<String, String> unavailable, Connection how, String vectorExtension,
                             String guardedLost) {
        connection(r.path("server"), pg, how);
        server(r, pg);
        settings(r, pg, unavailable);
        database(r, pg);
        extensions(r, pg, unavailable, guardedLost);
        ObjectNode emb = embeddings(r, pg);
        indexes(r, pg);
        ObjectNode tables = tables(r, pg, unavailable);
        sessions(r, pg);
        ObjectNode immich = immich(r, pg, tables, vectorExtension);
        fileSettings(r, pg, unavailable, guardedLost);
        if (guardedLost != null) {
            // A lock or a timeout on Immich's bookkeeping tables costs only the facts read from them.
            for (String fact : List.of("pg.immich.version_history", "pg.immich.kysely_migrations", "pg.immich.typeorm_migrations")) {
                unavailable.put(fact, guardedLost);
            }
            return;
        }
        guarded(r, immich, emb, tables, unavailable);
    }

    private static void connection(JsonNode srv, ObjectNode pg, Connection how) {
        pg.putObject("connection").put("host", how.host())
                .put("port", how.port() != null ? how.port() : srv.path("port").asInt())
                .put("database", how.database() != null ? how.database() : srv.path("database").asText())
                .put("user", how.user() != null ? how.user() : srv.path("user").asText())
                .put("ssl", how.ssl() != null ? how.ssl() : srv.path("ssl").asBoolean());
    }

    private static void server(JsonNode r, ObjectNode pg) {
        JsonNode srv = r.path("server");
        JsonNode settings = r.path("settings");
        ObjectNode server = pg.putObject("server");
        server.put("version", srv.path("version").asText());
        int num = srv.path("version_num").asInt();
        server.put("version_num", num).put("major", num / 10000);
        server.put("in_recovery", srv.path("in_recovery").asBoolean());
        // The server's (or database's, or role's) own default, what Immich's sessions get: reset_val, because a
        // read-only session (JDBC's setReadOnly, psql's BEGIN READ ONLY) changed this session's value.
        server.put("default_transaction_read_only", "on".equals(srv.path("default_transaction_read_only").asText()));
        if (settings.hasNonNull("archive_command")) {
            String first = settings.get("archive_command").asText().strip().split("\\s+", 2)[0];
            if (!first.isEmpty()) server.put("archive_program", first);
        }
    }

    /** Settings, where each comes from, and the preload list (null for a role that may not read it). */
    private static void settings(JsonNode r, ObjectNode pg, Map<String, String> unavailable) {
        JsonNode settings = r.path("settings");
        ObjectNode s = pg.putObject("settings");
        settings.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("default_transaction_read_only") && !e.getKey().equals("archive_command")) s.put(e.getKey(), e.getValue().asText());
        });
        ObjectNode sources = pg.putObject("setting_sources");
        r.path("setting_sources").fields().forEachRemaining(e -> sources.put(e.getKey(), e.getValue().asText()));
        ObjectNode details = pg.putObject("setting_details");
        r.path("setting_details").fields().forEachRemaining(e -> {
            ObjectNode d = details.putObject(e.getKey());
            d.put("source", e.getValue().path("source").asText());
            if (e.getValue().hasNonNull("file")) d.put("file", e.getValue().get("file").asText());
            if (e.getValue().hasNonNull("line")) d.put("line", e.getValue().get("line").asInt());
            d.put("pending_restart", e.getValue().path("pending_restart").asBoolean());
        });
        if (settings.has("shared_preload_libraries")) {
            List<String> entries = PostgresCollector.splitList(settings.get("shared_preload_libraries").asText());
            ArrayNode raw = pg.putArray("preload");
            ArrayNode names = pg.putArray("preload_names");
            for (String e : entries) {
                raw.add(e);
                names.add(PostgresCollector.libraryName(e));
            }
        } else {
            unavailable.put("pg.preload", "shared_preload_libraries is visible only to superusers and members of pg_read_all_settings");
            unavailable.put("pg.preload_names", "shared_preload_libraries is visible only to superusers and members of pg_read_all_settings");
        }
    }

    /** The role, the database with its own settings and effective search_path, and the roles' settings. */
    private static void database(JsonNode r, ObjectNode pg) {
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
        String sp = dbSettings.has("search_path") ? dbSettings.get("search_path").asText() : r.path("settings").path("search_path").asText("");
        ArrayNode path = d.putArray("search_path");
        for (String e : PostgresCollector.splitList(sp)) path.add(e);
        ArrayNode roleSettings = pg.putArray("role_settings");
        for (JsonNode rs : r.path("role_settings")) roleSettings.add(rs);
    }

    /** Available and installed extensions, and the library files where the role may list them. */
    private static void extensions(JsonNode r, ObjectNode pg, Map<String, String> unavailable, String guardedLost) {
        JsonNode settings = r.path("settings");
        ObjectNode ext = pg.putObject("extensions");
        ObjectNode avail = ext.putObject("available");
        r.path("available").fields().forEachRemaining(e -> {
            ObjectNode a = avail.putObject(e.getKey());
            a.setAll((ObjectNode) e.getValue());
            if (r.path("versions").has(e.getKey())) a.set("versions", r.path("versions").get(e.getKey()));
        });
        if (!r.path("can_read_library_files").asBoolean()) {
            unavailable.put("pg.extensions.library_files", "the server's library directory (pg_config, pg_stat_file) is readable only by"
                    + " superusers and members of pg_read_server_files");
        } else if (guardedLost != null) {
            unavailable.put("pg.extensions.library_files", guardedLost);
        } else if (!"$libdir".equals(settings.path("dynamic_library_path").asText("$libdir"))) {
            unavailable.put("pg.extensions.library_files", "dynamic_library_path is '" + settings.path("dynamic_library_path").asText()
                    + "': libraries may be outside the server's library directory");
        } else if (r.hasNonNull("library_files")) {
            ext.set("library_files", parse(r.get("library_files").asText()));
        }
        ObjectNode inst = ext.putObject("installed");
        r.path("installed").fields().forEachRemaining(e -> inst.set(e.getKey(), e.getValue()));
        pg.set("schemas", r.path("schemas").isArray() ? r.get("schemas") : JsonNodeFactory.instance.arrayNode());
    }

    private static ObjectNode embeddings(JsonNode r, ObjectNode pg) {
        ObjectNode emb = pg.putObject("embeddings");
        r.path("embeddings").fields().forEachRemaining(e -> {
            ObjectNode o = ((ObjectNode) e.getValue()).deepCopy();
            o.put("formatted", formatted(o.path("type_name").asText(), o.path("type_schema").asText(), o.path("dimension").asInt(-1)));
            o.remove("type_name");
            if (o.path("estimated_rows").asLong() < 0) o.remove("estimated_rows");
            emb.set(e.getKey(), o);
        });
        return emb;
    }

    private static void indexes(JsonNode r, ObjectNode pg) {
        ObjectNode idx = pg.putObject("indexes");
        r.path("indexes").fields().forEachRemaining(e -> {
            JsonNode in = e.getValue();
            ObjectNode o = idx.putObject(e.getKey());
            o.put("schema", in.path("schema").asText()).put("table", in.path("table").asText()).put("am", in.path("am").asText());
            List<String> options = new ArrayList<>();
            for (JsonNode opt : in.path("options")) options.add(opt.asText());
            o.put("definition", definition(e.getKey(), in.path("schema").asText(), in.path("table_schema").asText(in.path("schema").asText()),
                    in.path("table").asText(), in.path("am").asText(), in.path("column").asText(), in.path("opclass").asText(), options));
            o.put("valid", in.path("valid").asBoolean()).put("ready", in.path("ready").asBoolean());
            for (String opt : options) {
                Matcher m = LISTS.matcher(opt);
                if (m.find()) {
                    o.put("lists", Integer.parseInt(m.group(1)));
                    break;
                }
            }
            ArrayNode raw = o.putArray("options");
            options.forEach(raw::add);
            if (in.hasNonNull("opclass")) o.put("opclass", in.get("opclass").asText());
            if (in.hasNonNull("column")) o.put("column", in.get("column").asText());
        });
    }

    private static ObjectNode tables(JsonNode r, ObjectNode pg, Map<String, String> unavailable) {
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
        return tables;
    }

    private static void sessions(JsonNode r, ObjectNode pg) {
        ArrayNode sessions = pg.putArray("sessions");
        for (JsonNode sess : r.path("sessions")) sessions.add(sess);
        if (!r.path("sees_all_sessions").asBoolean()) {
            pg.put("sessions_complete", false);
        }
        ArrayNode roles = pg.putArray("roles_present");
        for (JsonNode role : r.path("roles_present")) roles.add(role.asText());
    }

    /** Immich's own state that needs no guarded read: its migration lock, its vector extension, which migration tables exist. */
    private static ObjectNode immich(JsonNode r, ObjectNode pg, ObjectNode tables, String vectorExtension) {
        ObjectNode immich = pg.putObject("immich");
        ArrayNode pids = JsonNodeFactory.instance.arrayNode();
        for (JsonNode pid : r.path("migration_lock_pids")) pids.add(pid.asInt());
        immich.putObject("migration_lock").put("held", !pids.isEmpty()).set("pids", pids);
        if (vectorExtension != null) immich.put("db_vector_extension", vectorExtension);
        immich.putObject("kysely_migrations").put("exists", tables.has("kysely_migrations"));
        immich.putObject("typeorm_migrations").put("exists", tables.has("migrations"));
        return immich;
    }

    private static void fileSettings(JsonNode r, ObjectNode pg, Map<String, String> unavailable, String guardedLost) {
        if (!r.path("can_read_file_settings").asBoolean()) {
            unavailable.put("pg.file_settings", "pg_file_settings is readable only by superusers and members of pg_read_all_settings");
        } else if (guardedLost != null) {
            unavailable.put("pg.file_settings", guardedLost);
        } else if (r.hasNonNull("file_settings")) {
            pg.set("file_settings", parse(r.get("file_settings").asText()));
        }
    }

    /** What the guarded part of the statement read from Immich's tables: version history, migrations, a sample dimension. */
    private static void guarded(JsonNode r, ObjectNode immich, ObjectNode emb, ObjectNode tables, Map<String, String> unavailable) {
        readable(tables, "version_history", unavailable, "pg.immich.version_history");
        readable(tables, "kysely_migrations", unavailable, "pg.immich.kysely_migrations");
        readable(tables, "migrations", unavailable, "pg.immich.typeorm_migrations");
        if (r.hasNonNull("version_history")) {
            ArrayNode vh = immich.putArray("version_history");
            for (JsonNode row : parse(r.get("version_history").asText())) vh.add(row);
            if (!vh.isEmpty()) immich.put("latest_version", vh.get(0).path("version").asText());
        }
        if (r.hasNonNull("sample_dimension") && emb.has("smart_search")) {
            ((ObjectNode) emb.get("smart_search")).put("sample_dimension", Integer.parseInt(r.get("sample_dimension").asText()));
        }
        if (r.hasNonNull("kysely_latest")) ((ObjectNode) immich.get("kysely_migrations")).put("latest", r.get("kysely_latest").asText());
        if (r.hasNonNull("typeorm_latest")) ((ObjectNode) immich.get("typeorm_migrations")).put("latest", r.get("typeorm_latest").asText());
    }

    /**
     * The column's type as Immich's documentation writes it, without format_type()'s typmod call: the type's name
     * (qualified unless it lives in pg_catalog or public) and the dimension from atttypmod: vectors.vector(512),
     * vector(768), real[].
     */
    static String formatted(String typeName, String typeSchema, int dimension) {
        String name = typeName.contains(".") || typeSchema.equals("pg_catalog") || typeSchema.equals("public") ? typeName : typeSchema + "." + typeName;
        return dimension > 0 ? name + "(" + dimension + ")" : name;
    }

    /** CREATE INDEX name ON schema.table USING am (column opclass) WITH (options), from the catalog alone. */
    static String definition(String name, String schema, String tableSchema, String table, String am, String column, String opclass,
                             List<String> options) {
        StringBuilder sb = new StringBuilder("CREATE INDEX ").append(ident(name)).append(" ON ").append(ident(tableSchema)).append('.')
                .append(ident(table)).append(" USING ").append(am).append(" (").append(ident(column));
        if (!opclass.isEmpty()) sb.append(' ').append(opclass);
        sb.append(')');
        if (!options.isEmpty()) {
            List<String> with = new ArrayList<>();
            for (String opt : options) {
                int eq = opt.indexOf('=');
                with.add(eq < 0 ? opt : opt.substring(0, eq) + "='" + opt.substring(eq + 1).replace("'", "''") + "'");
            }
            sb.append(" WITH (").append(String.join(", ", with)).append(')');
        }
        return sb.toString();
    }

    private static String ident(String s) {
        return dev.vccheck.text.Quote.ident(s);
    }

    private static void readable(JsonNode tables, String name, Map<String, String> unavailable, String fact) {
        if (tables.has(name) && unavailable.containsKey("pg.tables." + name)) unavailable.put(fact, "permission denied for table " + name);
    }

    private static JsonNode parse(String json) {
        try {
            return dev.vccheck.facts.PlainJson.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the server returned JSON that does not parse: " + e.getMessage(), e);
        }
    }
}
