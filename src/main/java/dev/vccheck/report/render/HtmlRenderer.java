package dev.vccheck.report.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.report.Report;
import dev.vccheck.report.ScannedSourceStatus;

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
        // The findings shown one by one leave out those listed once with a target that could not be read.
        model.put("findings", JSON.convertValue(report.unblockedFindings(), java.util.List.class));
        java.util.List<Map<String, Object>> unreachable = new java.util.ArrayList<>();
        for (ScannedSourceStatus t : report.targetStatuses()) {
            if (!t.unreachable()) continue;
            Map<String, Object> u = new java.util.LinkedHashMap<>();
            u.put("name", t.name());
            u.put("what", t.what());
            if (t.label() != null) u.put("label", t.label());
            u.put("message", t.message());
            if (t.next_step() != null) u.put("next_step", JSON.convertValue(t.next_step(), Map.class));
            u.put("blocked", t.blocked().size());
            u.put("blocked_line", t.blockedLine());
            unreachable.add(u);
        }
        model.put("unreachable", unreachable);
        Templates.render("report.html.ftlh", model, out);
    }
}
