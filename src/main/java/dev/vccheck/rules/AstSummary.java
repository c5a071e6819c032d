package dev.vccheck.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the load-time checks of a rule's expression read from its checked AST: its result type (conditions must give
 * a bool), the constant ranges it passes to {@code semver.satisfies}, and the string literals it compares derived
 * values with. The build's cache stores it beside the AST, so a run checks a precompiled expression without decoding
 * its AST, which is decoded only when the expression is first evaluated (a scan never evaluates most of them;
 * bench/results.md). Computed from the AST by the same walk for a fresh compile, so both paths report the same.
 */
record AstSummary(String typeName, boolean boolOrDyn, List<String> semverRanges, List<DeclaredValues.Compared> compared) {

    static AstSummary of(CelAbstractSyntaxTree ast) {
        CelType t = ast.getResultType();
        List<String> ranges = new ArrayList<>();
        for (CelNavigableExpr n : (Iterable<CelNavigableExpr>) CelNavigableAst.fromAst(ast).getRoot().allNodes()::iterator) {
            CelExpr e = n.expr();
            if (e.getKind() != CelExpr.ExprKind.Kind.CALL || !e.call().function().equals("semver.satisfies")) continue;
            if (e.call().args().size() != 2) continue;
            CelExpr range = e.call().args().get(1);
            if (range.getKind() != CelExpr.ExprKind.Kind.CONSTANT || range.constant().getKind() != CelConstant.Kind.STRING_VALUE) continue;
            ranges.add(range.constant().stringValue());
        }
        return new AstSummary(t.name(), t.equals(SimpleType.BOOL) || t.kind() == CelKind.DYN, List.copyOf(ranges),
                DeclaredValues.comparisons(ast));
    }

    void write(DataOutput d) throws IOException {
        d.writeUTF(typeName);
        d.writeBoolean(boolOrDyn);
        d.writeInt(semverRanges.size());
        for (String r : semverRanges) d.writeUTF(r);
        d.writeInt(compared.size());
        for (DeclaredValues.Compared c : compared) {
            d.writeUTF(c.name());
            d.writeUTF(c.literal());
        }
    }

    static AstSummary read(DataInput d) throws IOException {
        String type = d.readUTF();
        boolean boolOrDyn = d.readBoolean();
        List<String> ranges = new ArrayList<>();
        for (int i = count(d); i > 0; i--) ranges.add(d.readUTF());
        List<DeclaredValues.Compared> compared = new ArrayList<>();
        for (int i = count(d); i > 0; i--) compared.add(new DeclaredValues.Compared(d.readUTF(), d.readUTF()));
        return new AstSummary(type, boolOrDyn, List.copyOf(ranges), List.copyOf(compared));
    }

    private static int count(DataInput d) throws IOException {
        int n = d.readInt();
        if (n < 0 || n > 1_000_000) throw new IOException("bad count " + n);
        return n;
    }
}
