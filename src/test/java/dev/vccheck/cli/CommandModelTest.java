package dev.vccheck.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line of the common commands, made from the build's record of their annotations (CommandModel), is the
 * command line picocli makes from the annotations: the check the build runs finds nothing, can find a difference,
 * and the same argument lines parse to the same values, or fail with the same message, both ways.
 */
class CommandModelTest {
    @Test
    void theBuildsModelIsTheAnnotationsAndIsWhatTheJarHolds() throws Exception {
        var model = CommandModelWriter.capture();
        assertEquals(List.of(), CommandModelWriter.verify(model));
        assertEquals(List.of(), CommandModelWriter.verify(CommandModel.read(null).orElseThrow()), "the model as the jar holds it");
        assertArrayEquals(CommandModelWriter.bytes(model), CommandModel.recordedBytes(),
                "the build's " + CommandModel.DATA_CLASS + " holds the model of these classes: run mvn process-classes");
        assertEquals(model.keySet(), CommandModel.read(null).orElseThrow().keySet());
        assertEquals(java.util.Set.of("", "plan"), CommandModel.model("plan").orElseThrow().keySet(), "a run reads the root and its own command");
    }

    @Test
    void everyBoundFieldOfVcchecksIsReachedByTheGeneratedCode() throws Exception {
        var model = CommandModelWriter.capture();
        var fields = CommandModelWriter.fields(model);
        List<String> reflective = new ArrayList<>();
        for (CommandModel.Command c : model.values()) {
            for (CommandModel.Part p : c.parts()) {
                for (CommandModel.Arg a : p.args()) {
                    String key = (p.mixin().isEmpty() ? c.className() : p.mixinClass()) + "#" + a.field();
                    if (!fields.containsKey(key)) reflective.add(key);
                }
            }
        }
        assertEquals(List.of("picocli.CommandLine$AutoHelpMixin#helpRequested", "picocli.CommandLine$AutoHelpMixin#versionRequested"),
                reflective.stream().distinct().sorted().toList(), "only picocli's own help options are not reached by the generated code (their bindings hold the values)");
        Object scan = new ScanCommand();
        Object output = ((ScanCommand) scan).output;
        var access = CommandModel.generatedAccess();
        assertEquals(output, access.get("dev.vccheck.cli.ScanCommand#output", scan));
        assertTrue(access.set("dev.vccheck.cli.OutputOptions#quiet", output, true));
        assertTrue(((ScanCommand) scan).output.quiet);
        assertEquals(CommandModel.NOT_HERE, access.get("picocli.CommandLine$AutoHelpMixin#helpRequested", new Object()));
    }

