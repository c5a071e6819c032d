package dev.vccheck.text;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Quoting for generated SQL and shell commands. Every value that enters a remediation goes through one of these:
 * identifiers as PostgreSQL's {@code quote_ident}, literals as {@code quote_literal}, shell words POSIX-quoted.
 */
public final class Quote {
    private static final Pattern PLAIN_IDENT = Pattern.compile("[a-z_][a-z0-9_$]*");
    private static final Pattern PLAIN_SHELL = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");
    /** PostgreSQL's reserved key words (appendix C, "reserved" and "reserved (can be function or type)"). */
    private static final Set<String> RESERVED = Set.of(
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary",
            "both", "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create",
            "cross", "current_catalog", "current_date", "current_role", "current_schema", "current_time",
            "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
            "except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike",
            "in", "initially", "inner", "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left",
            "like", "limit", "localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only",
            "or", "order", "outer", "overlaps", "placing", "primary", "references", "returning", "right", "select",
            "session_user", "similar", "some", "symmetric", "system_user", "table", "tablesample", "then", "to",
            "trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when", "where", "window",
            "with");

    private Quote() {
    }

    /** An SQL identifier, quoted only when it has to be (as {@code quote_ident} does). */
    public static String ident(String s) {
        rejectNul(s);
        if (PLAIN_IDENT.matcher(s).matches() && !RESERVED.contains(s)) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** An SQL string literal, with the {@code E''} form when it holds a backslash (as {@code quote_literal} does). */
    public static String literal(String s) {
        rejectNul(s);
        String body = s.replace("'", "''");
        if (s.indexOf('\\') >= 0) return "E'" + body.replace("\\", "\\\\") + "'";
        return "'" + body + "'";
    }

    /**
     * A list setting's value for ALTER SYSTEM / ALTER DATABASE ... SET: one literal per entry ({@code 'a.so', 'b.so'}).
     * A single literal with commas would be one entry, and a server with such a shared_preload_libraries does not
     * start. An empty list has no such form: {@code ALTER SYSTEM SET shared_preload_libraries = ''} writes
     * {@code '""'}, one library named "", and PostgreSQL then refuses to start ({@code could not access file ""});
     * the empty list is {@code ALTER SYSTEM RESET} (src/test/java/dev/vccheck/postgres/RemediationProofTest.java).
     */
    public static String literalList(java.util.List<?> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("an empty list cannot be written with SET (ALTER SYSTEM SET x = '' names a library \"\"); use RESET");
        }
        java.util.List<String> parts = new java.util.ArrayList<>();
        for (Object o : items) parts.add(literal(String.valueOf(o)));
        return String.join(", ", parts);
    }

    /** One POSIX shell word: safe characters stay bare, anything else is single-quoted. */
    public static String shell(String s) {
        rejectNul(s);
        if (!s.isEmpty() && PLAIN_SHELL.matcher(s).matches()) return s;
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    private static void rejectNul(String s) {
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("value contains a NUL character");
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
