package dev.vccheck.rules;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.types.CelType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;

import java.util.Map;

/**
 * A CEL expression compiled and type-checked at load time, with the place it came from. Its CEL program is planned on
 * first evaluation, once, whichever thread asks first (a scan skips most rules: the programs of the rules it never
 * evaluates are never made; bench/results.md, profile). A precompiled expression's checked AST is likewise decoded
 * from the build's cache only then: the load-time checks read its {@link AstSummary}.
 */
public final class Expr {
    private final String source;
    private final SourcePos pos;
    private final AstSummary summary;
    private final Supplier<CelAbstractSyntaxTree> ast;
    private final Supplier<CelRuntime.Program> program;

    /**
     * Made by {@link RuleCompiler} once the expression is type-checked: its text, place, what the checks read, its
     * checked AST (given, or decoded when first asked for). Its program is planned on the shared runtime
     * ({@link CelEnv#program}) when it is first evaluated.
     */
    Expr(String source, SourcePos pos, AstSummary summary, Supplier<CelAbstractSyntaxTree> ast) {
        this.source = source;
        this.pos = pos;
        this.summary = summary;
        // Thread-safe, made at most once (a failure is not remembered: the next evaluation fails the same way).
        this.ast = Suppliers.memoize(ast);
        this.program = Suppliers.memoize(() -> CelEnv.program(this.ast.get()));
    }

    CelAbstractSyntaxTree ast() {
        return ast.get();
    }

    AstSummary summary() {
        return summary;
    }

    public String source() {
        return source;
    }

    public SourcePos pos() {
        return pos;
    }

    public CelType resultType() {
        return ast().getResultType();
    }

    /**
     * Decodes and plans this expression's program now, ahead of its first evaluation (another thread may do it
     * while the facts are read); a failure is left for the evaluation to report.
     */
    public void prepare() {
        try {
            program.get();
        } catch (RuntimeException e) {
            // evaluated later, where it fails the same way and is reported as the rule's error
        }
    }

    public Object eval(Map<String, ?> activation) throws CelEvaluationException {
        // The map behind a resolver, not the map: cel-java copies a map it is given into an activation at every
        // evaluation (4 ms of a scan's analysis). A null value is absent either way.
        return program.get().eval((dev.cel.runtime.CelVariableResolver) name -> java.util.Optional.ofNullable(activation.get(name)));
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
