package dev.vccheck.rules;

import dev.vccheck.facts.FactsSchema;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The built-in packs as the build loaded them: every rule, derived value and pack, each expression with its
 * {@link AstSummary} and checked AST's bytes; and the compatibility matrix as the build parsed it (a scan of a
 * database then never starts the YAML parser). A run without user packs reads this instead of parsing the YAML and
 * compiling it (the longest thing a scan did: bench/results.md), and decodes an AST only when its expression is
 * first evaluated, as with {@link CompiledRules}. Written by the same build step ({@link CompiledRules#main}) from the
 * same load, so it is what {@link RuleLoader} gives for the jar's own packs; {@code RuleSnapshotTest} proves the
 * reports are the same both ways. Beside each pack's name is the CRC-32 of its text: where the packs are loose files
 * (a development classpath, where they can be edited without a build) they are compared and a stale snapshot is
 * not used. Inside the jar they were written by the build that wrote the snapshot.
 * <p>
 * User packs ({@code --rules}) may override built-in rules, so with them everything is loaded from the YAML as before.
 */
final class RuleSnapshot {
    static final String RESOURCE = "cel/builtin-snapshot.bin";
    /** Bumped with every change of layout: a snapshot of another format is not read (the packs are loaded). */
    private static final int FORMAT = 0x76730004;
    /** How an expression's checked AST is kept: {@link AstCodec}'s form, or its protocol buffer where that does not cover it. */
    private static final int CODEC = 0, PROTO = 1;

    private RuleSnapshot() {
    }

    /** What the snapshot holds: the packs as loaded, and the compatibility matrix as parsed. */
    private record Contents(RuleLoader.Loaded rules, Compatibility compat) {
    }

    private static final com.google.common.base.Supplier<Optional<Contents>> CONTENTS = com.google.common.base.Suppliers.memoize(RuleSnapshot::read);

    /** The built-in packs as the build loaded them, or empty (missing, another format, unreadable, stale). */
    static Optional<RuleLoader.Loaded> builtin() {
        return CONTENTS.get().map(Contents::rules);
    }

    /** The built-in compatibility matrix as the build parsed it, or empty (as for {@link #builtin}). */
    static Optional<Compatibility> compatibility() {
        return CONTENTS.get().map(Contents::compat);
    }

    private static Optional<Contents> read() {
        try (InputStream in = RuleSnapshot.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) return Optional.empty();
            DataInputStream d = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
            if (d.readInt() != FORMAT) return Optional.empty();
            Reader r = new Reader(d);
            Map<String, Long> crcs = new LinkedHashMap<>();
            for (int i = r.count(); i > 0; i--) crcs.put(r.str(), d.readLong());
            if (!current(crcs)) return Optional.empty();
            RuleLoader.Loaded rules = r.loaded();
            Compatibility compat = r.compat();
            r.ranges();
            return Optional.of(new Contents(rules, compat));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Packs in a jar are the build's own; loose ones (a classes folder) are compared with what was snapshot. */
    static boolean current(Map<String, Long> crcs) throws IOException {
        URL url = RuleSnapshot.class.getClassLoader().getResource(RESOURCE);
        if (url == null || !"file".equals(url.getProtocol())) return true;
        List<String> names = new ArrayList<>();
        for (RuleLoader.Source s : snapshotSources()) {
            names.add(s.name());
            if (!Long.valueOf(crc(s.text())).equals(crcs.get(s.name()))) return false;
        }
        return names.equals(List.copyOf(crcs.keySet()));
    }

    /** The files a snapshot is made from: the built-in packs, then the compatibility matrix. */
    static List<RuleLoader.Source> snapshotSources() {
        List<RuleLoader.Source> out = new ArrayList<>(RuleSources.walk());
        out.add(RuleSources.compatibilitySource());
        return out;
    }

    private static long crc(String text) {
        CRC32 c = new CRC32();
        c.update(text.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }

    /** Build step: loads the built-in packs and the compatibility matrix afresh and returns the snapshot's bytes. */
    static byte[] write() throws IOException, RuleLoadException {
        List<RuleLoader.Source> sources = snapshotSources();
        RuleLoader.Loaded loaded = RuleLoader.uncached(FactsSchema.get()).load(RuleSources.walk());
        Compatibility compat = RuleSources.parsedCompatibility();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(buf)) {
            d.writeInt(FORMAT);
            Writer w = new Writer(d);
            d.writeInt(sources.size());
            for (RuleLoader.Source s : sources) {
                w.str(s.name());
                d.writeLong(crc(s.text()));
            }
            w.loaded(loaded);
            w.compat(compat);
            w.ranges(loaded, compat);
        }
        return buf.toByteArray();
    }

    // ---- writing ----

    private record Writer(DataOutputStream d) {
        void loaded(RuleLoader.Loaded l) throws IOException {
            d.writeInt(l.expressions());
            d.writeInt(l.derived().size());
            for (Derived x : l.derived()) derived(x);
            d.writeInt(l.rules().size());
            for (Rule r : l.rules()) rule(r);
            d.writeInt(l.packs().size());
            for (RulePack p : l.packs()) {
                str(p.name());
                str(p.description());
                str(p.version());
                str(p.file());
                d.writeBoolean(p.builtin());
                indices(p.derived(), l.derived());
                indices(p.rules(), l.rules());
            }
            strs(l.overridden());
        }

        void compat(Compatibility c) throws IOException {
            str(c.newestRelease());
            d.writeInt(c.releases().size());
            for (Compatibility.Release r : c.releases()) {
                str(r.immich());
                str(r.label());
                d.writeInt(r.ranges().size());
                for (Map.Entry<String, String> e : r.ranges().entrySet()) {
                    str(e.getKey());
                    str(e.getValue());
                }
                strs(r.vectorExtensions());
                str(r.upgradeFrom());
                str(r.requiresTypeormLast());
                str(r.defaultImage());
                str(r.note());
            }
        }

        /**
         * Every semver range the packs and the matrix name, as semver4j parsed it: its parser rewrites a range with
         * a dozen regular expressions, about 10 ms of a scan's rules thread for the few dozen a scan reads.
         */
        void ranges(RuleLoader.Loaded l, Compatibility c) throws IOException {
            java.util.Set<String> all = new java.util.TreeSet<>();
            for (Compatibility.Release r : c.releases()) {
                all.add(r.immich());
                all.addAll(r.ranges().values());
            }
            l.derived().forEach(x -> all.addAll(x.expr().summary().semverRanges()));
            for (Rule r : l.rules()) RuleLoader.Loaded.expressions(r).forEach(e -> all.addAll(e.summary().semverRanges()));
            List<String> valid = all.stream().filter(r -> r != null && SemverRange.problem(r).isEmpty()).toList();
            d.writeInt(valid.size());
            for (String r : valid) {
                str(r);
                List<List<String>> alternatives = SemverRange.comparisons(r);
                d.writeInt(alternatives.size());
                for (List<String> a : alternatives) strs(a);
            }
        }

        void derived(Derived x) throws IOException {
            str(x.name());
            str(x.description());
            expr(x.expr());
            str(x.pack());
            strs(x.values());
        }

        void rule(Rule r) throws IOException {
            str(r.id());
            str(r.title());
            str(r.description());
            str(r.source() == null ? null : r.source().name());
            strs(r.phases());
            strs(r.tags());
            str(r.severity() == null ? null : r.severity().name());
            expr(r.when());
            template(r.whenNot());
            strs(r.needs());
            d.writeBoolean(r.collect() != null);
            if (r.collect() != null) {
                str(r.collect().sql());
                str(r.collect().apiVersion());
                str(r.collect().kind());
                str(r.collect().labelSelector());
            }
            d.writeInt(r.evidence().size());
            for (Map.Entry<String, Expr> e : r.evidence().entrySet()) {
                str(e.getKey());
                expr(e.getValue());
            }
            d.writeInt(r.outcomes().size());
            for (Outcome o : r.outcomes()) outcome(o);
            strs(r.references());
            str(r.pack());
            pos(r.pos());
        }

        void outcome(Outcome o) throws IOException {
            str(o.status().name());
            expr(o.condition());
            template(o.message());
            d.writeInt(o.remediation().size());
            for (Remediation rem : o.remediation()) {
                str(rem.kind().name());
                template(rem.title());
                template(rem.text());
                expr(rem.when());
            }
            pos(o.pos());
        }

        void template(Template t) throws IOException {
            d.writeBoolean(t != null);
            if (t == null) return;
            str(t.source());
            d.writeInt(t.parts().size());
            for (Template.Part p : t.parts()) {
                str(p.literal());
                expr(p.expr());
            }
        }

        void expr(Expr e) throws IOException {
            d.writeBoolean(e != null);
            if (e == null) return;
            str(e.source());
            pos(e.pos());
            e.summary().write(d);
            // What a run used to decode (the AST through its protocol buffer), in AstCodec's form where it covers it.
            byte[] proto = CompiledRules.checkedBytes(e.ast());
            byte[] ast;
            try {
                ast = AstCodec.encode(new CompiledRules.Hit(e.summary(), ByteBuffer.wrap(proto)).ast());
                d.writeByte(CODEC);
            } catch (AstCodec.Unsupported u) {
                ast = proto;
                d.writeByte(PROTO);
            }
            d.writeInt(ast.length);
            d.write(ast);
        }

        void pos(SourcePos p) throws IOException {
            d.writeBoolean(p != null);
            if (p == null) return;
            str(p.file());
            d.writeInt(p.line());
            d.writeInt(p.column());
        }

        <T> void indices(List<T> some, List<T> all) throws IOException {
            d.writeInt(some.size());
            for (T x : some) {
                int i = all.indexOf(x);
                if (i < 0) throw new IllegalStateException("a pack's entry is not in the loaded set: " + x);
                d.writeInt(i);
            }
        }

        void strs(List<String> l) throws IOException {
            d.writeInt(l == null ? -1 : l.size());
            if (l != null) for (String s : l) str(s);
        }

        void str(String s) throws IOException {
            if (s == null) {
                d.writeInt(-1);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            d.writeInt(b.length);
            d.write(b);
        }
    }

    // ---- reading ----

    private record Reader(DataInputStream d) {
        RuleLoader.Loaded loaded() throws IOException {
            int expressions = d.readInt();
            List<Derived> derived = new ArrayList<>();
            for (int i = count(); i > 0; i--) derived.add(derived());
            List<Rule> rules = new ArrayList<>();
            for (int i = count(); i > 0; i--) rules.add(rule());
            List<RulePack> packs = new ArrayList<>();
            for (int i = count(); i > 0; i--) {
                String name = str(), description = str(), version = str(), file = str();
                boolean builtin = d.readBoolean();
                packs.add(new RulePack(name, description, version, file, builtin, picked(derived), picked(rules)));
            }
            List<String> overridden = strs();
            return new RuleLoader.Loaded(List.copyOf(packs), List.copyOf(rules), List.copyOf(derived), overridden, expressions, expressions);
        }

        /** The ranges the build parsed, handed to {@link SemverRange}. */
        void ranges() throws IOException {
            for (int i = count(); i > 0; i--) {
                String range = str();
                List<List<String>> alternatives = new ArrayList<>();
                for (int k = count(); k > 0; k--) alternatives.add(strs());
                SemverRange.parsed(range, alternatives);
            }
        }

        Compatibility compat() throws IOException {
            String newest = str();
            List<Compatibility.Release> releases = new ArrayList<>();
            for (int i = count(); i > 0; i--) {
                String immich = str(), label = str();
                Map<String, String> ranges = new LinkedHashMap<>();
                for (int k = count(); k > 0; k--) ranges.put(str(), str());
                releases.add(new Compatibility.Release(immich, label, ranges, strs(), str(), str(), str(), str()));
            }
            return Compatibility.of(newest, releases);
        }

        Derived derived() throws IOException {
            return new Derived(str(), str(), expr(), str(), strs());
        }

        Rule rule() throws IOException {
            String id = str(), title = str(), description = str(), source = str();
            List<String> phases = strs(), tags = strs();
            String severity = str();
            Expr when = expr();
            Template whenNot = template();
            List<String> needs = strs();
            Rule.Collect collect = d.readBoolean() ? new Rule.Collect(str(), str(), str(), str()) : null;
            Map<String, Expr> evidence = new LinkedHashMap<>();
            for (int i = count(); i > 0; i--) evidence.put(str(), expr());
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = count(); i > 0; i--) outcomes.add(outcome());
            List<String> references = strs();
            String pack = str();
            return new Rule(id, title, description, source == null ? null : Rule.Source.valueOf(source), phases, tags,
                    severity == null ? null : Status.valueOf(severity), when, whenNot, needs, collect, evidence, List.copyOf(outcomes),
                    references, pack, pos());
        }

        Outcome outcome() throws IOException {
            Status status = Status.valueOf(str());
            Expr condition = expr();
            Template message = template();
            List<Remediation> remediation = new ArrayList<>();
            for (int i = count(); i > 0; i--) remediation.add(new Remediation(Remediation.Kind.valueOf(str()), template(), template(), expr()));
            return new Outcome(status, condition, message, List.copyOf(remediation), pos());
        }

        Template template() throws IOException {
            if (!d.readBoolean()) return null;
            String source = str();
            List<Template.Part> parts = new ArrayList<>();
            for (int i = count(); i > 0; i--) parts.add(new Template.Part(str(), expr()));
            return new Template(source, parts);
        }

        Expr expr() throws IOException {
            if (!d.readBoolean()) return null;
            String source = str();
            SourcePos pos = pos();
            AstSummary summary = AstSummary.read(d);
            int form = d.readUnsignedByte();
            byte[] ast = d.readNBytes(length());
            if (form == CODEC) return new Expr(source, pos, summary, () -> {
                try {
                    return AstCodec.decode(ast);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            if (form != PROTO) throw new IOException("bad AST form " + form);
            CompiledRules.Hit hit = new CompiledRules.Hit(summary, ByteBuffer.wrap(ast).asReadOnlyBuffer());
            return new Expr(source, pos, summary, hit::ast);
        }

        SourcePos pos() throws IOException {
            return d.readBoolean() ? new SourcePos(str(), d.readInt(), d.readInt()) : null;
        }

        <T> List<T> picked(List<T> all) throws IOException {
            List<T> out = new ArrayList<>();
            for (int i = count(); i > 0; i--) out.add(all.get(d.readInt()));
            return List.copyOf(out);
        }

        List<String> strs() throws IOException {
            int n = d.readInt();
            if (n < 0) return null;
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(str());
            return List.copyOf(out);
        }

        String str() throws IOException {
            int n = d.readInt();
            if (n < 0) return null;
            if (n > 16 * 1024 * 1024) throw new IOException("bad length " + n);
            return new String(d.readNBytes(n), StandardCharsets.UTF_8);
        }

        int count() throws IOException {
            int n = d.readInt();
            if (n < 0 || n > 1_000_000) throw new IOException("bad count " + n);
            return n;
        }

        int length() throws IOException {
            int n = d.readInt();
            if (n < 0 || n > 16 * 1024 * 1024) throw new IOException("bad length " + n);
            return n;
        }
    }
}
