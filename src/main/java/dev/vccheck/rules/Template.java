package dev.vccheck.rules;

import dev.cel.runtime.CelEvaluationException;

import java.util.List;
import java.util.Map;

/** A text with {@code {{ expr }}} parts; each part is a compiled CEL expression rendered as text. */
public final class Template {
    /** A literal piece ({@code expr == null}) or an expression piece. */
    public record Part(String literal, Expr expr) {
    }

    private final String source;
    private final List<Part> parts;

    Template(String source, List<Part> parts) {
        this.source = source;
        this.parts = List.copyOf(parts);
    }

    public static Template literal(String text) {
        return new Template(text, List.of(new Part(text, null)));
    }

    public String source() {
        return source;
    }

    public List<Part> parts() {
        return parts;
    }

    public String render(Map<String, ?> activation) throws CelEvaluationException {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            sb.append(p.expr() == null ? p.literal() : CelValues.text(p.expr().eval(activation)));
        }
        return sb.toString();
    }
}
