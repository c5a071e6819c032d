package dev.vccheck.report.render;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.vccheck.report.Report;

import java.io.IOException;
import java.io.Writer;

/** The machine-readable report, {@code vccheck.report/v1} (schema: {@code reports/report.schema.json}). */
public final class JsonRenderer implements Renderer {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    @Override
    public String format() {
        return "json";
    }

    @Override
    public void render(Report report, Writer out, boolean color) throws IOException {
        MAPPER.writeValue(out, report);
        out.write("\n");
    }
}
