package dev.vccheck.collect.postgres;

import java.util.List;

/**
 * The collector's SQL: one read-only SELECT that returns every built-in fact as one JSON document, the same text
 * over JDBC and through psql ({@link CatalogFacts} turns the document into facts for both). Catalog views only, no
 * lock stronger than AccessShare, no count(*) on user tables (row counts come from pg_class.reltuples), so a scan
 * costs the same on a 100-photo and a 2-million-photo library. Runs on PostgreSQL 13 to 18.
 * <p>
 * <b>Never calls vector-extension code.</b> pgvecto.rs keeps its type's typmod functions and its index access
 * method's handler in {@code vectors.so}; when that library is not preloaded or is gone, any call into it fails and
 * would abort the whole statement. So: no {@code format_type()} with a typmod (the type is named with
 * {@code format_type(atttypid, NULL)}, which does not call the typmod output function, and the dimension is
 * {@code pg_attribute.atttypmod}); no {@code pg_get_indexdef()} (it calls the access method's handler): the
 * definition is put together from pg_index, pg_class.reloptions, pg_opclass and pg_attribute in {@link CatalogFacts}.
 * <p>
 * <b>Tables that may not exist or may not be readable</b> (Immich's version_history, kysely_migrations, migrations,
 * one row of a {@code real[]} smart_search; pg_file_settings, which only superusers and pg_read_all_settings may
 * read) cannot be named in the statement itself: PostgreSQL resolves every table and checks every permission of a
 * query before running any of it, even inside a CASE branch that is never taken. They are read with
 * {@code query_to_xml()}, which plans and runs its query only when called, inside a {@code CASE} whose condition
 * checks {@code to_regclass()} and {@code has_table_privilege()} first; {@code XMLTABLE} turns the one-column
 * result back into text. query_to_xml needs a server built with libxml; the official postgres images, Debian's and
 * CloudNativePG's packages and the embedded test servers all are (PsqlTransportTest checks it on every major). On a server
 * without it, the statement fails with SQLSTATE 0A000 and the collector re-runs it without those parts
 * ({@link #statement(boolean)} with {@code false}), losing only the facts they give, as it does for a lock
 * (55P03) or a statement timeout (57014) on Immich's tables.
 */
final class CatalogQueries {
    private CatalogQueries() {
    }

    /** SQLSTATEs after which the statement is re-run without the guarded parts: lock timeout, statement timeout, no libxml. */
    static final List<String> RETRY_WITHOUT_GUARDED = List.of("55P03", "57014", "0A000");

    /** Settings recorded under pg.settings. */
    static final List<String> SETTINGS = List.of("shared_preload_libraries", "session_preload_libraries", "local_preload_libraries",
            "search_path", "server_version", "server_version_num", "default_transaction_read_only", "max_connections",
            "in_hot_standby", "hot_standby", "wal_level", "server_encoding", "TimeZone", "dynamic_library_path",
            "config_file", "data_directory", "vchordrq.probes", "vectors.pgvector_compatibility",
            "allow_alter_system", "cluster_name", "archive_library", "archive_command");

    /** Settings whose source, file and line are recorded (pg.setting_sources, pg.setting_details). */
    static final List<String> DETAILED = List.of("shared_preload_libraries", "search_path", "default_transaction_read_only");

    /** Roles whose presence is a signal (CloudNativePG creates streaming_replica and, by default, app). */
    static final List<String> SIGNAL_ROLES = List.of("streaming_replica", "postgres", "app", "immich");

    /** Immich's advisory lock while it migrates (DatabaseLock.Migrations in server/src/enum.ts). */
    static final int IMMICH_MIGRATION_LOCK = 200;

    /** Libraries whose file is looked for in PKGLIBDIR (pg.extensions.library_files). */
    static final List<String> LIBRARIES = List.of("vectors", "vchord", "vector");

