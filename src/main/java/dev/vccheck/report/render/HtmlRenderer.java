package dev.vccheck.report.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vccheck.report.Report;
import freemarker.template.Configuration;
import freemarker.template.Template;
import freemarker.template.TemplateException;

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
    private static final Configuration FREEMARKER = configuration();

    private static Configuration configuration() {
        Configuration c = new Configuration(Configuration.VERSION_2_3_34);
        c.setClassLoaderForTemplateLoading(HtmlRenderer.class.getClassLoader(), "reports");
        c.setDefaultEncoding("UTF-8");
        c.setLogTemplateExceptions(false);
        c.setWrapUncheckedExceptions(true);
        c.setFallbackOnNullLoopVariable(false);
        return c;
    }

    @Override
    public String format() {
        return "html";
    }

    @Override
    public void render(Report report, Writer out, boolean color) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> model = JSON.convertValue(report, Map.class);
        try {
            Template t = FREEMARKER.getTemplate("report.html.ftlh");
            t.process(model, out);
        } catch (TemplateException e) {
            throw new IOException("HTML report template: " + e.getMessage(), e);
        }
    }
}
