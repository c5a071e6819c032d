package dev.vccheck.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;

import java.util.Map;

/** A CEL expression compiled and type-checked at load time, with the place it came from. */
public final class Expr {
    private final String source;
    private final SourcePos pos;
    private final CelAbstractSyntaxTree ast;
    private final CelRuntime.Program program;

    /** Made by {@link RuleCompiler} once the expression is type-checked: its text, place, checked AST and program. */
    Expr(String source, SourcePos pos, CelAbstractSyntaxTree ast, CelRuntime.Program program) {
        this.source = source;
        this.pos = pos;
        this.ast = ast;
        this.program = program;
    }

    CelAbstractSyntaxTree ast() {
        return ast;
    }

    public String source() {
        return source;
    }

    public SourcePos pos() {
        return pos;
    }

    public CelType resultType() {
        return ast.getResultType();
    }

    public Object eval(Map<String, ?> activation) throws CelEvaluationException {
        return program.eval(activation);
    }

    /** Evaluates a condition; a non-boolean result is an evaluation error, never a silent false. */
    public boolean test(Map<String, ?> activation) throws CelEvaluationException {
        Object v = eval(activation);
        if (v instanceof Boolean b) return b;
        throw new IllegalStateException("condition '" + source + "' gave " + CelValues.describe(v) + ", not a bool");
    }

    @Override
    public String toString() {
        return source;
    }
}
