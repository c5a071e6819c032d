package dev.vccheck.rules;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Where rule packs come from: the built-in {@code rules/} folder shipped in the jar, and user files or folders. */
public final class RuleSources {
    /** The YAML parser stops at 2 M code points anyway (YamlDoc); the built-in packs are about 20 kB each. */
    static final long MAX_PACK_BYTES = 4L * 1024 * 1024;

    private RuleSources() {
    }

    /** Every built-in pack ({@code rules/**.yaml} except {@code rules/compat/}), sorted by path. */
    public static List<RuleLoader.Source> builtin() {
        List<String> names = CompiledRules.builtin().packs();
        if (names.isEmpty()) return walk();
        List<RuleLoader.Source> out = new ArrayList<>(names.size());
        for (String name : names) {
            try (java.io.InputStream in = RuleSources.class.getClassLoader().getResourceAsStream(name)) {
                if (in == null) return walk();
                out.add(new RuleLoader.Source(name, new String(in.readAllBytes(), StandardCharsets.UTF_8), true));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The same, found by listing the rules folder (inside the jar: opened as a file system). */
    static List<RuleLoader.Source> walk() {
        Path root = resourceRoot("rules");
        List<RuleLoader.Source> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(RuleSources::isYaml).sorted().toList()) {
                String rel = "rules/" + root.relativize(p).toString().replace('\\', '/');
                if (rel.startsWith("rules/compat/")) continue;
                out.add(new RuleLoader.Source(rel, Files.readString(p, StandardCharsets.UTF_8), true));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The built-in compatibility matrix: from the build's snapshot ({@link RuleSnapshot}), else parsed from its YAML. */
    public static Compatibility compatibility() throws RuleLoadException {
        java.util.Optional<Compatibility> snapshot = RuleSnapshot.compatibility();
        return snapshot.isPresent() ? snapshot.get() : parsedCompatibility();
    }

    /** The built-in compatibility matrix parsed from {@code rules/compat/immich.yaml}. */
    static Compatibility parsedCompatibility() throws RuleLoadException {
        return Compatibility.parse(Compatibility.RESOURCE, compatibilitySource().text());
    }

    /** The text of {@code rules/compat/immich.yaml}, as the matrix is parsed from and the snapshot is checked against. */
    static RuleLoader.Source compatibilitySource() {
        try (java.io.InputStream in = RuleSources.class.getClassLoader().getResourceAsStream(Compatibility.RESOURCE)) {
            if (in == null) throw new IllegalStateException("built-in rules are missing from the class path");
            return new RuleLoader.Source(Compatibility.RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** User packs: each path is a YAML file or a folder searched recursively for *.yaml / *.yml, sorted. */
    public static List<RuleLoader.Source> user(List<Path> paths) throws RuleLoadException {
        List<RuleLoader.Source> out = new ArrayList<>();
        List<RuleIssue> issues = new ArrayList<>();
        for (Path path : paths) {
            try {
                if (Files.isDirectory(path)) {
                    try (Stream<Path> s = Files.walk(path)) {
                        for (Path p : s.filter(RuleSources::isYaml).sorted().toList()) out.add(read(p));
                    }
                } else {
                    out.add(read(path));
                }
            } catch (NoSuchFileException e) {
                issues.add(new RuleIssue(SourcePos.of(path.toString()), "no such file or folder"));
            } catch (IOException e) {
                issues.add(new RuleIssue(SourcePos.of(path.toString()), "cannot read: " + e.getMessage()));
            }
        }
        if (!issues.isEmpty()) throw new RuleLoadException(issues);
        return out;
    }

    private static RuleLoader.Source read(Path p) throws IOException {
        return new RuleLoader.Source(p.toString(), dev.vccheck.io.TextFiles.read(p, MAX_PACK_BYTES), false);
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString();
        return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
    }

    /** The folder of a bundled resource tree, inside the jar or on the class path (tests, IDE). */
    static Path resourceRoot(String name) {
        URL url = RuleSources.class.getClassLoader().getResource(name + "/compat/immich.yaml");
        if (url == null) throw new IllegalStateException("built-in rules are missing from the class path");
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                return fs.getPath("/" + name);
            }
            return Path.of(uri).getParent().getParent();
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException("cannot open built-in rules: " + e.getMessage(), e);
        }
    }
}
