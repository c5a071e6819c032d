package dev.vccheck.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vccheck.facts.Facts;
import dev.vccheck.report.Finding;
import dev.vccheck.report.Report;
import dev.vccheck.text.Quote;
import dev.vccheck.rules.Status;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the analysis of a database (and cluster) into the runbook of a migration path, filled in with the user's
 * own names and numbers. No I/O: it reads the facts and the report. Paths: dual (both extensions on the server,
 * Immich converts at start), manual (the real[] round trip), pgvector, cnpg (TrueCharts with CloudNativePG).
 *
 * <p>What the rule packs derive it does not work out again: the state, path and dimension, where the SQL runs
 * (derived.psql), Immich's Deployments, CloudNativePG and TrueCharts, the libraries on the server, the migration
 * image and the SQL of steps 1 and 3 come from {@link Report#derived()}, so the runbook and the findings say the
 * same. What stays here is the runbook's own order and wording, and the preload lists each path needs.
 */
public final class Planner {
    public static final List<String> PATHS = java.util.Arrays.stream(Plan.Path.values()).map(Plan.Path::value).toList();

    private Planner() {
    }

    public static String detectPath(Facts facts, Report report) {
        if (facts.at("/k8s/cnpg/clusters").map(n -> n.size() > 0).orElse(false)) return Plan.Path.CNPG.value();
        return switch (MigrationPath.of(report.migration().path())) {
            case DUAL -> Plan.Path.DUAL.value();
            case PGVECTOR -> Plan.Path.PGVECTOR.value();
            case MANUAL, NONE -> Plan.Path.MANUAL.value();
        };
    }

    public static Plan plan(Facts facts, Report report, String path) {
        return plan(facts, report, Plan.Path.of(path));
    }

    public static Plan plan(Facts facts, Report report, Plan.Path path) {
        Context c = Context.of(facts, report);
        List<String> blockers = blockers(report, c.state());
        String targetSource = report.immich_version() == null ? "" : String.valueOf(report.immich_version().source());
        if (c.state() == MigrationState.PGVECTORS && MigrationPath.of(report.migration().path()) == MigrationPath.NONE && !targetSource.equals("version_history")) {
            // A target release before v1.133 (given, or the image's) has no VectorChord: nothing to migrate to
            // (pg.migration.state says so). version_history only tells where the database is, not where it is going.
            blockers.add("Immich " + report.immich_version().value() + " has no VectorChord (it arrived in v1.133.0): there is no migration to plan for it; "
                    + "plan again for the release you are going to: vccheck plan --immich-version X.Y.Z");
            return new Plan(path, c.state(), c.dimension(), c.db(), c.psql(), blockers, List.of(), c.sql());
        }
        List<Plan.Step> steps = switch (path) {
            case DUAL -> dualSteps(c);
            case PGVECTOR -> pgvectorSteps(c);
            case MANUAL, CNPG -> manualSteps(c, path);
        };
        return new Plan(path, c.state(), c.dimension(), c.db(), c.psql(), blockers, steps, c.sql());
    }

    /** Every counted failure but the columns-real one (the plan's own step 3) blocks: half migrated, a release without VectorChord. */
    private static List<String> blockers(Report report, MigrationState state) {
        List<String> blockers = new ArrayList<>();
        for (Finding f : report.findings()) {
            if (f.status() == Status.FAIL && f.counts() && !(f.id().equals("pg.migration.state") && state == MigrationState.COLUMNS_REAL)) {
                blockers.add(f.id() + ": " + f.message());
            }
        }
        return blockers;
    }

    /**
     * What every path's steps are built from: the analysis's derived values and the facts they rest on. The current
     * preload list is merged with what a path needs (entries kept, duplicates not added); vectors is kept only where
     * pgvecto.rs is on the server, as a preloaded library that is missing stops PostgreSQL (pg_available_extensions
     * lists it by its control file; where vccheck could look, its library file must be there too).
     */
    private record Context(JsonNode doc, DerivedValues derived, MigrationState state, int dimension, String db, String ns, String primary,
                           String psql, boolean compose, String dim, Plan.Sql sql, boolean vectorsOnServer, boolean vchordOnServer,
                           List<String> preload, List<String> names, List<String> withoutVectors, List<String> namesWithoutVectors,
                           boolean cnpg, boolean truecharts, String cluster, boolean columnsReal, boolean done3) {
        static Context of(Facts facts, Report report) {
            JsonNode doc = facts.json();
            DerivedValues derived = new DerivedValues(report.derived());
            MigrationState state = MigrationState.of(report.migration().state());
            String db = doc.at("/pg/database/name").asText(doc.at("/pg/connection/database").asText("immich"));
            // derived.psql (rules/kubernetes): the way vccheck came in (--docker, --kube-exec), else the CNPG primary
            // pod; the same command the findings' SQL names. Without either, psql on this machine.
            String psql = derived.string("psql").isEmpty() ? "psql -d " + Quote.shell(db) : derived.string("psql");
            // Steps 1 and 3 run the SQL the state rule shows (rules/postgres/00-state.yaml). Step 3 creates VectorChord:
            // the plan's step 2 installs it, whatever Immich would select before that (the rule follows that selection).
            Plan.Sql sql = new Plan.Sql(derived.string("step1_sql"), derived.string("step3_sql", "vchord"));
            boolean vectorsOnServer = derived.strings("libraries").contains("vectors");
            List<String> preload = new ArrayList<>();
            doc.at("/pg/preload").forEach(n -> {
                if (vectorsOnServer || !isVectors(n.asText())) preload.add(n.asText());
            });
            List<String> names = new ArrayList<>();
            doc.at("/pg/preload_names").forEach(n -> names.add(n.asText()));
            return new Context(doc, derived, state, derived.integer("dimension"), db, doc.at("/k8s/namespace").asText("immich"),
                    derived.string("primary_pod"), psql, doc.at("/collection/postgres/via").asText("").equals("docker"),
                    derived.string("step3_dimension"), sql, vectorsOnServer, derived.strings("libraries").contains("vchord"), preload, names,
                    preload.stream().filter(e -> !isVectors(e)).toList(), names.stream().filter(n -> !n.equals("vectors")).toList(),
                    derived.bool("cnpg"), derived.bool("truecharts"), derived.string("cnpg_name"),
                    state == MigrationState.COLUMNS_REAL, state.vchordCreated());
        }
    }

    /** Both extensions on the server at once; Immich converts the columns itself at its next start. */
    private static List<Plan.Step> dualSteps(Context c) {
        List<Plan.Step> steps = new ArrayList<>();
        if (c.compose()) {
            // Immich's docker compose: the database image decides which libraries are there (and preloaded).
            String image = migrationImage(c.derived(), c.state());
            boolean both = c.vchordOnServer() && c.vectorsOnServer();
            steps.add(new Plan.Step("Switch the database to Immich's image with VectorChord and pgvecto.rs", both,
                    both ? "this image has both extensions" : null,
                    List.of(new Plan.Block("text", "In docker-compose.yml, the database service's image line (the tag keeps this database's "
                                    + "PostgreSQL major and pgvecto.rs version):"),
                            new Plan.Block("yaml", "    image: " + (image.isEmpty() ? "ghcr.io/immich-app/postgres:MAJOR-vectorchordVERSION-pgvectorsVERSION" : image) + "\n"),
                            new Plan.Block("shell", "docker compose up -d database"))));
        }
        if (c.doc().at("/k8s/namespace").isMissingNode()) {
            steps.add(new Plan.Step("Stop Immich (server, microservices, machine learning)", false, null,
                    List.of(new Plan.Block("shell", "docker compose stop immich-server immich-machine-learning"))));
        } else {
            addCnpgPrelude(steps, c.doc(), c.derived(), c.ns());
        }
        boolean preloaded = c.names().contains("vchord") && c.names().contains("vectors");
        List<String> missing = new ArrayList<>();
        if (!c.vchordOnServer()) missing.add("vchord.so");
        if (!c.vectorsOnServer()) missing.add("vectors.so");
        List<Plan.Block> preloadBoth = preloadBlocks(c.cnpg(), c.truecharts(), c.cluster(), mergedList(c.preload(), c.names(), "vchord", "vectors"),
                "Restart PostgreSQL. ALTER SYSTEM writes postgresql.auto.conf, which survives an image switch and overrides postgresql.conf: "
                        + "remove vectors.so again before you switch to an image without pgvecto.rs (the cleanup step).");
        if (!preloaded && !missing.isEmpty()) {
            // A list naming a library that is not on the server stops PostgreSQL at the restart: no SQL here.
            String image = migrationImage(c.derived(), c.state());
            preloadBoth = List.of(new Plan.Block("text", String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " not on this server, and a preload list naming " + (missing.size() == 1 ? "it" : "them") + " stops PostgreSQL from starting ("
                    + "could not access file \"$libdir/" + missing.get(0).replace(".so", "") + "\"). First switch the database to an image that has both "
                    + "extensions" + (image.isEmpty() ? "" : " (" + image + ")") + ", then scan again: this step then gives the list to preload."));
        } else if (c.compose() && !preloaded) {
            preloadBoth = concat(List.of(new Plan.Block("text", "Immich's image preloads vchord.so and vectors.so itself (its postgresql.conf): "
                    + "after the switch, scan again and this step shows done. Only where something overrides it (a command: in "
                    + "docker-compose.yml, or an ALTER SYSTEM in postgresql.auto.conf), as a superuser:")), preloadBoth.toArray(new Plan.Block[0]));
        }
        steps.add(new Plan.Step("Preload both extensions and restart PostgreSQL", preloaded, preloaded ? "both are in shared_preload_libraries" : null,
                preloadBoth));
        steps.add(new Plan.Step("Create VectorChord (as a superuser)", c.done3(), c.done3() ? "vchord is installed" : null,
                List.of(new Plan.Block("sql", c.derived().string("create_vchord_sql")))));
        steps.add(new Plan.Step("Start Immich and wait for \"Reindexed clip_index\" and \"Reindexed face_index\" (do not restart it meanwhile)",
                c.state() == MigrationState.MIGRATED, c.state() == MigrationState.MIGRATED ? "clip_index uses vchordrq" : null, List.of()));
        steps.add(cleanup(c.derived()));
        return steps;
    }

    private static List<Plan.Step> pgvectorSteps(Context c) {
        List<Plan.Step> steps = new ArrayList<>();
        steps.add(new Plan.Step("Update pgvector to 0.7 or newer (as a superuser)", false, null,
                List.of(new Plan.Block("sql", c.derived().string("pgvector_update_sql")))));
        steps.add(new Plan.Step("Install VectorChord, preload it, restart, create it", c.done3(), c.done3() ? "vchord is installed" : null,
                concat(preloadBlocks(c.cnpg(), c.truecharts(), c.cluster(), mergedList(c.preload(), c.names(), "vchord"), "Restart PostgreSQL, then:"),
                        new Plan.Block("sql", c.derived().string("create_vchord_sql")))));
        steps.add(new Plan.Step("Remove DB_VECTOR_EXTENSION=pgvector from Immich's environment and start Immich", false, null, List.of()));
        return steps;
    }

    /** The real[] round trip, by hand (manual) or on a TrueCharts CloudNativePG cluster (cnpg). */
    private static List<Plan.Step> manualSteps(Context c, Plan.Path path) {
        List<Plan.Step> steps = new ArrayList<>();
        boolean tc = path == Plan.Path.CNPG;
        if (tc) addCnpgPrelude(steps, c.doc(), c.derived(), c.ns());
        steps.add(new Plan.Step("Step 1: write down the dimension (" + c.dim() + ") and convert the columns to real[]" + (tc ? " on " + c.primary() : ""),
                c.columnsReal() || c.done3(), c.columnsReal() || c.done3() ? "smart_search.embedding is " + c.doc().at("/pg/embeddings/smart_search/formatted").asText("not vectors.vector") : null,
                List.of(new Plan.Block("text", "Open psql on the database:"), new Plan.Block("shell", c.psql()), new Plan.Block("sql", c.sql().step1()))));
        if (tc) {
            steps.add(new Plan.Step("Switch the cluster to VectorChord (TrueCharts values, in Git when Flux or Argo CD manage it)", false, null,
                    List.of(new Plan.Block("yaml", "cnpg:\n  main:\n    type: vectorchord\n"),
                            new Plan.Block("text", "The rolling update usually makes " + c.ns() + "'s -2 instance the primary; delete a crash-looping instance and scale Immich to 0 again."))));
        } else {
            // pgvecto.rs goes in this step, so vectors.so leaves the list: once it is uninstalled a preloaded
            // vectors.so stops PostgreSQL from starting (Immich #18432).
            steps.add(new Plan.Step("Step 2: install VectorChord (pgvecto.rs can go), preload vchord.so without vectors.so, restart PostgreSQL", c.done3(), null,
                    preloadBlocks(c.cnpg(), c.truecharts(), c.cluster(), mergedList(c.withoutVectors(), c.namesWithoutVectors(), "vchord"),
                            (c.vchordOnServer() ? "Restart PostgreSQL." : "Run this on the current image, then stop PostgreSQL, switch to the image with VectorChord "
                                    + "and start it there (this image has no vchord.so: do not restart it in between).")
                                    + " ALTER SYSTEM writes postgresql.auto.conf, which survives an image switch and overrides postgresql.conf: a vectors.so "
                                    + "left there stops PostgreSQL from starting once pgvecto.rs is uninstalled.")));
        }
        steps.add(new Plan.Step("Step 3: create VectorChord and restore the columns as vector(" + c.dim() + ")", c.done3(), c.done3() ? "migration state " + c.state() : null,
                List.of(new Plan.Block("text", "Open psql on the database:"), new Plan.Block("shell", c.psql()), new Plan.Block("sql", c.sql().step3()))));
        steps.add(new Plan.Step("Start Immich and wait for \"Reindexed clip_index\" and \"Reindexed face_index\"", c.state() == MigrationState.MIGRATED, null, List.of()));
        steps.add(cleanup(c.derived()));
        if (tc) steps.add(new Plan.Step("Remove the overrides and move to chart 25.0.1 or newer", false, null, List.of()));
        return steps;
    }

    private static void addCnpgPrelude(List<Plan.Step> steps, JsonNode doc, DerivedValues derived, String ns) {
        List<String> scale = new ArrayList<>();
        // Immich's Deployments as rules/kubernetes derives them (by name and by app.kubernetes.io/name label), the
        // ones k8s.workloads.scaled-down checks.
        for (String n : derived.strings("immich_workloads")) {
            scale.add("kubectl scale --replicas=0 deployment/" + Quote.shell(n) + " -n " + Quote.shell(ns));
        }
        steps.add(new Plan.Step("Scale Immich to 0 (workload.main.replicas: 0 in the values covers only the main workload)", false, null,
                List.of(new Plan.Block("yaml", "workload:\n  main:\n    replicas: 0\n"), new Plan.Block("kubectl", String.join("\n", scale)))));
        List<String> drift = new ArrayList<>();
        for (JsonNode h : doc.at("/k8s/flux/helmreleases")) {
            if (h.path("drift_mode").asText().equals("enabled")) drift.add(h.path("namespace").asText() + "/" + h.path("name").asText());
        }
        if (!drift.isEmpty()) {
            steps.add(new Plan.Step("Turn off Flux drift correction for " + String.join(", ", drift) + " (in Git)", false, null,
                    List.of(new Plan.Block("yaml", "spec:\n  driftDetection:\n    mode: warn\n"))));
        }
    }

    private static Plan.Step cleanup(DerivedValues derived) {
        return new Plan.Step("After Immich reindexed: remove pgvecto.rs leftovers (as a superuser); later, after installing a newer VectorChord, update it and rebuild the indexes",
                false, null, List.of(new Plan.Block("sql",
                        derived.string("cleanup_sql")),
                new Plan.Block("text", "Remove vectors from shared_preload_libraries and restart, before uninstalling pgvecto.rs (postgresql.auto.conf survives an image switch). "
                        + "Leave the database's search_path alone: Immich sets it itself. Then check: vccheck scan --phase post. After a later VectorChord upgrade:"),
                new Plan.Block("sql", derived.string("vchord_update_sql"))));
    }

    /** The existing entries plus the libraries not yet in them, as ALTER SYSTEM's list of literals. */
    static String merged(List<String> preload, List<String> names, String... needed) {
        return Quote.literalList(mergedList(preload, names, needed));
    }

    static List<String> mergedList(List<String> preload, List<String> names, String... needed) {
        List<String> out = new ArrayList<>(preload);
        for (String n : needed) if (!names.contains(n)) out.add(n + ".so");
        return out;
    }

    private static boolean isVectors(String entry) {
        return entry.matches("(.*/)?vectors(\\.so)?");
    }

    /**
     * Immich's image with both extensions for this database (derived.migration_image), where pg.migration.state's
     * evidence names it: on the dual path or while the columns are pgvecto.rs's; else "".
     */
    private static String migrationImage(DerivedValues derived, MigrationState state) {
        boolean named = MigrationPath.of(derived.string("migration_path")) == MigrationPath.DUAL || state == MigrationState.PGVECTORS;
        return named ? derived.string("migration_image") : "";
    }

    /** ALTER SYSTEM and a restart; on CloudNativePG (which disables ALTER SYSTEM) the Cluster spec instead. */
    private static List<Plan.Block> preloadBlocks(boolean cnpg, boolean truecharts, String cluster, List<String> list, String after) {
        if (cnpg) {
            StringBuilder y = new StringBuilder("spec:\n  postgresql:\n    shared_preload_libraries:\n");
            for (String e : list) y.append("      - ").append(e).append('\n');
            List<Plan.Block> out = new ArrayList<>(List.of(new Plan.Block("text", "CloudNativePG does not allow ALTER SYSTEM: set the list in the Cluster " + cluster
                            + " (in Git when Flux or Argo CD manage it); the operator restarts the instances."),
                    new Plan.Block("yaml", y.toString())));
            if (truecharts) {
                // TrueCharts renders the Cluster: its values key cnpg.<name>.cluster.preloadLibraries (research/kubernetes.md §2.2).
                StringBuilder v = new StringBuilder("cnpg:\n  main:\n    cluster:\n      preloadLibraries:\n");
                for (String e : list) v.append("        - ").append(e).append('\n');
                out.add(new Plan.Block("text", "With the TrueCharts chart, set it in the chart's values instead:"));
                out.add(new Plan.Block("yaml", v.toString()));
            }
            return out;
        }
        return List.of(new Plan.Block("sql", "ALTER SYSTEM SET shared_preload_libraries = " + Quote.literalList(list) + ";"),
                new Plan.Block("text", after));
    }

    private static List<Plan.Block> concat(List<Plan.Block> a, Plan.Block... b) {
        List<Plan.Block> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
