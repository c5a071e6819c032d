package dev.vccheck.facts;

import com.fasterxml.jackson.annotation.JsonValue;

/** How the collection of one source (postgres, kubernetes, logs) ended: {@code collection.<source>.status} in the facts. */
public enum CollectionStatus {
    /** Read. */
    OK("ok"),
    /** Asked for, and could not be read: the message says why; the checks that need it end in error. */
    ERROR("error"),
    /** Not asked for: the checks that need it are skipped. */
    NOT_CONFIGURED("not-configured");

    private final String id;

    CollectionStatus(String id) {
        this.id = id;
    }

    /** The value in the facts and reports. */
    @JsonValue
    public String id() {
        return id;
    }

    /** The status a facts document or report gives; absent (null) is not-configured, an unknown value null. */
    public static CollectionStatus of(String id) {
        if (id == null) return NOT_CONFIGURED;
        for (CollectionStatus s : values()) {
            if (s.id.equals(id)) return s;
        }
        return null;
    }

    @Override
    public String toString() {
        return id;
    }
}
