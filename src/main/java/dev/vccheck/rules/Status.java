package dev.vccheck.rules;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** The result of one check. Ordered from best to worst for the gate; {@code error} and {@code skip} are not judgements. */
public enum Status {
    PASS, SKIP, WARN, ERROR, FAIL;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Status parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** Display order, worst first: fail, error, warn, skip, pass. */
    public int displayRank() {
        return switch (this) {
            case FAIL -> 0;
            case ERROR -> 1;
            case WARN -> 2;
            case SKIP -> 3;
            case PASS -> 4;
        };
    }
}
