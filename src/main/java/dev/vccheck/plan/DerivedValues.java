package dev.vccheck.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The rule packs' derived values ({@code derive:} in rules/**&#47;*.yaml) as the analysis computed them, read by name.
 * A value the analysis could not compute (its facts missing, or its pack not loaded) reads as empty, false or 0, the
 * same as the rules' own "not there" answers.
 */
final class DerivedValues {
    private final Map<String, Object> values;

    DerivedValues(Map<String, Object> values) {
        this.values = values == null ? Map.of() : values;
    }

    String string(String name) {
        return values.get(name) instanceof String s ? s : "";
    }

    boolean bool(String name) {
        return values.get(name) instanceof Boolean b && b;
    }

    int integer(String name) {
        return values.get(name) instanceof Number n ? n.intValue() : 0;
    }

    List<String> strings(String name) {
        List<String> out = new ArrayList<>();
        if (values.get(name) instanceof Collection<?> c) for (Object o : c) out.add(String.valueOf(o));
        return out;
    }

    /** A map-valued derived entry's string value for key (e.g. the SQL per extension). */
    String string(String name, String key) {
        return values.get(name) instanceof Map<?, ?> m && m.get(key) instanceof String s ? s : "";
    }
}
