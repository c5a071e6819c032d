package dev.vccheck.collect.postgres;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --psql's command line is split as /bin/sh splits it (checked against the real sh), and shell syntax is refused. */
class ShellWordsTest {
    /** The words /bin/sh makes of {@code line}: it prints each argument followed by a NUL. */
    private static List<String> sh(String line) throws Exception {
        Process p = new ProcessBuilder("/bin/sh", "-c", "printf '%s\\0' " + line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out.isEmpty() ? List.of() : Arrays.asList(out.substring(0, out.length() - 1).split("\0", -1));
    }

    @Test
    void splitsLikeTheShell() throws Exception {
        for (String line : List.of(
                "psql -U immich -d immich",
                "ssh  db-host   psql -X -A -t",
                "docker exec -i 'my container' psql -d \"dbname=immich user=o'brien\"",
                "psql -d 'host=/var/run/postgresql dbname=immich'",
                "a\\ b c\\\\d \"e\\\"f\" 'g\\h' \"i\\j\"",
                "x''y \"\"z 'a'\"b\"c",
                "kubectl exec -i -n immich pod -- psql -c \"SELECT 1\"",
                "\tpsql\t-q -A")) {
            assertEquals(sh(line), ShellWords.split(line), line);
        }
    }

    @Test
    void shellSyntaxIsRefusedUnlessQuoted() throws Exception {
        for (String line : List.of("psql | tee x", "psql; rm -rf /", "psql > out", "psql $HOME", "psql `id`", "psql && x", "psql \"$HOME\"",
                "~/bin/psql", "psql # comment", "psql 'unterminated", "psql \"unterminated", "psql \\", "psql\n-A")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShellWords.split(line), line);
            assertTrue(e.getMessage().length() > 10, e.getMessage());
        }
        assertEquals(sh("psql -c 'SELECT 1; SELECT $1 | 2 > 1' a#b"), ShellWords.split("psql -c 'SELECT 1; SELECT $1 | 2 > 1' a#b"));
    }
}
