package dev.vccheck.rules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Image tags as the CloudNativePG and Immich charts and Immich's docker-compose files write them. */
class ImageRefTest {
    @ParameterizedTest
    @CsvSource(delimiter = ';', nullValues = "-", value = {
            "ghcr.io/tensorchord/cloudnative-vectorchord:16.10-0.5.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef; vectorchord; 16.10; 16; 0.5.3; -",
            "tensorchord/cloudnative-vectorchord:16-1.1.1; vectorchord; 16; 16; 1.1.1; -",
            "ghcr.io/tensorchord/cloudnative-vectorchord:17.1-v0.1.0; vectorchord; 17.1; 17; 0.1.0; -",
            "ghcr.io/tensorchord/cloudnative-vectorchord:16.10; vectorchord; 16.10; 16; -; -",
            "ghcr.io/tensorchord/cloudnative-pgvecto.rs:16.3-v0.2.1; pgvectors; 16.3; 16; -; 0.2.1",
            "docker.io/tensorchord/cloudnative-pgvecto-rs:16; pgvectors; 16; 16; -; -",
            "tensorchord/pgvecto-rs:pg14-v0.2.0; pgvectors-legacy; 14; 14; -; 0.2.0",
            "ghcr.io/immich-app/postgres:14-vectorchord0.4.3-pgvectors0.2.0; immich-postgres; 14; 14; 0.4.3; 0.2.0",
            "ghcr.io/immich-app/postgres:16-vectorchord1.1.1-pgvector0.8.5; immich-postgres; 16; 16; 1.1.1; -",
            "ghcr.io/tensorchord/vchord-scratch:pg18-v1.1.1; vchord-extension; 18; 18; 1.1.1; -",
            "ghcr.io/cloudnative-pg/postgresql:18-standard-trixie; cnpg; 18; 18; -; -",
            "postgres:16-alpine; other; -; -; -; -"})
    void parsesEveryKnownFamily(String ref, String family, String pg, String major, String vchord, String vectors) {
        Map<String, String> m = ImageRef.parse(ref);
        assertEquals(family, m.get("family"), m::toString);
        assertEquals(pg, m.get("pg"));
        assertEquals(major, m.get("pg_major"));
        assertEquals(vchord, m.get("vchord"));
        assertEquals(vectors, m.get("vectors"));
    }
}
