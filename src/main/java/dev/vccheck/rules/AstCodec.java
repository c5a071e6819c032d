package dev.vccheck.rules;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.UnsignedLong;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelSource;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OptionalType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructTypeReference;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checked AST as vccheck's built-in expressions have them (their subtree, references and types, the text without
 * positions: {@link CelEnv}'s batches), written field by field. Decoding one this way is several times cheaper than
 * decoding its {@code CheckedExpr} protocol buffer, which was most of what a scan's rules thread did
 * (bench/results.md). What this does not cover (a reference with a value, positions or macro calls, a type other than
 * the simple, list, map, optional and struct ones) is {@link Unsupported}, and the snapshot keeps the protocol buffer
 * for that expression. {@code AstCodecTest} proves every built-in expression comes back as its protocol buffer gives it.
 */
final class AstCodec {
    /** The AST uses something this codec does not write. */
    static final class Unsupported extends Exception {
        Unsupported(String what) {
            super(what);
        }
    }

    private static final List<CelType> SIMPLE = List.of(SimpleType.ERROR, SimpleType.DYN, SimpleType.ANY, SimpleType.BOOL, SimpleType.BYTES,
            SimpleType.DOUBLE, SimpleType.DURATION, SimpleType.INT, SimpleType.NULL_TYPE, SimpleType.STRING, SimpleType.TIMESTAMP, SimpleType.UINT);

    private AstCodec() {
    }

