package dev.vccheck.rules;

import java.util.List;

/** A loaded YAML rule pack: metadata, derived values and rules. */
public record RulePack(String name, String description, String version, String file, boolean builtin,
                       List<Derived> derived, List<Rule> rules) {
}
