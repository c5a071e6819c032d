package dev.vccheck.rules;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import dev.cel.expr.CheckedExpr;
import dev.vccheck.facts.FactsSchema;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in packs' expressions, parsed and type-checked when vccheck is built, so that a run deserializes checked
 * ASTs instead of starting CEL's parser and checker (about a third of a scan's time otherwise; README, Benchmark).
 * Beside each AST is its {@link AstSummary}, what the load's checks read: a run decodes an AST only when its
 * expression is first evaluated (a scan of a database alone never decodes the Kubernetes and log rules').
 * {@code mvn process-classes} runs {@link #main}, which loads the built-in packs exactly as a run does and records
 * every expression it compiles.
 * <p>
 * An entry is found by the text of the expression and the key of its environment ({@link CelEnv#key}: the facts
 * schema's fingerprint and the derived values' names and types), so it is used only where a fresh compile would
 * give the same AST: a user pack's expression that matches a built-in one is served too, anything else is compiled
 * as before, and an edited pack or schema simply misses. Positions of errors are unaffected: only expressions that
 * compiled are recorded. {@code CompiledRulesTest} proves that every built-in expression hits and that the
 * findings are the same as with a fresh compile.
 */
public final class CompiledRules {
    public static final String RESOURCE = "cel/builtin-rules.bin";
    /** Bumped with every change of layout: a cache of another format is not read (everything is compiled). */
    private static final int FORMAT = 0x76630003;
    static final CompiledRules NONE = new CompiledRules(List.of(), Map.of());
    private static volatile CompiledRules builtin;

    private final List<String> packs;
    private final Map<String, byte[]> entries;

    private CompiledRules(List<String> packs, Map<String, byte[]> entries) {
        this.packs = packs;
        this.entries = entries;
    }

    /**
     * The built-in packs' resource names, in load order, as the build found them: read one by one, they spare a
     * run from opening the jar as a file system to list its rules folder. Their texts are always the jar's own.
     */
    List<String> packs() {
        return packs;
    }

    /** Receives each expression the loader compiled (the build step records them). */
    interface Recorder {
        void compiled(String envKey, String source, CelAbstractSyntaxTree ast);
    }

    /** The cache shipped in the jar; empty when the resource is missing or unreadable (everything is compiled). */
    static CompiledRules builtin() {
        CompiledRules c = builtin;
        if (c == null) {
            synchronized (CompiledRules.class) {
                if (builtin == null) builtin = read();
                c = builtin;
            }
        }
        return c;
    }

    private static CompiledRules read() {
        try (InputStream in = CompiledRules.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) return NONE;
            DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in));
            if (d.readInt() != FORMAT) return NONE;
            List<String> packs = new ArrayList<>();
            for (int i = d.readInt(); i > 0; i--) packs.add(new String(bytes(d), StandardCharsets.UTF_8));
            int n = d.readInt();
            Map<String, byte[]> m = new HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                String key = new String(bytes(d), StandardCharsets.UTF_8);
                m.put(key, bytes(d));
            }
            return new CompiledRules(List.copyOf(packs), m);
        } catch (IOException | RuntimeException e) {
            return NONE;
        }
    }

    private static byte[] bytes(DataInputStream d) throws IOException {
        int len = d.readInt();
        if (len < 0 || len > 16 * 1024 * 1024) throw new IOException("bad length " + len);
        return d.readNBytes(len);
    }

    int size() {
        return entries.size();
    }

    /** Every entry's environment key and expression text, joined by a newline (as {@link #get} looks them up). */
    java.util.Set<String> keys() {
        return entries.keySet();
    }

    /**
     * A cached expression: what the load-time checks read, and its checked AST's bytes, decoded by {@link #ast} only
     * when the expression is first evaluated.
     */
    record Hit(AstSummary summary, ByteBuffer astBytes) {
        CelAbstractSyntaxTree ast() {
            try {
                return CelProtoAbstractSyntaxTree.fromCheckedExpr(CheckedExpr.parseFrom(astBytes.duplicate())).getAst();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The cached summary and AST of {@code source} in an environment with key {@code envKey}, or null (compile it). */
    Hit get(String envKey, String source) {
        byte[] b = entries.get(envKey + '\n' + source);
        if (b == null) return null;
        try {
            DataInputStream d = new DataInputStream(new ByteArrayInputStream(b));
            AstSummary summary = AstSummary.read(d);
            int len = d.readInt();
            int at = b.length - d.available();
            if (len < 0 || len != b.length - at) return null;
            return new Hit(summary, ByteBuffer.wrap(b, at, len).asReadOnlyBuffer());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** An entry: the summary the checks read, then the checked AST's length and bytes. */
    static byte[] serialize(CelAbstractSyntaxTree ast) throws IOException {
        byte[] checked = checkedBytes(ast);
        ByteArrayOutputStream buf = new ByteArrayOutputStream(checked.length + 64);
        try (DataOutputStream d = new DataOutputStream(buf)) {
            AstSummary.of(ast).write(d);
            d.writeInt(checked.length);
            d.write(checked);
        }
        return buf.toByteArray();
    }

    /** A checked AST as the bytes of its {@code CheckedExpr}, as {@link Hit#ast} decodes them. */
    static byte[] checkedBytes(CelAbstractSyntaxTree ast) {
        return CelProtoAbstractSyntaxTree.fromCelAst(ast).toCheckedExpr().toByteArray();
    }

    /**
     * Build step: {@code CompiledRules OUTPUT_FILE} compiles the built-in packs and writes their checked ASTs, and
     * beside it ({@link RuleSnapshot#RESOURCE}, in the same folder) the packs as loaded.
     */
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        writeCache(out);
        Path snapshot = out.toAbsolutePath().getParent().resolve(Path.of(RuleSnapshot.RESOURCE).getFileName());
        byte[] b = RuleSnapshot.write();
        Files.write(snapshot, b);
        System.out.println("vccheck: the built-in packs as loaded written to " + snapshot + " (" + b.length / 1024 + " KiB)");
    }

    /** The expression cache: every built-in expression compiled, recorded by environment key and text. */
    private static void writeCache(Path out) throws Exception {
        Map<String, byte[]> recorded = new LinkedHashMap<>();
        List<RuleLoader.Source> sources = RuleSources.walk();
        new RuleLoader(FactsSchema.get(), NONE, (key, source, ast) -> {
            try {
                recorded.put(key + '\n' + source, serialize(ast));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).load(sources);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(buf)) {
            d.writeInt(FORMAT);
            d.writeInt(sources.size());
            for (RuleLoader.Source s : sources) {
                byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
                d.writeInt(name.length);
                d.write(name);
            }
            d.writeInt(recorded.size());
            for (Map.Entry<String, byte[]> e : recorded.entrySet()) {
                byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                d.writeInt(k.length);
                d.write(k);
                d.writeInt(e.getValue().length);
                d.write(e.getValue());
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, buf.toByteArray());
        System.out.println("vccheck: " + recorded.size() + " built-in expressions compiled into " + out + " (" + buf.size() / 1024 + " KiB)");
    }
}
