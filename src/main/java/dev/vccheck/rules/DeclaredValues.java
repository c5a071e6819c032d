package dev.vccheck.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a derive's {@code values:} is checked against, read from checked ASTs: the string literals an expression can
 * give (through {@code ?:} branches and constant-map lookups), and the string literals rules compare a derived
 * value with ({@code ==}, {@code !=}, {@code in [..]}).
 */
final class DeclaredValues {
    private DeclaredValues() {
    }

    /** The string literals {@code ast} can give as its result; other results (computed ones) are not listed. */
    static Set<String> literalResults(CelAbstractSyntaxTree ast) {
        Set<String> out = new LinkedHashSet<>();
        results(ast.getExpr(), out);
        return out;
    }

    private static void results(CelExpr e, Set<String> out) {
        String s = string(e);
        if (s != null) {
            out.add(s);
        } else if (call(e, "_?_:_") && e.call().args().size() == 3) {
            results(e.call().args().get(1), out);
            results(e.call().args().get(2), out);
        } else if (call(e, "_[_]") && e.call().args().get(0).getKind() == CelExpr.ExprKind.Kind.MAP) {
            for (CelExpr.CelMap.Entry entry : e.call().args().get(0).map().entries()) results(entry.value(), out);
        }
    }

    /** A literal that derived value {@code name} is compared with but cannot have. */
    record Undeclared(String name, String literal, List<String> allowed) {
        String message() {
            return "derived." + name + " is compared with '" + literal + "', which is not among its declared values ("
                    + String.join(", ", allowed) + ")";
        }
    }

    /** A string literal that derived value {@code name} is compared with. */
    record Compared(String name, String literal) {
    }

    /** Each literal a derived value with declared values is compared with but cannot have. */
    static List<Undeclared> undeclaredComparisons(List<Compared> compared, Map<String, List<String>> declared) {
        List<Undeclared> out = new ArrayList<>();
        for (Compared c : compared) {
            List<String> allowed = declared.get(c.name());
            if (allowed != null && !allowed.contains(c.literal())) out.add(new Undeclared(c.name(), c.literal(), allowed));
        }
        return out;
    }

    /** Every string literal {@code ast} compares a derived value with ({@code ==}, {@code !=}, {@code in [..]}), in order. */
    static List<Compared> comparisons(CelAbstractSyntaxTree ast) {
        List<Compared> out = new ArrayList<>();
        for (CelNavigableExpr n : (Iterable<CelNavigableExpr>) CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
            CelExpr e = n.expr();
            if (e.getKind() != CelExpr.ExprKind.Kind.CALL || e.call().args().size() != 2) continue;
            CelExpr a = e.call().args().get(0), b = e.call().args().get(1);
            switch (e.call().function()) {
                case "_==_", "_!=_" -> {
                    compare(a, List.of(b), out);
                    compare(b, List.of(a), out);
                }
                case "@in" -> {
                    if (b.getKind() == CelExpr.ExprKind.Kind.LIST) compare(a, b.list().elements(), out);
                }
                default -> {
                }
            }
        }
        return List.copyOf(out);
    }

    private static void compare(CelExpr value, List<CelExpr> literals, List<Compared> out) {
        String name = derivedName(value);
        if (name == null) return;
        for (CelExpr l : literals) {
            String s = string(l);
            if (s != null) out.add(new Compared(name, s));
        }
    }

    /** X of {@code derived.X}, else null. */
    private static String derivedName(CelExpr e) {
        if (e.getKind() != CelExpr.ExprKind.Kind.SELECT) return null;
        CelExpr operand = e.select().operand();
        if (operand.getKind() != CelExpr.ExprKind.Kind.IDENT || !operand.ident().name().equals("derived")) return null;
        return e.select().field();
    }

    private static boolean call(CelExpr e, String function) {
        return e.getKind() == CelExpr.ExprKind.Kind.CALL && e.call().function().equals(function);
    }

    private static String string(CelExpr e) {
        return e.getKind() == CelExpr.ExprKind.Kind.CONSTANT && e.constant().getKind() == CelConstant.Kind.STRING_VALUE
                ? e.constant().stringValue() : null;
    }
}
