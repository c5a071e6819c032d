package dev.vccheck.collect.postgres;

import dev.vccheck.cli.Cli;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;
import dev.vccheck.demo.SqlServer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scenarios against the real extensions in Immich's and TensorChord's images. Compiles always; runs only where
 * Docker is available (without it JUnit reports the class as skipped). Not run in the workplace that wrote it
 * (no Docker engine there), so its first run on a Docker host is its first real check.
 */
@Testcontainers(disabledWithoutDocker = true)
class RealImagesTest {
    private static final String PASSWORD = "postgres";

    private static GenericContainer<?> container(String image, String... command) {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withEnv("POSTGRES_PASSWORD", PASSWORD)
                .withEnv("POSTGRES_USER", "postgres")
                .withEnv("POSTGRES_DB", "postgres")
                .withExposedPorts(5432)
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*\\n", 2))
                .withStartupTimeout(Duration.ofMinutes(3));
        if (command.length > 0) c.withCommand(command);
        return c;
    }

    private static SqlServer server(GenericContainer<?> c) {
        return new SqlServer() {
            @Override
            public Connection connect(String database, String user) throws SQLException {
                return DriverManager.getConnection("jdbc:postgresql://" + c.getHost() + ":" + c.getMappedPort(5432) + "/" + database, user, PASSWORD);
            }
        };
    }

    private static Map<String, String> scan(GenericContainer<?> c, String db, String immich) throws Exception {
        Cli.Result r = Cli.run("scan", "--db-url", "postgresql://postgres:" + PASSWORD + "@" + c.getHost() + ":" + c.getMappedPort(5432) + "/" + db
                + "?sslmode=disable", "--format", "json", "--immich-version", immich);
        Map<String, String> statuses = new TreeMap<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("findings")
                .forEach(f -> statuses.merge(f.get("id").asText(), f.get("status").asText(), (a, b) -> a.equals("fail") || b.equals("pass") ? a : b));
        return statuses;
    }

    @Test
    void immichMigrationImageDualInstallReady() throws Exception {
        try (GenericContainer<?> c = container("ghcr.io/immich-app/postgres:14-vectorchord0.3.0-pgvectors0.2.0")) {
            c.start();
            ImmichDatabase.create(server(c), "immich", Spec.of(State.PGVECTORS));
            Map<String, String> s = scan(c, "immich", "1.133.0");
            assertEquals("pass", s.get("pg.vchord.preload"), s::toString);
            assertEquals("pass", s.get("pg.vchord.version"), s::toString);
            assertEquals("pass", s.get("pg.migration.state"), s::toString);
            assertEquals("warn", s.get("pg.vectors.version"), s::toString);
        }
    }

    @Test
    void pgvectorsImageBeforeTheMigration() throws Exception {
        try (GenericContainer<?> c = container("tensorchord/pgvecto-rs:pg14-v0.2.0")) {
            c.start();
            ImmichDatabase.create(server(c), "immich", Spec.of(State.PGVECTORS));
            Map<String, String> s = scan(c, "immich", "2.1.0");
            assertEquals("fail", s.get("pg.vchord.available"), s::toString);
            assertEquals("pass", s.get("pg.embedding.dimension"), s::toString);
        }
    }

    @Test
    void leanVectorChordImageMigrated() throws Exception {
        try (GenericContainer<?> c = container("ghcr.io/immich-app/postgres:16-vectorchord0.5.3")) {
            c.start();
            ImmichDatabase.create(server(c), "immich", Spec.of(State.MIGRATED).immich("2.1.0"));
            Map<String, String> s = scan(c, "immich", "2.1.0");
            assertEquals("pass", s.get("pg.vchord.version"), s::toString);
            assertEquals("pass", s.get("pg.indexes"), s::toString);
            assertEquals("pass", s.get("pg.leftovers"), s::toString);
        }
    }
}
