package dev.vccheck.rules;

/** A remediation block of a rule outcome: its kind, a {@code {{ }}} template and an optional CEL guard. */
public record Remediation(Kind kind, Template title, Template text, Expr when) {
    public enum Kind {
        sql, kubectl, shell, yaml, text
    }
}
