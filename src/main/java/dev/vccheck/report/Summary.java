package dev.vccheck.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.vccheck.rules.Status;

import java.util.List;

/**
 * Counts per status (waived findings counted apart) and the verdict: {@code fail} when anything failed, else
 * {@code incomplete} when a check ended in error, else {@code warn}, else {@code pass}.
 */
@JsonPropertyOrder({"pass", "warn", "fail", "error", "skip", "waived", "verdict"})
public record Summary(int pass, int warn, int fail, int error, int skip, int waived, String verdict) {
    public static Summary of(List<Finding> findings) {
        int[] c = new int[Status.values().length];
        int waived = 0;
        for (Finding f : findings) {
            if (!f.counts()) waived++;
            else c[f.status().ordinal()]++;
        }
        int fail = c[Status.FAIL.ordinal()], error = c[Status.ERROR.ordinal()], warn = c[Status.WARN.ordinal()];
        String verdict = fail > 0 ? "fail" : error > 0 ? "incomplete" : warn > 0 ? "warn" : "pass";
        return new Summary(c[Status.PASS.ordinal()], warn, fail, error, c[Status.SKIP.ordinal()], waived, verdict);
    }
}
