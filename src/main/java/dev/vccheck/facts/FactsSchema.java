package dev.vccheck.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.common.values.NullValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facts document's JSON Schema ({@code reports/facts.schema.json}), used two ways: to validate a bundle, and to
 * give the rule compiler the CEL type of every fact, so that a misspelt fact path is a load error with a position.
 * Objects with {@code properties} become CEL struct types; objects with only {@code additionalProperties} become maps.
 */
public final class FactsSchema {
    public static final String SCHEMA_ID = "vccheck.facts/v1";
    public static final String RESOURCE = "reports/facts.schema.json";

    private static volatile FactsSchema instance;

    private final JsonNode root;
    private volatile JsonSchema validator;
    private final Map<String, CelType> structs = new LinkedHashMap<>();
    private final Map<String, CelType> variables = new LinkedHashMap<>();

    private FactsSchema(JsonNode root) {
        this.root = root;
        JsonNode props = root.get("properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            variables.put(e.getKey(), typeOf(e.getValue(), "vccheck.facts." + e.getKey()));
        }
    }

    public static FactsSchema get() {
        FactsSchema s = instance;
        if (s == null) {
            synchronized (FactsSchema.class) {
                if (instance == null) instance = new FactsSchema(loadResource(RESOURCE));
                s = instance;
            }
        }
        return s;
    }

    static JsonNode loadResource(String name) {
        try (InputStream in = FactsSchema.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("missing resource " + name);
            return PlainJson.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private volatile String fingerprint;

    /** Changes whenever the schema does: part of the key of compiled expressions (CelEnv.key). */
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            fingerprint = f = SCHEMA_ID + "#" + Long.toHexString(crc.getValue());
        }
        return f;
    }

    /**
     * A type read back from a serialized AST names struct types only by name; this gives back the schema's own
     * struct types (with their fields), inside lists, maps and optionals too.
     */
    public CelType resolve(CelType t) {
        if (t instanceof dev.cel.common.types.StructTypeReference) return structs.getOrDefault(t.name(), t);
        if (t instanceof ListType l) return ListType.create(resolve(l.elemType()));
        if (t instanceof MapType m) return MapType.create(resolve(m.keyType()), resolve(m.valueType()));
        if (t instanceof dev.cel.common.types.OptionalType o) return dev.cel.common.types.OptionalType.create(resolve(o.parameters().get(0)));
        return t;
    }

    /** Top-level facts by name with their CEL types: the variables of every rule expression. */
    public Map<String, CelType> variables() {
        return variables;
    }

    public CelTypeProvider typeProvider(List<CelType> extra) {
        Map<String, CelType> all = new LinkedHashMap<>(structs);
        for (CelType t : extra) all.put(t.name(), t);
        return new CelTypeProvider() {
            @Override
            public ImmutableCollection<CelType> types() {
                return ImmutableList.copyOf(all.values());
            }

            @Override
            public Optional<CelType> findType(String typeName) {
                return Optional.ofNullable(all.get(typeName));
            }
        };
    }

    /** Schema violations as "path: message" (path like /pg/server/major), in document order. */
    public List<Violation> validate(JsonNode facts) {
        List<Violation> out = new ArrayList<>();
        for (ValidationMessage m : validator().validate(facts)) {
            String pointer = pointer(m);
            String msg = m.getMessage();
            int colon = msg.indexOf(": ");
            if (colon > 0 && (msg.startsWith("$") || msg.startsWith("/"))) msg = msg.substring(colon + 2);
            out.add(new Violation(pointer, msg));
        }
        out.sort((a, b) -> a.pointer().compareTo(b.pointer()));
        return out;
    }

    /** Built on first use: rule loading needs only the types, not the validator. */
    private JsonSchema validator() {
        JsonSchema v = validator;
        if (v == null) {
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            v = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root, config);
            validator = v;
        }
        return v;
    }

    public record Violation(String pointer, String message) {
    }

    private static String pointer(ValidationMessage m) {
        var loc = m.getInstanceLocation();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < loc.getNameCount(); i++) {
            sb.append('/').append(String.valueOf(loc.getElement(i)).replace("~", "~0").replace("/", "~1"));
        }
        return sb.length() == 0 ? "/" : sb.toString();
    }

    private CelType typeOf(JsonNode schema, String name) {
        JsonNode ref = schema.get("$ref");
        if (ref != null) {
            String def = ref.asText().replaceFirst("^#/\\$defs/", "");
            String structName = "vccheck.facts." + def;
            if (structs.containsKey(structName)) return structs.get(structName);
            return typeOf(root.get("$defs").get(def), structName);
        }
        String type = schema.path("type").asText("");
        return switch (type) {
            case "string" -> SimpleType.STRING;
            case "integer" -> SimpleType.INT;
            case "number" -> SimpleType.DOUBLE;
            case "boolean" -> SimpleType.BOOL;
            case "array" -> ListType.create(schema.has("items") ? typeOf(schema.get("items"), name + "_item") : SimpleType.DYN);
            case "object" -> objectType(schema, name);
            default -> SimpleType.DYN;
        };
    }

    private CelType objectType(JsonNode schema, String name) {
        JsonNode props = schema.get("properties");
        if (props == null) {
            JsonNode ap = schema.get("additionalProperties");
            CelType value = ap != null && ap.isObject() ? typeOf(ap, name + "_value") : SimpleType.DYN;
            return MapType.create(SimpleType.STRING, value);
        }
        Map<String, CelType> fields = new LinkedHashMap<>();
        StructType placeholder = StructType.create(name, ImmutableSet.copyOf(fieldNames(props)), f -> Optional.ofNullable(fields.get(f)));
        structs.put(name, placeholder);
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            fields.put(e.getKey(), typeOf(e.getValue(), name + "." + e.getKey()));
        }
        return placeholder;
    }

    private static List<String> fieldNames(JsonNode props) {
        List<String> names = new ArrayList<>();
        props.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * Converts a validated JSON value to what the CEL runtime expects for its declared type: integers as Long,
     * numbers as Double, objects as maps without null entries, and null (only possible inside dyn) as NullValue.
     */
    public static Object toCel(JsonNode node, CelType type) {
        if (node == null || node.isNull() || node.isMissingNode()) return NullValue.NULL_VALUE;
        if (type == SimpleType.DOUBLE && node.isNumber()) return node.doubleValue();
        if (type == SimpleType.INT && node.isNumber()) return node.longValue();
        if (node.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull() && !(type == SimpleType.DYN)) continue;
                m.put(e.getKey(), toCel(e.getValue(), fieldType(type, e.getKey())));
            }
            return m;
        }
        if (node.isArray()) {
            CelType elem = type instanceof ListType lt ? lt.elemType() : SimpleType.DYN;
            List<Object> l = new ArrayList<>(node.size());
            for (JsonNode n : node) l.add(toCel(n, elem));
            return l;
        }
        if (node.isIntegralNumber()) return node.longValue();
        if (node.isNumber()) return node.doubleValue();
        if (node.isBoolean()) return node.booleanValue();
        return node.asText();
    }

    private static CelType fieldType(CelType type, String field) {
        if (type instanceof StructType st) return st.findField(field).map(StructType.Field::type).orElse(SimpleType.DYN);
        if (type instanceof MapType mt) return mt.valueType();
        return SimpleType.DYN;
    }
}