    /** May this session read PKGLIBDIR and stat a file there (a superuser has every role's privileges)? */
    static final String LIBRARY_FILES_READABLE = "(pg_has_role(current_user, 'pg_read_server_files', 'USAGE')\n"
            + "      AND has_function_privilege('pg_catalog.pg_stat_file(text, boolean)', 'EXECUTE')\n"
            + "      AND has_table_privilege('pg_catalog.pg_config', 'SELECT'))";

    /** Roles, databases, extensions, Immich's tables and indexes, sessions: the catalog part that needs no parameter. */
    private static final String CATALOG = """
                  'role', (SELECT json_build_object('name', r.rolname, 'superuser', r.rolsuper, 'createdb', r.rolcreatedb,
                      'createrole', r.rolcreaterole, 'replication', r.rolreplication, 'bypassrls', r.rolbypassrls,
                      'member_of', COALESCE((SELECT json_agg(b.rolname ORDER BY b.rolname) FROM pg_auth_members m
                                             JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid), '[]'::json))
                      FROM pg_roles r WHERE r.rolname = current_user),
                  'database', (SELECT json_build_object('name', d.datname, 'owner', pg_get_userbyid(d.datdba),
                      'owned_by_current_user', pg_has_role(current_user, d.datdba, 'USAGE'),
                      'can_create', has_database_privilege(d.oid, 'CREATE'),
                      'settings', (SELECT json_agg(c ORDER BY c) FROM pg_db_role_setting s, unnest(s.setconfig) AS c
                                   WHERE s.setdatabase = d.oid AND s.setrole = 0))
                      FROM pg_database d WHERE d.datname = current_database()),
                  'role_settings', (SELECT json_agg(json_strip_nulls(json_build_object('database', d.datname, 'role', r.rolname,
                      'name', split_part(c, '=', 1), 'value', substr(c, strpos(c, '=') + 1)))
                      ORDER BY d.datname NULLS FIRST, r.rolname NULLS FIRST, c)
                      FROM pg_db_role_setting s CROSS JOIN LATERAL unnest(s.setconfig) AS c
                      LEFT JOIN pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid = s.setrole
                      WHERE s.setdatabase = 0 OR s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())),
                  'available', (SELECT json_object_agg(name, json_strip_nulls(json_build_object('default_version', default_version,
                      'installed_version', installed_version, 'comment', comment))) FROM pg_available_extensions),
                  'versions', (SELECT json_object_agg(name, vs) FROM (SELECT name, json_agg(version ORDER BY version) AS vs
                      FROM pg_available_extension_versions WHERE name IN ('vchord', 'vectors', 'vector') GROUP BY name) x),
                  'installed', (SELECT json_object_agg(e.extname, json_build_object('version', e.extversion, 'schema', n.nspname,
                      'owner', pg_get_userbyid(e.extowner), 'owned_by_current_user', pg_has_role(current_user, e.extowner, 'USAGE')))
                      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace),
                  'schemas', (SELECT json_agg(nspname ORDER BY nspname) FROM pg_namespace
                      WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'),
                  'embeddings', (SELECT json_object_agg(c.relname, json_strip_nulls(json_build_object('schema', cn.nspname,
                      'table', c.relname, 'column', a.attname, 'type', t.typname, 'type_schema', tn.nspname,
                      'type_name', format_type(a.atttypid, NULL),
                      'dimension', CASE WHEN a.atttypmod > 0 THEN a.atttypmod END, 'estimated_rows', c.reltuples::bigint)))
                      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
                      JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
                      WHERE c.relname IN ('smart_search', 'face_search') AND c.relkind IN ('r', 'p') AND a.attname = 'embedding'
                        AND NOT a.attisdropped AND pg_table_is_visible(c.oid)),
                  'indexes', (SELECT json_object_agg(i.relname, json_build_object('schema', n.nspname, 'table', t.relname,
                      'table_schema', tn.nspname, 'am', am.amname, 'valid', x.indisvalid, 'ready', x.indisready,
                      'options', COALESCE(to_json(i.reloptions), '[]'::json),
                      'opclass', (SELECT oc.opcname FROM pg_opclass oc WHERE oc.oid = x.indclass[0]),
                      'column', (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = x.indrelid AND a.attnum = x.indkey[0])))
                      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                      JOIN pg_namespace tn ON tn.oid = t.relnamespace
                      JOIN pg_am am ON am.oid = i.relam JOIN pg_namespace n ON n.oid = i.relnamespace
                      WHERE i.relname IN ('clip_index', 'face_index') AND pg_table_is_visible(i.oid)),
                  'tables', (SELECT json_object_agg(c.relname, json_build_object('schema', n.nspname, 'estimated_rows',
                      c.reltuples::bigint, 'readable', has_table_privilege(c.oid, 'SELECT')))
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE c.relname IN ('smart_search', 'face_search', 'asset', 'assets', 'asset_face', 'asset_faces',
                          'version_history', 'kysely_migrations', 'migrations', 'system_metadata')
                        AND c.relkind IN ('r', 'p') AND pg_table_is_visible(c.oid)),
                  'sessions', (SELECT json_agg(json_strip_nulls(json_build_object('pid', pid, 'user', usename, 'database', datname,
                      'application', application_name, 'state', state, 'client', host(client_addr),
                      'backend_start', to_char(backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))) ORDER BY pid)
                      FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
                        AND (datname = current_database() OR usename = current_user)),
                  'sees_all_sessions', (SELECT r.rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')
                      FROM pg_roles r WHERE r.rolname = current_user),
                """;

