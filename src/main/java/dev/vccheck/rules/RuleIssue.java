package dev.vccheck.rules;

/** One problem found while loading a rule pack, compatibility file or waiver file. */
public record RuleIssue(SourcePos pos, String message) implements Comparable<RuleIssue> {
    @Override
    public String toString() {
        return pos + ": " + message;
    }

    @Override
    public int compareTo(RuleIssue o) {
        int c = pos.file().compareTo(o.pos.file());
        if (c == 0) c = Integer.compare(pos.line(), o.pos.line());
        if (c == 0) c = Integer.compare(pos.column(), o.pos.column());
        return c == 0 ? message.compareTo(o.message) : c;
    }
}
