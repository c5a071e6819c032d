package dev.vccheck.report.render;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The output formats by name, and the format a file name suggests. */
public final class Renderers {
    private static final Map<String, Renderer> ALL = new LinkedHashMap<>();

    static {
        for (Renderer r : new Renderer[]{new TextRenderer(), new JsonRenderer(), new MarkdownRenderer(), new JUnitRenderer(), new HtmlRenderer()}) ALL.put(r.format(), r);
    }

    private Renderers() {
    }

    public static Optional<Renderer> get(String format) {
        return Optional.ofNullable(ALL.get(format.toLowerCase(Locale.ROOT)));
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
