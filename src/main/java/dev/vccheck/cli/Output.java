package dev.vccheck.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where one output of a command goes: a file (UTF-8, its folders created) or, with no file, standard output. The one
 * place that writes what a command produces: reports, facts bundles, plans.
 */
record Output(Path file) {
    static final Output STDOUT = new Output(null);

    /** Writes the content; {@code toStdout} tells it whether it goes to standard output (colors, terminal width). */
    interface Content {
        void write(Writer w, boolean toStdout) throws IOException;
    }

    boolean toStdout() {
        return file == null;
    }

    /**
     * Writes {@code content} here; for a file, says so on standard error ("wrote WHAT to FILE") unless
     * {@code quiet}.
     */
    void write(Content content, String what, PrintWriter stdout, PrintWriter stderr, boolean quiet) throws IOException {
        if (file == null) {
            content.write(stdout, true);
            stdout.flush();
            return;
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (Writer w = new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8)) {
            content.write(w, false);
        }
        if (!quiet) stderr.println("wrote " + what + " to " + file);
    }
}
