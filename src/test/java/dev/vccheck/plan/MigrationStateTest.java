package dev.vccheck.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.vccheck.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The planner's enums name exactly the values rules/postgres/00-state.yaml can derive: a state added to (or renamed
 * in) the YAML without the planner knowing it, or a constant the YAML no longer yields, fails here.
 */
class MigrationStateTest {
    /** A string literal that is a result of the ternary chain: right after {@code ?} or {@code :}, not a compared one. */
    private static final Pattern RESULT = Pattern.compile("[?:]\\s*'([^']*)'");

    @Test
    void everyDerivedStateIsAConstantAndEveryConstantIsDerived() throws IOException {
        assertEquals(derivable("migration_state"), values(MigrationState.values()));
    }

    @Test
    void everyDerivedPathIsAConstantAndEveryConstantIsDerived() throws IOException {
        assertEquals(derivable("migration_path"), values(MigrationPath.values()));
    }

    @Test
    void theResultLiteralsAreTheOnesTheExpressionYields() {
        // The reading itself: compared literals ('real[]', 'vchordrq') and a literal in a condition's parenthesis are not results.
        Set<String> got = results("x == 'real[]' ? 'a' : y in ['b', 'c'] ? ('vchord' in z ? 'd' : 'e') : 'f'");
        assertEquals(new TreeSet<>(Set.of("a", "d", "e", "f")), got);
    }

    /** The derive entry's declared {@code values:} when it has them, else the result literals of its expression. */
    static Set<String> derivable(String name) throws IOException {
        JsonNode pack = new ObjectMapper(new YAMLFactory()).readTree(TestFiles.repo("rules/postgres/00-state.yaml").toFile());
        for (JsonNode d : pack.path("derive")) {
            if (!d.path("name").asText().equals(name)) continue;
            Set<String> out = new TreeSet<>();
            if (d.has("values")) {
                d.path("values").forEach(v -> out.add(v.asText()));
                // The declared list and the expression agree too: a literal result the list lacks is a value the loader would refuse.
                assertTrue(out.containsAll(results(d.path("expr").asText())), name + ": its expression yields a value its values: list lacks");
            } else {
                out.addAll(results(d.path("expr").asText()));
            }
            return out;
        }
        throw new AssertionError("rules/postgres/00-state.yaml has no derive entry " + name);
    }

    static Set<String> results(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = RESULT.matcher(expr);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static Set<String> values(Enum<?>[] constants) {
        Set<String> out = new TreeSet<>();
        Arrays.stream(constants).forEach(c -> out.add(c.toString()));
        return out;
    }
}
