package dev.vccheck.report.render;

import dev.vccheck.report.Report;

import java.io.IOException;
import java.io.Writer;

/** Turns a report into one output format. Renderers format; they never decide a status. */
public interface Renderer {
    String format();

    /** @param color whether ANSI colors may be used (only ever true for a terminal) */
    void render(Report report, Writer out, boolean color) throws IOException;
}
