package dev.vccheck.engine;

import dev.vccheck.report.ScannedSource;
import dev.vccheck.facts.CollectionStatus;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vccheck.facts.Facts;
import dev.vccheck.facts.PlainJson;
import dev.vccheck.facts.FactsSchema;
import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.report.Summary;
import dev.vccheck.rules.CelValues;
import dev.vccheck.rules.Compatibility;
import dev.vccheck.rules.Derived;
import dev.vccheck.rules.Expr;
import dev.vccheck.rules.Outcome;
import dev.vccheck.rules.Remediation;
import dev.vccheck.rules.Rule;
import dev.vccheck.rules.RuleLoader;
import dev.vccheck.rules.Status;
import dev.vccheck.rules.Waivers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Stage 3: facts and compiled rules in, findings out. No I/O. A rule whose facts are missing or unreadable ends in
 * {@code skip} or {@code error} with the reason; a rule that throws ends in {@code error}; nothing is silently a pass,
 * and one broken rule never stops the others.
 */
public final class Analyzer {
    private static final Pattern CEL_PREFIX = Pattern.compile("^evaluation error at <input>:\\d+: ");

    private final FactsSchema schema;
    private final RuleLoader.Loaded rules;
    private final Compatibility compat;
    private final String toolVersion;
    private final OutcomeObserver observer;

    /**
     * Told which entry of a rule produced each finding: {@link #outcome(int)} for the rule's outcomes (by position),
     * {@link #WHEN} for the skip of its {@code when}, {@link #UNAVAILABLE} for the error of facts it {@code needs}
     * that were not collected; also "phase", "source", "no-match" and "exception". Reports do not carry it; the
     * outcome-coverage test (src/test/java/dev/vccheck/engine/OutcomeCoverageTest.java) listens.
     */
    public interface OutcomeObserver {
        void produced(Rule rule, String entry);
    }

    public static final String WHEN = "when";
    public static final String UNAVAILABLE = "unavailable";

    public static String outcome(int index) {
        return "outcome " + index;
    }

    public Analyzer(FactsSchema schema, RuleLoader.Loaded rules, Compatibility compat, String toolVersion) {
        this(schema, rules, compat, toolVersion, (r, e) -> { });
    }

    public Analyzer(FactsSchema schema, RuleLoader.Loaded rules, Compatibility compat, String toolVersion, OutcomeObserver observer) {
        this.schema = schema;
        this.rules = rules;
        this.compat = compat;
        this.toolVersion = toolVersion;
        this.observer = observer;
    }

    /** Picks the compatibility row: the flag, else the Immich image tag, else version_history, else the newest row. */
    public Compatibility.TargetRelease targetRelease(Facts facts, String asked) {
        if (asked != null) return compat.select(asked, "flag");
        String image = facts.at("/k8s/immich/version").map(JsonNode::asText).orElse(null);
        if (image != null && Compatibility.isVersion(image)) return compat.select(image, "image");
        String history = facts.at("/pg/immich/latest_version").map(JsonNode::asText).orElse(null);
        if (history != null && Compatibility.isVersion(history)) {
            try {
                Compatibility.TargetRelease running = compat.select(history, "version_history");
                if (running.release().vectorExtensions().contains("vchord")) return running;
                // The release running now cannot use VectorChord (before v1.133): a scan without --immich-version is a
                // check before moving on, so it is judged for the newest release, and the report says so. An explicit
                // flag still judges the database against an older release only.
                Compatibility.TargetRelease newest = compat.select(compat.newestRelease(), "compat-newest");
                return new Compatibility.TargetRelease(newest.immichVersion(), newest.source(), newest.release(),
                        "Immich " + running.immichVersion() + " runs on this database (version_history) and cannot use VectorChord;"
                                + " judged for moving to " + newest.immichVersion() + ", the newest release vccheck knows");
            } catch (IllegalArgumentException e) {
                // An ancient version_history row says nothing about where the user is going; use the newest release.
            }
        }
        return compat.select(compat.newestRelease(), "compat-newest");
    }

