package dev.vccheck.rules;

import org.semver4j.Semver;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compatibility matrix ({@code rules/compat/immich.yaml}): per Immich release range, the PostgreSQL and vector
 * extension ranges it accepts. Selecting a row gives the {@code target} facts the rules read.
 */
public final class Compatibility {
    public static final String RESOURCE = "rules/compat/immich.yaml";
    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?");
    private static final Set<String> TOP_KEYS = Set.of("apiVersion", "kind", "metadata", "newest_release", "releases");
    private static final Set<String> ROW_KEYS = Set.of("immich", "label", "ranges", "vector_extensions", "upgrade_from",
            "requires_typeorm_last", "default_image", "note");
    private static final Set<String> RANGE_KEYS = Set.of("postgres", "postgres_docs", "vectors", "vectors_docs", "vector",
            "vector_docs", "vchord");
    private static final Set<String> EXTENSIONS = Set.of("vchord", "vectors", "vector");

    /** One row of the matrix. */
    public record Release(String immich, String label, Map<String, String> ranges, List<String> vectorExtensions,
                          String upgradeFrom, String requiresTypeormLast, String defaultImage, String note) {
    }

    /** The row chosen for a version, with where the version came from and what to tell the user about the choice. */
    public record TargetRelease(String immichVersion, String source, Release release, String note) {
        public Map<String, Object> toFacts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("immich_version", immichVersion);
            m.put("source", source);
            if (note != null) m.put("note", note);
            m.put("release", release.label());
            m.put("ranges", release.ranges());
            m.put("vector_extensions", release.vectorExtensions());
            if (release.upgradeFrom() != null) m.put("upgrade_from", release.upgradeFrom());
            if (release.requiresTypeormLast() != null) m.put("requires_typeorm_last", release.requiresTypeormLast());
            if (release.defaultImage() != null) m.put("default_image", release.defaultImage());
            return m;
        }
    }

    private final String newest;
    private final List<Release> releases;

    private Compatibility(String newest, List<Release> releases) {
        this.newest = newest;
        this.releases = List.copyOf(releases);
    }

    /** A matrix read back from the build's snapshot ({@link RuleSnapshot}), as {@link #parse} gave it then. */
    static Compatibility of(String newest, List<Release> releases) {
        return new Compatibility(newest, releases);
    }

    public List<Release> releases() {
        return releases;
    }

    public String newestRelease() {
        return newest;
    }

    public static Compatibility parse(String file, String text) throws RuleLoadException {
        List<RuleIssue> issues = new ArrayList<>();
        YamlDoc doc = new YamlDoc(file, text, issues);
        Node root = doc.parse(text);
        List<Release> rows = new ArrayList<>();
        String newest = null;
        if (root != null) {
            Map<String, NodeTuple> top = doc.mapping(root, "the compatibility file", TOP_KEYS);
            String kind = doc.string(top, "kind", "the compatibility file", true, root);
            if (kind != null && !kind.equals("Compatibility")) doc.error(top.get("kind").getValueNode(), "kind must be 'Compatibility'");
            newest = doc.string(top, "newest_release", "the compatibility file", true, root);
            if (newest != null && !VERSION.matcher(newest).matches()) doc.error(top.get("newest_release").getValueNode(), "newest_release must be X.Y.Z");
            NodeTuple rel = top.get("releases");
            if (rel == null) doc.error(root, "the compatibility file is missing required key 'releases'");
            else for (Node rn : doc.list(rel.getValueNode(), "releases")) {
                Map<String, NodeTuple> m = doc.mapping(rn, "a release", ROW_KEYS);
                String immich = doc.string(m, "immich", "a release", true, rn);
                if (immich != null) SemverRange.problem(immich).ifPresent(p -> doc.error(m.get("immich").getValueNode(), p));
                String label = doc.string(m, "label", "a release", true, rn);
                Map<String, String> ranges = new LinkedHashMap<>();
                NodeTuple rt = m.get("ranges");
                if (rt == null) doc.error(rn, "a release is missing required key 'ranges'");
                else doc.mapping(rt.getValueNode(), "ranges", RANGE_KEYS).forEach((k, t) -> {
                    String r = doc.scalarString(t.getValueNode(), "ranges." + k);
                    if (r == null) return;
                    SemverRange.problem(r).ifPresent(p -> doc.error(t.getValueNode(), p));
                    ranges.put(k, r);
                });
                List<String> ext = doc.stringList(m, "vector_extensions", "a release");
                if (ext == null) doc.error(rn, "a release is missing required key 'vector_extensions'");
                else for (String e : ext) if (!EXTENSIONS.contains(e)) doc.error(m.get("vector_extensions").getValueNode(), "unknown vector extension '" + e + "'");
                rows.add(new Release(immich, label, ranges, ext == null ? List.of() : ext,
                        doc.string(m, "upgrade_from", "a release", false, rn), doc.string(m, "requires_typeorm_last", "a release", false, rn),
                        doc.string(m, "default_image", "a release", false, rn), doc.string(m, "note", "a release", false, rn)));
            }
        }
        if (!issues.isEmpty()) throw new RuleLoadException(issues);
        if (rows.isEmpty()) throw new RuleLoadException(List.of(new RuleIssue(SourcePos.of(file), "no releases")));
        return new Compatibility(newest, rows);
    }

    /** Parses the rows' Immich ranges ahead of {@link #select} (on another thread while the facts are read). */
    public void prepare() {
        SemverRange.prepare(releases.stream().map(Release::immich).toList());
    }

    /** Is this a target Immich version the command line accepts (X.Y.Z, optional v prefix and pre-release)? */
    public static boolean isVersion(String v) {
        return VERSION.matcher(v).matches();
    }

    /**
     * The row for {@code version}. A version newer than {@link #newestRelease()} uses the newest row and says so; a
     * malformed version, or one older than every row, is an {@link IllegalArgumentException} with the reason.
     */
    public TargetRelease select(String version, String source) {
        Matcher m = VERSION.matcher(version);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + version + "' is not an Immich version (expected X.Y.Z, e.g. 2.1.0)");
        }
        Semver base = Semver.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        String clean = version.startsWith("v") ? version.substring(1) : version;
        for (Release r : releases) {
            if (SemverRange.satisfies(base.getVersion(), r.immich())) return new TargetRelease(clean, source, r, null);
        }
        Release last = releases.get(releases.size() - 1);
        if (base.isGreaterThan(newest)) {
            return new TargetRelease(clean, source, last, "Immich " + clean + " is newer than the newest release vccheck knows ("
                    + newest + "); using the " + last.label() + " ranges");
        }
        throw new IllegalArgumentException("Immich " + clean + " is older than the first release with vector search this tool knows ("
                + releases.get(0).label() + ")");
    }
}
