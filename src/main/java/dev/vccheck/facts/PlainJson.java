package dev.vccheck.facts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON between text, the facts' trees and plain values (null, String, Boolean, Number, Map, List), on Jackson's
 * streaming parser and generator, without its data binding: what {@code ObjectMapper.readTree}, {@code convertValue},
 * {@code valueToTree} and {@code writeValue} give for these values, without the start of the data binding and the
 * class introspection they pay on first use (a large part of a scan's start-up, bench/results.md). Any other type is
 * handed to an ObjectMapper, so the output never depends on which path wrote it ({@code JsonRendererTest}).
 */
public final class PlainJson {
    /** The factory every streaming reader and writer of vccheck's JSON shares. */
    public static final JsonFactory FACTORY = new JsonFactory();

    private PlainJson() {
    }

    /**
     * JSON text as a tree, as {@code new ObjectMapper().readTree} reads it (the same node types, numbers included; a
     * repeated key keeps its first place and its last value; empty text gives a missing node), on the streaming parser
     * alone: a database scan then never starts Jackson's data binding.
     */
    public static JsonNode readTree(String content) throws JsonProcessingException {
        if (content == null) throw new IllegalArgumentException("argument \"content\" is null");
        try (JsonParser p = FACTORY.createParser(content)) {
            return readTree(p);
        } catch (JsonProcessingException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // text in memory: not reached
        }
    }

    /** See {@link #readTree(String)}. */
    public static JsonNode readTree(java.io.InputStream in) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            return readTree(p);
        }
    }

    private static JsonNode readTree(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        return t == null ? JsonNodeFactory.instance.missingNode() : node(p, t);
    }

    private static JsonNode node(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = f.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    o.set(name, node(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = f.arrayNode();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(node(p, e));
                return a;
            }
            case VALUE_STRING -> {
                return f.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> f.numberNode(p.getIntValue());
                    case LONG -> f.numberNode(p.getLongValue());
                    default -> f.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return switch (p.getNumberType()) {
                    case BIG_DECIMAL -> f.numberNode(p.getDecimalValue());
                    case FLOAT -> f.numberNode(p.getFloatValue());
                    default -> f.numberNode(p.getDoubleValue());
                };
            }
            case VALUE_TRUE -> {
                return f.booleanNode(true);
            }
            case VALUE_FALSE -> {
                return f.booleanNode(false);
            }
            case VALUE_NULL -> {
                return f.nullNode();
            }
            default -> throw new com.fasterxml.jackson.core.JsonParseException(p, "unexpected token " + t);
        }
    }

    /** A JSON tree as plain Java values: objects as LinkedHashMap, arrays as ArrayList, numbers as the node holds them. */
    public static Object toPlain(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return null;
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), toPlain(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            n.forEach(e -> l.add(toPlain(e)));
            return l;
        }
        if (n.isTextual()) return n.textValue();
        if (n.isBoolean()) return n.booleanValue();
        if (n.isNumber()) return n.numberValue();
        return Mapper.INSTANCE.convertValue(n, Object.class);
    }

    /** An object node as a plain map (see {@link #toPlain}); anything else gives null. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(JsonNode n) {
        return n != null && n.isObject() ? (Map<String, Object>) toPlain(n) : null;
    }

    /** Plain Java values as a JSON tree, as {@code ObjectMapper.valueToTree} builds it. */
    public static JsonNode toTree(Object v) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (v == null) return f.nullNode();
        if (v instanceof String s) return f.textNode(s);
        if (v instanceof Boolean b) return f.booleanNode(b);
        if (v instanceof Integer i) return f.numberNode(i);
        if (v instanceof Long l) return f.numberNode(l);
        if (v instanceof Double d) return f.numberNode(d);
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = f.objectNode();
            m.forEach((k, val) -> o.set(String.valueOf(k), toTree(val)));
            return o;
        }
        if (v instanceof List<?> l) {
            ArrayNode a = f.arrayNode(l.size());
            l.forEach(e -> a.add(toTree(e)));
            return a;
        }
        return Mapper.INSTANCE.valueToTree(v);
    }

    /** One value, as Jackson's default serialization writes it. */
    public static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) g.writeNull();
        else if (v instanceof String s) g.writeString(s);
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof Integer || v instanceof Short || v instanceof Byte) g.writeNumber(((Number) v).intValue());
        else if (v instanceof Long l) g.writeNumber(l);
        else if (v instanceof Double d) g.writeNumber(d);
        else if (v instanceof Float f) g.writeNumber(f);
        else if (v instanceof BigInteger b) g.writeNumber(b);
        else if (v instanceof BigDecimal b) g.writeNumber(b);
        else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) write(g, o);
            g.writeEndArray();
        } else Mapper.INSTANCE.writeValue(g, v);
    }

    /** One value as compact JSON text. */
    public static String compact(Object v) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            write(g, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Only for values that are none of the above; created on first use. */
    private static final class Mapper {
        static final ObjectMapper INSTANCE = new ObjectMapper()
                .disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }
}