    /** The whole statement, with (true) or without (false) the parts read through query_to_xml. */
    static String statement(boolean guarded) {
        String detailed = list(DETAILED);
        StringBuilder sb = new StringBuilder();
        sb.append("""
                SELECT json_build_object(
                  'server', json_build_object(
                      'version', current_setting('server_version'),
                      'version_num', current_setting('server_version_num')::int,
                      'in_recovery', pg_is_in_recovery(),
                      'default_transaction_read_only', (SELECT reset_val FROM pg_settings WHERE name = 'default_transaction_read_only'),
                      'port', current_setting('port')::int,
                      'user', current_user,
                      'database', current_database(),
                      'ssl', COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)),
                """);
        sb.append("  'settings', (SELECT json_object_agg(name, setting) FROM pg_settings WHERE name IN (").append(list(SETTINGS)).append(")),\n");
        sb.append("  'setting_sources', (SELECT json_object_agg(name, source) FROM pg_settings WHERE name IN (").append(detailed).append(")),\n");
        sb.append("  'setting_details', (SELECT json_object_agg(name, json_strip_nulls(json_build_object('source', source, 'file', sourcefile,\n"
                + "      'line', sourceline, 'pending_restart', pending_restart))) FROM pg_settings WHERE name IN (").append(detailed).append(")),\n");
        sb.append(CATALOG);
        sb.append("  'roles_present', (SELECT json_agg(rolname ORDER BY rolname) FROM pg_roles WHERE rolname IN (").append(list(SIGNAL_ROLES)).append(")),\n");
        sb.append("  'migration_lock_pids', (SELECT json_agg(pid ORDER BY pid) FROM pg_locks WHERE locktype = 'advisory' AND granted\n"
                + "      AND classid = 0 AND objid = ").append(IMMICH_MIGRATION_LOCK).append(" AND objsubid = 1 AND pid <> pg_backend_pid()\n"
                + "      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())),\n");
        sb.append("  'can_read_file_settings', has_table_privilege('pg_catalog.pg_file_settings', 'SELECT')\n"
                + "      AND has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE'),\n");
        sb.append("  'can_read_library_files', ").append(LIBRARY_FILES_READABLE).append(",\n");
        sb.append("  'guarded', ").append(guarded).append(guarded ? ",\n" : "\n");
        if (guarded) guardedParts(sb);
        sb.append(")::text");
        return sb.toString();
    }

