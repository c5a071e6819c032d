package dev.vccheck.collect.postgres;

/**
 * The collector's SQL: catalog views only, no lock stronger than AccessShare, no count(*) on user tables (row
 * counts come from pg_class.reltuples), so a scan costs the same on a 100-photo and a 2-million-photo library.
 * Round trip 1 returns every catalog fact as one JSON document; round trip 2 reads Immich's small bookkeeping
 * tables, only those that exist and are readable (found in round trip 1).
 */
final class CatalogQueries {
    private CatalogQueries() {
    }

    static final String CATALOG = """
            SELECT json_build_object(
              'server', json_build_object(
                  'version', current_setting('server_version'),
                  'version_num', current_setting('server_version_num')::int,
                  'in_recovery', pg_is_in_recovery(),
                  'default_transaction_read_only', (SELECT reset_val FROM pg_settings WHERE name = 'default_transaction_read_only')),
              'settings', (SELECT json_object_agg(name, setting) FROM pg_settings WHERE name IN (
                  'shared_preload_libraries', 'session_preload_libraries', 'local_preload_libraries', 'search_path',
                  'server_version', 'server_version_num', 'default_transaction_read_only', 'max_connections',
                  'in_hot_standby', 'hot_standby', 'wal_level', 'server_encoding', 'TimeZone', 'dynamic_library_path',
                  'config_file', 'data_directory', 'vchordrq.probes', 'vectors.pgvector_compatibility')),
              'setting_sources', (SELECT json_object_agg(name, source) FROM pg_settings WHERE name IN (
                  'shared_preload_libraries', 'search_path', 'default_transaction_read_only')),
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
              'available', (SELECT json_object_agg(name, json_strip_nulls(json_build_object('default_version', default_version,
                  'installed_version', installed_version, 'comment', comment))) FROM pg_available_extensions),
              'versions', (SELECT json_object_agg(name, vs) FROM (SELECT name, json_agg(version ORDER BY version) AS vs
                  FROM pg_available_extension_versions WHERE name IN ('vchord', 'vectors', 'vector') GROUP BY name) x),
              'installed', (SELECT json_object_agg(e.extname, json_build_object('version', e.extversion, 'schema', n.nspname,
                  'owner', pg_get_userbyid(e.extowner))) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace),
              'schemas', (SELECT json_agg(nspname ORDER BY nspname) FROM pg_namespace
                  WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'),
              'embeddings', (SELECT json_object_agg(c.relname, json_strip_nulls(json_build_object('schema', cn.nspname,
                  'table', c.relname, 'column', a.attname, 'type', t.typname, 'type_schema', tn.nspname,
                  'formatted', tn.nspname || '.' || format_type(a.atttypid, a.atttypmod),
                  'dimension', CASE WHEN a.atttypmod > 0 THEN a.atttypmod END, 'estimated_rows', c.reltuples::bigint)))
                  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
                  JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace tn ON tn.oid = t.typnamespace
                  WHERE c.relname IN ('smart_search', 'face_search') AND c.relkind IN ('r', 'p') AND a.attname = 'embedding'
                    AND NOT a.attisdropped AND pg_table_is_visible(c.oid)),
              'indexes', (SELECT json_object_agg(i.relname, json_build_object('schema', n.nspname, 'table', t.relname,
                  'am', am.amname, 'definition', pg_get_indexdef(i.oid), 'valid', x.indisvalid, 'ready', x.indisready))
                  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
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
                  FROM pg_roles r WHERE r.rolname = current_user)
            )::text
            """;
}
