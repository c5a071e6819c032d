package dev.vccheck.rules;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
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
import dev.cel.common.ast.CelExpr;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.text.Quote;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL environment rules are compiled in: the facts as typed variables (from the facts schema), {@code derived},
 * {@code rows}/{@code items} of a rule's own collect block, and vccheck's functions: {@code semver.satisfies},
 * {@code semver.compare}, {@code semver.coerce}, {@code semver.valid}, {@code sql.ident}, {@code sql.literal}, {@code sql.literals},
 * {@code sh.quote} and {@code join}.
 */
public final class CelEnv {
    /** Loops in a condition stop here and end in {@code error}. */
    public static final int MAX_ITERATIONS = 10_000;

    private final Cel cel;
    private final String key;

    private CelEnv(Cel cel, String key) {
        this.cel = cel;
        this.key = key;
    }

    /**
     * What a checked expression depends on besides its text: the facts schema and the derived values' names and
     * types. Two environments with the same key check every expression the same way (the compiled-rules cache).
     */
    public String key() {
        return key;
    }

    static String describe(CelType t) {
        if (t.parameters().isEmpty()) return t.name();
        StringBuilder b = new StringBuilder(t.name()).append('(');
        for (int i = 0; i < t.parameters().size(); i++) b.append(i > 0 ? "," : "").append(describe(t.parameters().get(i)));
        return b.append(')').toString();
    }

