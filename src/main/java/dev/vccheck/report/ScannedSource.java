package dev.vccheck.report;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.vccheck.facts.CollectionStatus;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One source of the scanned system (postgres, kubernetes, logs) as the report records it, {@code target.<source>}:
 * how its collection ended, typed, and every field as collected, which is what the report's JSON shows.
 */
public record ScannedSource(CollectionStatus status, String label, String message, String cause, Map<String, Object> fields) {

    /** From the facts' {@code collection.<source>} object; {@code status} is null when the object has none. */
    public static ScannedSource of(Map<?, ?> collected) {
        Map<String, Object> fields = new LinkedHashMap<>();
        collected.forEach((k, v) -> fields.put(String.valueOf(k), v));
        Object s = collected.get("status");
        return new ScannedSource(s == null ? null : CollectionStatus.of(String.valueOf(s)), str(collected.get("label")),
                str(collected.get("message")), str(collected.get("cause")), Collections.unmodifiableMap(fields));
    }

    /** Could not be read. */
    public boolean error() {
        return status == CollectionStatus.ERROR;
    }

    /** The report's JSON: the fields as collected, in their order. */
    @JsonValue
    @Override
    public Map<String, Object> fields() {
        return fields;
    }

    private static String str(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
