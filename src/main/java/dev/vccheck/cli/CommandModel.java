package dev.vccheck.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command-line model of the commands a run most often starts with, as the build read it from their annotations
 * ({@link CommandModelWriter}), so that such a run builds its picocli model without reading a single annotation.
 * Reading them is most of picocli's start: the JDK parses each annotation and makes a proxy class for each annotation
 * type, about 40 ms of a scan's main thread, more than picocli's own work (bench/results.md, profile).
 * <p>
 * The model holds, per command, picocli's own attributes of every option and positional parameter (as its builders
 * hold them, before interpolation), the mixins they come from, the fields they are bound to, and the fields that get
 * the command's spec or its parent. The build checks that the command line made from it is the annotated one, attribute
 * by attribute and in its usage help, and refuses to write a model that is not ({@link CommandModelWriter#verify});
 * {@code CommandModelTest} parses the same argument lines with both. Without the generated class (a build that did not
 * make it) or for any other command, the annotations are read as before.
 */
final class CommandModel {
    /** The class the build writes the model into (a class, not a resource: see {@link #read(java.util.Set)}). */
    static final String DATA_CLASS = "dev.vccheck.cli.CommandModelData";
    /** Bumped with every change of layout: a model of another format is not read (the annotations are). */
    static final int FORMAT = 0x76630003;
    /**
     * The commands recorded: the ones a scan, a gate or a plan starts with, and the start-up training, so that the
     * archive or cache it writes holds nothing of the annotations' reading (the root comes with each).
     */
    static final List<String> MODELLED = List.of("scan", "collect", "analyze", "plan", "cds-training");

    /** One command: its class, {@code @Command} attributes, injected fields and its arguments grouped by owner. */
    record Command(String name, String className, Map<String, Object> attributes, Map<String, String> injections, List<Part> parts) {
    }

    /**
     * Arguments of one owner, in the command's order: the command itself (mixin empty) or a mixin, with the field of the
     * command that holds the mixin's instance (empty: made by the factory, as picocli's standard help options are).
     */
    record Part(String mixin, String mixinClass, String mixinField, List<Arg> args) {
    }

    /** One option or positional parameter: the field it is bound to and picocli's attributes of it. */
    record Arg(boolean positional, String field, Map<String, Object> attributes) {
    }

    private CommandModel() {
    }

    private static Optional<Map<String, Command>> model;

    /**
     * The recorded root and subcommand {@code sub}, read once: a process runs one command (the process entry point
     * reads it first: VcCheck.run).
     */
    static synchronized Optional<Map<String, Command>> model(String sub) {
        if (model == null || model.isPresent() && !model.get().containsKey(sub)) model = read(java.util.Set.of("", sub));
        return model;
    }

    /**
     * The recorded model, or empty (no resource, another format, unreadable). The layout: every string once, in a
     * table, then the commands, whose strings are indexes into it (descriptions are shared by commands that share a
     * mixin, and attribute names by every argument; reading each again was most of the time of reading the model).
     */
    static Optional<Map<String, Command>> read(java.util.Set<String> wanted) {
        // A class, which the class-data-sharing archive or the ahead-of-time cache holds, rather than a resource: the
        // first resource read of a run opens the jar (its 23,000-entry directory, 14 ms), and the rules thread does
        // that meanwhile (bench/results.md).
        try {
            Class.forName(DATA_CLASS, true, CommandModel.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
        String[] data = recorded;
        return data == null ? Optional.empty() : read(new java.io.ByteArrayInputStream(String.join("", data).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)), wanted);
    }

    private static volatile String[] recorded;
    private static volatile FieldAccess generated = new FieldAccess() {
        @Override
        Object get(String key, Object scope) {
            return NOT_HERE;
        }

        @Override
        boolean set(String key, Object scope, Object value) {
            return false;
        }
    };

    /**
     * Called by the build's {@link #DATA_CLASS} when it is initialized: the model, one character per byte, and code
     * that reads and writes the fields it binds (reflection made a method-handle accessor for each field, 8 ms).
     */
    static void recorded(String[] data, FieldAccess access) {
        recorded = data;
        generated = access;
    }

    /** The build's field access (after the model is read). */
    static FieldAccess generatedAccess() {
        read(java.util.Set.of());
        return generated;
    }

    /** What {@link FieldAccess#get} returns for a field it does not reach. */
    static final Object NOT_HERE = new Object();

    /**
     * Reads and writes a field of vccheck's command-line classes by {@code ScopeClass#name} (the class of the object
     * that holds it): the build generates it for every field it binds that code in this package can reach.
     */
    abstract static class FieldAccess {
        /** The field's value, or {@link #NOT_HERE}. */
        abstract Object get(String key, Object scope);

        /** Sets the field; false when it does not reach it. */
        abstract boolean set(String key, Object scope, Object value);
    }

    /** The bytes the build recorded, or null. */
    static byte[] recordedBytes() {
        read(java.util.Set.of());
        String[] data = recorded;
        return data == null ? null : String.join("", data).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The commands named {@code wanted} (null: all) of the model in {@code in}, or empty (another format, unreadable). */
    static Optional<Map<String, Command>> read(InputStream in, java.util.Set<String> wanted) {
        try {
            Reader r = new Reader(new DataInputStream(new BufferedInputStream(in, 1 << 14)));
            if (r.d.readInt() != FORMAT) return Optional.empty();
            r.strings = new String[r.d.readInt()];
            for (int i = 0; i < r.strings.length; i++) r.strings[i] = r.d.readUTF();
            Map<String, Command> commands = new LinkedHashMap<>();
            for (int i = r.d.readInt(); i > 0; i--) {
                String name = r.string();
                int length = r.d.readInt();
                if (wanted != null && !wanted.contains(name)) {
                    r.d.skipNBytes(length);
                    continue;
                }
                Command c = new Command(name, r.string(), r.map(), r.injections(), r.parts());
                commands.put(c.name(), c);
            }
            return Optional.of(commands);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static final class Reader {
        final DataInputStream d;
        String[] strings;

        Reader(DataInputStream d) {
            this.d = d;
        }

        String string() throws IOException {
            return strings[d.readUnsignedShort()];
        }

        Map<String, String> injections() throws IOException {
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = d.readUnsignedShort(); i > 0; i--) m.put(string(), string());
            return m;
        }

        List<Part> parts() throws IOException {
            List<Part> parts = new ArrayList<>();
            for (int i = d.readUnsignedShort(); i > 0; i--) {
                String mixin = string(), cls = string(), field = string();
                List<Arg> args = new ArrayList<>();
                for (int j = d.readUnsignedShort(); j > 0; j--) args.add(new Arg(d.readBoolean(), string(), map()));
                parts.add(new Part(mixin, cls, field, args));
            }
            return parts;
        }

        Map<String, Object> map() throws IOException {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = d.readUnsignedShort(); i > 0; i--) {
                String key = string();
                m.put(key, switch (d.readByte()) {
                    case 'n' -> null;
                    case 's' -> string();
                    case 'b' -> d.readBoolean();
                    case 'i' -> d.readInt();
                    case 'a' -> {
                        String[] a = new String[d.readUnsignedShort()];
                        for (int j = 0; j < a.length; j++) a[j] = string();
                        yield a;
                    }
                    case 'c' -> type(string());
                    case 'C' -> {
                        Class<?>[] a = new Class<?>[d.readUnsignedShort()];
                        for (int j = 0; j < a.length; j++) a[j] = type(string());
                        yield a;
                    }
                    default -> throw new IOException("unknown value tag in the command-line model");
                });
            }
            return m;
        }
    }

    static void write(DataOutputStream out, Map<String, Command> commands) throws IOException {
        Writer w = new Writer();
        w.d.writeInt(commands.size());
        for (Command c : commands.values()) {
            w.string(c.name());
            // the command's length, so that a run reads only the root and its own command
            Writer block = new Writer(w.strings);
            block.command(c);
            block.d.flush();
            w.d.writeInt(block.body.size());
            block.body.writeTo(w.d);
        }
        out.writeInt(FORMAT);
        out.writeInt(w.strings.size());
        for (String s : w.strings.keySet()) out.writeUTF(s);
        w.d.flush();
        w.body.writeTo(out);
    }

    private static final class Writer {
        final java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        final DataOutputStream d = new DataOutputStream(body);
        final Map<String, Integer> strings;

        Writer() {
            this(new LinkedHashMap<>());
        }

        Writer(Map<String, Integer> strings) {
            this.strings = strings;
        }

        void command(Command c) throws IOException {
            string(c.className());
            map(c.attributes());
            count(c.injections().size());
            for (var e : c.injections().entrySet()) {
                string(e.getKey());
                string(e.getValue());
            }
            count(c.parts().size());
            for (Part p : c.parts()) {
                string(p.mixin());
                string(p.mixinClass());
                string(p.mixinField());
                count(p.args().size());
                for (Arg a : p.args()) {
                    d.writeBoolean(a.positional());
                    string(a.field());
                    map(a.attributes());
                }
            }
        }

        void string(String s) throws IOException {
            Integer i = strings.computeIfAbsent(s, k -> strings.size());
            if (i > 0xFFFF) throw new IllegalStateException("more strings than the layout indexes");
            d.writeShort(i);
        }

        void count(int n) throws IOException {
            if (n > 0xFFFF) throw new IllegalStateException("more entries than the layout counts");
            d.writeShort(n);
        }

        // Attribute values: null, String, String[], Boolean, Integer, or a class (Class, Class[]), written by name.
        void map(Map<String, Object> m) throws IOException {
            count(m.size());
            for (var e : m.entrySet()) {
                string(e.getKey());
                Object v = e.getValue();
                if (v == null) d.writeByte('n');
                else if (v instanceof String s) {
                    d.writeByte('s');
                    string(s);
                } else if (v instanceof Boolean b) {
                    d.writeByte('b');
                    d.writeBoolean(b);
                } else if (v instanceof Integer i) {
                    d.writeByte('i');
                    d.writeInt(i);
                } else if (v instanceof String[] a) {
                    d.writeByte('a');
                    count(a.length);
                    for (String s : a) string(s);
                } else if (v instanceof Class<?> c) {
                    d.writeByte('c');
                    string(c.getName());
                } else if (v instanceof Class<?>[] a) {
                    d.writeByte('C');
                    count(a.length);
                    for (Class<?> c : a) string(c.getName());
                } else {
                    throw new IllegalArgumentException(e.getKey() + ": a value of " + v.getClass() + " cannot be recorded");
                }
            }
        }
    }

    private static Class<?> type(String name) {
        return switch (name) {
            case "boolean" -> boolean.class;
            case "int" -> int.class;
            case "long" -> long.class;
            case "double" -> double.class;
            default -> {
                try {
                    yield Class.forName(name, false, CommandModel.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    throw new IllegalStateException("the command-line model names a class this build does not have: " + name, e);
                }
            }
        };
    }

    /** The root command with the one subcommand {@code sub}, built from the model (which must have both). */
    static CommandLine commandLine(Map<String, Command> model, String sub, Object root, CommandLine.IFactory factory) throws Exception {
        Command rootModel = model.get("");
        Command subModel = model.get(sub);
        if (rootModel == null || subModel == null) throw new IllegalStateException("the model has no command " + sub);
        CommandLine cl = new CommandLine(spec(rootModel, root, null, factory), factory);
        Object command = factory.create(type(subModel.className()));
        cl.addSubcommand(sub, new CommandLine(spec(subModel, command, root, factory), factory));
        return cl;
    }

    /** A command's spec, as picocli's reflection would make it from {@code command}'s annotations. */
    static CommandSpec spec(Command model, Object command, Object parent, CommandLine.IFactory factory) throws Exception {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command, factory);
        for (var e : model.attributes().entrySet()) {
            Object v = e.getValue();
            switch (e.getKey()) {
                case "name" -> spec.name((String) v);
                case "versionProvider" -> spec.versionProvider((CommandLine.IVersionProvider) factory.create((Class<?>) v));
                case "description" -> spec.usageMessage().description((String[]) v);
                case "footer" -> spec.usageMessage().footer((String[]) v);
                case "footerHeading" -> spec.usageMessage().footerHeading((String) v);
                case "exitCodeListHeading" -> spec.usageMessage().exitCodeListHeading((String) v);
                case "hidden" -> spec.usageMessage().hidden((Boolean) v);
                default -> throw new IllegalStateException("@Command attribute not in the model: " + e.getKey());
            }
        }
        for (var e : model.injections().entrySet()) {
            set(command, e.getKey(), e.getValue().equals("spec") ? spec : parent);
        }
        for (Part p : model.parts()) {
            if (p.mixin().isEmpty()) {
                addArgs(spec, command, p.args(), factory);
                continue;
            }
            Object instance = p.mixinField().isEmpty() ? null : get(command, p.mixinField());
            if (instance == null) {
                instance = factory.create(type(p.mixinClass()));
                if (!p.mixinField().isEmpty()) set(command, p.mixinField(), instance);
            }
            CommandSpec mixin = CommandSpec.wrapWithoutInspection(instance, factory);
            addArgs(mixin, instance, p.args(), factory);
            spec.addMixin(p.mixin(), mixin);
        }
        return spec;
    }

    private static void addArgs(CommandSpec spec, Object scope, List<Arg> args, CommandLine.IFactory factory) throws Exception {
        for (Arg a : args) {
            Binding binding = a.attributes().get("held") instanceof Boolean initial ? new HeldValue(scope, a.field(), initial) : new FieldBinding(scope, a.field());
            Map<String, Object> at = a.attributes();
            if (a.positional()) {
                // Few attributes: a positional parameter is rare here, and the build's check refuses any other.
                PositionalParamSpec.Builder b = PositionalParamSpec.builder().index(Range.valueOf((String) at.get("index")));
                if (at.get("arity") instanceof String arity) b.arity(Range.valueOf(arity));
                spec.addPositional(b.paramLabel((String) at.get("paramLabel")).description((String[]) at.get("description"))
                        .descriptionKey((String) at.get("descriptionKey")).prompt((String) at.get("prompt")).type((Class<?>) at.get("type"))
                        .auxiliaryTypes((Class<?>[]) at.get("auxiliaryTypes")).required((Boolean) at.get("required"))
                        .hidden((Boolean) at.get("hidden")).defaultValue((String) at.get("defaultValue"))
                        .withToString((String) at.get("toString")).hasInitialValue((Boolean) at.get("hasInitialValue"))
                        .initialValue(binding.get()).getter(binding).setter(binding).build());
            } else {
                OptionSpec.Builder b = OptionSpec.builder((String[]) at.get("names"));
                if (at.get("arity") instanceof String arity) b.arity(Range.valueOf(arity)); // else picocli's, from the type
                b.paramLabel((String) at.get("paramLabel"))
                        .description((String[]) at.get("description")).descriptionKey((String) at.get("descriptionKey"))
                        .type((Class<?>) at.get("type")).auxiliaryTypes((Class<?>[]) at.get("auxiliaryTypes"))
                        .splitRegex((String) at.get("splitRegex")).splitRegexSynopsisLabel((String) at.get("splitRegexSynopsisLabel"))
                        .required((Boolean) at.get("required")).hidden((Boolean) at.get("hidden"))
                        .defaultValue((String) at.get("defaultValue"))
                        .hideParamSyntax((Boolean) at.get("hideParamSyntax")).inherited((Boolean) at.get("inherited"))
                        .interactive((Boolean) at.get("interactive")).echo((Boolean) at.get("echo")).prompt((String) at.get("prompt"))
                        .withToString((String) at.get("toString"))
                        .hasInitialValue((Boolean) at.get("hasInitialValue")).initialValue(binding.get())
                        .getter(binding).setter(binding);
                b.usageHelp((Boolean) at.get("usageHelp")).versionHelp((Boolean) at.get("versionHelp")).help((Boolean) at.get("help"))
                        .negatable((Boolean) at.get("negatable")).fallbackValue((String) at.get("fallbackValue")).order((Integer) at.get("order"));
                b.showDefaultValue(CommandLine.Help.Visibility.valueOf((String) at.get("showDefaultValue")));
                b.mapFallbackValue((String) at.get("mapFallbackValue")); // returns picocli's inaccessible builder type: not chained
                if (at.get("completionCandidates") instanceof Class<?> c) b.completionCandidates(candidates(c, factory));
                spec.addOption(b.build());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Iterable<String> candidates(Class<?> c, CommandLine.IFactory factory) throws Exception {
        return (Iterable<String>) factory.create(c);
    }

    static Field field(Class<?> cls, String name) throws NoSuchFieldException {
        for (Class<?> c = cls; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException(cls.getName() + "." + name);
    }

    private static Object get(Object scope, String name) throws Exception {
        Object v = generated.get(scope.getClass().getName() + "#" + name, scope);
        return v != NOT_HERE ? v : field(scope.getClass(), name).get(scope);
    }

    private static void set(Object scope, String name, Object value) throws Exception {
        if (!generated.set(scope.getClass().getName() + "#" + name, scope, value)) field(scope.getClass(), name).set(scope, value);
    }

    /** The field an argument made from the model is bound to (null for any other). */
    static Field boundField(CommandLine.Model.ArgSpec arg) {
        try {
            return arg.getter() instanceof Binding b ? field(b.scope().getClass(), b.name()) : null;
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    /** A model-made argument's binding: the field {@code name} of {@code scope}. */
    private sealed interface Binding extends CommandLine.Model.IGetter, CommandLine.Model.ISetter permits FieldBinding, HeldValue {
        Object scope();

        String name();
    }

    /**
     * A field of picocli's own that code here cannot reach (its standard help options'): the value is held here,
     * from the initial one the build recorded, rather than read and written by reflection (a method-handle accessor
     * for each, ~1.5 ms): picocli tells the help requests from the parse, not from these fields.
     */
    private static final class HeldValue implements Binding {
        private final Object scope;
        private final String name;
        private Object value;

        HeldValue(Object scope, String name, Object value) {
            this.scope = scope;
            this.name = name;
            this.value = value;
        }

        @Override
        public Object scope() {
            return scope;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T v) {
            T old = (T) value;
            value = v;
            return old;
        }
    }

    /** An argument's value in its field (picocli's own field binding is not public). */
    private record FieldBinding(Object scope, String name) implements Binding {
        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            try {
                return (T) CommandModel.get(scope, name);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public <T> T set(T value) {
            T old = get();
            try {
                CommandModel.set(scope, name, value);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return old;
        }
    }
}
