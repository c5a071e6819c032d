package dev.vccheck.rules;

import java.util.List;

/**
 * A named value computed from the facts before any rule runs, visible to rules as {@code derived.<name>}.
 * {@code values}: the strings it may give, as its {@code values:} declares them (checked at load time against the
 * expression's literal results and the rules' comparisons); empty when undeclared.
 */
public record Derived(String name, String description, Expr expr, String pack, List<String> values) {
}