    static byte[] encode(CelAbstractSyntaxTree ast) throws Unsupported {
        CelSource source = ast.getSource();
        if (!source.getPositionsMap().isEmpty() || !source.getMacroCalls().isEmpty() || !source.getExtensions().isEmpty()) {
            throw new Unsupported("positions, macro calls or extensions");
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(buf)) {
            d.writeUTF(source.getDescription());
            d.writeInt(source.getLineOffsets().size());
            for (int o : source.getLineOffsets()) d.writeInt(o);
            expr(d, ast.getExpr());
            d.writeInt(ast.getReferenceMap().size());
            for (Map.Entry<Long, CelReference> e : ast.getReferenceMap().entrySet()) {
                if (e.getValue().value().isPresent()) throw new Unsupported("a reference with a value");
                d.writeLong(e.getKey());
                d.writeUTF(e.getValue().name());
                d.writeInt(e.getValue().overloadIds().size());
                for (String o : e.getValue().overloadIds()) d.writeUTF(o);
            }
            d.writeInt(ast.getTypeMap().size());
            for (Map.Entry<Long, CelType> e : ast.getTypeMap().entrySet()) {
                d.writeLong(e.getKey());
                type(d, e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return buf.toByteArray();
    }

    /**
     * The AST of {@code bytes}. Its source is what the protocol buffer gave: the description and line offsets, no text
     * (a checked protocol buffer carries none).
     */
    static CelAbstractSyntaxTree decode(byte[] bytes) throws IOException {
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(bytes));
        CelSource.Builder source = CelSource.newBuilder().setDescription(d.readUTF());
        for (int i = count(d); i > 0; i--) source.addLineOffsets(d.readInt());
        CelExpr root = expr(d);
        int refs = count(d);
        Map<Long, CelReference> references = new HashMap<>(refs * 2);
        for (int i = 0; i < refs; i++) {
            long id = d.readLong();
            CelReference.Builder b = CelReference.newBuilder().setName(d.readUTF());
            for (int k = count(d); k > 0; k--) b.addOverloadIds(d.readUTF());
            references.put(id, b.build());
        }
        int types = count(d);
        Map<Long, CelType> typeMap = new HashMap<>(types * 2);
        for (int i = 0; i < types; i++) typeMap.put(d.readLong(), type(d));
        return CelAbstractSyntaxTree.newCheckedAst(root, source.build(), references, typeMap);
    }

    // ---- expressions ----

    private static void expr(DataOutputStream d, CelExpr e) throws IOException, Unsupported {
        d.writeByte(e.getKind().ordinal());
        d.writeLong(e.id());
        switch (e.getKind()) {
            case NOT_SET -> {
            }
            case CONSTANT -> constant(d, e.constant());
            case IDENT -> d.writeUTF(e.ident().name());
            case SELECT -> {
                expr(d, e.select().operand());
                d.writeUTF(e.select().field());
                d.writeBoolean(e.select().testOnly());
            }
            case CALL -> {
                d.writeBoolean(e.call().target().isPresent());
                if (e.call().target().isPresent()) expr(d, e.call().target().get());
                d.writeUTF(e.call().function());
                exprs(d, e.call().args());
            }
            case LIST -> {
                exprs(d, e.list().elements());
                d.writeInt(e.list().optionalIndices().size());
                for (int i : e.list().optionalIndices()) d.writeInt(i);
            }
            case STRUCT -> {
                d.writeUTF(e.struct().messageName());
                d.writeInt(e.struct().entries().size());
                for (CelExpr.CelStruct.Entry en : e.struct().entries()) {
                    d.writeLong(en.id());
                    d.writeUTF(en.fieldKey());
                    expr(d, en.value());
                    d.writeBoolean(en.optionalEntry());
                }
            }
            case MAP -> {
                d.writeInt(e.map().entries().size());
                for (CelExpr.CelMap.Entry en : e.map().entries()) {
                    d.writeLong(en.id());
                    expr(d, en.key());
                    expr(d, en.value());
                    d.writeBoolean(en.optionalEntry());
                }
            }
            case COMPREHENSION -> {
                CelExpr.CelComprehension c = e.comprehension();
                d.writeUTF(c.iterVar());
                d.writeUTF(c.iterVar2());
                expr(d, c.iterRange());
                d.writeUTF(c.accuVar());
                expr(d, c.accuInit());
                expr(d, c.loopCondition());
                expr(d, c.loopStep());
                expr(d, c.result());
            }
            default -> throw new Unsupported("expression kind " + e.getKind());
        }
    }

    private static void exprs(DataOutputStream d, List<CelExpr> l) throws IOException, Unsupported {
        d.writeInt(l.size());
        for (CelExpr x : l) expr(d, x);
    }

    private static CelExpr expr(DataInputStream d) throws IOException {
        int kind = d.readUnsignedByte();
        CelExpr.ExprKind.Kind[] kinds = CelExpr.ExprKind.Kind.values();
        if (kind >= kinds.length) throw new IOException("bad expression kind " + kind);
        long id = d.readLong();
        return switch (kinds[kind]) {
            case NOT_SET -> CelExpr.ofNotSet(id);
            case CONSTANT -> CelExpr.ofConstant(id, constant(d));
            case IDENT -> CelExpr.ofIdent(id, d.readUTF());
            case SELECT -> CelExpr.ofSelect(id, expr(d), d.readUTF(), d.readBoolean());
            case CALL -> {
                Optional<CelExpr> target = d.readBoolean() ? Optional.of(expr(d)) : Optional.empty();
                String function = d.readUTF();
                yield CelExpr.ofCall(id, target, function, exprs(d));
            }
            case LIST -> {
                ImmutableList<CelExpr> elements = exprs(d);
                ImmutableList.Builder<Integer> optional = ImmutableList.builder();
                for (int i = count(d); i > 0; i--) optional.add(d.readInt());
                yield CelExpr.ofList(id, elements, optional.build());
            }
            case STRUCT -> {
                String name = d.readUTF();
                ImmutableList.Builder<CelExpr.CelStruct.Entry> entries = ImmutableList.builder();
                for (int i = count(d); i > 0; i--) {
                    long eid = d.readLong();
                    String key = d.readUTF();
                    entries.add(CelExpr.ofStructEntry(eid, key, expr(d), d.readBoolean()));
                }
                yield CelExpr.ofStruct(id, name, entries.build());
            }
            case MAP -> {
                ImmutableList.Builder<CelExpr.CelMap.Entry> entries = ImmutableList.builder();
                for (int i = count(d); i > 0; i--) {
                    long eid = d.readLong();
                    CelExpr key = expr(d);
                    entries.add(CelExpr.ofMapEntry(eid, key, expr(d), d.readBoolean()));
                }
                yield CelExpr.ofMap(id, entries.build());
            }
            case COMPREHENSION -> {
                String iterVar = d.readUTF(), iterVar2 = d.readUTF();
                CelExpr range = expr(d);
                String accuVar = d.readUTF();
                CelExpr init = expr(d), condition = expr(d), step = expr(d), result = expr(d);
                yield CelExpr.ofComprehension(id, iterVar, iterVar2, range, accuVar, init, condition, step, result);
            }
        };
    }

    private static ImmutableList<CelExpr> exprs(DataInputStream d) throws IOException {
        int n = count(d);
        ImmutableList.Builder<CelExpr> b = ImmutableList.builderWithExpectedSize(n);
        for (int i = 0; i < n; i++) b.add(expr(d));
        return b.build();
    }

    // ---- constants ----

    private static void constant(DataOutputStream d, CelConstant c) throws IOException, Unsupported {
        d.writeByte(c.getKind().ordinal());
        switch (c.getKind()) {
            case NULL_VALUE -> {
            }
            case BOOLEAN_VALUE -> d.writeBoolean(c.booleanValue());
            case INT64_VALUE -> d.writeLong(c.int64Value());
            case UINT64_VALUE -> d.writeLong(c.uint64Value().longValue());
            case DOUBLE_VALUE -> d.writeDouble(c.doubleValue());
            case STRING_VALUE -> string(d, c.stringValue());
            case BYTES_VALUE -> {
                byte[] b = c.bytesValue().toByteArray();
                d.writeInt(b.length);
                d.write(b);
            }
            default -> throw new Unsupported("constant kind " + c.getKind());
        }
    }

    private static CelConstant constant(DataInputStream d) throws IOException {
        int kind = d.readUnsignedByte();
        CelConstant.Kind[] kinds = CelConstant.Kind.values();
        if (kind >= kinds.length) throw new IOException("bad constant kind " + kind);
        return switch (kinds[kind]) {
            case NULL_VALUE -> CelConstant.ofValue(NullValue.NULL_VALUE);
            case BOOLEAN_VALUE -> CelConstant.ofValue(d.readBoolean());
            case INT64_VALUE -> CelConstant.ofValue(d.readLong());
            case UINT64_VALUE -> CelConstant.ofValue(UnsignedLong.fromLongBits(d.readLong()));
            case DOUBLE_VALUE -> CelConstant.ofValue(d.readDouble());
            case STRING_VALUE -> CelConstant.ofValue(string(d));
            case BYTES_VALUE -> CelConstant.ofValue(CelByteString.of(d.readNBytes(count(d))));
            default -> throw new IOException("unsupported constant kind " + kinds[kind]);
        };
    }

    /** Strings of any length (writeUTF stops at 64 KB). */
    private static void string(DataOutputStream d, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        d.writeInt(b.length);
        d.write(b);
    }

    private static String string(DataInputStream d) throws IOException {
        return new String(d.readNBytes(count(d)), java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---- types ----

    private static void type(DataOutputStream d, CelType t) throws IOException, Unsupported {
        int simple = SIMPLE.indexOf(t);
        if (simple >= 0) {
            d.writeByte(0);
            d.writeByte(simple);
        } else if (t instanceof ListType l) {
            d.writeByte(1);
            type(d, l.elemType());
        } else if (t instanceof MapType m) {
            d.writeByte(2);
            type(d, m.keyType());
            type(d, m.valueType());
        } else if (t instanceof StructTypeReference s) {
            d.writeByte(3);
            d.writeUTF(s.name());
        } else if (t instanceof OptionalType o) {
            d.writeByte(4);
            type(d, o.parameters().get(0));
        } else {
            throw new Unsupported("type " + t.getClass().getSimpleName() + " " + t.name());
        }
    }

    private static CelType type(DataInputStream d) throws IOException {
        int tag = d.readUnsignedByte();
        return switch (tag) {
            case 0 -> {
                int i = d.readUnsignedByte();
                if (i >= SIMPLE.size()) throw new IOException("bad simple type " + i);
                yield SIMPLE.get(i);
            }
            case 1 -> ListType.create(type(d));
            case 2 -> {
                CelType k = type(d);
                yield MapType.create(k, type(d));
            }
            case 3 -> StructTypeReference.create(d.readUTF());
            case 4 -> OptionalType.create(type(d));
            default -> throw new IOException("bad type tag " + tag);
        };
    }

    private static int count(DataInputStream d) throws IOException {
        int n = d.readInt();
        if (n < 0 || n > 16 * 1024 * 1024) throw new IOException("bad count " + n);
        return n;
    }
}
