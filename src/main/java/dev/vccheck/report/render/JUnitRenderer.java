package dev.vccheck.report.render;

import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.rules.Status;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JUnit XML as CI systems read it (schema: reports/junit.xsd): one testcase per rule; fail → failure, error →
 * error, warn, skip and waived → skipped with the message; a rule with several findings reports its worst one and
 * lists them all. The XML writer escapes everything that came from a target.
 */
public final class JUnitRenderer implements Renderer {
    @Override
    public String format() {
        return "junit";
    }

    @Override
    public void render(Report r, Writer out, boolean color) throws IOException {
        Map<String, List<Finding>> byRule = new LinkedHashMap<>();
        for (Finding f : r.findings()) byRule.computeIfAbsent(f.id(), k -> new ArrayList<>()).add(f);
        int failures = 0, errors = 0, skipped = 0;
        for (List<Finding> fs : byRule.values()) {
            Status worst = worst(fs);
            if (worst == Status.FAIL) failures++;
            else if (worst == Status.ERROR) errors++;
            else if (worst != Status.PASS) skipped++;
        }
        try {
            XMLStreamWriter x = XMLOutputFactory.newInstance().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            x.writeStartElement("testsuites");
            attr(x, "name", "vccheck");
            attr(x, "tests", byRule.size());
            attr(x, "failures", failures);
            attr(x, "errors", errors);
            attr(x, "skipped", skipped);
            x.writeCharacters("\n  ");
            x.writeStartElement("testsuite");
            attr(x, "name", "vccheck " + (r.immich_version() == null ? "" : "Immich " + r.immich_version().value()));
            attr(x, "tests", byRule.size());
            attr(x, "failures", failures);
            attr(x, "errors", errors);
            attr(x, "skipped", skipped);
            attr(x, "time", "0");
            attr(x, "timestamp", r.generated_at());
            for (Map.Entry<String, List<Finding>> e : byRule.entrySet()) {
                List<Finding> fs = e.getValue();
                Finding first = fs.get(0);
                long ms = fs.stream().mapToLong(Finding::duration_ms).sum();
                x.writeCharacters("\n    ");
                x.writeStartElement("testcase");
                attr(x, "classname", "vccheck." + first.source());
                attr(x, "name", e.getKey() + ": " + first.title());
                attr(x, "time", String.format(java.util.Locale.ROOT, "%.3f", ms / 1000.0));
                Status worst = worst(fs);
                String messages = String.join("\n", fs.stream().filter(f -> f.status() == worst || worst == Status.PASS)
                        .map(f -> (f.waived() != null ? "waived until " + f.waived().expires() + " (" + f.waived().reason() + "): " : "") + f.message()).toList());
                StringBuilder body = new StringBuilder();
                for (Finding f : fs) {
                    body.append(f.status().id()).append(": ").append(f.message()).append('\n');
                    for (Finding.Step s : f.remediation()) body.append("  fix (").append(s.kind()).append("):\n    ").append(s.text().strip().replace("\n", "\n    ")).append('\n');
                }
                String element = worst == Status.FAIL ? "failure" : worst == Status.ERROR ? "error" : worst == Status.PASS ? null : "skipped";
                if (element != null) {
                    x.writeCharacters("\n      ");
                    x.writeStartElement(element);
                    attr(x, "message", messages);
                    if (!element.equals("skipped")) {
                        attr(x, "type", worst.id());
                        x.writeCharacters(xml(body.toString()));
                    }
                    x.writeEndElement();
                    x.writeCharacters("\n    ");
                }
                x.writeEndElement();
            }
            x.writeCharacters("\n  ");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.flush();
        } catch (XMLStreamException e) {
            throw new IOException(e);
        }
    }

    /** fail > error > warn > skip > pass; waived findings count as skipped. */
    private static Status worst(List<Finding> fs) {
        Status w = Status.PASS;
        for (Finding f : fs) {
            Status s = f.waived() != null ? Status.SKIP : f.status();
            if (s.displayRank() < w.displayRank()) w = s;
        }
        return w;
    }

    private static void attr(XMLStreamWriter x, String k, Object v) throws XMLStreamException {
        x.writeAttribute(k, xml(String.valueOf(v)));
    }

    /** XML 1.0 cannot carry most control characters; a target's text may hold them. */
    static String xml(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(c == 0x9 || c == 0xA || c == 0xD || c >= 0x20 && c <= 0xD7FF
                || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF ? c : '?'));
        return b.toString();
    }
}
