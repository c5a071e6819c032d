package dev.vccheck.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * Records {@link CommandModel} when vccheck is built ({@code mvn process-classes}): reads the modelled commands'
 * annotations as picocli does, and writes the resource only after checking that the command line made from it is the
 * annotated one ({@link #verify}). A command that uses something the model does not carry stops the build with a
 * message naming it, rather than shipping a command line that parses differently.
 */
public final class CommandModelWriter {
    private CommandModelWriter() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, CommandModel.Command> captured = capture();
        byte[] bytes = bytes(captured);
        // what a run will read: the model as written and read back
        Map<String, CommandModel.Command> model = CommandModel.read(new java.io.ByteArrayInputStream(bytes), null)
                .orElseThrow(() -> new IllegalStateException("the command-line model written cannot be read back"));
        List<String> problems = verify(model);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the recorded command-line model differs from the annotations:\n  " + String.join("\n  ", problems));
        }
        Path out = Path.of(args[0], CommandModel.DATA_CLASS.replace('.', '/') + ".java");
        Files.createDirectories(out.getParent());
        Files.writeString(out, source(bytes, fields(captured)), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * The fields the model binds, by {@code ScopeClass#name} (the class of the object that holds each), for the
     * generated access: those code in this package can reach (picocli's own standard help options are left to
     * reflection).
     */
    static Map<String, Field> fields(Map<String, CommandModel.Command> model) throws Exception {
        Map<String, Field> fields = new java.util.TreeMap<>();
        for (CommandModel.Command c : model.values()) {
            Class<?> cls = Class.forName(c.className());
            for (String f : c.injections().keySet()) reachable(fields, cls, f);
            for (CommandModel.Part p : c.parts()) {
                Class<?> scope = p.mixin().isEmpty() ? cls : Class.forName(p.mixinClass());
                if (!p.mixinField().isEmpty()) reachable(fields, cls, p.mixinField());
                for (CommandModel.Arg a : p.args()) reachable(fields, scope, a.field());
            }
        }
        return fields;
    }

    private static void reachable(Map<String, Field> fields, Class<?> scope, String name) throws NoSuchFieldException {
        Field f = CommandModel.field(scope, name);
        String pkg = CommandModel.class.getPackageName();
        boolean here = scope.getPackageName().equals(pkg) && f.getDeclaringClass().getPackageName().equals(pkg)
                && !Modifier.isPrivate(scope.getModifiers()) && !Modifier.isPrivate(f.getModifiers()) && !Modifier.isStatic(f.getModifiers());
        if (here) fields.put(scope.getName() + "#" + name, f);
    }

    /**
     * The class that holds the model: its bytes as the characters of string constants (one character per byte, each
     * constant well within the class file's 64 KiB), and the code that reads and writes the fields it binds, handed
     * to {@link CommandModel} when the class is initialized.
     */
    static String source(byte[] bytes, Map<String, Field> fields) {
        StringBuilder s = new StringBuilder();
        String pkg = CommandModel.DATA_CLASS.substring(0, CommandModel.DATA_CLASS.lastIndexOf('.'));
        String name = CommandModel.DATA_CLASS.substring(pkg.length() + 1);
        s.append("package ").append(pkg).append(";\n\n")
                .append("/** The command-line model of the common commands, written by CommandModelWriter when vccheck is built. */\n")
                .append("final class ").append(name).append(" {\n")
                .append("    private ").append(name).append("() {\n    }\n\n")
                .append("    static {\n        CommandModel.recorded(new String[]{");
        for (int i = 0; i < bytes.length; i += 16_000) {
            s.append(i == 0 ? "\n" : ",\n").append("            \"");
            for (int j = i; j < Math.min(bytes.length, i + 16_000); j++) {
                int b = bytes[j] & 0xFF;
                if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') s.append((char) b);
                else s.append(String.format("\\%03o", b)); // octal: javac reads unicode escapes before it reads the literal
            }
            s.append('"');
        }
        s.append("}, new CommandModel.FieldAccess() {\n")
                .append("            @Override\n")
                .append("            Object get(String key, Object scope) {\n")
                .append("                return switch (key) {\n");
        fields.forEach((key, f) -> s.append("                    case \"").append(key).append("\" -> ((")
                .append(key.substring(0, key.indexOf('#')).replace('$', '.')).append(") scope).").append(f.getName()).append(";\n"));
        s.append("                    default -> CommandModel.NOT_HERE;\n                };\n            }\n\n")
                .append("            @Override\n")
                .append("            @SuppressWarnings({\"unchecked\", \"rawtypes\"})\n")
                .append("            boolean set(String key, Object scope, Object value) {\n")
                .append("                switch (key) {\n");
        fields.forEach((key, f) -> s.append("                    case \"").append(key).append("\" -> ((")
                .append(key.substring(0, key.indexOf('#')).replace('$', '.')).append(") scope).").append(f.getName()).append(" = (")
                .append(boxed(f.getType())).append(") value;\n"));
        s.append("                    default -> {\n                        return false;\n                    }\n                }\n")
                .append("                return true;\n            }\n        });\n    }\n}\n");
        return s.toString();
    }

    private static String boxed(Class<?> t) {
        if (!t.isPrimitive()) return t.getCanonicalName();
        return t == int.class ? "Integer" : t == boolean.class ? "Boolean" : t == long.class ? "Long" : t == double.class ? "Double"
                : t == char.class ? "Character" : t.getName().substring(0, 1).toUpperCase() + t.getName().substring(1);
    }

    static byte[] bytes(Map<String, CommandModel.Command> model) throws java.io.IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            CommandModel.write(d, model);
        }
        return b.toByteArray();
    }

    /** The root and the modelled subcommands, read from their annotations. */
    static Map<String, CommandModel.Command> capture() throws Exception {
        CommandLine annotated = VcCheck.annotatedCommandLine(false, Map.of(), null);
        Map<String, CommandModel.Command> model = new LinkedHashMap<>();
        model.put("", command("", annotated.getCommandSpec()));
        for (String sub : CommandModel.MODELLED) model.put(sub, command(sub, annotated.getSubcommands().get(sub).getCommandSpec()));
        return model;
    }

    private static final Set<String> COMMAND_ATTRIBUTES = Set.of("name", "versionProvider", "description", "footer", "footerHeading",
            "exitCodeListHeading", "hidden");

    private static CommandModel.Command command(String name, CommandSpec spec) throws Exception {
        Class<?> cls = spec.userObject().getClass();
        CommandLine.Command cmd = cls.getAnnotation(CommandLine.Command.class);
        Map<String, Object> attributes = new LinkedHashMap<>();
        // by name: the JDK lists an annotation's methods in no fixed order, and the resource must be the same each build
        for (Method m : Arrays.stream(CommandLine.Command.class.getDeclaredMethods()).sorted(java.util.Comparator.comparing(Method::getName)).toList()) {
            Object v = m.invoke(cmd);
            if (Objects.deepEquals(v, m.getDefaultValue()) || m.getName().equals("mixinStandardHelpOptions")) continue;
            if (!COMMAND_ATTRIBUTES.contains(m.getName())) {
                throw new IllegalStateException(cls.getName() + ": @Command(" + m.getName() + ") is not in the command-line model (CommandModel.spec)");
            }
            attributes.put(m.getName(), v);
        }
        Map<String, String> injections = new LinkedHashMap<>();
        Map<String, String> mixinFields = new LinkedHashMap<>();
        for (Field f : fields(cls)) {
            if (f.isAnnotationPresent(CommandLine.Spec.class)) injections.put(f.getName(), "spec");
            if (f.isAnnotationPresent(CommandLine.ParentCommand.class)) injections.put(f.getName(), "parent");
            CommandLine.Mixin mixin = f.getAnnotation(CommandLine.Mixin.class);
            if (mixin != null) mixinFields.put(mixin.name().isEmpty() ? f.getName() : mixin.name(), f.getName());
            for (Class<? extends Annotation> a : List.of(CommandLine.ArgGroup.class, CommandLine.Unmatched.class)) {
                if (f.isAnnotationPresent(a)) throw new IllegalStateException(cls.getName() + "." + f.getName() + ": @" + a.getSimpleName() + " is not in the command-line model");
            }
        }
        List<CommandModel.Part> parts = new ArrayList<>();
        String owner = null;
        List<CommandModel.Arg> args = null;
        for (ArgSpec arg : spec.args()) {
            String mixin = "";
            for (var e : spec.mixins().entrySet()) {
                if (e.getValue().args().stream().anyMatch(a -> a == arg)) mixin = e.getKey();
            }
            if (!mixin.equals(owner)) {
                owner = mixin;
                args = new ArrayList<>();
                if (mixin.isEmpty()) {
                    parts.add(new CommandModel.Part("", "", "", args));
                } else {
                    Class<?> mixinClass = spec.mixins().get(mixin).userObject().getClass();
                    checkMixin(mixinClass);
                    parts.add(new CommandModel.Part(mixin, mixinClass.getName(), mixinFields.getOrDefault(mixin, ""), args));
                }
            }
            CommandModel.Arg a = arg(arg);
            // A field of picocli's own (its standard help options' mixin), which code here cannot reach: the binding
            // holds the value, from the initial one the build saw (picocli reads which help option matched from the
            // parse, not from these fields).
            if (!mixin.isEmpty() && !spec.mixins().get(mixin).userObject().getClass().getPackageName().equals(CommandModel.class.getPackageName())) {
                Object initial = arg.initialValue();
                if (!(initial instanceof Boolean)) throw new IllegalStateException(arg + ": a field of picocli's with a non-boolean value is not in the command-line model");
                a.attributes().put("held", initial);
            }
            args.add(a);
        }
        return new CommandModel.Command(name, cls.getName(), attributes, injections, parts);
    }

    private static void checkMixin(Class<?> cls) {
        for (Field f : fields(cls)) {
            for (Class<? extends Annotation> a : List.of(CommandLine.Spec.class, CommandLine.ParentCommand.class, CommandLine.Mixin.class,
                    CommandLine.ArgGroup.class, CommandLine.Unmatched.class)) {
                if (f.isAnnotationPresent(a)) throw new IllegalStateException(cls.getName() + "." + f.getName() + ": @" + a.getSimpleName() + " in a mixin is not in the command-line model");
            }
        }
    }

    private static List<Field> fields(Class<?> cls) {
        List<Field> all = new ArrayList<>();
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) all.addAll(Arrays.asList(c.getDeclaredFields()));
        return all;
    }

    /**
     * The builder attributes the model carries for every argument, and those it carries for options besides
     * ({@link CommandModel} applies them; {@link #verify} compares every one of picocli's, carried or not). Read
     * by name: picocli's common builder type is not visible outside its package.
     */
    private static final List<String> COMMON = List.of("paramLabel", "description", "descriptionKey", "prompt", "type",
            "auxiliaryTypes", "required", "hidden", "defaultValue", "toString", "hasInitialValue");
    private static final List<String> OPTION = List.of("names", "splitRegex", "splitRegexSynopsisLabel", "mapFallbackValue",
            "showDefaultValue", "hideParamSyntax", "inherited", "interactive", "echo", "usageHelp", "versionHelp", "help",
            "negatable", "fallbackValue", "order");

    private static CommandModel.Arg arg(ArgSpec arg) throws ReflectiveOperationException {
        if (!(arg.userObject() instanceof Field field)) throw new IllegalStateException(arg + ": only fields are in the command-line model");
        Map<String, Object> a = new LinkedHashMap<>();
        if (arg instanceof OptionSpec o) {
            OptionSpec.Builder b = o.toBuilder();
            if (!b.arity().isUnspecified()) a.put("arity", b.arity().toString());
            for (String name : COMMON) a.put(name, attribute(b, name));
            for (String name : OPTION) a.put(name, attribute(b, name));
            candidates(b.completionCandidates(), b.type(), a);
            return new CommandModel.Arg(false, field.getName(), a);
        }
        PositionalParamSpec.Builder b = ((PositionalParamSpec) arg).toBuilder();
        a.put("index", b.index().toString());
        if (!b.arity().isUnspecified()) a.put("arity", b.arity().toString());
        for (String name : COMMON) a.put(name, attribute(b, name));
        return new CommandModel.Arg(true, field.getName(), a);
    }

    /** A builder's attribute by its getter's name; an enumeration's by its constant's name. */
    private static Object attribute(Object builder, String name) throws ReflectiveOperationException {
        Method getter = builder.getClass().getMethod(name);
        getter.setAccessible(true);
        Object v = getter.invoke(builder);
        return v instanceof Enum<?> e ? e.name() : v;
    }

    /** A class of completion candidates of the command's own (picocli makes an enum's itself, from the type). */
    private static void candidates(Iterable<String> candidates, Class<?> type, Map<String, Object> a) {
        if (candidates == null || type.isEnum()) return;
        Class<?> c = candidates.getClass();
        if (!c.getName().startsWith("dev.vccheck.")) throw new IllegalStateException("completion candidates of " + c + " are not in the command-line model");
        a.put("completionCandidates", c);
    }

    /**
     * Where the command line made from {@code model} differs from the annotated one: the usage help and version of
     * each command, its mixins, and every attribute of every option and positional parameter (all of picocli's
     * builder's properties, whether the model carries them or not), with the field each is bound to.
     */
    static List<String> verify(Map<String, CommandModel.Command> model) throws Exception {
        List<String> problems = new ArrayList<>();
        for (String sub : CommandModel.MODELLED) {
            // what a run whose first argument is sub makes from the annotations: the root with that one subcommand
            CommandLine annotated = VcCheck.annotatedCommandLine(false, Map.of(), sub);
            CommandLine fromModel;
            try {
                fromModel = VcCheck.modelCommandLine(model, false, Map.of(), sub);
            } catch (Exception e) {
                problems.add(sub + ": no command line could be made from the model: " + e);
                continue;
            }
            compare("vccheck", annotated.getCommandSpec(), fromModel.getCommandSpec(), problems);
            compare("vccheck " + sub, annotated.getSubcommands().get(sub).getCommandSpec(), fromModel.getSubcommands().get(sub).getCommandSpec(), problems);
        }
        return problems;
    }

    private static void compare(String where, CommandSpec a, CommandSpec m, List<String> problems) throws Exception {
        String usageA = usage(a), usageM = usage(m);
        if (!usageA.equals(usageM)) problems.add(where + ": usage help differs:\n--- annotations\n" + usageA + "\n--- model\n" + usageM);
        if (!Arrays.equals(a.version(), m.version())) problems.add(where + ": version differs");
        if (!a.name().equals(m.name()) || a.usageMessage().hidden() != m.usageMessage().hidden()) problems.add(where + ": name or visibility differs");
        if (!a.mixins().keySet().equals(m.mixins().keySet())) problems.add(where + ": mixins " + a.mixins().keySet() + " vs " + m.mixins().keySet());
        if (a.args().size() != m.args().size()) {
            problems.add(where + ": " + a.args().size() + " arguments vs " + m.args().size());
            return;
        }
        for (int i = 0; i < a.args().size(); i++) {
            ArgSpec x = a.args().get(i), y = m.args().get(i);
            String arg = where + " " + (x instanceof OptionSpec o ? o.longestName() : "positional " + x.paramLabel());
            if (x.getClass() != y.getClass()) {
                problems.add(arg + ": an option in one, a positional parameter in the other");
                continue;
            }
            Field fx = (Field) x.userObject();
            Field fy = CommandModel.boundField(y);
            if (fy == null || !fx.equals(fy)) problems.add(arg + ": bound to " + fx + " vs " + fy);
            Object bx = x instanceof OptionSpec o ? o.toBuilder() : ((PositionalParamSpec) x).toBuilder();
            Object by = y instanceof OptionSpec o ? o.toBuilder() : ((PositionalParamSpec) y).toBuilder();
            for (Method g : bx.getClass().getMethods()) {
                if (g.getParameterCount() != 0 || g.getDeclaringClass() == Object.class && !g.getName().equals("toString") || SKIPPED.contains(g.getName())) continue;
                g.setAccessible(true);
                Object vx = comparable(g.invoke(bx)), vy = comparable(g.invoke(by));
                if (!Objects.deepEquals(vx, vy)) problems.add(arg + ": " + g.getName() + " " + show(vx) + " vs " + show(vy));
            }
            for (String p : List.of("getClassName", "isMultiValue", "isArray", "isCollection", "isMap", "isEnum", "isBoolean", "isOptional")) {
                Method t = CommandLine.Model.ITypeInfo.class.getMethod(p);
                if (!Objects.equals(t.invoke(x.typeInfo()), t.invoke(y.typeInfo()))) problems.add(arg + ": type " + p + " differs");
            }
            if (!Objects.deepEquals(comparable(x.initialValue()), comparable(y.initialValue()))) problems.add(arg + ": initial value differs");
        }
    }

    /** Builder properties that are the binding (compared as the field), or derived from the type (compared above). */
    private static final Set<String> SKIPPED = Set.of("getter", "setter", "scope", "userObject", "annotatedElement", "typeInfo",
            "initialValue", "build", "hashCode", "getClass");

    private static Object comparable(Object v) {
        if (v instanceof CommandLine.Range r) return r + (r.isUnspecified() ? " (unspecified)" : "");
        if (v instanceof Iterable<?> it && !(v instanceof java.util.Collection<?>)) return StreamSupport.stream(it.spliterator(), false).toList();
        if (v instanceof Object[] a && a.getClass().getComponentType().isInterface()) return Arrays.stream(a).map(o -> o.getClass()).toList();
        if (v != null && !(v instanceof String) && !(v instanceof Number) && !(v instanceof Boolean) && !(v instanceof Enum<?>)
                && !(v instanceof Class<?>) && !(v instanceof Object[]) && !(v instanceof java.util.Collection<?>) && !(v instanceof java.nio.file.Path)) {
            return v.getClass();
        }
        return v;
    }

    private static String show(Object v) {
        return v instanceof Object[] a ? Arrays.deepToString(a) : String.valueOf(v);
    }

    private static String usage(CommandSpec spec) {
        return spec.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
    }
}
