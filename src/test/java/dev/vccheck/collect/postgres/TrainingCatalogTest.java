package dev.vccheck.collect.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.TestServers;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The catalog document the start-up training's stand-in server answers with (src/test/resources/catalog, shipped as
 * {@code cds/catalog.json}): what a real server returns today for the collector's statement, so that the training
 * runs a scan's whole path (the driver's result handling, CatalogFacts, the analysis of real facts). Its shape (every
 * key, nested) must be the shape a live server gives for today's statement; when the statement changes, rewrite it:
 * <pre>mvn -o -q test -Dtest=TrainingCatalogTest -Dvccheck.regenerate-expected=true</pre>
 */
class TrainingCatalogTest {
    static final Path FILE = repo("src/test/resources/catalog/pgvectors-dual.json");

    @Test
    void theTrainingsCatalogDocumentHasTheShapeOfALiveServersAnswer() throws Exception {
        EmbeddedServer s = TestServers.shared(16, TestServers.DUAL, "vchord.so, vectors.so");
        String db = TestServers.newDatabaseName("cds");
        ImmichDatabase.create(s, db, ImmichDatabase.Spec.of(ImmichDatabase.State.PGVECTORS));
        String live;
        try (Connection c = s.connect(db, "postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(CatalogQueries.statement(true))) {
            rs.next();
            live = rs.getString(1);
        }
        ObjectMapper m = new ObjectMapper();
        JsonNode liveDoc = m.readTree(live);
        if (Boolean.getBoolean("vccheck.regenerate-expected")) {
            Files.writeString(FILE, m.writerWithDefaultPrettyPrinter().writeValueAsString(liveDoc) + "\n");
        }
        assertEquals(paths(liveDoc, "", new TreeSet<>()), paths(m.readTree(FILE.toFile()), "", new TreeSet<>()),
                "the catalog statement changed: rewrite " + FILE + " (see this test's comment)");
    }

    /** Every object key path; array elements share one path ([]). */
    static TreeSet<String> paths(JsonNode n, String at, TreeSet<String> out) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.add(at + "." + e.getKey());
                paths(e.getValue(), at + "." + e.getKey(), out);
            }
        } else if (n.isArray()) {
            for (JsonNode e : n) paths(e, at + "[]", out);
        }
        return out;
    }
}
