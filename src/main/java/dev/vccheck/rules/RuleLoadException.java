package dev.vccheck.rules;

import java.util.List;
import java.util.stream.Collectors;

/** Loading failed; carries every issue found, not just the first. */
public class RuleLoadException extends Exception {
    private final List<RuleIssue> issues;

    public RuleLoadException(List<RuleIssue> issues) {
        super(issues.stream().sorted().map(RuleIssue::toString).collect(Collectors.joining("\n")));
        this.issues = issues.stream().sorted().toList();
    }

    public List<RuleIssue> issues() {
        return issues;
    }
}
