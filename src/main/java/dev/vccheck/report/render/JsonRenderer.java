package dev.vccheck.report.render;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.vccheck.facts.PlainJson;
import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.report.ScannedSource;
import dev.vccheck.report.Summary;

import java.io.IOException;
import java.io.Writer;
import java.util.Map;

/**
 * The machine-readable report, {@code vccheck.report/v1} (schema: {@code reports/report.schema.json}).
 * Written field by field on Jackson's streaming generator rather than by its data binding, which introspects every
 * record type of the report on first use (about a third of a scan's main thread after the analysis,
 * bench/results.md). The records' Jackson annotations describe the same document: {@code JsonRendererTest} holds
 * this writer to what the data binding writes for them, byte for byte, on real reports.
 */
public final class JsonRenderer implements Renderer {
    @Override
    public String format() {
        return "json";
    }

    @Override
    public void render(Report report, Writer out, boolean color) throws IOException {
        try (JsonGenerator g = PlainJson.FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            write(g, report);
        }
        out.write("\n");
    }

    private static void write(JsonGenerator g, Report r) throws IOException {
        g.writeStartObject();
        field(g, "schema", r.schema());
        if (r.tool() != null) {
            g.writeObjectFieldStart("tool");
            g.writeStringField("name", r.tool().name());
            g.writeStringField("version", r.tool().version());
            g.writeEndObject();
        }
        field(g, "generated_at", r.generated_at());
        if (r.target() != null) {
            g.writeObjectFieldStart("target");
            for (Map.Entry<String, ScannedSource> t : r.target().entrySet()) {
                g.writeFieldName(t.getKey());
                PlainJson.write(g, t.getValue() == null ? null : t.getValue().fields());
            }
            g.writeEndObject();
        }
        value(g, "redaction", r.redaction());
        if (r.immich_version() != null) {
            Report.ImmichVersion v = r.immich_version();
            g.writeObjectFieldStart("immich_version");
            field(g, "value", v.value());
            field(g, "source", v.source());
            field(g, "release", v.release());
            field(g, "note", v.note());
            g.writeEndObject();
        }
        if (r.migration() != null) {
            Report.Migration m = r.migration();
            g.writeObjectFieldStart("migration");
            field(g, "state", m.state());
            field(g, "path", m.path());
            field(g, "phase", m.phase());
            g.writeEndObject();
        }
        if (r.summary() != null) {
            Summary s = r.summary();
            g.writeObjectFieldStart("summary");
            g.writeNumberField("pass", s.pass());
            g.writeNumberField("warn", s.warn());
            g.writeNumberField("fail", s.fail());
            g.writeNumberField("error", s.error());
            g.writeNumberField("skip", s.skip());
            g.writeNumberField("waived", s.waived());
            g.writeStringField("verdict", s.verdict());
            g.writeEndObject();
        }
        if (r.findings() != null) {
            g.writeArrayFieldStart("findings");
            for (Finding f : r.findings()) {
                if (f == null) g.writeNull();
                else write(g, f);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void write(JsonGenerator g, Finding f) throws IOException {
        g.writeStartObject();
        field(g, "id", f.id());
        field(g, "title", f.title());
        if (f.status() != null) g.writeStringField("status", f.status().id());
        if (f.severity() != null) g.writeStringField("severity", f.severity().id());
        field(g, "message", f.message());
        value(g, "evidence", f.evidence());
        if (f.remediation() != null) {
            g.writeArrayFieldStart("remediation");
            for (Finding.Step s : f.remediation()) {
                g.writeStartObject();
                field(g, "kind", s.kind());
                field(g, "title", s.title());
                field(g, "text", s.text());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        value(g, "references", f.references());
        value(g, "tags", f.tags());
        field(g, "source", f.source());
        if (f.waived() != null) {
            g.writeObjectFieldStart("waived");
            g.writeStringField("reason", f.waived().reason());
            g.writeStringField("expires", f.waived().expires());
            g.writeEndObject();
        }
        g.writeNumberField("duration_ms", f.duration_ms());
        g.writeEndObject();
    }

    /** A string property of a record that leaves nulls out. */
    private static void field(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) g.writeStringField(name, value);
    }

    /** A map or list property of a record that leaves nulls out. */
    private static void value(JsonGenerator g, String name, Object value) throws IOException {
        if (value == null) return;
        g.writeFieldName(name);
        PlainJson.write(g, value);
    }
}
