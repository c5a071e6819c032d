package dev.vccheck.rules;

import com.google.protobuf.Timestamp;
import dev.cel.common.values.NullValue;
import dev.vccheck.facts.PlainJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns CEL runtime values into text (templates) and plain JSON-able values (evidence). */
public final class CelValues {
    private CelValues() {
    }

    /** Text for a template: strings as-is, lists joined with ", ", maps as JSON, null as empty. */
    public static String text(Object v) {
        Object p = plain(v);
        if (p == null) return "";
        if (p instanceof String s) return s;
        if (p instanceof Collection<?> c) {
            List<String> parts = new ArrayList<>();
            for (Object o : c) parts.add(text(o));
            return String.join(", ", parts);
        }
        if (p instanceof Map<?, ?>) {
            return PlainJson.compact(p);
        }
        return String.valueOf(p);
    }

    /** A JSON-friendly copy of a CEL value (Long, Double, String, Boolean, List, Map, null). */
    public static Object plain(Object v) {
        if (v == null || v instanceof NullValue) return null;
        if (v instanceof Optional<?> o) return o.map(CelValues::plain).orElse(null);
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15) return d.longValue();
        if (v instanceof Timestamp t) return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
        if (v instanceof com.google.common.primitives.UnsignedLong u) return u.bigIntegerValue();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(plain(k)), plain(val)));
            return out;
        }
        if (v instanceof Collection<?> c) {
            List<Object> out = new ArrayList<>();
            for (Object o : c) out.add(plain(o));
            return out;
        }
        return v;
    }

    static String describe(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName() + " " + text(v);
    }
}
