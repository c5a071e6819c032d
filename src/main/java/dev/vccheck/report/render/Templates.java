package dev.vccheck.report.render;

import freemarker.template.Configuration;
import freemarker.template.TemplateException;

import java.io.IOException;
import java.io.Writer;

/** The Freemarker templates under reports/ (*.ftlh: every value HTML-escaped), configured once. */
public final class Templates {
    private static final Configuration FREEMARKER = configuration();

    private Templates() {
    }

    private static Configuration configuration() {
        Configuration c = new Configuration(Configuration.VERSION_2_3_34);
        c.setClassLoaderForTemplateLoading(Templates.class.getClassLoader(), "reports");
        c.setDefaultEncoding("UTF-8");
        c.setLogTemplateExceptions(false);
        c.setWrapUncheckedExceptions(true);
        c.setFallbackOnNullLoopVariable(false);
        return c;
    }

    public static void render(String template, Object model, Writer out) throws IOException {
        try {
            FREEMARKER.getTemplate(template).process(model, out);
        } catch (TemplateException e) {
            throw new IOException("template " + template + ": " + e.getMessage(), e);
        }
    }
}