    public Report analyze(Facts collected, AnalysisOptions opts, String generatedAt) {
        Facts facts = collected.copy();
        Compatibility.TargetRelease release = targetRelease(facts, opts.immichVersion());
        facts.json().set("target", PlainJson.toTree(release.toFacts()));

        Map<String, Object> act = new HashMap<>(facts.activation(schema));
        Map<String, Object> derived = new LinkedHashMap<>();
        act.put("derived", derived);
        for (Derived d : rules.derived()) {
            try {
                derived.put(d.name(), d.expr().eval(act));
            } catch (Exception e) {
                // Absent: rules that read it end in error naming the key.
            }
        }
        String phase = opts.phase();
        if (phase == null) {
            Object p = derived.get("phase");
            phase = p instanceof String s && RuleLoader.PHASES.contains(s) ? s : "pre";
        }

        List<Finding> findings = new ArrayList<>();
        for (Rule r : rules.rules()) {
            if (!selected(r, opts)) continue;
            findings.addAll(evaluate(r, facts, act, phase));
        }
        findings = applyWaivers(findings, facts, opts);
        findings.sort(Comparator.comparing((Finding f) -> f.status().displayRank()).thenComparing(Finding::id));

        Map<String, ScannedSource> targets = new LinkedHashMap<>();
        facts.json().path("collection").fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) targets.put(e.getKey(), ScannedSource.of(PlainJson.toMap(e.getValue())));
        });
        JsonNode red = facts.json().path("meta").path("redaction");
        Map<String, Object> redaction = PlainJson.toMap(red);
        return new Report(Report.SCHEMA_ID, new Report.Tool("vccheck", toolVersion), generatedAt, targets, redaction,
                new Report.ImmichVersion(release.immichVersion(), release.source(), release.release().label(), release.note()),
                new Report.Migration(str(derived.get("migration_state")), str(derived.get("migration_path")), phase),
                Summary.of(findings), findings).withDerived(derived);
    }

    private static String str(Object o) {
        return o instanceof String s ? s : null;
    }

    static boolean selected(Rule r, AnalysisOptions o) {
        if (!o.only().isEmpty() && o.only().stream().noneMatch(s -> matches(r, s))) return false;
        return o.skip().stream().noneMatch(s -> matches(r, s));
    }

    private static boolean matches(Rule r, String idOrTag) {
        Pattern p = Pattern.compile(Pattern.quote(idOrTag).replace("*", "\\E.*\\Q"));
        return p.matcher(r.id()).matches() || r.tags().stream().anyMatch(t -> p.matcher(t).matches());
    }

    private List<Finding> evaluate(Rule r, Facts facts, Map<String, Object> baseAct, String phase) {
        long start = System.nanoTime();
        List<Finding> blocked = blocked(r, facts, phase, start);
        if (blocked != null) return blocked;
        Map<String, Object> act = baseAct;
        if (r.collect() != null) {
            JsonNode custom = facts.json().path("custom").path(r.id());
            if (custom.has("error")) return one(r, UNAVAILABLE, Status.ERROR, "could not verify: " + custom.get("error").asText(), start);
            if (custom.isMissingNode()) return one(r, UNAVAILABLE, Status.ERROR, "could not verify: the rule's own query was not run (collect it with this rule loaded)", start);
            act = withOwnRows(baseAct, custom);
        }
        try {
            return judge(r, act, start);
        } catch (Exception | StackOverflowError e) {
            return one(r, "exception", Status.ERROR, "evaluation failed: " + clean(e), start);
        }
    }

    /** The finding of a rule that cannot run: another phase, its source not configured or failed, facts it needs missing. */
    private List<Finding> blocked(Rule r, Facts facts, String phase, long start) {
        if (!r.phases().contains(phase)) {
            return one(r, "phase", Status.SKIP, "applies in phase " + String.join(", ", r.phases()) + "; this run is phase " + phase, start);
        }
        for (String src : sources(r)) {
            CollectionStatus status = facts.sourceStatus(src);
            if (status == CollectionStatus.NOT_CONFIGURED) {
                return one(r, "source", Status.SKIP, switch (src) {
                    case "postgres" -> "no database target given";
                    case "logs" -> "no log read";
                    default -> "no Kubernetes target given";
                }, start);
            }
            if (status == CollectionStatus.ERROR) {
                observer.produced(r, "source");
                return List.of(finding(r, Status.ERROR, "could not verify: " + facts.sourceMessage(src), Map.of(), List.of(), start).blockedBy(src));
            }
        }
        Map<String, String> unavailable = facts.unavailable();
        for (String need : r.needs()) {
            for (Map.Entry<String, String> u : unavailable.entrySet()) {
                String k = u.getKey();
                if (k.equals(need) || k.startsWith(need + ".") || need.startsWith(k + ".")) {
                    return one(r, UNAVAILABLE, Status.ERROR, "could not verify: " + u.getValue(), start);
                }
            }
        }
        return null;
    }

    /** The activation with the rule's own query results as {@code rows} / {@code items}. */
    private static Map<String, Object> withOwnRows(Map<String, Object> baseAct, JsonNode custom) {
        Map<String, Object> act = new HashMap<>(baseAct);
        act.put("rows", FactsSchema.toCel(custom.path("rows"), dev.cel.common.types.ListType.create(dev.cel.common.types.SimpleType.DYN)));
        act.put("items", FactsSchema.toCel(custom.path("items"), dev.cel.common.types.ListType.create(dev.cel.common.types.SimpleType.DYN)));
        if (!custom.has("rows")) act.put("rows", List.of());
        if (!custom.has("items")) act.put("items", List.of());
        return act;
    }

    /** {@code when}, evidence, then the outcomes: every matching non-pass one, else the first matching pass. */
    private List<Finding> judge(Rule r, Map<String, Object> act, long start) throws Exception {
        if (r.when() != null && !r.when().test(act)) {
            String why = r.whenNot() == null ? r.when().source() : r.whenNot().render(act);
            return one(r, WHEN, Status.SKIP, "not applicable: " + why, start);
        }
        Map<String, Object> evidence = evidence(r, act);
        List<Outcome> matched = matched(r, act);
        if (matched.isEmpty()) {
            return one(r, "no-match", Status.ERROR, "no outcome matched the facts; the rule needs a catch-all outcome such as pass: \"true\"", start);
        }
        List<Finding> out = new ArrayList<>();
        for (Outcome o : matched) {
            List<Finding.Step> steps = steps(o, act);
            out.add(finding(r, o.status(), o.message().render(act), evidence, steps, start));
        }
        // After rendering: a message or remediation that fails to render ends in "exception" instead.
        for (Outcome o : matched) {
            int i = 0;
            while (r.outcomes().get(i) != o) i++; // by identity: two outcomes may be equal records
            observer.produced(r, outcome(i));
        }
        return out;
    }

    private static Map<String, Object> evidence(Rule r, Map<String, Object> act) {
        Map<String, Object> evidence = new LinkedHashMap<>();
        for (Map.Entry<String, Expr> e : r.evidence().entrySet()) {
            try {
                evidence.put(e.getKey(), CelValues.plain(e.getValue().eval(act)));
            } catch (Exception ex) {
                evidence.put(e.getKey(), "unavailable: " + clean(ex));
            }
        }
        return evidence;
    }

    private static List<Outcome> matched(Rule r, Map<String, Object> act) throws Exception {
        List<Outcome> matched = new ArrayList<>();
        Outcome firstPass = null;
        for (Outcome o : r.outcomes()) {
            if (!o.condition().test(act)) continue;
            if (o.status() == Status.PASS) {
                if (firstPass == null) firstPass = o;
            } else {
                matched.add(o);
            }
        }
        if (matched.isEmpty() && firstPass != null) matched.add(firstPass);
        return matched;
    }

    private static List<Finding.Step> steps(Outcome o, Map<String, Object> act) throws Exception {
        List<Finding.Step> steps = new ArrayList<>();
        for (Remediation rem : o.remediation()) {
            if (rem.when() != null && !rem.when().test(act)) continue;
            String title = rem.title() == null ? null : rem.title().render(act);
            steps.add(new Finding.Step(rem.kind().name(), title == null || title.isBlank() ? null : title, rem.text().render(act)));
        }
        return steps;
    }

    private static List<String> sources(Rule r) {
        return switch (r.source()) {
            case postgres -> List.of("postgres");
            case kubernetes -> List.of("kubernetes");
            case any -> List.of("postgres", "kubernetes");
            case logs -> List.of("logs");
        };
    }

    static String clean(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null && !m.contains(e.getCause().getMessage())) {
            m = m + ": " + e.getCause().getMessage();
        }
        return CEL_PREFIX.matcher(m).replaceFirst("");
    }

    private List<Finding> one(Rule r, String entry, Status s, String message, long start) {
        observer.produced(r, entry);
        return List.of(finding(r, s, message, Map.of(), List.of(), start));
    }

    private Finding finding(Rule r, Status s, String message, Map<String, Object> evidence, List<Finding.Step> steps, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        return new Finding(r.id(), r.title(), s, r.severity(), message, evidence, steps, r.references(), r.tags(),
                r.source().name(), null, ms);
    }

    private List<Finding> applyWaivers(List<Finding> findings, Facts facts, AnalysisOptions o) {
        if (o.waivers().isEmpty()) return findings;
        java.time.LocalDate today = o.today() != null ? o.today() : java.time.LocalDate.now();
        List<String> labels = new ArrayList<>();
        facts.json().path("collection").forEach(n -> {
            if (n.has("label")) labels.add(n.get("label").asText());
        });
        List<Finding> out = new ArrayList<>();
        for (Finding f : findings) {
            Finding g = f;
            if (f.status() != Status.PASS && f.status() != Status.SKIP) {
                for (Waivers.Waiver w : o.waivers()) {
                    if (!w.matchesRule(f.id()) || !w.matchesTarget(labels) || w.expires().isBefore(today)) continue;
                    g = f.withWaiver(new Finding.Waived(w.reason(), w.expires().toString()));
                    break;
                }
            }
            out.add(g);
        }
        for (Waivers.Waiver w : o.waivers()) {
            if (!w.expires().isBefore(today)) continue;
            Map<String, Object> ev = new LinkedHashMap<>();
            ev.put("rule", w.rule());
            ev.put("expires", w.expires().toString());
            ev.put("reason", w.reason());
            ev.put("waiver", w.pos().toString());
            out.add(new Finding("vccheck.waiver-expired", "Waivers are current", Status.WARN, Status.WARN,
                    "the waiver for " + w.rule() + " expired on " + w.expires() + " (" + w.reason() + "); it waives nothing until renewed or removed",
                    ev, List.of(new Finding.Step("text", null, "Renew the waiver with a new expires date at " + w.pos() + ", or remove it.")),
                    List.of(), List.of("waivers"), "any", null, 0));
        }
        return out;
    }
}
