package dev.vccheck.rules;

import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.Test;
import org.semver4j.RangesList;
import org.semver4j.RangesListFactory;
import org.semver4j.Semver;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rule snapshot keeps every range the packs and the matrix name as semver4j parsed it (SemverRange.comparisons),
 * and a run rebuilds it from those comparisons without semver4j's range parser: the rebuilt range must be the parsed
 * one, comparison by comparison, and agree with it on every version of a corpus around each range's bounds.
 */
class PreparsedRangesTest {
    @Test
    void everyRangeRebuiltFromItsComparisonsIsTheParsedOne() throws Exception {
        Set<String> ranges = new TreeSet<>();
        for (Compatibility.Release r : RuleSources.compatibility().releases()) {
            ranges.add(r.immich());
            ranges.addAll(r.ranges().values());
        }
        RuleLoader.Loaded l = new RuleLoader(FactsSchema.get()).load(RuleSources.builtin());
        l.derived().forEach(d -> ranges.addAll(d.expr().summary().semverRanges()));
        for (Rule r : l.rules()) RuleLoader.Loaded.expressions(r).forEach(e -> ranges.addAll(e.summary().semverRanges()));
        ranges.addAll(List.of(">=0.3 <0.6", "0.2.x", ">=14.0.0", "^0.4.1", "~1.2", "1.0.0 - 2.0.0", "<1.0.0-0 || >=2.0.0-rc.1", "*", ">0.1.0-alpha"));
        ranges.removeIf(r -> r == null || SemverRange.problem(r).isPresent());
        assertTrue(ranges.size() > 20, "the packs and the matrix name ranges: " + ranges);

        List<String> versions = new ArrayList<>();
        for (String r : ranges) {
            for (List<String> alt : SemverRange.comparisons(r)) {
                for (String c : alt) {
                    Semver v = new Semver(c.replaceFirst("^[<>=]+", ""));
                    versions.addAll(List.of(v.getVersion(), v.nextPatch().getVersion(), v.nextMinor().getVersion(), v.nextMajor().getVersion()));
                    if (v.getPatch() > 0) versions.add(Semver.of(v.getMajor(), v.getMinor(), v.getPatch() - 1).getVersion());
                    if (v.getMinor() > 0) versions.add(Semver.of(v.getMajor(), v.getMinor() - 1, 0).getVersion());
                    versions.add(v.getMajor() + "." + v.getMinor() + "." + v.getPatch() + "-rc.1");
                }
            }
        }
        versions.addAll(List.of("0.0.0", "0.1.11", "0.2.0", "0.3.0", "0.4.3", "0.5.0", "1.0.0", "1.133.1", "2.0.0", "2.3.1", "99.0.0"));
        for (String r : ranges) {
            RangesList parsed = RangesListFactory.create(r);
            RangesList rebuilt = SemverRange.rebuild(SemverRange.comparisons(r));
            assertEquals(parsed.get(), rebuilt.get(), r);
            for (String v : versions) assertEquals(parsed.isSatisfiedBy(new Semver(v)), rebuilt.isSatisfiedBy(new Semver(v)), r + " on " + v);
        }
    }
}