    /** The parts read through query_to_xml (see the class comment): each only when its table exists and may be read. */
    private static void guardedParts(StringBuilder sb) {
        sb.append("  'file_settings', CASE WHEN has_table_privilege('pg_catalog.pg_file_settings', 'SELECT')\n"
                + "      AND has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE') THEN ")
                .append(dynamic("SELECT COALESCE(json_agg(json_strip_nulls(json_build_object('name', name, 'setting', setting, "
                        + "'file', sourcefile, 'line', sourceline, 'applied', applied, 'error', error)) ORDER BY seqno), '[]')::text AS j "
                        + "FROM pg_catalog.pg_file_settings WHERE name IN ('shared_preload_libraries', 'search_path', "
                        + "'default_transaction_read_only') OR name LIKE 'vchordrq.%' OR name LIKE 'vectors.%'"))
                .append(" END,\n");
        // Whether each vector library's file is in the server's library directory: pg_available_extensions lists
        // an extension by its control file alone, and a preloaded library whose file is gone stops PostgreSQL
        // (could not access file "$libdir/vectors"). pg_config and pg_stat_file on an absolute path need a
        // superuser or pg_read_server_files (with EXECUTE on pg_stat_file and SELECT on pg_config).
        sb.append("  'library_files', CASE WHEN ").append(LIBRARY_FILES_READABLE).append(" THEN ")
                .append(dynamic("SELECT json_object_agg(n, (pg_stat_file(d.setting || '/' || n || '.so', true)).size IS NOT NULL)::text AS j "
                        + "FROM (SELECT setting FROM pg_catalog.pg_config WHERE name = 'PKGLIBDIR') d, "
                        + "unnest(ARRAY[" + list(LIBRARIES) + "]) AS n"))
                .append(" END,\n");
        sb.append("  'version_history', ").append(guard("version_history",
                "SELECT json_agg(json_build_object('version', version, 'created_at', to_char(\"createdAt\" AT TIME ZONE 'UTC', "
                        + "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')))::text AS j FROM (SELECT version, \"createdAt\" FROM version_history "
                        + "ORDER BY \"createdAt\" DESC LIMIT 20) v")).append(",\n");
        sb.append("  'kysely_latest', ").append(guard("kysely_migrations",
                "SELECT name::text AS j FROM kysely_migrations ORDER BY name DESC LIMIT 1")).append(",\n");
        sb.append("  'typeorm_latest', ").append(guard("migrations",
                "SELECT name::text AS j FROM migrations ORDER BY timestamp DESC LIMIT 1")).append(",\n");
        // real[] forgets the dimension; one row (not a scan) still has it.
        sb.append("  'sample_dimension', CASE WHEN to_regclass('smart_search') IS NOT NULL AND has_table_privilege(to_regclass('smart_search'), 'SELECT')\n"
                + "      AND EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('smart_search') AND attname = 'embedding'\n"
                + "                  AND NOT attisdropped AND atttypid = 'real[]'::regtype)\n"
                + "      THEN ").append(dynamic("SELECT array_length(embedding, 1)::text AS j FROM smart_search LIMIT 1")).append(" END\n");
    }

    /** The value of {@code query} (one row, one text column named j) when {@code table} exists and may be read; else NULL. */
    private static String guard(String table, String query) {
        return "CASE WHEN to_regclass('" + table + "') IS NOT NULL AND has_table_privilege(to_regclass('" + table + "'), 'SELECT')\n"
                + "      THEN " + dynamic(query) + " END";
    }

    /** Runs {@code query} only when evaluated (see the class comment): the text of its column j in its first row. */
    private static String dynamic(String query) {
        return "(SELECT x.j FROM XMLTABLE('/table/row' PASSING query_to_xml('" + query.replace("'", "''")
                + "', false, false, '') COLUMNS j text) AS x LIMIT 1)";
    }

    private static String list(List<String> names) {
        return String.join(", ", names.stream().map(n -> "'" + n + "'").toList());
    }
}
