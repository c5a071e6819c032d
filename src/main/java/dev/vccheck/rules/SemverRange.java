package dev.vccheck.rules;

import org.semver4j.RangesList;
import org.semver4j.RangesListFactory;
import org.semver4j.Semver;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * npm semver ranges as Immich writes them ({@code >=0.3 <0.6}, {@code 0.2.x}, {@code >=14.0.0}), evaluated with semver4j.
 * semver4j silently drops comparators it cannot read, so every range is checked against npm's grammar first:
 * a typo in a range is an error, not a range that matches more than it should.
 */
public final class SemverRange {
    private static final String PART = "(?:0|[1-9]\\d*|[xX*])";
    private static final String PARTIAL = "v?" + PART + "(?:\\." + PART + "(?:\\." + PART
            + "(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?)?)?";
    private static final Pattern COMPARATOR = Pattern.compile("(?:<=|>=|<|>|=|~>?|\\^)?" + PARTIAL);
    private static final Pattern HYPHEN = Pattern.compile(PARTIAL + " - " + PARTIAL);

    private SemverRange() {
    }

    /** Why {@code range} is not an npm range, or empty when it is one. */
    public static Optional<String> problem(String range) {
        for (String alt : range.split("\\|\\|", -1)) {
            String set = alt.trim().replaceAll("(<=|>=|<|>|=|~>?|\\^)\\s+", "$1").replaceAll("\\s+", " ");
            if (set.isEmpty() || HYPHEN.matcher(set).matches()) continue;
            for (String c : set.split(" ")) {
                if (!COMPARATOR.matcher(c).matches()) {
                    return Optional.of("'" + c + "' is not a semver comparator (npm range syntax, e.g. '>=0.3 <0.6', '0.2.x')");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Ranges parsed so far: the compatibility matrix and the rules name a few dozen, evaluated again and again
     * (semver4j's parser was the largest part of an analysis; bench/results.md). Only valid ranges are kept.
     */
    private static final Map<String, RangesList> PARSED = new ConcurrentHashMap<>();

    private static RangesList parse(String range) {
        RangesList r = PARSED.get(range);
        if (r != null) return r;
        problem(range).ifPresent(p -> {
            throw new IllegalArgumentException("invalid range '" + range + "': " + p);
        });
        r = RangesListFactory.create(range);
        PARSED.putIfAbsent(range, r);
        return r;
    }

    /** A valid range as semver4j parses it: its alternatives, each a list of comparisons ({@code >=0.3.0}). */
    static java.util.List<java.util.List<String>> comparisons(String range) {
        return parse(range).get().stream().map(alt -> alt.stream().map(org.semver4j.Range::toString).toList()).toList();
    }

    /**
     * Registers a range as the build parsed it ({@link #comparisons}; the rule snapshot), so that a run does not parse
     * it again: each comparison is its operator and a version, which semver4j's strict version parser reads.
     */
    static void parsed(String range, java.util.List<java.util.List<String>> alternatives) {
        PARSED.putIfAbsent(range, rebuild(alternatives));
    }

    static RangesList rebuild(java.util.List<java.util.List<String>> alternatives) {
        RangesList list = new RangesList();
        for (java.util.List<String> alt : alternatives) {
            java.util.List<org.semver4j.Range> comparisons = new java.util.ArrayList<>();
            for (String c : alt) {
                int v = 0;
                while (v < c.length() && "<>=".indexOf(c.charAt(v)) >= 0) v++;
                comparisons.add(new org.semver4j.Range(new Semver(c.substring(v)), org.semver4j.Range.RangeOperator.value(c.substring(0, v))));
            }
            list.add(comparisons);
        }
        return list;
    }

    /** Parses {@code ranges} ahead of their first use (another thread may, while the facts are read); invalid ones are left. */
    static void prepare(java.util.Collection<String> ranges) {
        for (String range : ranges) {
            try {
                parse(range);
            } catch (IllegalArgumentException e) {
                // reported where it is used
            }
        }
    }

    /** npm's {@code semver.satisfies}: an invalid version satisfies nothing; pre-releases only match as npm allows. */
    public static boolean satisfies(String version, String range) {
        RangesList r = parse(range);
        Semver v = version(version.startsWith("v") ? version.substring(1) : version);
        return v != null && r.isSatisfiedBy(v);
    }

    /**
     * Versions parsed so far (null: not a version): an analysis compares the same few versions (the extensions', the
     * server's, Immich's) with many ranges, and semver4j formats each version it makes with {@code String.format}.
     */
    private static final Map<String, Optional<Semver>> VERSIONS = new ConcurrentHashMap<>();

    private static Semver version(String s) {
        if (VERSIONS.size() > 1_000) return Semver.parse(s); // a bound for a process that reads many bundles
        return VERSIONS.computeIfAbsent(s, k -> Optional.ofNullable(Semver.parse(k))).orElse(null);
    }

    /** Compares two versions, coercing loose ones ({@code 16.10}); fails when either has no version in it. */
    public static int compare(String a, String b) {
        return Integer.signum(lenient(a).compareTo(lenient(b)));
    }

    public static Semver lenient(String s) {
        Semver v = version(s.startsWith("v") ? s.substring(1) : s);
        if (v == null) v = Semver.coerce(s);
        if (v == null) throw new IllegalArgumentException("'" + s + "' is not a version");
        return v;
    }

    /** {@code semver.coerce}: the first version found in the text ({@code "16.10 (Debian …)"} gives {@code 16.10.0}), or "". */
    public static String coerce(String s) {
        Semver v = Semver.coerce(s);
        return v == null ? "" : v.getVersion();
    }

    public static boolean valid(String s) {
        return Semver.parse(s) != null;
    }
}
