package dev.vccheck.report.render;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** The output formats by name, and the format a file name suggests. */
public final class Renderers {
    /** Made when asked for: a scan loads only the renderer of its format. */
    private static final Map<String, Supplier<Renderer>> ALL = new LinkedHashMap<>();

    static {
        ALL.put("text", TextRenderer::new);
        ALL.put("json", JsonRenderer::new);
        ALL.put("markdown", MarkdownRenderer::new);
        ALL.put("junit", JUnitRenderer::new);
        ALL.put("html", HtmlRenderer::new);
    }

    private Renderers() {
    }

    public static Optional<Renderer> get(String format) {
        return Optional.ofNullable(ALL.get(format.toLowerCase(Locale.ROOT))).map(Supplier::get);
    }

    public static String names() {
        return String.join(", ", ALL.keySet());
    }

    /** report.json gives json, report.txt gives text; unknown endings give nothing. */
    public static Optional<String> forFileName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".json")) return Optional.of("json");
        if (n.endsWith(".txt") || n.endsWith(".log")) return Optional.of("text");
        if (n.endsWith(".html") || n.endsWith(".htm")) return Optional.of("html");
        if (n.endsWith(".md") || n.endsWith(".markdown")) return Optional.of("markdown");
        if (n.endsWith(".xml")) return Optional.of("junit");
        return Optional.empty();
    }
}
