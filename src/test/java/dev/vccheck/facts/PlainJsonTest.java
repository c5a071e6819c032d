package dev.vccheck.facts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.report.render.JsonRendererTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PlainJson stands in for Jackson's data binding on a scan's path: every helper must give what the data binding gives
 * (the node types and number types too, since the rules' CEL values are made from them), on the facts of every test
 * bundle, the facts schema, and text chosen for its corners.
 */
class PlainJsonTest {
    static final ObjectMapper M = new ObjectMapper();

    static List<Path> documents() throws Exception {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(repo("src/test/resources/bundles"))) {
            s.sorted().forEach(out::add);
        }
        out.add(repo(FactsSchema.RESOURCE));   // reports/ is a resource directory of the build
        return out;
    }

    @Test
    void readsEveryBundleAndTheSchemaAsTheDataBindingReadsThem() throws Exception {
        for (Path p : documents()) {
            String text = Files.readString(p);
            JsonNode expected = M.readTree(text);
            assertSameTree(expected, PlainJson.readTree(text), p.toString());
            assertSameTree(expected, PlainJson.readTree(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))), p.toString());
        }
    }

    @Test
    void readsCornersAsTheDataBindingReadsThem() throws Exception {
        for (String text : List.of("{}", "[]", "null", "true", "0", "-0", "-0.0", "2147483647", "2147483648", "-2147483649",
                "9223372036854775807", "9223372036854775808", "123456789012345678901234567890", "1.5", "1e3", "1E-7", "1e400",
                "0.1000000000000000055511151231257827", "\"\\u00e9\\ud83d\\ude00 \\\" \\\\ \\n\"", "{\"a\":1,\"b\":2,\"a\":3}",
                "{\"a\":{\"b\":[1,[2,{\"c\":null}],\"x\"]}}", "  [1, 2]  ", "{\"a\":1} trailing", "")) {
            assertSameTree(M.readTree(text), PlainJson.readTree(text), text);
        }
        for (String bad : List.of("{", "[1,", "{\"a\" 1}", "nul", "{\"a\":}")) {
            assertThrows(JsonProcessingException.class, () -> M.readTree(bad), bad);
            assertThrows(JsonProcessingException.class, () -> PlainJson.readTree(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> PlainJson.readTree((String) null));
    }

    @Test
    void plainValuesAgreeWithTheDataBinding() throws Exception {
        Map<String, Object> values = JsonRendererTest.oddValues();
        assertEquals(M.writeValueAsString(values), PlainJson.compact(values));
        assertEquals(M.valueToTree(values), PlainJson.toTree(values));
        for (Path p : documents()) {
            JsonNode facts = M.readTree(p.toFile());
            assertEquals(M.convertValue(facts, Map.class), PlainJson.toMap(facts), p.toString());
            assertEquals(M.writeValueAsString(M.convertValue(facts, Map.class)), PlainJson.compact(PlainJson.toMap(facts)), p.toString());
        }
        assertEquals(null, PlainJson.toMap(M.missingNode()));
    }

    /** Equal as trees, and node for node of the same class (IntNode is not LongNode, DoubleNode is not DecimalNode). */
    static void assertSameTree(JsonNode expected, JsonNode actual, String what) {
        assertEquals(expected, actual, what);
        assertEquals(expected.getClass(), actual.getClass(), what);
        assertEquals(expected.toString(), actual.toString(), what);
        List<String> names = new ArrayList<>();
        expected.fieldNames().forEachRemaining(names::add);
        List<String> actualNames = new ArrayList<>();
        actual.fieldNames().forEachRemaining(actualNames::add);
        assertEquals(names, actualNames, what);
        for (String n : names) assertSameTree(expected.get(n), actual.get(n), what + "." + n);
        for (int i = 0; i < expected.size() && expected.isArray(); i++) assertSameTree(expected.get(i), actual.get(i), what + "[" + i + "]");
        assertTrue(expected.isMissingNode() == actual.isMissingNode(), what);
    }
}
