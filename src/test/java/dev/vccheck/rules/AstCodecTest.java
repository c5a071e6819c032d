package dev.vccheck.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import dev.vccheck.facts.FactsSchema;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot's own AST form (AstCodec) gives back, for every built-in expression, the checked AST its protocol
 * buffer gives (what a run used to decode), compared as protocol buffers; and it evaluates the same.
 */
class AstCodecTest {
    @Test
    void everyBuiltInExpressionComesBackAsItsProtocolBufferGivesIt() throws Exception {
        RuleLoader.Loaded fresh = RuleLoader.uncached(FactsSchema.get()).load(RuleSources.builtin());
        RuleLoader.Loaded snapshot = RuleSnapshot.builtin().orElseThrow();
        List<Expr> freshExprs = all(fresh), snapshotExprs = all(snapshot);
        assertEquals(freshExprs.size(), snapshotExprs.size());
        assertTrue(freshExprs.size() > 700, "the built-in expressions: " + freshExprs.size());
        for (int i = 0; i < freshExprs.size(); i++) {
            Expr f = freshExprs.get(i), s = snapshotExprs.get(i);
            assertEquals(f.source(), s.source());
            byte[] proto = CompiledRules.checkedBytes(f.ast());
            CelAbstractSyntaxTree viaProto = new CompiledRules.Hit(f.summary(), ByteBuffer.wrap(proto)).ast();
            CelAbstractSyntaxTree viaCodec = AstCodec.decode(AstCodec.encode(viaProto));
            assertEquals(checked(viaProto), checked(viaCodec), f.source());
            assertEquals(checked(viaProto), checked(s.ast()), () -> "the snapshot's AST of " + s.source());
            assertEquals(viaProto.getSource().getContent().toString(), s.ast().getSource().getContent().toString());
            assertEquals(viaProto.getSource().getLineOffsets(), s.ast().getSource().getLineOffsets());
            assertEquals(viaProto.getSource().getDescription(), s.ast().getSource().getDescription());
        }
    }

    @Test
    void otherConstantsAndLiteralsComeBackToo() throws Exception {
        CelEnv env = CelEnv.create(FactsSchema.get(), Map.of());
        List<String> sources = List.of("1.5 + 2.0 > 3.0", "2u + 3u == 5u", "b'ab' == b'ab'", "null == null", "{'a': 1, 'b': 2}.size() == 2",
                "[1, 2].exists(x, x > 1)", "'x'.matches('^x$') ? 1 : 2", "dyn(1) == 1");
        for (String src : sources) {
            CelEnv.Compiled c = env.compile(src);
            assertTrue(c.problems().isEmpty(), src + ": " + c.problems());
            byte[] proto = CompiledRules.checkedBytes(c.ast());
            CelAbstractSyntaxTree viaProto = new CompiledRules.Hit(AstSummary.of(c.ast()), ByteBuffer.wrap(proto)).ast();
            CelAbstractSyntaxTree viaCodec = AstCodec.decode(AstCodec.encode(viaProto));
            assertEquals(checked(viaProto), checked(viaCodec), src);
            Object a = CelEnv.program(viaProto).eval(Map.of()), b = CelEnv.program(viaCodec).eval(Map.of());
            assertNotNull(a, src);
            assertEquals(a, b, src);
        }
    }

    private static Object checked(CelAbstractSyntaxTree ast) {
        return CelProtoAbstractSyntaxTree.fromCelAst(ast).toCheckedExpr();
    }

    private static List<Expr> all(RuleLoader.Loaded l) {
        List<Expr> out = new ArrayList<>();
        l.derived().forEach(d -> out.add(d.expr()));
        l.rules().forEach(r -> out.addAll(RuleLoader.Loaded.expressions(r)));
        return out;
    }
}
