package dev.vccheck.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.StructType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The facts document: one JSON tree, the only input of the rules. Collectors write it, {@code collect} saves it as a
 * bundle, {@code analyze} reads it back; rules see it as CEL variables.
 */
public final class Facts {
    private final ObjectNode doc;

    public Facts(ObjectNode doc) {
        this.doc = doc;
    }

    public static Facts empty(String toolVersion, String collectedAt) {
        ObjectNode d = JsonNodeFactory.instance.objectNode();
        d.put("schema", FactsSchema.SCHEMA_ID);
        ObjectNode meta = d.putObject("meta");
        meta.putObject("tool").put("name", "vccheck").put("version", toolVersion);
        meta.put("collected_at", collectedAt);
        d.putObject("collection");
        return new Facts(d);
    }

    public ObjectNode json() {
        return doc;
    }

    /** A copy, so that analysis can add {@code target} without touching the collected document. */
    public Facts copy() {
        return new Facts(doc.deepCopy());
    }

    public Optional<JsonNode> at(String pointer) {
        JsonNode n = doc.at(pointer);
        return n.isMissingNode() ? Optional.empty() : Optional.of(n);
    }

    /** How collecting {@code postgres}, {@code kubernetes} or {@code logs} ended; absent is not-configured, an unknown value null. */
    public CollectionStatus sourceStatus(String source) {
        JsonNode s = doc.path("collection").path(source).path("status");
        return CollectionStatus.of(s.isMissingNode() || s.isNull() ? null : s.asText());
    }

    /** The status, label, message and cause of one source. */
    public SourceStatus source(String source) {
        JsonNode n = doc.path("collection").path(source);
        return new SourceStatus(sourceStatus(source), text(n, "label"), text(n, "message"), text(n, "cause"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public String sourceMessage(String source) {
        return doc.path("collection").path(source).path("message").asText("");
    }

    public Map<String, String> unavailable() {
        Map<String, String> m = new LinkedHashMap<>();
        doc.path("unavailable").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    public String collectedAt() {
        return doc.path("meta").path("collected_at").asText();
    }

    /** The CEL activation: every declared top-level fact, absent objects bound to empty maps so that has() works. */
    public Map<String, Object> activation(FactsSchema schema) {
        Map<String, Object> act = new LinkedHashMap<>();
        for (Map.Entry<String, CelType> v : schema.variables().entrySet()) {
            JsonNode n = doc.get(v.getKey());
            if (n == null || n.isNull()) {
                CelType t = v.getValue();
                if (t instanceof StructType || t instanceof MapType) act.put(v.getKey(), Map.of());
                else if (t instanceof ListType) act.put(v.getKey(), List.of());
                continue;
            }
            act.put(v.getKey(), FactsSchema.toCel(n, v.getValue()));
        }
        return act;
    }
}