    @Test
    void theChecksFindADifferentAttributeOrBinding() throws Exception {
        var model = CommandModelWriter.capture();
        var scan = model.get("scan");
        CommandModel.Part output = scan.parts().stream().filter(p -> p.mixin().equals("output")).findFirst().orElseThrow();
        CommandModel.Arg quiet = output.args().stream().filter(a -> a.field().equals("quiet")).findFirst().orElseThrow();
        quiet.attributes().put("description", new String[]{"Print everything."});
        quiet.attributes().put("hidden", true);
        List<String> problems = CommandModelWriter.verify(model);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("vccheck scan --quiet: description")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("vccheck scan --quiet: hidden")), problems::toString);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("vccheck scan: usage help differs")), problems::toString);

        var fresh = CommandModelWriter.capture();
        CommandModel.Part own = fresh.get("plan").parts().stream().filter(p -> p.mixin().isEmpty()).findFirst().orElseThrow();
        int i = own.args().indexOf(own.args().stream().filter(a -> a.field().equals("path")).findFirst().orElseThrow());
        own.args().set(i, new CommandModel.Arg(false, "format", own.args().get(i).attributes()));
        problems = CommandModelWriter.verify(fresh);
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("vccheck plan --path: bound to")), problems::toString);
    }

    @Test
    void aRunOfAModelledCommandReadsNoAnnotationAndOthersDo() {
        CommandLine scan = VcCheck.commandLine(false, Map.of(), "scan").getSubcommands().get("scan");
        assertTrue(scan.getCommandSpec().options().stream().allMatch(o -> CommandModel.boundField(o) != null), "scan is made from the model");
        CommandLine demo = VcCheck.commandLine(false, Map.of(), "demo").getSubcommands().get("demo");
        assertTrue(demo.getCommandSpec().options().stream().allMatch(o -> CommandModel.boundField(o) == null), "demo is read from its annotations");
        assertNull(VcCheck.commandLine(false, Map.of(), null).getSubcommands().get("scan").getCommandSpec().options().stream()
                .map(CommandModel::boundField).filter(f -> f != null).findAny().orElse(null), "root help reads the annotations");
    }

    private static final Map<String, List<List<String>>> LINES = Map.of(
            "scan", List.of(List.of(),
                    List.of("--db-url", "postgresql://u:p@h/db", "--format", "json", "-o", "r.json", "--format=text", "-q"),
                    List.of("--kube", "-n", "immich", "--context", "c", "--kubeconfig", "/k", "--backup-max-age", "7d"),
                    List.of("--kube-exec"), List.of("--kube-exec=cluster", "--psql", "psql -h x"),
                    List.of("--only", "a,b", "--skip=c", "--phase", "post", "--waivers", "w.yaml", "--immich-version", "1.2.3", "--rules", "r.yaml", "--rules", "r2"),
                    List.of("--log", "a.log", "--log", "-", "--log-lines", "10", "--immich-container", "x", "--docker", "c"),
                    List.of("--fail-on", "WARN", "--redact", "all", "--no-color", "-v"),
                    List.of("--connect-timeout", "3", "--statement-timeout", "9", "--env-file", ".env"),
                    List.of("--help"), List.of("-V"),
                    List.of("--bogus"), List.of("--log-lines", "x"), List.of("--fail-on", "nope"), List.of("--db-url"), List.of("extra"),
                    List.of("--redact", "x"), List.of("-qv", "--no-color=false")),
            "collect", List.of(List.of("-o", "b.json", "--redact", "none", "--rules", "r", "--immich-version", "2.0.0", "--db-url", "x"),
                    List.of("--redact"), List.of("--output")),
            "analyze", List.of(List.of("b.json", "--format", "html", "-o", "r.html"), List.of(), List.of("a", "b"), List.of("--only", "x", "b.json")),
            "plan", List.of(List.of("--bundle", "b.json", "--path", "dual", "--format", "sql", "-o", "p.sql", "--immich-version", "1.0.0"),
                    List.of("--format"), List.of("--docker", "immich_postgres")));

    @Test
    void theSameLinesParseToTheSameValuesOrTheSameError() throws Exception {
        var model = CommandModel.read(null).orElseThrow();
        for (var e : LINES.entrySet()) {
            for (List<String> line : e.getValue()) {
                List<String> args = new ArrayList<>(List.of(e.getKey()));
                args.addAll(line);
                String a = parse(VcCheck.annotatedCommandLine(false, Map.of(), e.getKey()), e.getKey(), args);
                String m = parse(VcCheck.modelCommandLine(model, false, Map.of(), e.getKey()), e.getKey(), args);
                assertEquals(a, m, String.join(" ", args));
            }
        }
    }

    /** What a parse leaves: every field of the command and its mixins, the help requests, or the error's message. */
    private static String parse(CommandLine cl, String sub, List<String> args) throws Exception {
        try {
            CommandLine.ParseResult r = cl.parseArgs(args.toArray(String[]::new));
            Map<String, Object> values = new LinkedHashMap<>();
            values("", cl.getSubcommands().get(sub).getCommand(), values);
            CommandLine.ParseResult s = r.subcommand();
            values.put("help", s.isUsageHelpRequested() + "/" + s.isVersionHelpRequested());
            values.put("matched", s.matchedArgs().stream().map(CommandLine.Model.ArgSpec::paramLabel).toList());
            return values.toString();
        } catch (CommandLine.ParameterException ex) {
            return ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
    }

    private static void values(String path, Object o, Map<String, Object> out) throws Exception {
        for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) continue;
                f.setAccessible(true);
                Object v = f.get(o);
                if (v instanceof CommandLine.Model.CommandSpec spec) {
                    out.put(path + f.getName(), "spec of " + spec.qualifiedName());
                } else if (v instanceof VcCheck) {
                    out.put(path + f.getName(), "the root");
                } else if (v != null && !(v instanceof Enum<?>) && v.getClass().getName().startsWith("dev.vccheck.cli.")) {
                    values(path + f.getName() + ".", v, out);
                } else {
                    out.put(path + f.getName(), v instanceof Object[] arr ? Arrays.toString(arr) : v);
                }
            }
        }
    }
}
