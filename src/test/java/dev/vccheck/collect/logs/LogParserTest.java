package dev.vccheck.collect.logs;

import dev.vccheck.collect.kubernetes.KubernetesLogsTest;

import dev.vccheck.collect.logs.LogParser.Line;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What is kept from a log, line by line, in each format (the real-server tests are LogDiagnosisTest and KubernetesLogsTest). */
class LogParserTest {
    @Test
    void postgresTextKeepsFailuresWithTheirDetailAndCountsRepeats() {
        Map<Line, Integer> kept = LogParser.parse(List.of(
                "2026-12-02 15:41:29.506 UTC [14309] FATAL:  could not access file \"vectors.so\": No such file or directory",
                "2026-12-02 15:41:29.506 UTC [14309] LOG:  database system is shut down",
                "2026-12-02 15:41:39.506 UTC [14310] FATAL:  could not access file \"vectors.so\": No such file or directory",
                "2026-12-02 15:41:40.001 UTC [14311] LOG:  checkpoint starting: time",
                "2026-12-02 15:41:40.001 UTC [14311] DETAIL:  not kept: it follows a LOG line",
                "2026-12-02 16:06:22.850 UTC [27187] WARNING:  invalid configuration parameter name \"vchordrq.prewarm_dim\"",
                "2026-12-02 16:06:22.850 UTC [27187] DETAIL:  \"vchordrq\" is a reserved prefix.",
                "2026-12-02 16:06:22.850 UTC [27187] STATEMENT:  SELECT 1"), null);
        assertEquals(Map.of(
                new Line("postgres", "FATAL", "could not access file \"vectors.so\": No such file or directory"), 2,
                new Line("postgres", "WARNING", "invalid configuration parameter name \"vchordrq.prewarm_dim\""), 1,
                new Line("postgres", "DETAIL", "\"vchordrq\" is a reserved prefix."), 1), kept);
    }

    @Test
    void cloudNativePgJsonLines() {
        Map<Line, Integer> kept = LogParser.parse(List.of(
                "{\"level\":\"info\",\"ts\":\"2026-12-02T15:41:30Z\",\"logger\":\"pg_ctl\",\"msg\":\"2026-12-02 15:41:30.1 UTC [25] FATAL:  could not access file \\\"vectors.so\\\": No such file or directory\",\"pipe\":\"stderr\",\"logging_pod\":\"immich-cnpg-main-1\"}",
                "{\"level\":\"info\",\"ts\":\"2026-12-02T15:41:31Z\",\"logger\":\"postgres\",\"msg\":\"record\",\"logging_pod\":\"immich-cnpg-main-1\",\"record\":{\"error_severity\":\"ERROR\",\"message\":\"permission denied to create extension \\\"vchord\\\"\",\"detail\":\"\",\"hint\":\"Must be superuser to create this extension.\"}}",
                "{\"level\":\"info\",\"ts\":\"2026-12-02T15:41:32Z\",\"logger\":\"postgres\",\"msg\":\"record\",\"record\":{\"error_severity\":\"LOG\",\"message\":\"checkpoint starting: time\"}}",
                "{\"level\":\"info\",\"msg\":\"Starting up instance\",\"logger\":\"instance-manager\"}"), "postgres");
        assertEquals(Map.of(
                new Line("postgres", "FATAL", "could not access file \"vectors.so\": No such file or directory"), 1,
                new Line("postgres", "ERROR", "permission denied to create extension \"vchord\""), 1,
                new Line("postgres", "HINT", "Must be superuser to create this extension."), 1), kept);
    }

    @Test
    void immichServerLinesAndThrownErrors() {
        Map<Line, Integer> kept = LogParser.parse(List.of(
                "\u001B[32m[Nest] 7  - \u001B[39m12/02/2026, 3:41:29 PM \u001B[32m    LOG\u001B[39m \u001B[33m[Microservices:DatabaseRepository]\u001B[39m Creating VectorChord extension",
                "[Nest] 7  - 12/02/2026, 3:41:29 PM   FATAL [Microservices:DatabaseService] Failed to activate VectorChord extension.",
                "    Please ensure the Postgres instance has VectorChord installed.",
                "PostgresError: permission denied to create extension \"vchord\"",
                "    at ErrorResponse (file:///usr/src/app/server/node_modules/postgres/src/connection.js:794:26)",
                "Error: No vector extension found. Available extensions: vchord, vector"), "immich");
        assertEquals(Map.of(
                new Line("immich", "FATAL", "[Microservices:DatabaseService] Failed to activate VectorChord extension."), 1,
                new Line("immich", "ERROR", "PostgresError: permission denied to create extension \"vchord\""), 1,
                new Line("immich", "ERROR", "Error: No vector extension found. Available extensions: vchord, vector"), 1), kept);
    }
}