    public static CelEnv create(FactsSchema schema, Map<String, CelType> derived) {
        Map<String, CelType> dFields = new LinkedHashMap<>(derived);
        StructType derivedType = StructType.create("vccheck.derived", ImmutableSet.copyOf(dFields.keySet()),
                f -> Optional.ofNullable(dFields.get(f)));
        CelOptions options = options();
        CelBuilder b = CelFactory.standardCelBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setTypeProvider(schema.typeProvider(List.of(derivedType)))
                .addCompilerLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.math(options));
        schema.variables().forEach(b::addVar);
        b.addVar("derived", derivedType);
        b.addVar("rows", ListType.create(SimpleType.DYN));
        b.addVar("items", ListType.create(SimpleType.DYN));
        b.addFunctionDeclarations(functions());
        StringBuilder key = new StringBuilder(schema.fingerprint());
        dFields.forEach((n, t) -> key.append(';').append(n).append(':').append(describe(t)));
        return new CelEnv(b.build(), key.toString());
    }

    private static CelOptions options() {
        return CelOptions.current()
                .enableHeterogeneousNumericComparisons(true)
                .comprehensionMaxIterations(MAX_ITERATIONS)
                .maxParseRecursionDepth(100)
                .build();
    }

    /**
     * The runtime every environment's programs are planned with. What a runtime holds (options, the extensions'
     * and vccheck's function bindings) is the same in every environment: the facts' and derived values' types are the
     * checker's alone. Building one per environment (one per derive, 68 for the built-in packs) was most of the time
     * of planning programs (bench/results.md); it is built once, when the first program is planned.
     */
    private static final Supplier<CelRuntime> RUNTIME = Suppliers.memoize(() -> {
        CelOptions options = options();
        return CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .addLibraries(CelExtensions.strings(), CelExtensions.lists(), CelExtensions.math(options))
                .addFunctionBindings(bindings())
                .build();
    });

    private static List<CelFunctionDecl> functions() {
        CelType str = SimpleType.STRING;
        return List.of(
                fn("semver.satisfies", "semver_satisfies", SimpleType.BOOL, str, str),
                fn("semver.compare", "semver_compare", SimpleType.INT, str, str),
                fn("semver.coerce", "semver_coerce", str, str),
                fn("semver.valid", "semver_valid", SimpleType.BOOL, str),
                fn("sql.ident", "sql_ident", str, str),
                fn("sql.literal", "sql_literal", str, str),
                fn("sql.literals", "sql_literals", str, ListType.create(SimpleType.DYN)),
                fn("sh.quote", "sh_quote", str, str),
                fn("join", "join_list", str, ListType.create(SimpleType.DYN), str),
                fn("image.parse", "image_parse", dev.cel.common.types.MapType.create(str, str), str));
    }

    private static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("semver_satisfies", String.class, String.class, SemverRange::satisfies),
                CelFunctionBinding.from("semver_compare", String.class, String.class, (x, y) -> (long) SemverRange.compare(x, y)),
                CelFunctionBinding.from("semver_coerce", String.class, SemverRange::coerce),
                CelFunctionBinding.from("semver_valid", String.class, SemverRange::valid),
                CelFunctionBinding.from("sql_ident", String.class, Quote::ident),
                CelFunctionBinding.from("sql_literal", String.class, Quote::literal),
                CelFunctionBinding.from("sql_literals", List.class, l -> Quote.literalList(l.stream().map(CelValues::text).toList())),
                CelFunctionBinding.from("sh_quote", String.class, Quote::shell),
                CelFunctionBinding.from("join_list", List.class, String.class, CelEnv::join),
                CelFunctionBinding.from("image_parse", String.class, ImageRef::parse));
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
        return compileAll(List.of(source)).get(0);
    }

    /**
     * Compiles many expressions with one type check. cel-java rebuilds its function environment on every check
     * (about 1.5 ms), so the expressions are parsed one by one (exact syntax errors), then checked together as the
     * elements of one list literal, and each element becomes its own checked AST.
     */
    public List<Compiled> compileAll(List<String> sources) {
        // The parser refuses an expression over 100,000 code points: a big pack is checked in several lists.
        List<Compiled> out = new ArrayList<>(sources.size());
        int from = 0;
        while (from < sources.size()) {
            int to = from, size = 0;
            while (to < sources.size() && (to == from || size + sources.get(to).length() + 2 < BATCH_CODE_POINTS)) size += sources.get(to++).length() + 2;
            out.addAll(compileBatch(sources.subList(from, to)));
            from = to;
        }
        return out;
    }

    private static final int BATCH_CODE_POINTS = 60_000;

    private List<Compiled> compileBatch(List<String> sources) {
        Compiled[] out = new Compiled[sources.size()];
        List<Integer> valid = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) valid.add(i);
        boolean parsedAlone = false;
        while (!valid.isEmpty()) {
            String text = list(sources, valid);
            CelValidationResult parsed = cel.parse(text);
            if (parsed.hasError()) {
                if (parsedAlone) {
                    failAll(out, valid, parsed.getErrorString());
                    break;
                }
                // Only now parse each expression alone: exact positions, and an unbalanced parenthesis in one
                // expression cannot swallow the others.
                parsedAlone = true;
                valid = parseEach(sources, valid, out);
                continue;
            }
            List<Integer> failed = checkList(parsed, text, sources, valid, out);
            if (failed.isEmpty()) break;
            valid.removeAll(failed);
        }
        return List.of(out);
    }

    /** Parses each expression of {@code valid} alone; those that fail get their problems, the others are returned. */
    private List<Integer> parseEach(List<String> sources, List<Integer> valid, Compiled[] out) {
        List<Integer> ok = new ArrayList<>();
        for (int idx : valid) {
            CelValidationResult p = cel.parse(sources.get(idx));
            if (p.hasError()) out[idx] = new Compiled(null, problems(p.getErrors()));
            else ok.add(idx);
        }
        return ok;
    }

    /**
     * Type-checks the parsed list of {@code valid}: all elements get their ASTs, or the failed ones their problems.
     * Returns the failed elements (the others are checked again without them); empty when the batch is done.
     */
    private List<Integer> checkList(CelValidationResult parsed, String text, List<String> sources, List<Integer> valid, Compiled[] out) {
        CelValidationResult r;
        try {
            r = cel.check(parsed.getAst());
        } catch (Exception e) {
            failAll(out, valid, String.valueOf(e.getMessage()));
            return List.of();
        }
        if (!r.hasError()) {
            split(r, sources, valid, out);
            return List.of();
        }
        List<Integer> failed = attribute(r.getErrors(), text, sources, valid, out);
        if (failed.isEmpty()) failAll(out, valid, r.getErrorString());
        return failed;
    }

    /** Each element of a checked list becomes its own checked AST. */
    private static void split(CelValidationResult r, List<String> sources, List<Integer> valid, Compiled[] out) {
        try {
            CelAbstractSyntaxTree all = r.getAst();
            List<CelExpr> elements = all.getExpr().list().elements();
            for (int k = 0; k < valid.size(); k++) {
                out[valid.get(k)] = new Compiled(alone(all, elements.get(k), sources.get(valid.get(k))), List.of());
            }
        } catch (Exception e) {
            failAll(out, valid, String.valueOf(e.getMessage()));
        }
    }

    /** Attributes each error of the list's check to its element, at its line and column there; returns those elements. */
    private static List<Integer> attribute(List<CelIssue> errors, String text, List<String> sources, List<Integer> valid, Compiled[] out) {
        int[] starts = new int[valid.size()];
        int pos = 1;
        for (int k = 0; k < valid.size(); k++) {
            starts[k] = pos;
            pos += sources.get(valid.get(k)).length() + 2;
        }
        List<Integer> failed = new ArrayList<>();
        for (CelIssue issue : errors) {
            int offset = TextPositions.offset(text, issue.getSourceLocation().getLine(), issue.getSourceLocation().getColumn());
            int k = 0;
            while (k + 1 < starts.length && starts[k + 1] <= offset) k++;
            int idx = valid.get(k);
            String src = sources.get(idx);
            int local = Math.max(0, Math.min(src.length(), offset - starts[k]));
            TextPositions.LineCol at = TextPositions.lineCol(src, local);
            Problem pr = new Problem(at.line(), at.column(), issue.getMessage());
            out[idx] = out[idx] == null ? new Compiled(null, new ArrayList<>(List.of(pr))) : addProblem(out[idx], pr);
            if (!failed.contains(idx)) failed.add(idx);
        }
        return failed;
    }

    private static void failAll(Compiled[] out, List<Integer> which, String message) {
        for (int idx : which) out[idx] = new Compiled(null, List.of(new Problem(1, 0, message)));
    }

    /**
     * One element of a checked batch as an AST of its own: its subtree, with only its ids' references and types (the
     * batch's maps hold every element's), and its own text without positions (runtime errors carry none anyway).
     */
    private static CelAbstractSyntaxTree alone(CelAbstractSyntaxTree all, CelExpr element, String source) {
        Map<Long, dev.cel.common.ast.CelReference> refs = new java.util.HashMap<>();
        Map<Long, CelType> types = new java.util.HashMap<>();
        collectIds(element, all, refs, types);
        return CelAbstractSyntaxTree.newCheckedAst(element, dev.cel.common.CelSource.newBuilder(source).build(), refs, types);
    }

    private static void collectIds(CelExpr e, CelAbstractSyntaxTree all, Map<Long, dev.cel.common.ast.CelReference> refs, Map<Long, CelType> types) {
        for (var n : (Iterable<dev.cel.common.navigation.CelNavigableExpr>) dev.cel.common.navigation.CelNavigableExpr.fromExpr(e).allNodes()::iterator) {
            long id = n.expr().id();
            all.getReference(id).ifPresent(r -> refs.put(id, r));
            all.getType(id).ifPresent(t -> types.put(id, t));
        }
    }

    private static String list(List<String> sources, List<Integer> which) {
        StringBuilder b = new StringBuilder("[");
        for (int k = 0; k < which.size(); k++) b.append(k > 0 ? ",\n" : "").append(sources.get(which.get(k)));
        return b.append("\n]").toString();
    }

    private static Compiled addProblem(Compiled c, Problem p) {
        List<Problem> l = new ArrayList<>(c.problems());
        l.add(p);
        return new Compiled(null, l);
    }

    private static List<Problem> problems(List<CelIssue> issues) {
        List<Problem> out = new ArrayList<>();
        for (CelIssue i : issues) {
            out.add(new Problem(Math.max(1, i.getSourceLocation().getLine()), Math.max(0, i.getSourceLocation().getColumn()), i.getMessage()));
        }
        return out;
    }

    /** Plans the program of a checked AST (on the shared runtime). */
    static CelRuntime.Program program(CelAbstractSyntaxTree ast) {
        try {
            return RUNTIME.get().createProgram(ast);
        } catch (Exception e) {
            throw new IllegalStateException("cannot plan CEL expression: " + e.getMessage(), e);
        }
    }
}
