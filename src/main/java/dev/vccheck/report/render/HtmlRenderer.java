package dev.vccheck.report.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.report.Report;

import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * One self-contained HTML file from {@code reports/report.html.ftlh}: inline CSS, no fonts, scripts or images from
 * anywhere; light and dark by the reader's preference; copy buttons that only appear with JavaScript (the code
 * stays selectable without). The .ftlh template escapes every value, so nothing from a target is live HTML.
 */
public final class HtmlRenderer implements Renderer {
    private static final ObjectMapper JSON = new ObjectMapper();
    @Override
    public String format() {
        return "html";
    }

    @Override
    public void render(Report report, Writer out, boolean color) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> model = JSON.convertValue(report, Map.class);
        Templates.render("report.html.ftlh", model, out);
    }
}
