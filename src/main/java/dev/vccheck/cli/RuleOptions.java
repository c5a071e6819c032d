package dev.vccheck.cli;

import dev.vccheck.engine.AnalysisOptions;
import dev.vccheck.rules.RuleLoadException;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.Waivers;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Which rules run, for which Immich release and phase, with which waivers. */
public final class RuleOptions {
    @Option(names = "--rules", paramLabel = "PATH", description = "A rule pack file or a folder of packs, added to the built-in packs; a rule with a built-in id replaces it. Repeatable.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--only", paramLabel = "ID_OR_TAG", split = ",", description = "Run only rules with this id or tag (* matches anything). Repeatable.")
    List<String> only = new ArrayList<>();

    @Option(names = "--skip", paramLabel = "ID_OR_TAG", split = ",", description = "Do not run rules with this id or tag (* matches anything). Repeatable.")
    List<String> skip = new ArrayList<>();

    @Option(names = "--phase", paramLabel = "PHASE", description = "pre, post or health (default: inferred from the detected migration state).")
    String phase;

    @Option(names = "--waivers", paramLabel = "FILE", description = "YAML file of accepted findings: rule, optional target, reason, expires.")
    Path waivers;

    @Option(names = "--immich-version", paramLabel = "X.Y.Z", description = "The Immich release you are moving to (default: the immich-server image tag, else the newest version_history row, else the newest release vccheck knows).")
    String immichVersion;

    List<RuleLoader.Source> userSources() throws RuleLoadException {
        return dev.vccheck.rules.RuleSources.user(rules);
    }

    AnalysisOptions analysisOptions() {
        if (phase != null && !RuleLoader.PHASES.contains(phase)) {
            throw new UsageException("--phase must be one of pre, post, health; not '" + phase + "'");
        }
        if (immichVersion != null && !dev.vccheck.rules.Compatibility.isVersion(immichVersion)) {
            throw new UsageException("--immich-version: '" + immichVersion + "' is not an Immich version (expected X.Y.Z, e.g. 2.1.0)");
        }
        List<Waivers.Waiver> w = List.of();
        if (waivers != null) {
            try {
                w = Waivers.parse(waivers.toString(), dev.vccheck.io.TextFiles.read(waivers, 4L * 1024 * 1024));
            } catch (NoSuchFileException e) {
                throw new UsageException(waivers + ": no such file");
            } catch (IOException e) {
                throw new UsageException(waivers + ": cannot read: " + e.getMessage());
            } catch (RuleLoadException e) {
                throw new UsageException(e.issues().stream().map(Object::toString).toList());
            }
        }
        return new AnalysisOptions(immichVersion, phase, only, skip, w, null);
    }
}
