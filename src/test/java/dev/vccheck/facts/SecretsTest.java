package dev.vccheck.facts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Redactor.secrets runs each credential pattern only on values that hold its anchor: it must redact exactly what
 * Redactor's three patterns, run on every value, redact on every string of the test bundles and on values made to be near misses.
 */
class SecretsTest {
    private static String everyPattern(String s) {
        String r = Redactor.URL_CREDENTIALS.matcher(s).replaceAll("$1:[redacted]@");
        r = Redactor.KEY_VALUE.matcher(r).replaceAll("$1$2[redacted]");
        return Redactor.BEARER.matcher(r).replaceAll("$1 [redacted]");
    }

    @Test
    void redactsWhatEveryPatternOnEveryValueRedacts() throws Exception {
        List<String> values = new ArrayList<>(List.of(
                "postgresql://immich:Hunter2@db:5432/immich", "POSTGRES://U:P@H/D", "x://a:b@c", "mailto:someone@example.net",
                "PassWord=abc", "passwd: x", "PWD=y", "Token : z", "SECRET=s3", "APIKEY=k", "api-key: q", "api_key=w",
                "Authorization: Bearer abcdefghijkl", "BEARER 12345678", "bearer short", "password", "the api is up",
                "DB_URL=postgres://u:pw@h/d?password=x&token=y", "İpassword=x", "ﬁ token=ü", "K=v", ""));
        try (Stream<Path> files = Files.list(repo("src/test/resources/bundles"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) strings(new ObjectMapper().readTree(f.toFile()), values);
        }
        int redacted = 0;
        for (String v : values) {
            assertEquals(everyPattern(v), Redactor.secrets(v), v);
            if (!everyPattern(v).equals(v)) redacted++;
        }
        assertNotEquals(0, redacted, "some of the values hold credentials");
    }

    private static void strings(JsonNode n, List<String> out) {
        if (n.isTextual()) out.add(n.asText());
        n.fieldNames().forEachRemaining(out::add);
        n.forEach(c -> strings(c, out));
    }
}
