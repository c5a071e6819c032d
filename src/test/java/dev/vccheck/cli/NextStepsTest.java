package dev.vccheck.cli;

import dev.vccheck.report.NextStep;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Which next step a host name that does not resolve gets: the shapes of docker compose and Kubernetes names. */
class NextStepsTest {
    private static NextStep dns(String host, boolean kube) {
        Map<String, Object> pg = new LinkedHashMap<>(Map.of("status", "error", "cause", "dns", "host", host, "port", 5432,
                "label", "postgresql://immich@" + host + ":5432/photos", "message", "cannot resolve host"));
        Map<String, Object> targets = new LinkedHashMap<>();
        targets.put("postgres", pg);
        targets.put("kubernetes", kube ? Map.of("status", "ok", "label", "kube://prod/media") : Map.of("status", "not-configured"));
        return NextSteps.of(targets, new NextSteps.Context(Path.of("/srv/immich/.env"), false)).get("postgres");
    }

    @ParameterizedTest
    @CsvSource({
            "database, false, ./vccheck scan --docker immich_postgres --env-file /srv/immich/.env",
            "immich_postgres, false, ./vccheck scan --docker immich_postgres --env-file /srv/immich/.env",
            "immich-db.photos, false, ./vccheck scan --kube -n photos --kube-exec --env-file /srv/immich/.env",
            "immich-cnpg-rw.photos.svc, false, ./vccheck scan --kube -n photos --kube-exec --env-file /srv/immich/.env",
            "immich-cnpg-rw.photos.svc.cluster.local, false, ./vccheck scan --kube -n photos --kube-exec --env-file /srv/immich/.env",
            "immich-cnpg-rw, true, ./vccheck scan --kube -n media --kube-exec --env-file /srv/immich/.env",
            "db.example.com, false, Check the host name: 'db.example.com' does not resolve from this machine.",
            "nas.lan, false, Check the host name: 'nas.lan' does not resolve from this machine.",
            "host-1, false, Check the host name (hidden by --redact all): it does not resolve from this machine.",
    })
    void hostShapes(String host, boolean kube, String expected) {
        assertEquals(expected, dns(host, kube).oneLine());
    }

    @ParameterizedTest
    @CsvSource({
            "URL, the URL given with --db-url",
            ".env, DB_PASSWORD in /srv/immich/.env",
            "DB_URL, DB_URL in /srv/immich/.env",
            "PGPASSWORD, PGPASSWORD in the environment",
            ".pgpass, 'the .pgpass file (PGPASSFILE, or ~/.pgpass)'",
            "default, 'Immich''s default, because DB_PASSWORD is not set'",
    })
    void passwordSources(String source, String words) {
        assertEquals(words, NextSteps.passwordSource(source, new NextSteps.Context(Path.of("/srv/immich/.env"), false)));
    }

    @org.junit.jupiter.api.Test
    void hiddenNamesLeaveNoNamespaceOrService() {
        Map<String, Object> targets = Map.of("postgres", Map.of("status", "error", "cause", "dns", "host", "immich-db.photos", "port", 5432,
                "label", "postgresql://immich@immich-db.photos:5432/photos", "message", "x"));
        NextStep s = NextSteps.of(targets, new NextSteps.Context(Path.of(".env"), true)).get("postgres");
        String all = s.text() + String.join("\n", s.commands());
        assertFalse(all.contains("photos") || all.contains("immich-db") || all.contains("immich@"), all);
        assertEquals("./vccheck scan --kube -n NAMESPACE --kube-exec --env-file .env", s.oneLine());
    }
}
