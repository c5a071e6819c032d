package dev.vccheck.plan;

import dev.vccheck.report.render.MarkdownRenderer;

/** The runbook as Markdown (a GitHub issue, a forum post, a README of one's own) or as the guarded SQL script. */
public final class PlanRenderer {
    private PlanRenderer() {
    }

    public static String markdown(Plan p) {
        StringBuilder sb = new StringBuilder();
        sb.append("## Migration plan: ").append(p.path()).append(" path\n\n");
        sb.append("Database `").append(p.database().replace("`", "'")).append("`, state **").append(p.state()).append("**, CLIP dimension **")
                .append(p.dimension() > 0 ? p.dimension() : "unknown").append("**. The SQL runs in:\n\n");
        // A code block, not an inline span: the command is copied as is, whatever quotes or backticks the names carry.
        String where = MarkdownRenderer.fence(p.where());
        sb.append(where).append("sh\n").append(p.where()).append('\n').append(where).append("\n\n");
        if (!p.blockers().isEmpty()) {
            sb.append("### First, fix what the scan found\n\n");
            for (String b : p.blockers()) sb.append("- ").append(esc(b)).append('\n');
            sb.append('\n');
        }
        sb.append("### Steps\n\n");
        int i = 1;
        for (Plan.Step s : p.steps()) {
            sb.append(i++).append(". ").append(s.done() ? "~~" + esc(s.title()) + "~~ **done**" : "**" + esc(s.title()) + "**");
            if (s.evidence() != null) sb.append(" (").append(esc(s.evidence())).append(')');
            sb.append("\n\n");
            if (s.done()) continue;
            for (Plan.Block b : s.blocks()) {
                if (b.kind().equals("text")) {
                    sb.append("   ").append(esc(b.text())).append("\n\n");
                } else {
                    String fence = MarkdownRenderer.fence(b.text());
                    String lang = b.kind().equals("sql") ? "sql" : b.kind().equals("yaml") ? "yaml" : "sh";
                    sb.append("   ").append(fence).append(lang).append('\n');
                    for (String line : b.text().strip().split("\n")) sb.append("   ").append(line).append('\n');
                    sb.append("   ").append(fence).append("\n\n");
                }
            }
        }
        return sb.toString();
    }

    /** The plan as one self-contained HTML page (reports/plan.html.ftlh, every value escaped). */
    public static String html(Plan p) {
        try {
            java.io.StringWriter w = new java.io.StringWriter();
            dev.vccheck.report.render.Templates.render("plan.html.ftlh",
                    java.util.Map.of("plan", new com.fasterxml.jackson.databind.ObjectMapper().convertValue(p, java.util.Map.class)), w);
            return w.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("plan HTML template: " + e.getMessage(), e);
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
