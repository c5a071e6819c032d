package dev.vccheck.rules;

import com.google.common.collect.ImmutableSet;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import dev.vccheck.facts.FactsSchema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL environment rules are compiled in: the facts as typed variables (from the facts schema), {@code derived},
 * {@code rows}/{@code items} of a rule's own collect block, and vccheck's functions: {@code semver.satisfies},
 * {@code semver.compare}, {@code semver.coerce}, {@code semver.valid}, {@code sql.ident}, {@code sql.literal},
 * {@code sh.quote} and {@code join}.
 */
public final class CelEnv {
    /** Loops in a condition stop here and end in {@code error}. */
    public static final int MAX_ITERATIONS = 10_000;

    private final Cel cel;

    private CelEnv(Cel cel) {
        this.cel = cel;
    }

    public static CelEnv create(FactsSchema schema, Map<String, CelType> derived) {
        Map<String, CelType> dFields = new LinkedHashMap<>(derived);
        StructType derivedType = StructType.create("vccheck.derived", ImmutableSet.copyOf(dFields.keySet()),
                f -> Optional.ofNullable(dFields.get(f)));
        CelOptions options = CelOptions.current()
                .enableHeterogeneousNumericComparisons(true)
                .comprehensionMaxIterations(MAX_ITERATIONS)
                .maxParseRecursionDepth(100)
                .build();
        CelBuilder b = CelFactory.standardCelBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setTypeProvider(schema.typeProvider(List.of(derivedType)))
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.math(options))
                .addRuntimeLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.math(options));
        schema.variables().forEach(b::addVar);
        b.addVar("derived", derivedType);
        b.addVar("rows", ListType.create(SimpleType.DYN));
        b.addVar("items", ListType.create(SimpleType.DYN));
        addFunctions(b);
        return new CelEnv(b.build());
    }

    private static void addFunctions(CelBuilder b) {
        CelType str = SimpleType.STRING;
        b.addFunctionDeclarations(
                fn("semver.satisfies", "semver_satisfies", SimpleType.BOOL, str, str),
                fn("semver.compare", "semver_compare", SimpleType.INT, str, str),
                fn("semver.coerce", "semver_coerce", str, str),
                fn("semver.valid", "semver_valid", SimpleType.BOOL, str),
                fn("sql.ident", "sql_ident", str, str),
                fn("sql.literal", "sql_literal", str, str),
                fn("sh.quote", "sh_quote", str, str),
                fn("join", "join_list", str, ListType.create(SimpleType.DYN), str));
        b.addFunctionBindings(
                CelFunctionBinding.from("semver_satisfies", String.class, String.class, SemverRange::satisfies),
                CelFunctionBinding.from("semver_compare", String.class, String.class, (x, y) -> (long) SemverRange.compare(x, y)),
                CelFunctionBinding.from("semver_coerce", String.class, SemverRange::coerce),
                CelFunctionBinding.from("semver_valid", String.class, SemverRange::valid),
                CelFunctionBinding.from("sql_ident", String.class, Quote::ident),
                CelFunctionBinding.from("sql_literal", String.class, Quote::literal),
                CelFunctionBinding.from("sh_quote", String.class, Quote::shell),
                CelFunctionBinding.from("join_list", List.class, String.class, CelEnv::join));
    }

    private static String join(List<?> list, String sep) {
        List<String> parts = new ArrayList<>(list.size());
        for (Object o : list) parts.add(CelValues.text(o));
        return String.join(sep, parts);
    }

    private static CelFunctionDecl fn(String name, String overload, CelType result, CelType... params) {
        return CelFunctionDecl.newFunctionDeclaration(name, CelOverloadDecl.newGlobalOverload(overload, result, params));
    }

    /** A compile problem at a line (1-based) and column (0-based) inside the expression text. */
    public record Problem(int line, int column, String message) {
    }

    /** The compiled expression, or the problems; never both. */
    public record Compiled(CelAbstractSyntaxTree ast, List<Problem> problems) {
    }

    public Compiled compile(String source) {
        CelValidationResult r = cel.compile(source);
        if (r.hasError()) {
            List<Problem> out = new ArrayList<>();
            for (CelIssue i : r.getErrors()) {
                out.add(new Problem(Math.max(1, i.getSourceLocation().getLine()), Math.max(0, i.getSourceLocation().getColumn()), i.getMessage()));
            }
            return new Compiled(null, out);
        }
        try {
            return new Compiled(r.getAst(), List.of());
        } catch (Exception e) {
            return new Compiled(null, List.of(new Problem(1, 0, e.getMessage())));
        }
    }

    Expr program(String source, SourcePos pos, CelAbstractSyntaxTree ast) {
        try {
            return new Expr(source, pos, ast, cel.createProgram(ast));
        } catch (Exception e) {
            throw new IllegalStateException("cannot plan CEL expression '" + source + "': " + e.getMessage(), e);
        }
    }

    /** Checks that the constant ranges passed to semver.satisfies are valid npm ranges. */
    static Optional<String> rangeProblem(String range) {
        return SemverRange.problem(range);
    }
}
