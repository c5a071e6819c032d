package dev.vccheck.rules;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads versions out of the database image references of the CloudNativePG and Immich charts, for rules as {@code image.parse(ref)}:
 * a map with {@code repository}, {@code tag}, {@code family} and, where the tag says so, {@code pg} (e.g. 16.10),
 * {@code pg_major}, {@code vchord}, {@code vectors}. Families: {@code vectorchord}
 * (tensorchord/cloudnative-vectorchord: 16.10-0.5.3, 16-0.5.3), {@code pgvectors} (cloudnative-pgvecto.rs /
 * cloudnative-pgvecto-rs: 16.3-v0.2.1), {@code pgvectors-legacy} (tensorchord/pgvecto-rs:pg14-v0.2.0),
 * {@code immich-postgres} (ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0), {@code vchord-extension}
 * (vchord-scratch:pg18-v1.1.1, CNPG image volumes), {@code cnpg} (stock ghcr.io/cloudnative-pg/postgresql), else
 * {@code other}. A floating tag (16) has no extension version.
 */
public final class ImageRef {
    private static final Pattern DIGEST = Pattern.compile("@sha256:[0-9a-fA-F]{64}$");
    private static final Pattern VECTORCHORD_REPO = Pattern.compile("^(?:(?:ghcr\\.io|docker\\.io)/)?tensorchord/cloudnative-vectorchord$");
    private static final Pattern PGVECTORS_REPO = Pattern.compile("^(?:(?:ghcr\\.io|docker\\.io)/)?tensorchord/cloudnative-pgvecto(?:\\.rs|-rs)$");
    private static final Pattern CNPG_TAG = Pattern.compile("^(?<pg>\\d+(?:\\.\\d+)?)(?:-v?(?<ext>\\d+\\.\\d+\\.\\d+))?$");
    private static final Pattern LEGACY_REPO = Pattern.compile("^(?:docker\\.io/)?tensorchord/pgvecto-rs$");
    private static final Pattern LEGACY_TAG = Pattern.compile("^pg(?<pg>\\d+)-v(?<ext>\\d+\\.\\d+\\.\\d+)$");
    private static final Pattern IMMICH_REPO = Pattern.compile("^ghcr\\.io/immich-app/postgres$");
    private static final Pattern IMMICH_TAG = Pattern.compile("^(?<pg>\\d+)-vectorchord(?<vchord>\\d+\\.\\d+\\.\\d+)(?:-pgvector(?<pgvector>\\d+\\.\\d+\\.\\d+))?(?:-pgvectors(?<vectors>\\d+\\.\\d+\\.\\d+))?$");
    private static final Pattern SCRATCH_REPO = Pattern.compile("^(?:(?:ghcr\\.io|docker\\.io)/)?tensorchord/vchord-scratch$");
    private static final Pattern SCRATCH_TAG = Pattern.compile("^pg(?<pg>\\d+)-v?(?<ext>\\d+\\.\\d+\\.\\d+)$");
    private static final Pattern CNPG_STOCK = Pattern.compile("^ghcr\\.io/cloudnative-pg/postgresql$");
    private static final Pattern STOCK_TAG = Pattern.compile("^(?<pg>\\d+(?:\\.\\d+)?)(?:-.*)?$");

    private ImageRef() {
    }

    public static Map<String, String> parse(String ref) {
        Map<String, String> m = new LinkedHashMap<>();
        String r = DIGEST.matcher(ref.trim()).replaceFirst("");
        int slash = r.lastIndexOf('/');
        int colon = r.lastIndexOf(':');
        String repo = colon > slash ? r.substring(0, colon) : r;
        String tag = colon > slash ? r.substring(colon + 1) : "latest";
        m.put("repository", repo);
        m.put("tag", tag);
        m.put("family", "other");
        Matcher t;
        if (VECTORCHORD_REPO.matcher(repo).matches() && (t = CNPG_TAG.matcher(tag)).matches()) {
            m.put("family", "vectorchord");
            pg(m, t.group("pg"));
            if (t.group("ext") != null) m.put("vchord", t.group("ext"));
        } else if (PGVECTORS_REPO.matcher(repo).matches() && (t = CNPG_TAG.matcher(tag)).matches()) {
            m.put("family", "pgvectors");
            pg(m, t.group("pg"));
            if (t.group("ext") != null) m.put("vectors", t.group("ext"));
        } else if (LEGACY_REPO.matcher(repo).matches() && (t = LEGACY_TAG.matcher(tag)).matches()) {
            m.put("family", "pgvectors-legacy");
            pg(m, t.group("pg"));
            m.put("vectors", t.group("ext"));
        } else if (IMMICH_REPO.matcher(repo).matches() && (t = IMMICH_TAG.matcher(tag)).matches()) {
            m.put("family", "immich-postgres");
            pg(m, t.group("pg"));
            m.put("vchord", t.group("vchord"));
            if (t.group("pgvector") != null) m.put("pgvector", t.group("pgvector"));
            if (t.group("vectors") != null) m.put("vectors", t.group("vectors"));
        } else if (SCRATCH_REPO.matcher(repo).matches() && (t = SCRATCH_TAG.matcher(tag)).matches()) {
            m.put("family", "vchord-extension");
            pg(m, t.group("pg"));
            m.put("vchord", t.group("ext"));
        } else if (CNPG_STOCK.matcher(repo).matches() && (t = STOCK_TAG.matcher(tag)).matches()) {
            m.put("family", "cnpg");
            pg(m, t.group("pg"));
        }
        return m;
    }

    private static void pg(Map<String, String> m, String pg) {
        m.put("pg", pg);
        m.put("pg_major", pg.contains(".") ? pg.substring(0, pg.indexOf('.')) : pg);
    }
}
