package dev.vccheck.report.render;

import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.report.ScannedSourceStatus;
import dev.vccheck.rules.Status;

import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * For a GitHub issue or a forum post: a summary table, then a collapsible {@code <details>} per finding with fenced
 * remediation blocks. Everything that came from a target is escaped: HTML-significant characters in prose (GitHub
 * renders HTML in Markdown), and code fences longer than any backtick run inside them.
 */
public final class MarkdownRenderer implements Renderer {
    @Override
    public String format() {
        return "markdown";
    }

    @Override
    public void render(Report r, Writer out, boolean color) throws IOException {
        StringBuilder sb = new StringBuilder();
        var s = r.summary();
        sb.append("## vccheck report: **").append(s.verdict()).append("**\n\n");
        sb.append("| | |\n|---|---|\n");
        if (r.immich_version() != null) {
            sb.append("| Target Immich | ").append(esc(r.immich_version().value())).append(" (").append(esc(r.immich_version().source()))
                    .append(", ").append(esc(r.immich_version().release())).append(") |\n");
        }
        sb.append("| Migration | state ").append(esc(nz(r.migration().state()))).append(", path ").append(esc(nz(r.migration().path())))
                .append(", phase ").append(esc(r.migration().phase())).append(" |\n");
        List<ScannedSourceStatus> targets = r.targetStatuses();
        for (ScannedSourceStatus t : targets) {
            sb.append("| ").append(esc(t.name())).append(" | ").append(esc(t.status() == null ? null : t.status().id()));
            if (t.label() != null) sb.append(" `").append(t.label().replace("`", "'")).append('`');
            if (t.message() != null && !t.unreachable()) sb.append(" — ").append(esc(t.message()));
            sb.append(" |\n");
        }
        if (r.redaction() != null && r.redaction().get("kinds") instanceof List<?> kinds && !kinds.isEmpty()) {
            sb.append("| Redacted | ").append(esc(String.join(", ", kinds.stream().map(String::valueOf).toList()))).append(" |\n");
        }
        sb.append("| Findings | ").append(s.fail()).append(" fail, ").append(s.error()).append(" error, ").append(s.warn())
                .append(" warn, ").append(s.skip()).append(" skip, ").append(s.pass()).append(" pass")
                .append(s.waived() > 0 ? ", " + s.waived() + " waived" : "").append(" |\n\n");
        for (ScannedSourceStatus t : targets) {
            if (!t.unreachable()) continue;
            sb.append("### Cannot read ").append(esc(t.what())).append("\n\n");
            if (t.label() != null) sb.append('`').append(t.label().replace("`", "'")).append("`: ");
            sb.append(esc(t.message())).append("\n\n");
            if (t.next_step() != null) {
                sb.append("**Next step:** ").append(esc(t.next_step().text())).append("\n\n");
                if (!t.next_step().commands().isEmpty()) {
                    String all = String.join("\n", t.next_step().commands());
                    String fence = fence(all);
                    sb.append(fence).append("sh\n").append(all).append('\n').append(fence).append("\n\n");
                }
            }
            if (!t.blocked().isEmpty()) sb.append(esc(t.blockedLine())).append("\n\n");
        }
        List<Finding> shown = r.unblockedFindings();
        for (Status st : new Status[]{Status.FAIL, Status.ERROR, Status.WARN}) {
            List<Finding> group = shown.stream().filter(f -> f.status() == st && f.counts()).toList();
            if (group.isEmpty()) continue;
            sb.append("### ").append(st.id().toUpperCase()).append(" (").append(group.size()).append(")\n\n");
            for (Finding f : group) details(sb, f, st == Status.FAIL || st == Status.ERROR);
        }
        List<Finding> rest = r.findings().stream().filter(f -> !f.counts() || f.status() == Status.SKIP || f.status() == Status.PASS).toList();
        if (!rest.isEmpty()) {
            sb.append("<details><summary>").append(rest.size()).append(" passed, skipped or waived</summary>\n\n");
            sb.append("| status | check | message |\n|---|---|---|\n");
            for (Finding f : rest) {
                sb.append("| ").append(f.waived() != null ? "waived " + f.status().id() : f.status().id()).append(" | `").append(f.id())
                        .append("` | ").append(esc(f.message()).replace("|", "\\|").replace("\n", " ")).append(" |\n");
            }
            sb.append("\n</details>\n");
        }
        out.write(sb.toString());
    }

    private static void details(StringBuilder sb, Finding f, boolean open) {
        sb.append("<details").append(open ? " open" : "").append("><summary><b>").append(esc(f.id())).append("</b>: ")
                .append(esc(f.title())).append("</summary>\n\n");
        sb.append(esc(f.message())).append("\n\n");
        if (f.evidence() != null && !f.evidence().isEmpty()) {
            sb.append("| evidence | |\n|---|---|\n");
            f.evidence().forEach((k, v) -> sb.append("| ").append(esc(k)).append(" | ").append(esc(String.valueOf(v)).replace("|", "\\|")).append(" |\n"));
            sb.append('\n');
        }
        for (Finding.Step step : f.remediation()) {
            if (step.title() != null) sb.append("*").append(esc(step.title())).append("*\n\n");
            String lang = switch (step.kind()) {
                case "sql" -> "sql";
                case "kubectl", "shell" -> "sh";
                case "yaml" -> "yaml";
                default -> "";
            };
            if (lang.isEmpty()) {
                sb.append(esc(step.text())).append("\n\n");
            } else {
                String fence = fence(step.text());
                sb.append(fence).append(lang).append('\n').append(step.text().strip()).append('\n').append(fence).append("\n\n");
            }
        }
        sb.append("</details>\n\n");
    }

    /** A backtick fence longer than any run of backticks in the text, so the text cannot close it. */
    public static String fence(String text) {
        int longest = 0, run = 0;
        for (char c : text.toCharArray()) {
            run = c == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return "`".repeat(Math.max(3, longest + 1));
    }

    /** Prose from a target: no HTML, no Markdown markup. */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '`', '*', '_', '[', ']', '#', '\\' -> b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String nz(String s) {
        return s == null ? "unknown" : s;
    }
}
