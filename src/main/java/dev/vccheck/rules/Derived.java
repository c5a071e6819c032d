package dev.vccheck.rules;

/** A named value computed from the facts before any rule runs, visible to rules as {@code derived.<name>}. */
public record Derived(String name, String description, Expr expr, String pack) {
}
