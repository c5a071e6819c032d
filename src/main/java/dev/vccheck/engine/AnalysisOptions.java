package dev.vccheck.engine;

import dev.vccheck.rules.Waivers;

import java.time.LocalDate;
import java.util.List;

/**
 * What to analyze with: the target Immich version (null: detect), the phase (null: from {@code derived.phase}, else
 * pre), rule selection by id or tag (globs allowed), waivers, and the date waivers expire against (null: the local
 * date when they are applied; the clock and the time-zone rules are then read only when there are waivers, 6 ms of a
 * scan otherwise: bench/results.md).
 */
public record AnalysisOptions(String immichVersion, String phase, List<String> only, List<String> skip,
                              List<Waivers.Waiver> waivers, LocalDate today) {
    public static AnalysisOptions defaults() {
        return new AnalysisOptions(null, null, List.of(), List.of(), List.of(), null);
    }
}
