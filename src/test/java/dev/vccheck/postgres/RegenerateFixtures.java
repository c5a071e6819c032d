package dev.vccheck.postgres;

import dev.vccheck.cli.Cli;
import dev.vccheck.demo.EmbeddedServer;
import dev.vccheck.demo.ImmichDatabase;
import dev.vccheck.demo.ImmichDatabase.Spec;
import dev.vccheck.demo.ImmichDatabase.State;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;

import static dev.vccheck.TestFiles.repo;

/**
 * Regenerates the test bundles from real scans (facts are collected, never typed):
 * <pre>mvn -B -q test-compile && java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" dev.vccheck.postgres.RegenerateFixtures</pre>
 * (the class path file comes from {@code mvn dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt}).
 */
public final class RegenerateFixtures {
    private RegenerateFixtures() {
    }

    public static void main(String[] args) throws Exception {
        Path out = repo("src/test/resources/bundles");
        // A pgvecto.rs database after switching to Immich's image, the old preload left behind, Immich connected.
        try (EmbeddedServer s = TestServers.start(16, TestServers.DUAL, "vectors.so")) {
            ImmichDatabase.create(s, "immich", Spec.of(State.PGVECTORS).owner("immich").immich("1.132.3").rows(4210));
            Properties p = new Properties();
            p.setProperty("user", "immich");
            p.setProperty("ApplicationName", "immich");
            try (Connection immich = DriverManager.getConnection(s.jdbcUrl("immich"), p)) {
                collect(s, "immich", out.resolve("pgvectors-dual.json"));
            }
        }
        // Fully migrated on ghcr.io/immich-app/postgres:16-vectorchord0.4.3.
        try (EmbeddedServer s = TestServers.start(16, TestServers.VCHORD_ONLY, "vchord.so")) {
            ImmichDatabase.create(s, "immich", Spec.of(State.MIGRATED).owner("immich").immich("2.1.0").rows(4210));
            collect(s, "immich", out.resolve("migrated.json"));
        }
        // Nothing listens on this port.
        Cli.Result r = Cli.run("collect", "--db-url", "postgresql://immich@127.0.0.1:1/immich?sslmode=disable", "-o", out.resolve("unreachable.json").toString());
        System.out.println("unreachable: exit " + r.exit() + " " + r.err());
    }

    private static void collect(EmbeddedServer s, String db, Path file) throws Exception {
        Cli.Result r = Cli.run("collect", "--db-url", TestServers.url(s, db, "postgres"), "-o", file.toString());
        if (r.exit() != 0) throw new IllegalStateException(r.toString());
        // Ports differ per run; fix them so the bundles stay stable under version control.
        Files.writeString(file, Files.readString(file).replace(":" + s.port() + "/", ":5432/").replace("\"port\" : " + s.port(), "\"port\" : 5432")
                .replace("localhost", "database"));
        System.out.println("wrote " + file);
    }
}
