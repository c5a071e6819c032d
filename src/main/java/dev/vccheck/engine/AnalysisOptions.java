package dev.vccheck.engine;

import dev.vccheck.rules.Waivers;

import java.time.LocalDate;
import java.util.List;

/**
 * What to analyze with: the target Immich version (null: detect), the phase (null: from {@code derived.phase}, else
 * pre), rule selection by id or tag (globs allowed), waivers, and today's date for waiver expiry.
 */
public record AnalysisOptions(String immichVersion, String phase, List<String> only, List<String> skip,
                              List<Waivers.Waiver> waivers, LocalDate today) {
    public static AnalysisOptions defaults() {
        return new AnalysisOptions(null, null, List.of(), List.of(), List.of(), LocalDate.now());
    }
}
