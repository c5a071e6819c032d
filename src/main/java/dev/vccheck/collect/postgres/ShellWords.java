package dev.vccheck.collect.postgres;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words by the POSIX shell's quoting rules (Shell Command Language, 2.2 Quoting, and 2.6.5
 * Field Splitting on blanks): backslash escapes the next character outside quotes; single quotes keep everything up to
 * the next single quote; inside double quotes a backslash escapes only {@code $ ` " \} and newline. Nothing is
 * expanded and nothing runs through a shell, so characters that would make a shell do something else
 * ({@code | & ; < > ( ) $ `}, a newline, and {@code ~} or {@code #} starting a word) are refused unless quoted: the command must be one program with
 * its arguments (wrap pipelines as {@code sh -c '...'} explicitly). The JDK has no such splitter, and the ones in
 * Ant and plexus-utils ({@code translateCommandline}) ignore backslashes, which a quoted password or path may need.
 */
public final class ShellWords {
    private ShellWords() {
    }

    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                i++;
            } else if (c == '\\') {
                if (i + 1 >= n) throw new IllegalArgumentException("the command ends with a lone backslash");
                if (line.charAt(i + 1) != '\n') w.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unterminated single quote at character " + (i + 1));
                w.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char d = line.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < n && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
                        if (line.charAt(i + 1) != '\n') w.append(line.charAt(i + 1));
                        i += 2;
                    } else if (d == '$' || d == '`') {
                        throw new IllegalArgumentException("'" + d + "' inside double quotes would be expanded by a shell; vccheck does not run a shell: "
                                + "write the value itself, or use single quotes");
                    } else {
                        w.append(d);
                        i++;
                    }
                }
                if (!closed) throw new IllegalArgumentException("unterminated double quote");
                inWord = true;
            } else if ("|&;<>()$`\n".indexOf(c) >= 0 || (c == '~' || c == '#') && !inWord) {
                throw new IllegalArgumentException("'" + (c == '\n' ? "\\n" : String.valueOf(c)) + "' at character " + (i + 1) + " is shell syntax; vccheck runs the command as words, "
                        + "without a shell: quote it, or run a shell explicitly (sh -c '...')");
            } else {
                w.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) words.add(w.toString());
        return words;
    }
}
