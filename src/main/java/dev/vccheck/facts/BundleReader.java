package dev.vccheck.facts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a facts bundle and refuses, with file:line:column, anything that is not a valid version-1 bundle. */
public final class BundleReader {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).maxStringLength(10_000_000).build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    /** The bundle cannot be used; {@link #problems()} says what is wrong and where. */
    public static final class InvalidBundleException extends Exception {
        private final List<String> problems;

        InvalidBundleException(List<String> problems) {
            super(String.join("\n", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** A bundle from a real scan is tens of kilobytes; this leaves room for thousands of pods and custom rows. */
    static final long MAX_BYTES = 64L * 1024 * 1024;

    private BundleReader() {
    }

    public static Facts read(Path file) throws InvalidBundleException {
        String text;
        try {
            text = dev.vccheck.io.TextFiles.read(file, MAX_BYTES);
        } catch (NoSuchFileException e) {
            throw new InvalidBundleException(List.of(file + ": no such file"));
        } catch (IOException e) {
            throw new InvalidBundleException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        return parse(file.toString(), text);
    }

    public static Facts parse(String name, String text) throws InvalidBundleException {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null ? name : name + ":" + l.getLineNr() + ":" + l.getColumnNr();
            throw new InvalidBundleException(List.of(where + ": not valid JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new InvalidBundleException(List.of(name + ": cannot read: " + e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new InvalidBundleException(List.of(name + ": not a vccheck facts bundle (expected a JSON object)"));
        }
        JsonNode schema = node.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new InvalidBundleException(List.of(name + ": not a vccheck facts bundle (no \"schema\": \"" + FactsSchema.SCHEMA_ID + "\")"));
        }
        if (!FactsSchema.SCHEMA_ID.equals(schema.asText())) {
            Map<String, int[]> loc = locations(text);
            throw new InvalidBundleException(List.of(at(name, loc, "/schema") + ": bundle version is '" + schema.asText()
                    + "'; this vccheck reads '" + FactsSchema.SCHEMA_ID + "' (collect the bundle again with a matching vccheck)"));
        }
        List<FactsSchema.Violation> violations = FactsSchema.get().validate(node);
        if (!violations.isEmpty()) {
            Map<String, int[]> loc = locations(text);
            List<String> problems = new ArrayList<>();
            for (FactsSchema.Violation v : violations) {
                problems.add(at(name, loc, v.pointer()) + ": " + v.pointer() + ": " + v.message());
            }
            throw new InvalidBundleException(problems);
        }
        return new Facts((ObjectNode) node);
    }

    private static String at(String name, Map<String, int[]> loc, String pointer) {
        int[] p = loc.get(pointer);
        return p == null ? name : name + ":" + p[0] + ":" + p[1];
    }

    /** JSON pointer of every value -> its line and column in the text. */
    static Map<String, int[]> locations(String text) {
        Map<String, int[]> out = new HashMap<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != null) walk(p, "", out);
        } catch (IOException e) {
            // Only called on text that already parsed; nothing to add.
        }
        return out;
    }

    private static void walk(JsonParser p, String ptr, Map<String, int[]> out) throws IOException {
        JsonLocation l = p.currentTokenLocation();
        out.put(ptr.isEmpty() ? "/" : ptr, new int[]{l.getLineNr(), l.getColumnNr()});
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName().replace("~", "~0").replace("/", "~1");
                p.nextToken();
                walk(p, ptr + "/" + field, out);
            }
        } else if (t == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) walk(p, ptr + "/" + i++, out);
        }
    }
}
