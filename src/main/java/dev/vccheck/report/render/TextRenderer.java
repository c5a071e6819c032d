package dev.vccheck.report.render;

import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.report.Summary;
import dev.vccheck.report.ScannedSourceStatus;
import dev.vccheck.rules.Status;
import picocli.CommandLine.Help.Ansi;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * The terminal report: findings grouped by status, worst first, each with its message, evidence and remediation
 * blocks; passes and skips one line each. Colors (picocli's ANSI support) only when asked, i.e. on a terminal.
 * Only fixed labels are styled; text from the target is written as-is, so it cannot inject markup.
 */
public final class TextRenderer implements Renderer {
    @Override
    public String format() {
        return "text";
    }

    @Override
    public void render(Report r, Writer out, boolean color) throws IOException {
        Ansi ansi = color ? Ansi.ON : Ansi.OFF;
        StringBuilder sb = new StringBuilder();
        sb.append(ansi.string("@|bold vccheck " + r.tool().version() + "|@")).append("  ");
        Report.ImmichVersion iv = r.immich_version();
        if (iv != null) sb.append("target Immich ").append(iv.value()).append(" (").append(iv.source()).append(", ").append(iv.release()).append(")");
        sb.append('\n');
        if (iv != null && iv.note() != null) sb.append("  note: ").append(iv.note()).append('\n');
        Report.Migration m = r.migration();
        sb.append("  migration state: ").append(m.state() == null ? "unknown" : m.state());
        if (m.path() != null) sb.append(", path: ").append(m.path());
        sb.append(", phase: ").append(m.phase()).append('\n');
        if (r.redaction() != null && r.redaction().get("kinds") instanceof List<?> kinds && !kinds.isEmpty()) {
            sb.append("  redacted (").append(r.redaction().get("level")).append("): ").append(String.join(", ", kinds.stream().map(String::valueOf).toList())).append('\n');
        }
        List<ScannedSourceStatus> targets = r.targetStatuses();
        for (ScannedSourceStatus t : targets) {
            sb.append("  ").append(t.name()).append(": ").append(t.status());
            if (t.label() != null) sb.append("  ").append(t.label());
            if (t.message() != null && !t.unreachable()) sb.append("  (").append(t.message()).append(")");
            sb.append('\n');
        }
        for (ScannedSourceStatus t : targets) {
            if (!t.unreachable()) continue;
            sb.append('\n').append(ansi.string("@|bold,magenta CANNOT READ " + escape(t.what().toUpperCase(java.util.Locale.ROOT)) + "|@"));
            if (t.label() != null) sb.append("  ").append(t.label());
            sb.append('\n');
            indent(sb, t.message(), "  ");
            if (t.next_step() != null) {
                sb.append("  ").append(ansi.string("@|cyan next step:|@")).append('\n');
                indent(sb, t.next_step().text(), "      ");
                for (String c : t.next_step().commands()) sb.append("        ").append(c).append('\n');
            }
            if (!t.blocked().isEmpty()) sb.append("  ").append(t.blockedLine()).append('\n');
        }
        List<Finding> shown = r.unblockedFindings();
        for (Status s : new Status[]{Status.FAIL, Status.ERROR, Status.WARN}) {
            List<Finding> group = shown.stream().filter(f -> f.status() == s && f.counts()).toList();
            if (group.isEmpty()) continue;
            sb.append('\n').append(ansi.string(header(s) + " (" + group.size() + ")")).append('\n');
            for (Finding f : group) detailed(sb, ansi, f);
        }
        List<Finding> waived = r.findings().stream().filter(f -> !f.counts()).toList();
        if (!waived.isEmpty()) {
            sb.append('\n').append(ansi.string("@|faint WAIVED (" + waived.size() + ")|@")).append('\n');
            for (Finding f : waived) {
                sb.append("  ").append(f.status().id()).append("  ").append(f.id()).append(" — ").append(f.message())
                        .append("\n      waived until ").append(f.waived().expires()).append(": ").append(f.waived().reason()).append('\n');
            }
        }
        for (Status s : new Status[]{Status.SKIP, Status.PASS}) {
            List<Finding> group = r.findings().stream().filter(f -> f.status() == s && f.counts()).toList();
            if (group.isEmpty()) continue;
            sb.append('\n').append(ansi.string(header(s) + " (" + group.size() + ")")).append('\n');
            for (Finding f : group) sb.append("  ").append(f.id()).append(" — ").append(f.message()).append('\n');
        }
        Summary su = r.summary();
        sb.append('\n').append(ansi.string("@|bold Summary:|@ ")).append(su.fail()).append(" fail, ").append(su.error()).append(" error, ")
                .append(su.warn()).append(" warn, ").append(su.skip()).append(" skip, ").append(su.pass()).append(" pass");
        if (su.waived() > 0) sb.append(", ").append(su.waived()).append(" waived");
        sb.append(" — verdict: ").append(ansi.string(verdict(su.verdict()))).append('\n');
        out.write(sb.toString());
    }

    private static void detailed(StringBuilder sb, Ansi ansi, Finding f) {
        sb.append("  ").append(ansi.string("@|bold " + escape(f.id()) + "|@")).append("  ").append(f.title()).append('\n');
        indent(sb, f.message(), "      ");
        if (f.evidence() != null && !f.evidence().isEmpty()) {
            sb.append("      evidence:");
            f.evidence().forEach((k, v) -> sb.append(' ').append(k).append('=').append(evidence(v)));
            sb.append('\n');
        }
        for (Finding.Step st : f.remediation()) {
            sb.append("      ").append(ansi.string("@|cyan fix (" + st.kind() + ")|@"));
            if (st.title() != null) sb.append(" ").append(st.title());
            sb.append(":\n");
            indent(sb, st.text(), "        ");
        }
    }

    private static String evidence(Object v) {
        if (v instanceof String s) return s.isEmpty() || s.contains(" ") ? '"' + s + '"' : s;
        return dev.vccheck.facts.PlainJson.compact(v);
    }

    private static void indent(StringBuilder sb, String text, String pad) {
        for (String line : text.strip().split("\n")) sb.append(pad).append(line).append('\n');
    }

    private static String escape(String s) {
        return s.replace("@|", "@ |").replace("|@", "| @");
    }

    private static String header(Status s) {
        return switch (s) {
            case FAIL -> "@|bold,red FAIL|@";
            case ERROR -> "@|bold,magenta ERROR|@";
            case WARN -> "@|bold,yellow WARN|@";
            case SKIP -> "@|faint SKIP|@";
            case PASS -> "@|green PASS|@";
        };
    }

    private static String verdict(String v) {
        return switch (v) {
            case "fail" -> "@|bold,red fail|@";
            case "incomplete" -> "@|bold,magenta incomplete|@";
            case "warn" -> "@|bold,yellow warn|@";
            default -> "@|bold,green pass|@";
        };
    }
}
