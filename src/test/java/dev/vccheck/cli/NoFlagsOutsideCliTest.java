package dev.vccheck.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.vccheck.TestFiles.repo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Only the command line knows its flags: no string literal in src/main/java outside dev/vccheck/cli names a vccheck
 * option ("use --db-url", "raise --statement-timeout"). Collectors and the engine report causes and settings
 * (collect.Setting, PreflightException.Cause); cli.Flags words them. A new flag in a message elsewhere fails this test.
 */
class NoFlagsOutsideCliTest {
    private static final Pattern FLAG = Pattern.compile("(?<![A-Za-z0-9-])--[a-z][a-z0-9-]*");

    /**
     * Literals that name a flag of another program, or text that is not a message of vccheck's: file and literal,
     * with why. Keep this short: a message of vccheck's goes through cli.Flags.
     */
    private static final Map<String, String> ALLOWED = Map.of(
            "dev/vccheck/collect/postgres/PsqlChannel.java:\"--kubeconfig\"", "kubectl's own option, in the kubectl command line",
            "dev/vccheck/collect/postgres/PsqlChannel.java:\"--context\"", "kubectl's own option, in the kubectl command line",
            "dev/vccheck/collect/postgres/PsqlChannel.java:\" --context \"", "kubectl's own option, in the kubectl command shown to the user",
            "dev/vccheck/plan/Planner.java:\"plan again for the release you are going to: vccheck plan --immich-version X.Y.Z\"",
            "a runbook line: the command the user runs next, not a message about a setting",
            "dev/vccheck/plan/Planner.java:\"Leave the database's search_path alone: Immich sets it itself. Then check: vccheck scan --phase post. After a later VectorChord upgrade:\"",
            "a runbook step: the command the user runs next, not a message about a setting");

    @Test
    void noStringLiteralOutsideCliNamesAFlag() throws IOException {
        Set<String> flags = flags();
        Path main = repo("src/main/java");
        List<String> found = new ArrayList<>();
        Set<String> allowedSeen = new TreeSet<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String rel = main.relativize(f).toString().replace('\\', '/');
                if (rel.startsWith("dev/vccheck/cli/")) continue;
                for (String literal : literals(Files.readString(f))) {
                    List<String> named = named(literal, flags);
                    if (named.isEmpty()) continue;
                    if (ALLOWED.containsKey(rel + ":" + literal)) allowedSeen.add(rel + ":" + literal);
                    else found.add(rel + ": " + literal + " names " + named);
                }
            }
        }
        assertTrue(found.isEmpty(), "messages outside dev.vccheck.cli that name a vccheck flag (report a cause; let cli.Flags word it):\n"
                + String.join("\n", found));
        // every exception is still there (the scan reads the files, and the list does not outlive its reasons)
        assertEquals(new TreeSet<>(ALLOWED.keySet()), allowedSeen);
    }

    /** The check itself: it sees a flag in a literal (also in a text block), and not in comments or another program's options. */
    @Test
    void theCheckFindsAFlagInALiteral() {
        Set<String> flags = flags();
        String source = """
                class Sample {
                    // use --db-url in a comment is fine
                    /* so is --kube here */
                    String a = "connect failed; use --db-url or raise --statement-timeout";
                    String b = "kubectl logs --tail 10";
                    char c = '"';
                    String d = "escaped \\" quote, then --kube-exec=main";
                    String e = \"""
                        check --context
                        \""";
                }
                """;
        List<String> lits = literals(source);
        List<String> named = lits.stream().flatMap(l -> named(l, flags).stream()).toList();
        assertEquals(List.of("--db-url", "--statement-timeout", "--kube-exec", "--context"), named, lits::toString);
    }

    @Test
    void theFlagsComeFromTheCommandLine() {
        Set<String> flags = flags();
        assertTrue(flags.containsAll(List.of("--db-url", "--statement-timeout", "--context", "--kube", "--kube-exec", "--fail-on", "--log")), flags::toString);
    }

    /** Every long option of every vccheck command, from picocli's model of the command line. */
    private static Set<String> flags() {
        Set<String> out = new TreeSet<>();
        collect(VcCheck.commandLine(false, Map.of(), null), out);
        return out;
    }

    private static void collect(CommandLine cl, Set<String> out) {
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            for (String n : o.names()) if (n.startsWith("--")) out.add(n);
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, out));
    }

    private static List<String> named(String literal, Set<String> flags) {
        List<String> out = new ArrayList<>();
        Matcher m = FLAG.matcher(literal);
        while (m.find()) {
            if (flags.contains(m.group())) out.add(m.group());
        }
        return out;
    }

    /** The string literals and text blocks of a Java source, as written (quotes included); comments and chars skipped. */
    static List<String> literals(String src) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '/' && i + 1 < n && src.charAt(i + 1) == '/') {
                i = src.indexOf('\n', i);
                if (i < 0) break;
            } else if (c == '/' && i + 1 < n && src.charAt(i + 1) == '*') {
                i = src.indexOf("*/", i + 2);
                if (i < 0) break;
                i += 2;
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                while (end > 0 && src.charAt(end - 1) == '\\') end = src.indexOf("\"\"\"", end + 1);
                if (end < 0) break;
                out.add(src.substring(i, end + 3));
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && src.charAt(j) != c) j += src.charAt(j) == '\\' ? 2 : 1;
                if (c == '"') out.add(src.substring(i, Math.min(j + 1, n)));
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }
}
